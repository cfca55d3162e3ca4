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


def test_student_code_cannot_reach_the_gradebook(monkeypatch):
    """The sandbox has no network, an empty environment (the URL carries the password) and its
    own /tmp; PostgreSQL's unix sockets (/run/postgresql, a test cluster's /tmp folder) are not in it."""
    from gutbrain.instructor.sandbox import bwrap_command
    monkeypatch.setenv(ENV, "postgresql+psycopg2://grader:secret@db/gut")
    cmd = bwrap_command()
    assert "--unshare-all" in cmd and "--clearenv" in cmd
    assert not any("secret" in part or part == ENV for part in cmd)
    assert cmd[cmd.index("/tmp") - 1] == "--tmpfs"
    bound = {cmd[i + 2] for i, part in enumerate(cmd) if part in ("--bind", "--ro-bind")}
    assert not bound & {"/", "/run", "/run/postgresql", "/var", "/var/run", "/tmp"}


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
    assert done.returncode == 0, done.stdout + done.stderr
    assert "items to grade by hand: `make instructor`" in done.stdout  # item 3 of the quiz
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
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != BIN)
    env = dict(os.environ, PATH=path, **{ENV: target})  # as `make` runs it: the venv's bin/ not on PATH
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


# ---------------------------------------------------------------- several graders at once

CLASS = {QUIZ: {"s1": "correct", "s2": "wrong_b"}, QUIZ1: {"s1": "q01_import_math"}}
HAND = {"s1": (3, "Clear."), "s2": (1, "Name the enzyme.")}


def _grade_cmd(root: Path, quiz: str) -> list[str]:
    return [sys.executable, "-m", "gutbrain.instructor", "--course-root", str(root), "grade", quiz,
            "--jobs", "1", "--timeout", "20", "--wall", str(WALL)]


def _class_course(tmp: Path) -> Path:
    root = _course(tmp)
    for quiz, students in CLASS.items():
        for student, case in students.items():
            _submit(root, student, case, quiz)
    return root


def _hand_grade_when_ready(root: Path, stop: threading.Event, done: dict) -> None:
    """A grader in formgrader: grades item 3 of each quiz00 submission as soon as it appears."""
    from nbgrader.api import MissingEntry
    while len(done) < len(HAND) and not stop.is_set():
        for student, (score, comment) in HAND.items():
            if student in done:
                continue
            try:
                _hand_grade(root, QUIZ, student, "item3_answer", score, comment, flag=student == "s2")
            except MissingEntry:
                continue
            done[student] = stop.is_set()
        stop.wait(0.2)


def _comparable(root: Path) -> tuple[dict, dict]:
    """The gradebook, and each run's summary (who was graded, how; its scores are read when the run
    ends, so they include hand grades saved meanwhile: compared through the gradebook instead)."""
    summary = json.loads((root / "reports" / "grading_summary.json").read_text())
    keep = ("quiz", "student", "status", "flags")
    return _snapshot(root), {q: {s: {k: r[k] for k in keep} for s, r in v.items()} for q, v in summary.items()}


def test_concurrent_graders_match_serial_runs(tmp_path, cluster, monkeypatch):
    """Two `make grade` runs (quiz00, quiz01) and a hand grader at once, on one PostgreSQL gradebook,
    end exactly where the same work done one after the other ends."""
    require_sandbox()
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")

    serial_root = _class_course(tmp_path / "serial")
    env[ENV] = cluster.create_database("gb_serial_" + uuid.uuid4().hex[:8])
    for quiz in CLASS:
        subprocess.run(_grade_cmd(serial_root, quiz), env=env, capture_output=True, text=True, cwd=REPO)
    monkeypatch.setenv(ENV, env[ENV])
    for student, (score, comment) in HAND.items():
        _hand_grade(serial_root, QUIZ, student, "item3_answer", score, comment, flag=student == "s2")
    serial = _comparable(serial_root)

    root = _class_course(tmp_path / "concurrent")
    env[ENV] = cluster.create_database("gb_concurrent_" + uuid.uuid4().hex[:8])
    monkeypatch.setenv(ENV, env[ENV])
    C.ensure_tool_path()
    with C.quiet_nbgrader(), C.gradebook(root):
        pass  # the gradebook's schema exists before the graders start (as after `make release`)
    runs = [subprocess.Popen(_grade_cmd(root, quiz), env=env, cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for quiz in CLASS]
    stop, hand_graded = threading.Event(), {}
    grader = threading.Thread(target=_hand_grade_when_ready, args=(root, stop, hand_graded))
    grader.start()
    outputs = [run.communicate(timeout=900)[0] for run in runs]
    stop.set()
    grader.join(timeout=120)
    assert set(hand_graded) == set(HAND), outputs
    assert not all(hand_graded.values()), "no hand grade was saved while a grade run was still going"
    concurrent = _comparable(root)
    assert concurrent[1] == serial[1], outputs  # the grading summary: nothing lost, nothing mixed
    assert concurrent[0] == serial[0], outputs  # every score, hand grade, comment and flag
    assert serial[0][f"s1/{QUIZ}/{QUIZ}"]["grades"]["item3_answer"][1] == 3
