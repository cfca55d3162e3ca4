"""A student's markdown is inert where the instructor and the student open it (issue 21).

One hostile free-text answer (tests/submissions/markdown_links: a ``javascript:`` link, a
``data:`` link, remote images in markdown and in HTML) is graded sandboxed; its autograded
notebook is rendered as formgrader renders it (nbgrader's ``formgrade`` template with the
course's configuration) and its feedback page is generated, and both are opened in Chromium:
no link may carry an active scheme and nothing may be fetched from the student's addresses.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
from quiz_cases import require_sandbox  # noqa: E402
CORPUS = REPO / "tests" / "submissions"
QUIZ = "quiz00_orientation"
CASE = "markdown_links"
TRACKER = "tracker.invalid"

pytestmark = [pytest.mark.browser, pytest.mark.grading]


def _formgrader_html(root: Path, student: str) -> str:
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    from gutbrain.instructor.course import load_config
    config = load_config(root)
    config.HTMLExporter.template_name = "formgrade"  # what nbgrader's FormgradeExtension configures
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    resources = {"assignment_id": QUIZ, "notebook_id": QUIZ, "submission_id": "s", "index": 0, "total": 1,
                 "base_url": "", "student": student, "last_name": None, "first_name": None,
                 "notebook_path": f"/autograded/{student}/{QUIZ}/{QUIZ}.ipynb"}
    html, _ = HTMLExporter(config=config).from_filename(
        str(root / "autograded" / student / QUIZ / f"{QUIZ}.ipynb"), resources=resources)
    return html


def _inspect(context, path: Path) -> tuple[list[str], list[str], list[str]]:
    """(every URL the page requested, every link's href, every image's src) once loaded."""
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.route("http*://**/*", lambda route: route.abort())  # nothing leaves the machine
    try:
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        srcs = page.eval_on_selector_all("img, iframe, video, audio, source, object, embed",
                                         "els => els.map(e => e.getAttribute('src') || e.getAttribute('data') || '')")
    finally:
        page.close()
    return requested, hrefs, srcs


def test_student_markdown_is_inert_in_formgrader_and_in_feedback(chromium, tmp_path):
    require_sandbox()
    from gutbrain.instructor.exchange import feedback
    from gutbrain.instructor.grading import GRADED, grade_class
    root = tmp_path / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    shutil.copytree(CORPUS / CASE, root / "submitted" / CASE)
    [result] = grade_class(root, overrides={"Execute": {"timeout": 10}}, jobs=1, log=lambda *a: None)
    assert result.status == GRADED, result.error
    assert feedback(root, QUIZ, allow_ungraded=True, log=lambda *a: None) == {}
    formgrader = tmp_path / "formgrader.html"
    formgrader.write_text(_formgrader_html(root, CASE), encoding="utf-8")
    pages = {"formgrader": formgrader, "feedback": root / "feedback" / CASE / QUIZ / f"{QUIZ}.html"}
    for name, path in pages.items():
        assert "see this" in path.read_text(encoding="utf-8"), name  # the answer is shown, as text
        requested, hrefs, srcs = _inspect(chromium, path)
        assert not [u for u in requested if TRACKER in u], (name, requested)
        active = [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:", "vbscript:"))]
        assert active == [], (name, active)
        assert not [s for s in srcs if TRACKER in s], (name, srcs)
