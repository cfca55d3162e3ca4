"""Where the course's assets live, and loaders that fail with a message saying what to do.

Assets live in the repository's ``assets/`` folder; the package is installed editable
(``pip install -e .``), so they are found next to ``src/``. Set ``GUTBRAIN_ASSETS`` to use
another folder (e.g. a copy in a test).
"""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


class AssetError(ValueError):
    """An asset file is missing or malformed. The message names the file and the fix."""


def assets_dir() -> Path:
    return Path(os.environ.get("GUTBRAIN_ASSETS", REPO_ROOT / "assets"))


def lessons_dir() -> Path:
    return Path(os.environ.get("GUTBRAIN_LESSONS", REPO_ROOT / "lessons"))


def asset_path(relative: str) -> Path:
    """Path of an asset; AssetError (with what to do) if it is not there."""
    path = assets_dir() / relative
    if not path.is_file():
        raise AssetError(
            f"missing course file {path}: the course expects it under assets/{relative}. "
            "Restore it with `git checkout -- assets/` (or re-clone the repository)."
        )
    return path


#: libyaml's parser where PyYAML has it (its wheels do), else PyYAML's own: the same safe loading,
#: about ten times faster (the evidence check reads every YAML file of the course ~70 times a run).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load``, with libyaml when available. Raises ``yaml.YAMLError`` as it does."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


def load_yaml(relative: str) -> Any:
    path = asset_path(relative)
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise AssetError(f"{path} is not valid YAML: {err}") from None
    except UnicodeDecodeError as err:
        raise AssetError(f"{path} is not UTF-8 text: {err}") from None


def load_csv(relative: str, required_columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a CSV asset as dicts; checks that every required column is present and filled."""
    path = asset_path(relative)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(row for row in handle if not row.startswith("#"))
        missing = [c for c in required_columns if c not in (reader.fieldnames or [])]
        if missing:
            raise AssetError(f"{path}: missing column(s) {', '.join(missing)}")
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        empty = [c for c in required_columns if not (row.get(c) or "").strip()]
        if empty:
            raise AssetError(f"{path}, row {number}: empty {', '.join(empty)}")
    return rows


def load_references() -> dict[str, dict[str, Any]]:
    """The course's bibliography (assets/references.yaml), keyed by citation key."""
    refs = load_yaml("references.yaml")
    if not isinstance(refs, dict):
        raise AssetError("assets/references.yaml must map citation keys to entries")
    for key, entry in refs.items():
        for required in ("authors", "year", "title", "verified"):
            if not isinstance(entry, dict) or not entry.get(required):
                raise AssetError(f"assets/references.yaml: entry {key!r} lacks {required!r}")
        if not (entry.get("doi") or entry.get("pmid") or entry.get("url")):
            raise AssetError(f"assets/references.yaml: entry {key!r} needs a doi, pmid or url")
    return refs


def format_reference(entry: dict[str, Any]) -> str:
    """One line: Authors (year). Title. Journal volume:pages. doi / PMID."""
    parts = [f"{entry['authors']} ({entry['year']}). {entry['title'].rstrip('.')}."]
    where = " ".join(
        str(x) for x in (entry.get("journal"), entry.get("volume")) if x
    )
    if entry.get("pages"):
        where += f":{entry['pages']}"
    if where:
        parts.append(where + ".")
    if entry.get("doi"):
        parts.append(f"doi:{entry['doi']}")
    if entry.get("pmid"):
        parts.append(f"PMID {entry['pmid']}")
    if not entry.get("doi") and not entry.get("pmid") and entry.get("url"):
        parts.append(entry["url"])
    return " ".join(parts)
