"""The instructor's path, as docs/instructor_guide.md tells it, in the instructor's view
(`make instructor`): release to the exchange, a student's submission graded by `make grade`,
then formgrader from the Nbgrader menu: the quiz shows as released, and the free-text item is
graded by hand through Manual Grading -> quiz -> notebook -> Submission #1, the score and the
comment landing in the gradebook. See docs/browser_tests.md.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

import labdriver as lab

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
QUIZ = "quiz00_orientation"
STUDENT = "ada"
ITEM = "item3_answer"


def _sandbox_or_skip():
    from gutbrain.instructor import sandbox
    ok, why = sandbox.status()
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"CI must grade sandboxed: {why}")
        pytest.skip(f"no sandbox here: {why}")


@pytest.fixture(scope="module")
def instructor_server(tmp_path_factory):
    _sandbox_or_skip()
    problem = lab.chromium_problem()
    if problem:
        pytest.skip(problem)
    base = tmp_path_factory.mktemp("instructor-path")
    exchange = base / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)
    saved = {k: os.environ.get(k) for k in ("GUTBRAIN_EXCHANGE", "GUTBRAIN_GRADEBOOK_URL")}
    os.environ["GUTBRAIN_EXCHANGE"] = str(exchange)  # read by the copy's nbgrader_config.py
    os.environ.pop("GUTBRAIN_GRADEBOOK_URL", None)
    try:
        with lab.lab_server(base, build_quizzes=False, view="instructor") as server:
            yield server
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_release_grade_and_hand_grade_in_formgrader(instructor_server, chromium):
    from gutbrain.instructor import course as C
    from gutbrain.instructor.exchange import release
    from gutbrain.instructor.grading import format_summary, grade_class

    root = instructor_server.root / "quizzes"
    release(root, [QUIZ], exchange=True)  # make release-hub QUIZ=quiz00_orientation
    shutil.copytree(REPO / "tests" / "submissions" / "correct" / QUIZ, root / "submitted" / STUDENT / QUIZ)
    results = grade_class(root, [QUIZ], jobs=1, overrides={"Execute": {"timeout": 20}}, wall_seconds=120,
                          log=lambda *a: None)
    message = format_summary(results)
    assert "`make instructor`, then Nbgrader > Formgrader > Manual Grading" in message, message

    page = chromium.new_page()
    lab.install_page_helpers(page)
    console = lab.ConsoleLog(page)
    try:
        frame = lab.open_formgrader(page, instructor_server)
        row = frame.locator("tr", has_text=QUIZ).first
        row.wait_for(state="visible", timeout=60_000)
        assert row.locator(".status").inner_text(timeout=30_000).strip() == "released"

        # Each click loads a new page in formgrader's frame, whose breadcrumb grows by one step
        # (Manual Grading / quiz / notebook): wait for it, or the next click lands on the page
        # being left (the quiz's link clicked twice, never its notebook's).
        crumbs = frame.locator("ol.breadcrumb > li")
        frame.get_by_role("link", name="Manual Grading", exact=True).click()
        expect(crumbs).to_have_text(["Manual Grading"], timeout=60_000)
        frame.get_by_role("link", name=QUIZ, exact=True).click()  # the quiz
        expect(crumbs).to_have_text(["Manual Grading", QUIZ], timeout=60_000)
        frame.get_by_role("link", name=QUIZ, exact=True).click()  # its notebook
        expect(crumbs).to_have_text(["Manual Grading", QUIZ, QUIZ], timeout=60_000)
        frame.get_by_role("link", name="Submission #1", exact=True).click()
        score = frame.locator(f"input.score#{ITEM}")
        score.wait_for(state="visible", timeout=60_000)
        # The inputs are in the page's HTML before formgrader's script binds them (it then sets the
        # extra-credit placeholder): a score typed earlier is never saved, as an instructor would see.
        frame.locator(f"input.extra-credit#{ITEM}_extra_credit[placeholder]").wait_for(state="attached",
                                                                                       timeout=60_000)
        score.fill("2")
        score.press("Tab")
        comment = frame.locator(f"textarea#{ITEM}-comment")
        comment.fill("Names the enzyme; no source.")
        comment.press("Tab")  # leaving a field saves it (formgrader posts it to the server)
        saved = _saved_hand_grade(root, timeout_s=60)
    except Exception:
        lab.save_artifacts(page, console, "instructor-path", instructor_server)
        raise
    finally:
        page.close()
    assert saved == (2, False, "Names the enzyme; no source."), saved


def _saved_hand_grade(root, timeout_s: float) -> tuple:
    """(manual score, needs manual grade, comment) in the gradebook, once formgrader has saved both."""
    from gutbrain.instructor import course as C

    deadline = time.monotonic() + timeout_s
    while True:
        with C.quiet_nbgrader(), C.gradebook(root) as gb:
            grade = gb.find_grade(ITEM, QUIZ, QUIZ, STUDENT)
            comment = gb.find_comment(ITEM, QUIZ, QUIZ, STUDENT)
            found = (grade.manual_score, grade.needs_manual_grade, comment.manual_comment)
        if found[0] is not None and found[2] or time.monotonic() > deadline:
            return found
        time.sleep(0.5)
