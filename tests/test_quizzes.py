"""Every quiz in quizzes/source/ (found by glob), end to end through the course's grader.

For each quiz: its release hides solutions, hidden tests and the rubric; every autograded test
cell carries a valid ``metadata.gutbrain.check``; and, graded sandboxed in ONE batch for all
quizzes, the source solution scores every autograded point, the blank release scores 0, and each
plausible wrong submission in quiz_cases.WRONG_SUBMISSIONS gets the partial credit it should.
"""
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from quiz_cases import WRONG_SUBMISSIONS, answered, source_nb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
from build_quizzes import build_all, nbgrader_api, quiz_ids  # noqa: E402

QUIZZES = quiz_ids(REPO / "quizzes")


def regions(source: str, begin: str, end: str) -> list[str]:
    """Lines between nbgrader markers, without the markers."""
    found = re.findall(rf"{begin}\n(.*?)\n[ \t]*{end}", source, re.S)
    return [line.strip() for block in found for line in block.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    root = tmp_path_factory.mktemp("course") / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    assert build_all(root) == []
    return root


def submit(root: Path, quiz: str, student: str, notebook: Path):
    dest = root / "submitted" / student / quiz
    dest.mkdir(parents=True)
    shutil.copy(notebook, dest / source_nb(quiz).name)


def grade(root: Path, **kw):
    """Grade every submission under ``root`` sandboxed; {student: Result}."""
    from gutbrain.instructor import sandbox
    from gutbrain.instructor.grading import grade_class
    ok, why = sandbox.status()
    if not ok:
        import os
        if os.environ.get("CI"):
            pytest.fail(f"CI must grade sandboxed: {why}")
        pytest.skip(f"no sandbox here: {why}")
    return {r.student: r for r in grade_class(root, jobs=2, overrides={"Execute": {"timeout": 30}},
                                              log=lambda *a: None, **kw)}


def manual_points(quiz) -> float:
    return sum(c["metadata"]["nbgrader"].get("points", 0) for c in json.loads(source_nb(quiz).read_text())["cells"]
               if c["metadata"].get("nbgrader", {}).get("grade") and c["metadata"]["nbgrader"].get("solution"))


@pytest.mark.parametrize("quiz", QUIZZES)
def test_every_autograded_item_has_a_check_spec(quiz):
    from gutbrain.instructor.grading import quiz_checks
    nb = nbformat.read(source_nb(quiz), as_version=4)
    checks = quiz_checks(nb)  # raises naming the cell whose spec is missing or wrong
    tests = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
             and not c.metadata["nbgrader"].get("solution")]
    assert len(checks) == len(tests) > 0
    text = json.dumps([c.metadata.get("gutbrain", {}) for c in nb.cells])
    for forbidden in ('"want"', '"expected"', '"answer"'):  # the key is never written in the spec
        assert forbidden not in text


@pytest.mark.grading
@pytest.mark.parametrize("quiz", QUIZZES)
def test_release_hides_solutions_hidden_tests_and_keys(released, quiz):
    release = next((released / "release" / quiz).glob("*.ipynb")).read_text()
    src = source_nb(quiz).read_text()
    cells = json.loads(src)["cells"]
    secret = []
    for cell in cells:
        text = "".join(cell["source"])
        secret += regions(text, "### BEGIN SOLUTION", "### END SOLUTION")
        secret += regions(text, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
    assert secret
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Rubric"):
        assert marker not in release
    release_lines = {line.strip() for c in json.loads(release)["cells"] for line in "".join(c["source"]).splitlines()}
    leaked = [line for line in secret if line in release_lines and len(line) > 12]
    assert not leaked, leaked


@pytest.fixture(scope="module")
def graded(released, tmp_path_factory):
    for quiz in QUIZZES:
        submit(released, quiz, f"solution_{quiz}", source_nb(quiz))
        submit(released, quiz, f"blank_{quiz}", next((released / "release" / quiz).glob("*.ipynb")))
    edited = tmp_path_factory.mktemp("wrong")
    for case in WRONG_SUBMISSIONS:
        path = edited / f"{case.quiz}_{case.student}.ipynb"
        nbformat.write(answered(case.quiz, case.changes), path)
        submit(released, case.quiz, f"{case.student}_{case.quiz}", path)
    return grade(released)


@pytest.mark.grading
@pytest.mark.parametrize("quiz", QUIZZES)
def test_solutions_score_full_marks_and_blank_release_scores_zero(graded, quiz):
    full, blank = graded[f"solution_{quiz}"], graded[f"blank_{quiz}"]
    assert full.status == "graded", full.error
    assert full.score == full.max_score - manual_points(quiz) and full.max_score > 0, full.messages
    assert bool(full.needs_manual) == (manual_points(quiz) > 0)
    assert blank.status == "graded" and blank.score == 0, blank.error


@pytest.mark.grading
@pytest.mark.parametrize("case", WRONG_SUBMISSIONS, ids=lambda c: f"{c.quiz}-{c.student}")
def test_plausible_wrong_answers_get_the_intended_partial_credit(graded, case):
    result = graded[f"{case.student}_{case.quiz}"]
    assert result.status == "graded", result.error
    assert result.score == case.score, f"{case.why}: scored {result.score}, expected {case.score}"
    assert bool(result.needs_manual) == (manual_points(case.quiz) > 0)
