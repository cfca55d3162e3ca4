"""The quizzes in JupyterLab: the student version runs, Validate works, formgrader lists them.

Parametrised over quizzes/source/<quiz>/: a new quiz is covered with no new code. The server's
course copy has its student versions built by tools/build_quizzes.py (see conftest.py).
"""
from __future__ import annotations

import json

import pytest

import labdriver as lab

pytestmark = pytest.mark.browser

QUIZZES = lab.QUIZ_IDS
#: What nbgrader's Validate dialog says when every test passes / when it could not run at all.
VALIDATE_SUCCESS = "Success! Your notebook passes all the tests."
VALIDATE_BROKEN = "There was an error running the validate command"


def _code_cells_meta(path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c.get("metadata", {}).get("nbgrader", {}) for c in nb["cells"] if c["cell_type"] == "code"]


def _run_every_cell(page) -> None:
    """Run All stops at the first failing test cell (the student has not answered yet):
    go on from the next cell, as a student pressing Shift+Enter would, until all have run."""
    lab.run_all(page)
    for _ in range(50):
        pending = lab.unexecuted_code_cells(page)
        if not pending:
            return
        cell = page.locator(".jp-Notebook .jp-CodeCell").nth(pending[0])
        cell.locator(".jp-InputPrompt").click()
        lab.menu(page, "Run", "Run Selected Cell and All Below")
        page.wait_for_function(
            "(i) => /\\[\\d+\\]/.test(window.gutbrainTest.prompts()[i])", arg=pending[0], timeout=60_000, polling=100)
        lab.wait_for_run(page)
    raise AssertionError(f"cells {lab.unexecuted_code_cells(page)} never ran")


def _cell_errors(page) -> list[str]:
    """For each code cell, the text of its error output ('' when none)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell'))
        .map(c => Array.from(c.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
            .map(e => e.innerText).filter(t => /Traceback|Error|Exception/.test(t)).join('\\n'))""")


def _validate(page) -> tuple[str, str]:
    """Press the notebook's Validate button; return (result class, message) of nbgrader's dialog."""
    page.locator(".jp-NotebookPanel-toolbar .validate-button").first.click()
    message = page.locator(".jp-Dialog #validation-message")
    message.wait_for(state="visible", timeout=120_000)
    kind = message.get_attribute("class") or ""
    text = message.inner_text()
    page.locator(".jp-Dialog .jp-Dialog-button").last.click()
    page.locator(".jp-Dialog").wait_for(state="detached", timeout=10_000)
    return kind, text


@pytest.fixture(scope="module")
def release_lab(chromium, lab_server):
    """One JupyterLab page in which each student version opens in turn, as a student opens the
    next quiz (a JupyterLab page load costs about 5 CPU-seconds of Chromium: labdriver.open_in_lab)."""
    with lab.lab_tab(chromium, lab_server, "release-quizzes") as tab:
        yield tab


@pytest.fixture(scope="module")
def source_lab(chromium, lab_server):
    """One JupyterLab page in which the instructor opens each quiz's source in turn."""
    with lab.lab_tab(chromium, lab_server, "source-quizzes") as tab:
        yield tab


@pytest.fixture(scope="module", params=QUIZZES)
def release(request, release_lab, lab_server):
    quiz = request.param
    path = lab_server.root / "quizzes" / "release" / quiz / f"{quiz}.ipynb"
    assert path.is_file(), f"tools/build_quizzes.py did not build the student version {path}"
    notebook = f"quizzes/release/{quiz}/{quiz}.ipynb"
    lab.open_in_lab(release_lab.page, notebook)
    try:
        yield release_lab, path
    finally:
        lab.close_in_lab(release_lab.page, lab_server, notebook)


def test_student_version_opens_and_runs(release):
    tab, path = release
    _run_every_cell(tab.page)
    meta = _code_cells_meta(path)
    errors = _cell_errors(tab.page)
    assert len(errors) == len(meta), "the notebook in the browser does not match the file"
    for index, (cell, error) in enumerate(zip(meta, errors)):
        if not error:
            continue
        where = f"{path.name}, code cell {index + 1} ({cell.get('grade_id', 'no grade_id')})"
        # Only a test cell may fail in an unanswered quiz, and only with its own assertion.
        assert cell.get("grade") and not cell.get("solution"), f"{where} fails before any answer:\n{error}"
        assert "AssertionError" in error, f"{where}: the test fails for another reason:\n{error}"
    assert not lab.widget_problems(tab.page)


def test_validate_button_reports_unanswered_tests(release):
    tab, path = release
    kind, text = _validate(tab.page)
    assert VALIDATE_BROKEN not in text, f"{path.name}: Validate could not run:\n{text}"
    assert "validation-failed" in kind or "validation-success" in kind, f"{path.name}: {kind}: {text}"
    if any(m.get("grade") and not m.get("solution") for m in _code_cells_meta(path)):
        assert "validation-failed" in kind, (
            f"{path.name}: Validate passed an unanswered quiz that has test cells:\n{text}")


@pytest.mark.parametrize("quiz", QUIZZES)
def test_validate_button_passes_the_instructor_solution(quiz, source_lab, lab_server):
    notebook = f"quizzes/source/{quiz}/{quiz}.ipynb"
    lab.open_in_lab(source_lab.page, notebook)
    try:
        kind, text = _validate(source_lab.page)
    finally:
        lab.close_in_lab(source_lab.page, lab_server, notebook)
    assert VALIDATE_SUCCESS in text and "validation-success" in kind, (
        f"{quiz}: Validate on the source (with solutions) did not pass:\n{text}")


def test_formgrader_lists_every_quiz(chromium, lab_server):
    page = chromium.new_page()
    lab.install_page_helpers(page)
    console = lab.ConsoleLog(page)
    try:
        frame = lab.open_formgrader(page, lab_server)
        for quiz in QUIZZES:
            frame.locator("td", has_text=quiz).first.wait_for(state="visible", timeout=60_000)
    except Exception:
        lab.save_artifacts(page, console, "formgrader", lab_server)
        raise
    finally:
        page.close()
