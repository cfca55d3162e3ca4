"""The claims ledger (assets/claims.yaml): schema, keys, tiers, verbatim quotes, contradictions."""
from __future__ import annotations

import functools
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from gutbrain import ledger as lg
from gutbrain.data import AssetError, load_references

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("GUTBRAIN_SEEDS", REPO.parent / "shared" / "seeds"))
PLANNED_LESSONS = {"02_vagus_nerve", "03_psychobiotics", "04_inflammation_kynurenine"}


@pytest.fixture(scope="module")
def ledger():
    lg.load_ledger.cache_clear()
    return lg.load_ledger()


@functools.lru_cache(maxsize=1)
def _raw_text() -> str:
    return json.dumps(yaml.safe_load((REPO / "assets" / "claims.yaml").read_text(encoding="utf-8")))


def raw():
    """A fresh copy of assets/claims.yaml's data (parsed once)."""
    return json.loads(_raw_text())


@pytest.fixture(scope="module")
def refs():
    return load_references()


def test_ledger_loads_with_forty_or_more_claims(ledger):
    counts = lg.verdict_counts(ledger.claims)
    print("\n[ledger] claims per verdict: " + ", ".join(f"{v}: {n}" for v, n in counts.items())
          + f" (total {len(ledger.claims)})")
    assert len(ledger.claims) >= 40
    assert {c.article for c in ledger.claims} == set(ledger.articles)
    assert set(counts) == set(lg.VERDICTS)


def test_every_evidence_key_resolves_with_its_tier(ledger):
    refs = load_references()
    for claim in ledger.claims:
        for ev in claim.evidence:
            assert ev.key in refs, f"{claim.id}: {ev.key}"
            assert refs[ev.key].get("evidence_tier") == ev.tier, f"{claim.id}: {ev.key} tier {ev.tier}"


@pytest.mark.skipif(not SEEDS.is_dir() and not os.environ.get("CI"),
                    reason=f"the stored articles are not at {SEEDS} (set GUTBRAIN_SEEDS); in CI this fails instead")
def test_every_quote_is_verbatim_in_its_article(ledger):
    assert SEEDS.is_dir(), f"the stored articles are not at {SEEDS}: set GUTBRAIN_SEEDS (CI must check the quotes)"
    texts = lg.article_texts(SEEDS, ledger.articles)
    assert set(texts) == set(ledger.articles)
    missing = [c.id for c in ledger.claims if lg.normalise_text(c.quote) not in texts[c.article]]
    assert not missing, f"quotes not found verbatim in their article: {missing}"


def _headings(slug: str) -> list[str]:
    nb = json.loads((REPO / "lessons" / f"{slug}.ipynb").read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            out += [line.lstrip("#").strip() for line in src.splitlines() if line.startswith("## ")]
    return out


def test_every_claim_links_to_a_lesson_and_section_that_exist(ledger):
    present = {p.stem for p in (REPO / "lessons").glob("[0-9][0-9]_*.ipynb")}
    for claim in ledger.claims:
        assert claim.lesson in present | PLANNED_LESSONS, f"{claim.id}: unknown lesson {claim.lesson}"
        if claim.lesson in present and claim.section:
            assert any(h.startswith(claim.section) for h in _headings(claim.lesson)), (
                f"{claim.id}: no section starting {claim.section!r} in lessons/{claim.lesson}.ipynb")


def test_contradictions_link_claims_of_different_articles(ledger):
    ids = {g.id for g in ledger.contradictions}
    assert {"ninety-vs-ninety-five", "enteric-neuron-count", "gut-serotonin-and-mood"} <= ids
    for group in ledger.contradictions:
        assert len({ledger.claim(i).article for i in group.claims}) >= 2
    linked = {c.id for c in ledger.linked("a-90-percent")}
    assert {"d-95-percent", "b-90-percent"} <= linked


def test_not_verified_claims_say_why(ledger):
    for claim in ledger.claims:
        if claim.verdict == "not verified":
            assert claim.why_not_verified, claim.id


# ------------------------------------------------------------------ the loader fails clearly
def _with(mutate, tmp_path, monkeypatch):
    assets = tmp_path / "assets"
    assets.mkdir()
    for name in ("claims.yaml", "references.yaml", "articles.yaml"):
        shutil.copy(REPO / "assets" / name, assets / name)
    data = raw()
    mutate(data)
    (assets / "claims.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("GUTBRAIN_ASSETS", str(assets))
    lg.load_ledger.cache_clear()
    try:
        with pytest.raises(AssetError) as info:
            lg.load_ledger()
    finally:
        lg.load_ledger.cache_clear()
    return str(info.value)


def _claim(data, cid):
    return next(c for c in data["claims"] if c["id"] == cid)


@pytest.mark.parametrize("mutate, says", [
    (lambda d: _claim(d, "a-90-percent")["evidence"].append({"key": "nosuch1999", "tier": "animal"}),
     "a-90-percent: reference key 'nosuch1999'"),
    (lambda d: _claim(d, "a-90-percent")["evidence"][0].update(tier="human RCT"),
     "a-90-percent: kim2018 has tier 'human RCT' here"),
    (lambda d: _claim(d, "a-90-percent").update(verdict="mostly true"), "is not one of"),
    (lambda d: _claim(d, "a-fibre-grams").pop("why_not_verified"), "why_not_verified"),
    (lambda d: _claim(d, "a-90-percent").update(article="F"), "article 'F' is not in assets/articles.yaml"),
    (lambda d: _claim(d, "a-largest-factory").update(evidence=[]), "needs evidence keys"),
    (lambda d: d["contradictions"][0]["claims"].append("z-nothing"), "unknown claim(s) z-nothing"),
    (lambda d: d["contradictions"][1].update(claims=["d-95-percent", "d-no-bbb"]), "at least two articles"),
    (lambda d: d["claims"].append(dict(_claim(d, "a-90-percent"))), "used twice"),
])
def test_validation_names_the_claim_and_the_problem(mutate, says, ledger, refs):
    data = raw()
    mutate(data)
    problems = lg.validate(data, references=refs, articles=ledger.articles)
    assert any(says in p for p in problems), problems


def test_the_loader_fails_with_the_problems(tmp_path, monkeypatch):
    message = _with(lambda d: _claim(d, "a-90-percent")["evidence"][0].update(tier="human RCT"),
                    tmp_path, monkeypatch)
    assert message.startswith("assets/claims.yaml is invalid") and "a-90-percent" in message


def test_a_quote_that_is_not_in_the_article_is_caught(ledger, refs):
    data = raw()
    _claim(data, "d-95-percent")["quote"] = "Exactly 95% of serotonin is made in the gut"
    problems = lg.validate(data, references=refs, articles=ledger.articles,
                           article_texts={"D": "Approximately 95% of the body’s serotonin is produced in the gut"})
    assert any("d-95-percent: quote is not verbatim" in p for p in problems)


# ------------------------------------------------------------------ pure queries
def test_filters_combine(ledger):
    d_animals = lg.filter_claims(ledger.claims, article="D", verdict="supported in animals only")
    assert d_animals and all(c.article == "D" and c.verdict == "supported in animals only" for c in d_animals)
    rct = lg.filter_claims(ledger.claims, tier="human RCT")
    assert rct and all("human RCT" in c.tiers for c in rct)
    assert lg.filter_claims(ledger.claims) == list(ledger.claims)
    assert lg.filter_claims(ledger.claims, article="A", topic="inflammation-kynurenine") == []


def test_scorecards_add_up(ledger):
    cards = lg.scorecards(ledger)
    assert [c.article for c in cards] == sorted(ledger.articles)
    assert sum(c.claims for c in cards) == len(ledger.claims)
    for card in cards:
        assert sum(card.by_verdict.values()) == card.claims
    by = {c.article: c for c in cards}
    assert by["D"].review_as_proof >= 1 and by["A"].commercial == 0
    assert by["B"].steers_to_product and not by["A"].steers_to_product


def test_judge_gives_feedback_with_the_explanation(ledger):
    claim = ledger.claim("a-dysbiosis-low-serotonin-mood")
    ok, text = lg.judge(claim, "contradicted by evidence")
    assert ok and text.startswith("Yes")
    ok, text = lg.judge(claim, "supported")
    assert not ok and "contradicted by evidence" in text and claim.explanation in text
    ok, text = lg.judge(ledger.claim("a-ec-cells-bacteria"), "overstated")
    assert not ok and text.startswith("Close")
    with pytest.raises(ValueError, match="unknown verdict"):
        lg.judge(claim, "maybe")


def test_verdict_counts_cover_the_scale(ledger):
    counts = Counter(c.verdict for c in ledger.claims)
    assert counts["supported"] >= 5 and counts["overstated"] >= 5 and counts["marketing"] >= 2
