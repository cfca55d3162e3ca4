"""Build the student version of every quiz in quizzes/source/ (quizzes/release/).

Uses nbgrader's own API configured from the repository's nbgrader_config.py (through
``gutbrain.instructor.course``), so the result is exactly what `nbgrader generate_assignment
<quiz>` would make. Binder's postBuild and `make student` run this; exit status 1 names any
quiz that failed, with nbgrader's log.
"""
from __future__ import annotations

import sys
from pathlib import Path

from gutbrain.instructor.course import COURSE_ROOT, make_api


def nbgrader_api(course_root: Path | None = None):
    """An NbGraderAPI for ``course_root`` (default: the repository's quizzes/)."""
    return make_api(course_root)


def quiz_ids(course_root: Path) -> list[str]:
    return sorted(p.name for p in (course_root / "source").iterdir()
                  if p.is_dir() and not p.name.startswith("."))


def build_all(course_root: Path | None = None) -> list[str]:
    """Generate every quiz's release; return the ids that failed."""
    root = course_root or COURSE_ROOT
    api = nbgrader_api(root)
    failed = []
    for quiz in quiz_ids(root):
        result = api.generate_assignment(quiz, force=True)
        if not result["success"]:
            failed.append(quiz)
            print(f"could not build {quiz}:\n{result.get('log')}\n{result.get('error')}", file=sys.stderr)
        else:
            print(f"built quizzes/release/{quiz}/")
    return failed


if __name__ == "__main__":
    sys.exit(1 if build_all() else 0)
