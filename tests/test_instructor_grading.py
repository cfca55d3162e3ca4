"""Instructor pipeline end to end on the hostile corpus (tests/submissions/).

One parallel batch is graded once per session and shared; a serial (plain nbgrader) run of the
same submissions must give the same gradebook. Runs in temporary course dirs, never quizzes/.
"""
from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gutbrain.instructor import course as C
from gutbrain.instructor.feedback import quiz_secrets, scan_for_leaks
from gutbrain.instructor.grading import GRADED, grade_class, load_summary

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "submissions"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
QUIZ = "quiz00_orientation"
FAST = {"Execute": {"timeout": 10}}

pytestmark = pytest.mark.grading


def _course(tmp: Path) -> Path:
    root = tmp / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    for case in EXPECTED:
        shutil.copytree(CORPUS / case, root / "submitted" / case)
    return root


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = _course(tmp_path_factory.mktemp("parallel"))
    results = grade_class(root, jobs=2, retries=1, overrides=FAST, log=lambda *a: None)
    return root, {r.student: r for r in results}


def test_corpus_matches_quiz00_release(tmp_path):
    """The corpus was built from the current quiz00 release (else rebuild it)."""
    root = tmp_path / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    with C.quiet_nbgrader():
        assert C.make_api(root).generate_assignment(QUIZ, force=True)["success"]
    release = nbformat.read(root / "release" / QUIZ / f"{QUIZ}.ipynb", as_version=4)
    blank = nbformat.read(CORPUS / "blank" / QUIZ / f"{QUIZ}.ipynb", as_version=4)
    assert [c.source for c in blank.cells] == [c.source for c in release.cells], \
        "quiz00 changed: run .venv/bin/python tests/submissions/build_corpus.py"


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_corpus_case(batch, case):
    _root, results = batch
    exp, got = EXPECTED[case], results[case]
    assert got.quiz == exp["quiz"]
    assert got.status == exp["status"], got.error
    assert sorted({f["kind"] for f in got.flags}) == exp["flags"]
    if exp["status"] == GRADED:
        assert got.items == pytest.approx(exp["items"]) or got.items == exp["items"]
        assert got.score == exp["score"]
    else:
        assert got.score is None and got.error  # reported, never a silent zero


def test_every_submission_is_accounted_for_by_name(batch):
    root, results = batch
    assert set(results) == set(EXPECTED)
    summary = load_summary(root)
    failed = {s for q in summary.values() for s, r in q.items() if r["status"] != GRADED}
    assert failed == {c for c, e in EXPECTED.items() if e["status"] != GRADED}


def test_submissions_are_never_modified(batch):
    root, _ = batch
    for case in EXPECTED:
        assert C.sha256_tree(root / "submitted" / case) == C.sha256_tree(CORPUS / case), case


def test_outputs_are_capped(batch):
    root, _ = batch
    path = root / "autograded" / "print_50mb" / QUIZ / f"{QUIZ}.ipynb"
    assert path.stat().st_size < 1_000_000


def test_parallel_equals_serial(batch, tmp_path):
    root, parallel = batch
    assert sum(e["status"] == GRADED for e in EXPECTED.values()) >= 20
    serial_root = _course(tmp_path)
    serial = {r.student: r for r in grade_class(serial_root, serial=True, retries=1, overrides=FAST,
                                                 log=lambda *a: None)}
    for case in EXPECTED:
        p, s = parallel[case], serial[case]
        assert (p.status, p.score, p.items, p.needs_manual) == (s.status, s.score, s.items, s.needs_manual), case
        assert sorted((f["kind"], f["cell"]) for f in p.flags) == sorted((f["kind"], f["cell"]) for f in s.flags)


def _solution_and_hidden_lines(quiz: str) -> tuple[list[str], list[str]]:
    sol, hid = [], []
    for path in C.source_notebooks(REPO / "quizzes", quiz):
        for cell in nbformat.read(path, as_version=4).cells:
            sol += [ln.strip() for ln in C.solution_lines(cell.source) if len(ln.strip()) > 6]
            hid += [ln.strip() for ln in C.hidden_lines(cell.source) if len(ln.strip()) > 6]
    return sol, hid


def test_feedback_has_no_hidden_tests_or_keys(batch):
    from gutbrain.instructor.exchange import feedback
    root, results = batch
    # patch_hashlib typed the hidden hash into its own answer: its feedback is withheld (fail closed)
    assert set(feedback(root, QUIZ)) == {"patch_hashlib"}
    sol, hid = _solution_and_hidden_lines(QUIZ)
    files = sorted((root / "feedback").glob(f"*/{QUIZ}/*.html"))
    assert len(files) == sum(r.status == GRADED and r.quiz == QUIZ for r in results.values()) - 1
    for path in files:
        student = path.parts[-3]
        text = html.unescape(path.read_text(encoding="utf-8"))
        plain = re.sub(r"<[^>]+>", "", text)
        for line in hid:
            assert line not in text and line not in plain, (student, line)
        assert "ca978112ca1bbdca" not in text
        own = (root / "submitted" / student / QUIZ / f"{QUIZ}.ipynb").read_text()
        for line in sol:  # a student's own (right) code is not a leak
            if json.dumps(line)[1:-1] not in own:
                assert line not in plain, (student, line)
    wrong = html.unescape((root / "feedback" / "wrong_b" / QUIZ / f"{QUIZ}.html").read_text())
    assert "Item item1_tests failed: item 1 is not right" in wrong
    assert "Item item2_tests failed: item 2 is not right" in wrong
    sneaky = (root / "feedback" / "print_hidden_tests" / QUIZ / f"{QUIZ}.html").read_text()
    assert "Output removed from feedback" in sneaky


def test_release_notebooks_have_no_hidden_tests_or_solutions(tmp_path):
    from gutbrain.instructor.exchange import release
    root = tmp_path / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    quizzes = release(root)
    assert QUIZ in quizzes
    for quiz in quizzes:
        sol, hid = _solution_and_hidden_lines(quiz)
        for path in C.release_notebooks(root, quiz):
            text = path.read_text(encoding="utf-8")
            for line in sol + hid:
                assert json.dumps(line)[1:-1] not in text and line not in text, (path.name, line)
            assert not scan_for_leaks(text, quiz_secrets(root, quiz))


def test_grades_csv(batch):
    from gutbrain.instructor.report import export_csv
    root, results = batch
    rows = {r["student_id"]: r for r in csv.DictReader(export_csv(root).read_text().splitlines())}
    assert rows["correct"][QUIZ] == "7" and rows["correct"][f"{QUIZ}_status"] == "needs_manual_grading"
    assert rows["wrong_b"][QUIZ] == "0" and rows["wrong_b"][f"{QUIZ}_status"] == "graded"
    assert rows["os_exit"][QUIZ] == "" and rows["os_exit"][f"{QUIZ}_status"] == "grading_failed"
    assert rows["deleted_test_cell"][f"{QUIZ}_flags"] == "deleted:item1_tests"
    assert rows["correct"][f"{QUIZ}_max"] == "10"
    for student, r in results.items():
        if r.status == GRADED:
            assert float(rows[student][QUIZ]) == r.score


def test_misconception_report(batch):
    from gutbrain.instructor.report import write_report
    root, _ = batch
    out = write_report(root)
    data = json.loads(out.with_suffix(".json").read_text())
    item = data["quizzes"][QUIZ]["items"][0]
    counts = {o["option"]: o["count"] for o in item["options"]}
    choices = [e.get("choice") for e in EXPECTED.values() if e["quiz"] == QUIZ and e["status"] != "invalid_notebook"]
    assert counts == {o: choices.count(o) for o in "abc"}
    assert data["quizzes"][QUIZ]["by_tag"] == {"pathway-order": choices.count("b") + choices.count("c")}
    assert item["other"].get("(not an option)") == 1
    page = out.read_text()
    assert "pathway-order" in page and "plotly" in page.lower()


def test_cli_grade_one_command(tmp_path):
    root = tmp_path / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    shutil.copytree(CORPUS / "correct", root / "submitted" / "alice")
    shutil.copytree(CORPUS / "os_exit", root / "submitted" / "bob")
    run = subprocess.run([sys.executable, "-m", "gutbrain.instructor", "--course-root", str(root), "grade",
                          "--timeout", "10", "--retries", "0"], capture_output=True, text=True, timeout=240)
    assert run.returncode == 3, run.stderr
    assert "bob / quiz00_orientation: grading_failed" in run.stdout
    assert re.search(r"alice\s+quiz00_orientation\s+graded\s+7/10", run.stdout)


def test_exchange_round_trip(tmp_path):
    """release -> fetch -> submit -> collect -> autograde through nbgrader's own exchange."""
    from gutbrain.instructor.exchange import collect, release
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)
    root = tmp_path / "instructor" / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    kw = {"exchange_root": exchange, "course_id": "gut-feelings-test"}
    release(root, [QUIZ], exchange=True, **kw)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    common = [f"--Exchange.root={exchange}", "--CourseDirectory.course_id=gut-feelings-test"]
    # nbgrader names the student after the OS account (root here): one student per account
    student = C.course_id and __import__("nbgrader.utils", fromlist=["x"]).get_username()
    home = tmp_path / "student-home"
    home.mkdir()
    senv = dict(env, HOME=str(home))
    subprocess.run([sys.executable, "-m", "nbgrader", "fetch_assignment", QUIZ, *common],
                   cwd=home, env=senv, check=True, capture_output=True)
    shutil.copy(CORPUS / "wrong_c" / QUIZ / f"{QUIZ}.ipynb", home / QUIZ / f"{QUIZ}.ipynb")
    subprocess.run([sys.executable, "-m", "nbgrader", "submit", QUIZ, *common],
                   cwd=home, env=senv, check=True, capture_output=True)
    collect(root, QUIZ, **kw)
    assert (root / "submitted" / student / QUIZ / "timestamp.txt").is_file()
    results = {r.student: r for r in grade_class(root, overrides=FAST, jobs=2, log=lambda *a: None)}
    assert results[student].score == 4 and results[student].status == GRADED
