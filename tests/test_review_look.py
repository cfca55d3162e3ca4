"""What the review notebook and the references look like to a learner (no browser): readable card
headers, questions that need a demo kept out or told what to reopen, a memory table whose columns
stay apart, references with tiers and links, model assumptions as formatted text."""
from datetime import datetime, timezone

import pytest

from gutbrain.course import assumptions_html, references_html
from gutbrain.selfcheck import load_bank


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GUTBRAIN_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.clock
def test_review_cards_name_the_lesson_not_its_file_and_the_table_is_styled(data_dir):
    from gutbrain.widgets.progress import ReviewSession

    session = ReviewSession(size=3, max_new=3, now=datetime(2026, 11, 22, 9, tzinfo=timezone.utc))
    headers = [row.value for row in session.widget.children if "Question 1 of" in getattr(row, "value", "")]
    assert headers and "Lesson 0: Start here" in headers[0] and "(00_start_here;" not in headers[0]
    boxes = session.widget.children[1].value
    assert "border-collapse" in boxes and "<caption>" in boxes and "30+ days" in boxes


@pytest.mark.clock
def test_questions_marked_not_for_review_stay_out(data_dir, tmp_path, monkeypatch):
    import shutil

    from gutbrain.data import assets_dir
    from gutbrain.widgets.progress import ReviewSession

    copy = tmp_path / "assets"
    shutil.copytree(assets_dir(), copy)
    bank_file = copy / "questions" / "00_start_here.yaml"
    text = bank_file.read_text(encoding="utf-8")
    bank_file.write_text(text.replace("  - id: how-selfchecks-work\n", "  - id: how-selfchecks-work\n    review: false\n"),
                         encoding="utf-8")
    monkeypatch.setenv("GUTBRAIN_ASSETS", str(copy))
    load_bank.cache_clear()  # banks are cached per lesson
    try:
        session = ReviewSession(size=80, max_new=80, now=datetime(2026, 11, 22, 9, tzinfo=timezone.utc))
    finally:
        monkeypatch.undo()
        load_bank.cache_clear()
    keys = [item.key for item in session.queue]
    assert "00_start_here/how-selfchecks-work" not in keys and "00_start_here/model-share-kynurenine" in keys


@pytest.mark.parametrize("lesson", ["00_start_here", "01_serotonin_synthesis"])
def test_cards_that_need_a_demo_say_what_to_reopen(lesson):
    for q in load_bank(lesson).values():
        text = q.spec["prompt"].lower()
        if any(word in text for word in ("hover", "explorer", "slider", "demo", "pathway map")):
            assert q.demo or not q.in_review, f"{q.key} needs its demo but does not say what to reopen"
        assert "demo above" not in text and "seed" not in text


def test_references_show_tier_and_links():
    html = references_html(["yano2015", "bionumbers102687"])
    assert "(animal)" in html and "(review)" in html
    assert 'href="https://doi.org/10.1016/j.cell.2015.02.047"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/25860609/"' in html and "PMC4393509" in html
    assert "bionumbers.hms.harvard.edu" in html  # no DOI or PMID: the web page


def test_assumptions_are_a_bulleted_list_not_monospace():
    from gutbrain.models.tryptophan import ASSUMPTIONS

    html = assumptions_html(ASSUMPTIONS)
    assert html.count("<li>") >= 3 and "<pre" not in html and "not of gut enterochromaffin cells" in html
