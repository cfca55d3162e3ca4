"""The gradebook on PostgreSQL: the instructor's whole round trip, the SQLite migration, and
several graders at once, on a real server (one throwaway cluster for this module: tests/postgres.py).

Without PostgreSQL (``bash tools/ensure_postgres.sh``) or bubblewrap these tests are skipped
locally and FAIL on CI.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from gutbrain.instructor import course as C
from gutbrain.instructor import gradebook_db
from gutbrain.instructor.gradebook_db import ENV

sys.path.insert(0, str(Path(__file__).resolve().parent))
import postgres  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "submissions"
QUIZ, QUIZ1 = "quiz00_orientation", "quiz01_serotonin"
FAST = {"Execute": {"timeout": 20}}
WALL = 120
BIN = str(Path(sys.executable).parent)

pytestmark = pytest.mark.grading


def _unavailable(why: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI must test the PostgreSQL gradebook: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def cluster():
    try:
        import psycopg2  # noqa: F401
    except ImportError as exc:
        _unavailable(f"psycopg2 is not installed ({exc}): make setup")
    try:
        with postgres.throwaway_cluster() as running:
            yield running
    except postgres.NoPostgres as exc:
        _unavailable(str(exc))


@pytest.fixture
def pg_url(cluster, monkeypatch) -> str:
    """A fresh database in the cluster, chosen the way an instructor chooses it: the variable."""
    url = cluster.create_database("gb_" + uuid.uuid4().hex[:12])
    monkeypatch.setenv(ENV, url)
    return url


def require_sandbox():
    from gutbrain.instructor import sandbox
    ok, why = sandbox.status()
    if not ok:
        _unavailable(f"no sandbox here: {why}")


def _course(tmp: Path) -> Path:
    root = tmp / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    return root


def _cli(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m gutbrain.instructor`` as the Makefile runs it."""
    return subprocess.run([sys.executable, "-m", "gutbrain.instructor", "--course-root", str(root), *args],
                          capture_output=True, text=True, env=env or os.environ.copy(), cwd=REPO)


def _submit(root: Path, student: str, case: str, quiz: str = QUIZ) -> None:
    """A submission as `make collect` leaves it (copied from the corpus)."""
    dest = root / "submitted" / student / quiz
    shutil.copytree(CORPUS / case / quiz, dest)


def _hand_grade(root: Path, quiz: str, student: str, item: str, score: float, comment: str, flag: bool) -> None:
    """What formgrader does when a grader types a score and a comment and flags the notebook."""
    with C.quiet_nbgrader(), C.gradebook(root) as gb:
        grade = gb.find_grade(item, quiz, quiz, student)
        grade.manual_score = score
        grade.needs_manual_grade = False
        gb.find_comment(item, quiz, quiz, student).manual_comment = comment
        gb.find_submission_notebook(quiz, quiz, student).flagged = flag
        gb.db.commit()


def _snapshot(root: Path) -> dict:
    """Every score, comment and flag in the gradebook, by student/quiz/item (ids left out)."""
    out = {}
    with C.quiet_nbgrader(), C.gradebook(root) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                for nb in sub.notebooks:
                    key = f"{sub.student_id}/{assignment.name}/{nb.name}"
                    out[key] = {"flagged": nb.flagged,
                                "grades": {g.name: [g.auto_score, g.manual_score, g.extra_credit,
                                                    g.needs_manual_grade] for g in nb.grades},
                                "comments": {c.name: [c.auto_comment, c.manual_comment] for c in nb.comments}}
    return out


# ---------------------------------------------------------------- choosing the gradebook

def test_the_setting_chooses_the_gradebook(tmp_path):
    root = tmp_path / "quizzes"
    assert gradebook_db.gradebook_url(root, {}) == "sqlite:///" + str(root.resolve() / "gradebook.db")
    pg = "postgresql+psycopg2://grader:pw@db/gut"
    assert gradebook_db.gradebook_url(root, {ENV: pg}) == pg
    # SQLAlchemy 2 reads a bare postgresql:// as psycopg 3, which is not installed
    assert gradebook_db.gradebook_url(root, {ENV: "postgresql://grader@db/gut"}) == "postgresql+psycopg2://grader@db/gut"
    with pytest.raises(gradebook_db.GradebookURLError, match="sqlite:/// or postgresql"):
        gradebook_db.gradebook_url(root, {ENV: "mysql://grader@db/gut"})
    assert "pw" not in gradebook_db.redacted(pg)


def test_nbgrader_config_and_every_verb_read_the_setting(tmp_path, monkeypatch):
    url = "postgresql+psycopg2://grader@db.example.org/gut"
    monkeypatch.setenv(ENV, url)
    root = _course(tmp_path)
    assert C.load_config(root).CourseDirectory.db_url == url
    assert C.db_url(root) == url
    monkeypatch.delenv(ENV)
    assert C.load_config(root).CourseDirectory.db_url == f"sqlite:///{root.resolve() / 'gradebook.db'}"
    monkeypatch.setenv(ENV, "oracle://x")
    done = _cli(root, "export")
    assert done.returncode != 0 and "GUTBRAIN_GRADEBOOK_URL must start with" in done.stderr


# ---------------------------------------------------------------- "released" means released

def test_export_counts_only_quizzes_the_instructor_released(tmp_path, monkeypatch):
    """Every student version built (as `make lab` does), one quiz handed out: the total is that quiz's."""
    monkeypatch.delenv(ENV, raising=False)
    from gutbrain.instructor.report import export_csv, released_quizzes
    root = _course(tmp_path)
    api = C.make_api(root)
    with C.quiet_nbgrader():
        for quiz in C.quiz_ids(root):
            assert api.generate_assignment(quiz, force=True)["success"]
    assert released_quizzes(root) == []
    with C.quiet_nbgrader(), C.gradebook(root) as gb:
        gb.add_student("ada")
        gb.add_submission(QUIZ, "ada")
    assert released_quizzes(root) == [QUIZ]
    rows = list(csv.DictReader(export_csv(root).read_text().splitlines()))
    assert [k for k in rows[0] if k.startswith("quiz")] == [QUIZ, f"{QUIZ}_max", f"{QUIZ}_status", f"{QUIZ}_flags"]
    assert rows[0]["total_max"] == rows[0][f"{QUIZ}_max"]


# ---------------------------------------------------------------- the whole round trip on PostgreSQL

@pytest.mark.dates_are_data("nbgrader timestamps")
def test_instructor_round_trip_on_postgresql(tmp_path, pg_url):
    """release (exchange) -> fetch/submit -> collect -> sandboxed grade -> hand grade -> feedback ->
    export -> report, every verb through the command line with only GUTBRAIN_GRADEBOOK_URL set."""
    require_sandbox()
    root = _course(tmp_path / "instructor")
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", GUTBRAIN_EXCHANGE=str(exchange),
               GUTBRAIN_COURSE_ID="gut-feelings-pg")
    done = _cli(root, "release", "--exchange", QUIZ, env=env)
    assert done.returncode == 0, done.stderr
    with C.quiet_nbgrader():
        status = C.make_api(root, exchange_root=exchange, course_id="gut-feelings-pg").get_assignment(QUIZ)["status"]
    assert status == "released"  # what formgrader's Manage Assignments shows
    from nbgrader.utils import get_username
    student = get_username()
    home = tmp_path / "student-home"
    home.mkdir()
    senv = dict(env, HOME=str(home))
    senv.pop(ENV)  # a learner's server knows nothing of the gradebook
    common = [f"--Exchange.root={exchange}", "--CourseDirectory.course_id=gut-feelings-pg"]
    subprocess.run([sys.executable, "-m", "nbgrader", "fetch_assignment", QUIZ, *common],
                   cwd=home, env=senv, check=True, capture_output=True)
    shutil.copy(CORPUS / "correct" / QUIZ / f"{QUIZ}.ipynb", home / QUIZ / f"{QUIZ}.ipynb")
    subprocess.run([sys.executable, "-m", "nbgrader", "submit", QUIZ, *common],
                   cwd=home, env=senv, check=True, capture_output=True)
    done = _cli(root, "collect", QUIZ, env=env)
    assert done.returncode == 0, done.stderr
    _submit(root, "wrong_b", "wrong_b")
    done = _cli(root, "grade", QUIZ, "--jobs", "2", "--timeout", "20", "--wall", str(WALL), env=env)
    assert done.returncode == 3, done.stdout + done.stderr  # item 3 waits for hand grading
    assert not (root / "gradebook.db").exists()  # nothing went to SQLite

    _hand_grade(root, QUIZ, student, "item3_answer", 3, "Clear and sourced.", flag=True)
    _hand_grade(root, QUIZ, "wrong_b", "item3_answer", 1, "Name the enzyme.", flag=False)
    done = _cli(root, "feedback", "--exchange", QUIZ, env=env)
    # wrong_b's notebook did not come through the exchange: its feedback is not returned there
    assert done.returncode == 3 and "NOT RETURNED wrong_b/" in done.stderr, done.stderr
    assert f"NOT RETURNED {student}/" not in done.stderr
    page = next((root / "feedback" / student / QUIZ).glob("*.html")).read_text()
    assert "Clear and sourced." in page
    assert list((exchange / "gut-feelings-pg" / "feedback").glob("*.html"))

    done = _cli(root, "export", env=env)
    assert done.returncode == 0, done.stderr
    rows = {r["student_id"]: r for r in csv.DictReader((root / "reports" / "grades.csv").read_text().splitlines())}
    assert rows[student][QUIZ] == "10" and rows[student]["total_status"] == "complete"
    assert rows["wrong_b"][QUIZ] == "1" and rows["wrong_b"]["total_max"] == "10"
    assert QUIZ1 not in rows[student]
    done = _cli(root, "report", env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "reports" / "misconceptions.json").read_text())
    counts = {o["option"]: o["count"] for o in data["quizzes"][QUIZ]["items"][0]["options"]}
    assert counts == {"a": 1, "b": 1, "c": 0}
    snap = _snapshot(root)
    assert snap[f"{student}/{QUIZ}/{QUIZ}"]["flagged"] is True


# ---------------------------------------------------------------- SQLite -> PostgreSQL

def test_gradebook_migrate_copies_everything(tmp_path, cluster, monkeypatch):
    """Scores, hand grades, comments and flags of a SQLite gradebook arrive in PostgreSQL unchanged."""
    monkeypatch.delenv(ENV, raising=False)
    root = _course(tmp_path)
    api = C.make_api(root)
    with C.quiet_nbgrader():
        assert api.generate_assignment(QUIZ, force=True)["success"]
        with C.gradebook(root) as gb:
            for student in ("ada", "bo"):
                gb.add_student(student, first_name=student.title(), last_name="Émile")
                sub = gb.add_submission(QUIZ, student)
                nb = sub.notebooks[0]
                for g in nb.grades:
                    g.auto_score = 1.5 if g.name != "item3_answer" else None
                    if g.name == "item3_answer":
                        g.manual_score, g.needs_manual_grade = 2.0, False
                for c in nb.comments:
                    c.manual_comment = f"well argued, {student} — ünïcode kept"
                nb.flagged = student == "bo"
            gb.db.commit()
    before = _snapshot(root)
    target = cluster.create_database("gb_migrate_" + uuid.uuid4().hex[:8])
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", **{ENV: target})
    done = _cli(root, "gradebook-migrate", env=env)
    assert done.returncode == 0, done.stderr
    assert "checked it row by row" in done.stdout
    monkeypatch.setenv(ENV, target)
    assert _snapshot(root) == before
    with C.quiet_nbgrader(), C.gradebook(root) as gb:
        assert {s.id: s.last_name for s in gb.students} == {"ada": "Émile", "bo": "Émile"}
    again = _cli(root, "gradebook-migrate", env=env)  # a second copy would double every grade: refused
    assert again.returncode == 2 and "not empty" in again.stderr
    monkeypatch.delenv(ENV)
    assert _snapshot(root) == before  # the SQLite file is left as it was


def test_gradebook_migrate_says_what_it_needs(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    root = _course(tmp_path)
    done = _cli(root, "gradebook-migrate", env={k: v for k, v in os.environ.items() if k != ENV})
    assert done.returncode == 2 and ENV in done.stderr
    done = _cli(root, "gradebook-migrate", "--to", "postgresql+psycopg2://x@/nowhere?host=/nonexistent")
    assert done.returncode == 2 and "no gradebook at" in done.stderr
