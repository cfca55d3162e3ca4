"""Release, collect and return quizzes with nbgrader's own apps (files, LMS zip, or exchange)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .course import make_api, quiet_nbgrader, quiz_ids, REPO
from .feedback import quiz_secrets, scan_for_leaks

#: LMS downloads go to downloaded/<quiz>/archive/; each file must match this (nbgrader's
#: FileNameCollectorPlugin.named_regexp), e.g. ``quiz00_orientation_jdoe_attempt_2026-11-20-15-00-00_quiz00_orientation.ipynb``
LMS_REGEXP = r".*_(?P<student_id>\w+)_attempt_(?P<timestamp>[0-9\-]+)_(?P<file_id>\w+)"


def _check(result: dict, what: str) -> None:
    if not result.get("success"):
        raise RuntimeError(f"{what} failed:\n{result.get('log', '')}\n{result.get('error') or ''}")


def release(course_root: Path, quizzes: list[str] | None = None, exchange: bool = False, **kw) -> list[str]:
    api = make_api(course_root, **kw)
    done = []
    for quiz in quizzes or quiz_ids(Path(course_root)):
        with quiet_nbgrader():
            _check(api.generate_assignment(quiz, force=True, create=True), f"generate_assignment {quiz}")
            secrets = quiz_secrets(Path(course_root), quiz)
            for nb in sorted((Path(course_root) / "release" / quiz).glob("*.ipynb")):
                leaks = scan_for_leaks(nb.read_text(encoding="utf-8"), secrets)
                if leaks:
                    raise RuntimeError(f"{nb} contains hidden-test text: {leaks[:3]}")
            if exchange:
                api.unrelease(quiz)  # re-release replaces the previous copy
                _check(api.release_assignment(quiz), f"release_assignment {quiz}")
        done.append(quiz)
    return done


def collect(course_root: Path, quiz: str, **kw) -> None:
    api = make_api(course_root, **kw)
    with quiet_nbgrader():
        _check(api.collect(quiz, update=True), f"collect {quiz}")


def zip_collect(course_root: Path, quiz: str, regexp: str = LMS_REGEXP) -> None:
    """Run ``nbgrader zip_collect`` (downloaded/<quiz>/archive/*.zip or *.ipynb -> submitted/)."""
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    cmd = [sys.executable, "-m", "nbgrader", "zip_collect", quiz, "--force",
           f"--CourseDirectory.root={Path(course_root).resolve()}",
           f"--FileNameCollectorPlugin.named_regexp={regexp}"]
    subprocess.run(cmd, cwd=REPO, env=env, check=True)


def feedback(course_root: Path, quiz: str, students: list[str] | None = None, exchange: bool = False,
             **kw) -> dict[str, list[str]]:
    """Generate leak-free feedback for every graded student; return {student: problems}."""
    root = Path(course_root)
    api = make_api(root, **kw)
    secrets = quiz_secrets(root, quiz)
    problems: dict[str, list[str]] = {}
    graded = students or sorted(p.parent.name for p in (root / "autograded").glob(f"*/{quiz}") if p.is_dir())
    for student in graded:
        with quiet_nbgrader():
            result = api.generate_feedback(quiz, student, force=True)
        if not result.get("success"):
            problems[student] = [f"generate_feedback failed: {(result.get('log') or '')[-300:]}"]
            continue
        for html_file in sorted((root / "feedback" / student / quiz).glob("*.html")):
            leaks = scan_for_leaks(html_file.read_text(encoding="utf-8"), secrets)
            if leaks:  # fail closed: a leaking file is never handed out
                html_file.unlink()
                problems.setdefault(student, []).append(f"{html_file.name} leaked {leaks[:2]}; deleted")
        if exchange and student not in problems:
            with quiet_nbgrader():
                _check(api.release_feedback(quiz, student), f"release_feedback {quiz} {student}")
    return problems
