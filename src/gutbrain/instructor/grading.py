"""Grade a whole class: student code in a sandbox, scores decided by the grader.

For every submission the grader (this process, trusted) builds the notebook to run from the
*released* quiz (locked and test cells as released, hidden tests absent) and the student's
answer cells, and runs it in a fresh bubblewrap sandbox (``sandbox.py``), several at a time.
The sandbox hands back plain data only: each autograded item's value named by its cell's
``metadata.gutbrain.check`` (a function item's outputs on the grader's inputs), and the
cells' outputs. The key is computed once per quiz by running the quiz's own source solution
in a separate sandbox (cached by the source's hash); the grader compares, scores, writes
nbgrader's gradebook itself and writes the autograded notebook (sanitised outputs) for
formgrader and feedback. Hidden tests and keys never enter a student's kernel; nothing a
kernel can touch is merged back. nbgrader's own ``autograde`` is not used (and refuses to
run: nbgrader_config.py).

Each submission is isolated: its failure (kernel killed, wall clock, unreadable result) is
reported by name and gets no score, never a silent zero. ``submitted/`` and ``source/`` are
verified unchanged after each submission.

Limits are per submission, never derived from classmates: at most :data:`MAX_CELLS` cells
and :data:`MAX_NOTEBOOK_BYTES` per notebook, and a wall clock of its own cells times the
per-cell timeout, capped at :data:`DEFAULT_WALL_SECONDS` (``--wall`` sets it).

This module is the batch; one job per module: ``checks`` (what an item checks, comparing),
``compose`` (what runs), ``key`` (the quiz's key), ``submission`` (one submission: validate,
score, record), ``sanitise`` (what may be shown), ``summary`` (results and what is printed),
``sandbox`` (running it).
"""
from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from . import sandbox
from .checks import CheckSpecError, compare, quiz_checks  # noqa: F401 - compare, quiz_checks: the API
from .compose import compose  # noqa: F401 - the API
from .course import gradebook, make_api, quiet_nbgrader, quiz_ids, release_notebooks, sha256_tree
from .key import compute_key
from .sanitise import terminal_safe
from .submission import MAX_CELLS, SubmissionError, _prepare, _record, _score, _Task, _write_autograded, \
    _autograded_notebook, read_scores
from .summary import (FAILED, GRADED, UNKNOWN, Result, format_summary, load_summary,  # noqa: F401 - the API
                      needs_a_look, save_summary, summary_path)

#: a submission's wall clock when not set: minutes, whatever its cell count
DEFAULT_WALL_SECONDS = 600.0


def wall_clock(cells: int, cell_timeout: float, cap: float = DEFAULT_WALL_SECONDS) -> float:
    """One submission's wall clock (s): its own code cells at the per-cell timeout, at most ``cap``."""
    return float(min(cap, (min(cells, MAX_CELLS) + 10) * cell_timeout + 60))


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def ensure_released(api, root: Path, quiz: str) -> None:
    """The gradebook must know the quiz and release/ must hold it (what students were given)."""
    from nbgrader.api import MissingEntry
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
            raise RuntimeError(f"could not generate {quiz}: {(result.get('log') or '')[-500:]}")


# ---------------------------------------------------------------- the class

def grade_class(course_root: Path, quizzes: list[str] | None = None, jobs: int | None = None,
                retries: int = 0, overrides: dict | None = None, serial: bool = False,
                write_summary: bool = True, log=print, sandboxed: bool | None = None,
                cell_timeout: int | None = None, wall_seconds: float | None = None,
                students: list[str] | None = None, memory_bytes: int | None = None) -> list[Result]:
    """Grade every submission in ``course_root/submitted`` (optionally only ``quizzes``).

    ``memory_bytes``: one sandbox's memory budget, all its processes together (default
    ``sandbox.MEMORY_BYTES``, 2 GB).

    ``sandboxed``: None = bubblewrap if it works, else refuse (``sandbox.SandboxUnavailable``)
    unless GUTBRAIN_UNSANDBOXED=1; False = plain subprocesses (benchmarks, opt-out).
    """
    root = Path(course_root).resolve()
    use_sandbox = sandbox.resolve_mode(sandboxed)
    api = make_api(root)
    if cell_timeout is None:
        cell_timeout = int(((overrides or {}).get("Execute") or {}).get("timeout")
                           or api.config.Execute.get("timeout") or 60)
    known = quiz_ids(root)
    submitted = root / "submitted"
    source_digest = sha256_tree(root / "source")
    results: list[Result] = []
    tasks: list[_Task] = []
    keys: dict[str, dict] = {}
    key_errors: dict[str, str] = {}
    for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []:
        if students and student_dir.name not in students:
            continue
        for quiz_dir in sorted(p for p in student_dir.iterdir() if p.is_dir() or p.is_symlink()):
            quiz, student = quiz_dir.name, student_dir.name
            if quizzes and quiz not in quizzes:
                continue
            res = Result(student, quiz)
            results.append(res)
            if quiz not in known:
                res.status, res.error = UNKNOWN, f"no quiz called {quiz!r} in source/"
                continue
            if quiz not in keys and quiz not in key_errors:
                try:
                    ensure_released(api, root, quiz)
                    keys[quiz] = compute_key(root, quiz, use_sandbox, cell_timeout, 20 * cell_timeout + 120)
                except (RuntimeError, CheckSpecError, ValueError, OSError) as exc:
                    key_errors[quiz] = str(exc)
            if quiz in key_errors:
                res.status, res.error = FAILED, f"no key for the quiz: {key_errors[quiz][:400]}"
                continue
            try:
                tasks += _prepare(root, res, keys[quiz])
            except SubmissionError as exc:
                res.status, res.error = FAILED, str(exc)
            except Exception as exc:  # noqa: BLE001 - one submission never stops the class
                res.status, res.error = FAILED, f"unreadable submission ({type(exc).__name__}: {str(exc)[:300]})"

    with quiet_nbgrader(), gradebook(root) as gb:  # every student with a submission gets a row
        for res in results:
            gb.update_or_create_student(res.student)
    def job(task: _Task) -> sandbox.JobResult:
        items_key = keys[task.res.quiz][task.notebook]
        checks = [{"id": gid, "spec": item["spec"]} for gid, item in items_key.items()]
        return sandbox.run_job({"notebook": task.composed, "checks": checks, "cell_timeout": cell_timeout},
                               use_sandbox, wall_seconds or wall_clock(task.code_cells, cell_timeout),
                               limits={"memory_bytes": memory_bytes} if memory_bytes else None)

    def finish(task: _Task, out: sandbox.JobResult) -> bool:
        res = task.res
        res.seconds = round(res.seconds + out.seconds, 3)
        data = out.data if out.ok else None
        if data is not None and data.get("status") != "ok":
            out = sandbox.JobResult(False, None, str(data.get("error") or data.get("status"))[:400], out.seconds)
        if not out.ok:
            res.error = out.error
            return False
        items_key = keys[res.quiz][task.notebook]
        scores, messages, answers, _manual = _score(task, items_key, data)
        _record(root, task, scores)
        _write_autograded(root, task, _autograded_notebook(task, data, scores, messages))
        res.answers.update(answers)
        res.messages.update(messages)
        return True

    def verify(task: _Task) -> None:
        folder = submitted / task.res.student / task.res.quiz
        if sha256_tree(folder) != task.digest:
            task.res.flags.append({"kind": "changed-during-grading", "cell": "submitted/",
                                   "detail": "the submission changed while it was graded"})
            task.res.status, task.res.error = FAILED, "submitted/ changed during grading: grade again"
        if sha256_tree(root / "source") != source_digest:
            task.res.flags.append({"kind": "changed-during-grading", "cell": "source/",
                                   "detail": "quizzes/source changed while this was graded"})
            task.res.status, task.res.error = FAILED, "quizzes/source changed during grading: check the machine"

    pending = list(tasks)
    done_ok: dict[int, bool] = {}
    workers = 1 if serial else max(1, min(jobs or _cpu_count(), len(tasks) or 1))
    attempt = 0
    while pending and attempt <= retries:
        attempt += 1
        with ThreadPoolExecutor(workers) as pool:
            futures = {pool.submit(job, t): t for t in pending}
            for fut in as_completed(futures):
                task = futures[fut]
                task.res.attempts = attempt
                try:
                    out = fut.result()
                except Exception as exc:  # noqa: BLE001 - one submission never stops the class
                    out = sandbox.JobResult(False, None, f"{type(exc).__name__}: {exc}"[:400], 0.0)
                try:
                    done_ok[id(task)] = finish(task, out)
                except Exception as exc:  # noqa: BLE001
                    task.res.error = f"{type(exc).__name__}: {exc}"[:400]
                    done_ok[id(task)] = False
                verify(task)
        pending = [t for t in pending if not done_ok.get(id(t)) and t.res.status == GRADED]
        if pending and attempt <= retries:
            log(terminal_safe(f"grading again, one at a time: {', '.join(f'{t.res.student}/{t.res.quiz}' for t in pending)}"))
            workers = 1

    for task in tasks:
        res = task.res
        if res.status != GRADED:
            continue
        if not done_ok.get(id(task)):
            res.status = FAILED
            stale = root / "autograded" / res.student / res.quiz
            if stale.exists():  # never leave a stale or partial autograded copy behind
                shutil.rmtree(stale)
    for res in results:
        if res.status == GRADED and any(t.res is res for t in tasks):
            res.score, res.max_score, res.items, res.needs_manual = read_scores(root, res.quiz, res.student)
        elif res.status == GRADED:  # nothing gradable submitted (every notebook missing)
            res.status, res.error = FAILED, "no notebook of the quiz was submitted"
    if write_summary:
        save_summary(root, results)
    return results
