"""Lesson 5 (reading a health article): ledger figures, widgets and bank, without a browser."""
from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import pytest

from gutbrain.data import load_references
from gutbrain.figures import ledger as figs
from gutbrain.figures.style import LINK_CSS, alt_text
from gutbrain.ledger import VERDICTS, load_ledger, scorecards
from gutbrain.selfcheck import load_bank

REPO = Path(__file__).resolve().parents[1]
LESSON = "05_reading_health_articles"


@pytest.fixture(scope="module")
def ledger():
    return load_ledger()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GUTBRAIN_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_judge_questions_are_the_ledgers_claims(ledger):
    bank = load_bank(LESSON)
    judges = [q for q in bank.values() if q.id.startswith("judge-")]
    assert len(judges) >= 6
    for q in judges:
        claim = ledger.claim(q.id.removeprefix("judge-"))
        right = [o["text"] for o in q.options if o.get("correct")]
        assert right == [claim.verdict], q.id
        assert all(o["text"] in VERDICTS for o in q.options), q.id
        assert " ".join(q.explanation.split()) == claim.explanation, f"{q.id}: explanation differs from the ledger"
        assert claim.quote in q.prompt and ledger.articles[claim.article]["label"] in q.prompt
    assert sum(not q.id.startswith("judge-") for q in bank.values()) >= 6


def test_every_lesson5_section_the_ledger_names_exists(ledger):
    nb = json.loads((REPO / "lessons" / f"{LESSON}.ipynb").read_text(encoding="utf-8"))
    heads = [line[3:] for c in nb["cells"] if c["cell_type"] == "markdown"
             for line in "".join(c["source"]).splitlines() if line.startswith("## ")]
    for claim in ledger.claims:
        if claim.lesson == LESSON:
            assert any(h.startswith(claim.section) for h in heads), claim.id
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    for q in load_bank(LESSON):
        assert f'"{q}"' in code or f'"{q.removeprefix("judge-")}"' in code, f"{q} is never asked in the lesson"


def test_verdict_bars_add_up_per_article(ledger):
    fig = figs.verdict_bars(ledger)
    assert [t.name for t in fig.data] == list(VERDICTS)
    cards = {c.label: c for c in scorecards(ledger)}
    for label, card in cards.items():
        total = sum(t.x[list(t.y).index(label)] for t in fig.data)
        assert total == card.claims
    assert fig.layout.title.text and fig.layout.xaxis.title.text
    assert "supported" in alt_text(fig)


def test_flag_bars_and_contradiction_map(ledger):
    flags = figs.flag_bars(ledger)
    assert len(flags.data) == 3 and all(len(t.x) == len(ledger.articles) for t in flags.data)
    cmap = figs.contradiction_map(ledger)
    markers = [t for t in cmap.data if t.mode == "markers"]
    assert len(markers) == sum(len(g.claims) for g in ledger.contradictions)
    assert all("“" in t.hovertemplate for t in markers)
    assert "Article C" in alt_text(cmap) and cmap.layout.title.text
    # one legend entry per verdict shown
    names = [t.name for t in markers if t.showlegend]
    assert len(names) == len(set(names))


def test_claim_card_shows_quote_verdict_evidence_and_lesson(ledger):
    claim = ledger.claim("d-95-percent")
    card = figs.claim_card_html(claim, ledger, load_references())
    assert "overstated" in card and "[berger2009]" in card and "(review)" in card
    assert '01_serotonin_synthesis.ipynb' in card and "Other articles say" in card
    assert "<script" not in figs.claim_card_html(claim, ledger, {"berger2009": {"authors": "<script>x"}})


def test_scorecard_and_contradiction_html(ledger):
    table = figs.scorecard_html(ledger)
    # One column per article (plus the measure), one row per verdict and warning sign: it fits a narrow notebook.
    assert table.count('<th scope="col">') == len(ledger.articles) + 1 and "<caption>" in table
    assert table.count("<tr>") == 1 + 2 + len(VERDICTS) + 4 and "commercial-tie claims" in table
    html = figs.contradictions_html(ledger)
    assert html.count("<li><b>") >= len(ledger.contradictions)


def test_explorer_filters_update_the_list(ledger):
    from gutbrain.widgets.ledger import LedgerExplorer

    ex = LedgerExplorer(hold_back=set())
    assert f"<b>{len(ledger.claims)}</b> claim(s)" in ex.output.value
    ex.set(article="D", verdict="overstated")
    assert "d-rcts-rhamnosus" not in ex.output.value and "Multiple RCTs" in ex.output.value
    assert all(c.article == "D" and c.verdict == "overstated" for c in ex.matching())
    ex.set(article="E", verdict="contradicted by evidence")
    assert "No claim matches" in ex.output.value
    ex.set(verdict="any", tier="meta-analysis")
    assert all("meta-analysis" in c.tiers for c in ex.matching())


def test_explorer_holds_back_the_judge_it_claims_until_judged(ledger, data_dir):
    """Issue 22: the explorer above "Judge it yourself" must not give the eight verdicts away."""
    from gutbrain.widgets.ledger import LedgerExplorer, judge, judge_claim_ids

    ids = judge_claim_ids()
    assert len(ids) == 8
    ex = LedgerExplorer()
    shown = {c.id for c in ex.matching()}
    assert not shown & set(ids)
    assert f"<b>{len(ledger.claims) - len(ids)}</b> claim(s)" in ex.output.value
    assert "8 more match but are held back" in ex.output.value
    for cid in ids:  # neither as a card nor as another card's "Other articles say" with its verdict
        claim = ledger.claim(cid)
        assert f"“{claim.quote}” — <b>" not in ex.output.value, cid
        assert f"“{claim.quote}” ({claim.verdict})" not in ex.output.value, cid
    card = judge("d-rcts-rhamnosus")
    card.answer("supported")  # a wrong answer still counts as judged
    assert "d-rcts-rhamnosus" in {c.id for c in ex.matching()}
    assert f"“{ledger.claim('d-rcts-rhamnosus').quote}” " in ex.output.value
    assert "7 more match but are held back" in ex.output.value


def test_claim_card_links_the_lesson_by_its_title(ledger):
    from gutbrain.widgets.ledger import lesson_titles

    titles = lesson_titles()
    card = figs.claim_card_html(ledger.claim("d-moderate-effects"), ledger, {}, titles=titles)
    assert f'<a href="03_psychobiotics.ipynb" style="{LINK_CSS}">{titles["03_psychobiotics"]}</a>' in card
    assert titles["03_psychobiotics"].startswith("Lesson 3")
    assert ">03_psychobiotics<" not in card
    # Without titles the link still reads as a lesson, never as a file id.
    assert ">Lesson 3: Psychobiotics<" in figs.claim_card_html(ledger.claim("d-moderate-effects"), ledger, {})


def test_contradiction_map_tells_unsupported_from_contradicted_without_colour(ledger):
    assert figs.VERDICT_SYMBOLS["unsupported"] != figs.VERDICT_SYMBOLS["contradicted by evidence"]
    assert figs.VERDICT_COLOURS["contradicted by evidence"] == "#000000"
    fig = figs.contradiction_map(ledger)
    by_name = {t.name: t.marker for t in fig.data if t.mode == "markers"}
    assert by_name["unsupported"].symbol != by_name["contradicted by evidence"].symbol
    bars = figs.verdict_bars(ledger)
    patterns = {t.name: t.marker.pattern.shape for t in bars.data}
    assert patterns["unsupported"] != patterns["contradicted by evidence"]


def test_judge_it_yourself_reveals_and_records(data_dir):
    from gutbrain.progress.store import default_store
    from gutbrain.widgets.ledger import judge

    card = judge("d-rcts-rhamnosus")
    assert card.reveal.value == ""
    fb = card.answer("supported")
    assert not fb.correct and "ledger entry" in card.reveal.value and "kelly2017" in card.reveal.value
    assert card.answer("overstated").correct
    attempts = default_store().load()["attempts"]
    assert [(a["key"], a["correct"]) for a in attempts] == [
        (f"{LESSON}/judge-d-rcts-rhamnosus", False), (f"{LESSON}/judge-d-rcts-rhamnosus", True)]
    assert attempts[0]["misconception"] == "confident-wording-is-evidence"


def test_views_build(ledger):
    from gutbrain.widgets.ledger import contradictions_view, scorecards_view

    score, contra = scorecards_view(), contradictions_view()
    assert len(score.figures) == 2 and len(contra.figures) == 1
    assert all(isinstance(f, go.Figure) and alt_text(f) for f in score.figures + contra.figures)
    assert any("<table" in p for p in score.parts if isinstance(p, str))
