"""Autograde a whole class through nbgrader's API, in parallel, and say what went wrong.

Each worker process has its own NbGraderAPI on its own throw-away course directory (the
source/ folder linked, a copy of the gradebook, a copy of one student's submission). It
autogrades one submission at a time and returns the grades it recorded; the parent process
is the only writer of the real gradebook (SQLite has one writer at a time) and copies the
autograded notebooks into place. A submission whose grading failed (a kernel that did not
start, "Address already in use", a kernel that died) is regraded serially; one that still
fails is reported by student name and gets no score, never a silent zero.

``grade_class(..., serial=True)`` runs plain ``nbgrader autograde`` on the course directory
one submission at a time (the reference the parallel run must equal).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

import nbformat

from .course import (db_url, gradebook, make_api, quiet_nbgrader, quiz_ids, release_notebooks, sha256_tree,
                     source_notebooks)
from .tamper import read_notebook, suspicious_flags, tamper_flags

GRADED, FAILED, INVALID, UNKNOWN = "graded", "grading_failed", "invalid_notebook", "unknown_quiz"


@dataclass
class Result:
    student: str
    quiz: str
    status: str = GRADED
    score: float | None = None
    max_score: float = 0.0
    items: dict = field(default_factory=dict)      # grade_id -> auto score (None: by hand)
    needs_manual: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    attempts: int = 0
    seconds: float = 0.0
    error: str | None = None


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# ---------------------------------------------------------------- one submission

def _grades_from_db(url: str, quiz: str, student: str) -> dict:
    from nbgrader.api import Gradebook
    out: dict = {"notebooks": {}}
    with quiet_nbgrader(), Gradebook(url) as gb:
        sub = gb.find_submission(quiz, student)
        out["timestamp"] = sub.timestamp.isoformat() if sub.timestamp else None
        for nb in sub.notebooks:
            out["notebooks"][nb.name] = {
                "grades": {g.name: g.auto_score for g in nb.grades},
                "comments": {c.name: c.auto_comment for c in nb.comments},
                "late_penalty": nb.late_submission_penalty,
            }
    return out


def _check_autograded(folder: Path, notebooks: list[str]) -> str | None:
    """Why an autograded submission cannot be trusted, or None."""
    for name in notebooks:
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            return f"no autograded notebook {name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade"):
                if cell.get("execution_count") is None and not cell.get("outputs"):
                    return f"test cell {meta.get('grade_id')} was not executed"
                if any(o.get("ename") == "DeadKernelError" for o in cell.get("outputs", [])):
                    return "the kernel died"
    return None


def _error_from_log(log: str) -> str:
    """The root cause in nbgrader's log: the last exception line that is not its summary."""
    lines = [ln.strip() for ln in (log or "").splitlines() if ln.strip()]
    pattern = re.compile(r"^([\w.]+(Error|Exception|Exit|Interrupt)|Kernel died|RuntimeError)\b")
    causes = [ln for ln in lines if pattern.match(ln) and "Please see the" not in ln]
    if causes:
        return causes[-1][:500]
    errors = [ln for ln in lines if ln.startswith("[ERROR]") and "Please see the" not in ln]
    return " | ".join((errors or lines or ["unknown error"])[-2:])[:500]


def _autograde(api, root: Path, quiz: str, student: str, notebooks: list[str]) -> dict:
    t0 = time.perf_counter()
    with quiet_nbgrader():
        result = api.autograde(quiz, student, force=True, create=True)
    seconds = time.perf_counter() - t0
    folder = root / "autograded" / student / quiz
    problem = None if result.get("success") else _error_from_log(result.get("log", "") + str(result.get("error") or ""))
    if problem is None:
        problem = _check_autograded(folder, notebooks)
    out = {"ok": problem is None, "error": problem, "seconds": seconds, "folder": str(folder),
           "guard_warning": "gutbrain guard: a guard cell failed" in (result.get("log") or "")}
    if problem is None:
        out.update(_grades_from_db(db_url(root), quiz, student))
    return out


class _Worker:
    """A private course directory in which one process autogrades submissions one by one."""

    def __init__(self, main_root: str, batch_dir: str, snapshot: str, overrides: dict | None):
        self.main = Path(main_root)
        self.root = Path(tempfile.mkdtemp(prefix=f"w{os.getpid()}-", dir=batch_dir))
        os.symlink(self.main / "source", self.root / "source")
        shutil.copy2(snapshot, self.root / "gradebook.db")
        self.api = make_api(self.root, overrides)

    def run(self, student: str, quiz: str, notebooks: list[str]) -> dict:
        dest = self.root / "submitted" / student / quiz
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(self.main / "submitted" / student / quiz, dest)
        return _autograde(self.api, self.root, quiz, student, notebooks)


_WORKER: _Worker | None = None


def _pool_init(*args) -> None:
    global _WORKER
    _WORKER = _Worker(*args)


def _pool_run(student: str, quiz: str, notebooks: list[str]) -> dict:
    assert _WORKER is not None
    try:
        return _WORKER.run(student, quiz, notebooks)
    except Exception as exc:  # never let one submission take the batch down
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500], "seconds": 0.0}


# ---------------------------------------------------------------- the gradebook

def _merge(root: Path, quiz: str, student: str, res: dict) -> None:
    """Write a worker's grades into the real gradebook, as nbgrader's SaveAutoGrades would."""
    from nbgrader.api import Gradebook
    with quiet_nbgrader(), gradebook(root) as gb:
        if res.get("timestamp"):
            gb.update_or_create_submission(quiz, student, timestamp=res["timestamp"])
        else:
            gb.update_or_create_submission(quiz, student)
        for nb_name, nbres in res["notebooks"].items():
            for gid, auto in nbres["grades"].items():
                grade = gb.find_grade(gid, nb_name, quiz, student)
                grade.auto_score = auto
                grade.needs_manual_grade = grade.manual_score is not None or auto is None
            for cid, text in nbres["comments"].items():
                gb.find_comment(cid, nb_name, quiz, student).auto_comment = text
            gb.find_submission_notebook(nb_name, quiz, student).late_submission_penalty = nbres["late_penalty"]
        gb.db.commit()
    dest = root / "autograded" / student / quiz
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(res["folder"], dest)


def read_scores(root: Path, quiz: str, student: str) -> tuple[float, float, dict, list]:
    from nbgrader.api import Gradebook
    with quiet_nbgrader(), gradebook(root) as gb:
        sub = gb.find_submission(quiz, student)
        items, manual = {}, []
        for nb in sub.notebooks:
            for g in nb.grades:
                items[g.name] = g.auto_score if g.manual_score is None else g.manual_score
                if g.needs_manual_grade:
                    manual.append(g.name)
        return float(sub.score), float(sub.max_score), items, sorted(manual)


def ensure_released(api, root: Path, quiz: str) -> None:
    """The gradebook must know the quiz and release/ must hold it (tamper checks compare to it)."""
    from nbgrader.api import Gradebook, MissingEntry
    known = True
    with quiet_nbgrader(), gradebook(root) as gb:
        try:
            gb.find_assignment(quiz)
        except MissingEntry:
            known = False
    if not known or not release_notebooks(root, quiz):
        with quiet_nbgrader():
            result = api.generate_assignment(quiz, force=True, create=True)
        if not result.get("success"):
            raise RuntimeError(f"could not generate {quiz}: {_error_from_log(result.get('log', ''))}")


# ---------------------------------------------------------------- the class

def grade_class(course_root: Path, quizzes: list[str] | None = None, jobs: int | None = None,
                retries: int = 2, overrides: dict | None = None, serial: bool = False,
                write_summary: bool = True, log=print) -> list[Result]:
    """Autograde every submission in ``course_root/submitted`` (optionally only ``quizzes``)."""
    root = Path(course_root).resolve()
    api = make_api(root, overrides)
    known = quiz_ids(root)
    submitted = root / "submitted"
    before = sha256_tree(submitted)
    results: list[Result] = []
    tasks: list[tuple[Result, list[str]]] = []
    for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []:
        for quiz_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            quiz, student = quiz_dir.name, student_dir.name
            if quizzes and quiz not in quizzes:
                continue
            res = Result(student, quiz)
            results.append(res)
            if quiz not in known:
                res.status, res.error = UNKNOWN, f"no quiz called {quiz!r} in source/"
                continue
            ensure_released(api, root, quiz)
            names = [p.stem for p in release_notebooks(root, quiz)]
            sources = {p.stem: p for p in source_notebooks(root, quiz)}
            for name in names:
                path = quiz_dir / f"{name}.ipynb"
                if not path.exists():
                    res.flags.append({"kind": "missing-notebook", "cell": name, "detail": "not submitted"})
                    continue
                try:
                    sub_nb = read_notebook(path)
                except ValueError as exc:
                    res.status, res.error = INVALID, f"{name}.ipynb: {exc}"
                    break
                rel_nb = nbformat.read(root / "release" / quiz / f"{name}.ipynb", as_version=4)
                res.flags += tamper_flags(rel_nb, sub_nb)
                res.flags += suspicious_flags(nbformat.read(sources[name], as_version=4), sub_nb)
            if res.status == GRADED:
                tasks.append((res, names))

    from nbgrader.api import Gradebook
    with quiet_nbgrader(), gradebook(root) as gb:
        for res, _ in tasks:
            gb.update_or_create_student(res.student)

    outcomes: dict[int, dict] = {}
    batch_dir = tempfile.mkdtemp(prefix="gutbrain-grading-")
    try:
        if serial:
            for i, (res, names) in enumerate(tasks):
                outcomes[i] = _autograde(api, root, res.quiz, res.student, names)
                res.attempts = 1
        else:
            snapshot = os.path.join(batch_dir, "gradebook.snapshot.db")
            shutil.copy2(root / "gradebook.db", snapshot)
            workers = max(1, min(jobs or _cpu_count(), len(tasks) or 1))
            init = (str(root), batch_dir, snapshot, overrides)
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                                     initializer=_pool_init, initargs=init) as pool:
                futures = {pool.submit(_pool_run, res.student, res.quiz, names): i
                           for i, (res, names) in enumerate(tasks)}
                for fut in as_completed(futures):
                    i = futures[fut]
                    res = tasks[i][0]
                    try:
                        outcomes[i] = fut.result()
                    except Exception as exc:  # a worker process died
                        outcomes[i] = {"ok": False, "error": f"worker failed: {exc}"[:500], "seconds": 0.0}
                    res.attempts = 1
                    if outcomes[i]["ok"]:
                        _merge(root, res.quiz, res.student, outcomes[i])
        # regrade failures one at a time: no other kernel starts while they run
        retry_worker = None
        for i, (res, names) in enumerate(tasks):
            while not outcomes[i]["ok"] and res.attempts <= retries:
                log(f"regrading {res.student}/{res.quiz} (attempt {res.attempts + 1}): {outcomes[i]['error']}")
                if serial:
                    outcomes[i] = _autograde(api, root, res.quiz, res.student, names)
                else:
                    if retry_worker is None:
                        shutil.copy2(root / "gradebook.db", os.path.join(batch_dir, "gradebook.retry.db"))
                        retry_worker = _Worker(str(root), batch_dir, os.path.join(batch_dir, "gradebook.retry.db"), overrides)
                    try:
                        outcomes[i] = retry_worker.run(res.student, res.quiz, names)
                    except Exception as exc:
                        outcomes[i] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500], "seconds": 0.0}
                    if outcomes[i]["ok"]:
                        _merge(root, res.quiz, res.student, outcomes[i])
                res.attempts += 1
    finally:
        shutil.rmtree(batch_dir, ignore_errors=True)

    for i, (res, _names) in enumerate(tasks):
        out = outcomes[i]
        res.seconds = round(out.get("seconds", 0.0), 3)
        if out.get("guard_warning"):
            res.flags.append({"kind": "monkeypatch", "cell": "(kernel)", "detail": "a grading guard failed"})
        if out["ok"]:
            res.score, res.max_score, res.items, res.needs_manual = read_scores(root, res.quiz, res.student)
        else:
            res.status, res.error = FAILED, out["error"]
            stale = root / "autograded" / res.student / res.quiz
            if stale.exists():  # never leave a stale or partial autograded copy behind
                shutil.rmtree(stale)

    after = sha256_tree(submitted)
    if after != before:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        raise RuntimeError(f"submitted/ changed during grading (this is a bug): {changed[:10]}")
    if write_summary:
        save_summary(root, results)
    return results


def summary_path(root: Path) -> Path:
    return Path(root) / "reports" / "grading_summary.json"


def save_summary(root: Path, results: list[Result]) -> Path:
    """Merge this run's results into reports/grading_summary.json (one entry per student/quiz)."""
    path = summary_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text()) if path.is_file() else {}
    for res in results:
        data.setdefault(res.quiz, {})[res.student] = asdict(res)
    path.write_text(json.dumps(data, indent=1, sort_keys=True))
    return path


def load_summary(root: Path) -> dict:
    path = summary_path(root)
    return json.loads(path.read_text()) if path.is_file() else {}


def format_summary(results: list[Result]) -> str:
    lines = [f"{'student':<24} {'quiz':<24} {'status':<17} {'score':>11}  flags"]
    for r in sorted(results, key=lambda r: (r.quiz, r.student)):
        score = "-" if r.score is None else f"{r.score:g}/{r.max_score:g}"
        flags = "; ".join(f"{f['kind']} {f['cell']}" for f in r.flags)
        lines.append(f"{r.student:<24} {r.quiz:<24} {r.status:<17} {score:>11}  {flags}")
    bad = [r for r in results if r.status != GRADED]
    if bad:
        lines.append("")
        lines.append("NOT GRADED (look at these by hand):")
        lines += [f"  {r.student} / {r.quiz}: {r.status}: {r.error}" for r in bad]
    tampered = [r for r in results if any(f["kind"] != "missing-notebook" for f in r.flags)]
    if tampered:
        lines.append("")
        lines.append("FLAGGED (graded from the original locked and test cells; check by hand):")
        for r in tampered:
            for f in r.flags:
                lines.append(f"  {r.student} / {r.quiz}: {f['kind']}: {f['cell']}: {f['detail']}")
    manual = [r for r in results if r.needs_manual]
    if manual:
        lines.append("")
        lines.append(f"{len(manual)} submission(s) have items to grade by hand in formgrader (make lab).")
    return "\n".join(lines)
