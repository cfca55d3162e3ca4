"""Every asset the code names exists and validates; every citation resolves."""
import re
from pathlib import Path

import yaml

from gutbrain.data import assets_dir, load_references
from gutbrain.evidence import TIERS
from gutbrain.models import tryptophan

REPO = Path(__file__).resolve().parents[1]
SCIENCE_FILES = sorted((REPO / "lessons").glob("*.ipynb")) + sorted((REPO / "assets" / "questions").glob("*.yaml"))


def test_the_model_file_is_the_published_one_with_provenance():
    model = assets_dir() / tryptophan.MODEL_FILE
    text = model.read_text()
    assert 'id="MODEL1310160000"' in text and "10.1074/jbc.M113.474908" in text
    provenance = (assets_dir() / "model" / "README.md").read_text()
    assert "CC0" in provenance and "Stavrum" in provenance and "mM" in provenance


def test_every_asset_path_named_in_the_package_exists():
    src = "\n".join(p.read_text() for p in (REPO / "src").rglob("*.py"))
    named = set(re.findall(r'"((?:model|data|questions)/[\w./-]+\.(?:xml|csv|yaml))"', src))
    named |= set(re.findall(r'load_yaml\("([\w./-]+\.yaml)"\)', src))
    assert named, "expected the package to name its asset files"
    for relative in named:
        assert (assets_dir() / relative).is_file(), relative


def test_references_are_complete_and_never_placeholders():
    refs = load_references()
    for key, entry in refs.items():
        assert entry["evidence_tier"] in TIERS, key
        if "doi" in entry:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", entry["doi"]), key
        if "pmid" in entry:
            assert re.fullmatch(r"\d{5,9}", str(entry["pmid"])), key
        assert "xxx" not in str(entry).lower(), key


def test_every_citation_key_used_in_lessons_and_banks_exists():
    refs = load_references()
    for path in SCIENCE_FILES:
        text = path.read_text()
        for key in re.findall(r"\[([a-z][a-z_]*\d{4}[a-z]?)\]", text):
            assert key in refs, f"{path.name} cites [{key}], which is not in assets/references.yaml"


def test_misconception_tags_are_well_formed():
    tags = yaml.safe_load((assets_dir() / "misconceptions.yaml").read_text())
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", t) for t in tags)


def test_no_commercial_links_from_the_source_articles():
    banned = re.compile(r"innerbuddies|mefirstliving|affiliate|utm_", re.I)
    for path in list((REPO / "lessons").glob("*.ipynb")) + list((REPO / "assets").rglob("*.*")):
        if path.suffix in {".ipynb", ".yaml", ".csv", ".md"}:
            assert not banned.search(path.read_text()), path


def test_lessons_say_education_not_medical_advice():
    for path in (REPO / "lessons").glob("[0-9][0-9]_*.ipynb"):
        assert "not medical advice" in path.read_text().lower(), path.name
