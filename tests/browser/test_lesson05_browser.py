"""Lesson 5 in JupyterLab in Chromium (issue 22): the "Judge it yourself" verdicts are not given
away above the exercise, and the scorecard table fits the notebook at 570, 900 and 1400 px."""
from __future__ import annotations

import pytest

import labdriver as lab
from gutbrain.figures.ledger import lesson_name
from gutbrain.ledger import load_ledger
from gutbrain.progress.store import ProgressStore
from gutbrain.widgets.ledger import judge_claim_ids

pytestmark = pytest.mark.browser

LESSON = "lessons/05_reading_health_articles.ipynb"
NOTEBOOK_WIDTHS = (570, 900, 1400)


@pytest.fixture(scope="module")
def lesson5(open_tab, lab_server):
    # A learner who has not judged yet: other tests on this server may have answered every self-check.
    ProgressStore(lab_server.progress_dir()).reset("05_reading_health_articles")
    tab = open_tab(LESSON)
    try:
        lab.run_all(tab.page)
        yield tab
    finally:
        lab.close_tab(tab, lab_server)


def _explorer_text(page) -> str:
    ledger_list = page.locator(".jp-OutputArea .gutbrain-ledger").first
    ledger_list.wait_for(state="attached", timeout=60_000)
    # The explorer is the first ledger list in the lesson, above section 2.
    return page.evaluate("""() => {
        const list = document.querySelector('.jp-OutputArea .gutbrain-ledger');
        return list.closest('.jp-OutputArea').innerText; }""")


def test_judge_it_verdicts_are_not_visible_before_judging(lesson5):
    page = lesson5.page
    text = " ".join(_explorer_text(page).split())
    ledger = load_ledger()
    ids = judge_claim_ids()
    assert "held back for “Judge it yourself”" in text
    for cid in ids:
        claim = ledger.claim(cid)
        quote = " ".join(claim.quote.split())
        assert f"“{quote}” — {claim.verdict}" not in text, f"{cid}: its card shows its verdict above the exercise"
        assert f"“{quote}” ({claim.verdict})" not in text, f"{cid}: a linked card shows its verdict"
    # The reveal under each judge card is empty until the learner answers.
    reveals = page.locator(".jp-OutputArea :text(\"The course's ledger entry\")")
    assert reveals.count() == 0


def test_taught_in_links_name_the_lesson(lesson5):
    page = lesson5.page
    _explorer_text(page)
    links = page.locator(".jp-OutputArea .gutbrain-ledger details.gutbrain-claim a[href$='.ipynb']")
    assert links.count() > 0
    # Cards are closed <details>: read the text, not what is rendered.
    names = {links.nth(i).text_content().strip() for i in range(min(links.count(), 80))}
    assert all(n.startswith("Lesson ") for n in names), names
    assert not any(n[:2].isdigit() for n in names)
    assert lesson_name("03_psychobiotics") == "Lesson 3: Psychobiotics"


def _notebook_width(page) -> float:
    return page.evaluate("""() => {
        const out = document.querySelector('.jp-OutputArea .gutbrain-scorecard-wrap')
            .closest('.jp-OutputArea-output');
        return out.getBoundingClientRect().width; }""")


def _set_notebook_width(page, target: int) -> float:
    """Resize the window until the scorecard's output area is ``target`` px wide (±8)."""
    viewport = target + 150
    width = 0.0
    for _ in range(4):
        page.set_viewport_size({"width": viewport, "height": 900})
        page.evaluate("() => window.dispatchEvent(new Event('resize'))")
        page.wait_for_timeout(500)
        width = _notebook_width(page)
        if abs(width - target) <= 8:
            break
        viewport += round(target - width)
    return width


@pytest.mark.parametrize("target", NOTEBOOK_WIDTHS)
def test_scorecard_table_fits_the_notebook(lesson5, target):
    page = lesson5.page
    page.locator(".jp-OutputArea .gutbrain-scorecard").first.wait_for(state="attached", timeout=60_000)
    for side in ("left", "right"):
        tab = page.locator(f".jp-SideBar.jp-mod-{side} .lm-TabBar-tab.lm-mod-current")
        if tab.count():
            tab.first.click()
    try:
        width = _set_notebook_width(page, target)
        page.locator(".jp-OutputArea .gutbrain-scorecard").first.scroll_into_view_if_needed()
        fit = page.evaluate("""() => {
            const wrap = document.querySelector('.jp-OutputArea .gutbrain-scorecard-wrap');
            const table = wrap.querySelector('table');
            const out = wrap.closest('.jp-OutputArea-output').getBoundingClientRect();
            const cells = Array.from(table.querySelectorAll('th, td')).map(c => c.getBoundingClientRect());
            const lastCol = Array.from(table.querySelectorAll('tr')).map(r => r.lastElementChild.innerText.trim());
            return {scroll: table.scrollWidth, client: wrap.clientWidth, right: out.right,
                    maxRight: Math.max(...cells.map(r => r.right)), lastCol: lastCol,
                    rows: Array.from(table.querySelectorAll('tbody th')).map(th => th.innerText.trim())}; }""")
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    assert abs(width - target) <= 8, f"could not set the notebook to {target} px (got {width:.0f})"
    assert fit["scroll"] <= fit["client"] + 1, f"at {target} px the table is wider than the notebook: {fit}"
    assert fit["maxRight"] <= fit["right"] + 1, f"at {target} px a column is cut off: {fit}"
    assert "commercial-tie claims" in fit["rows"], fit["rows"]
