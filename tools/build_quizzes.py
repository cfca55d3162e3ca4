"""Build the student version of every quiz in quizzes/source/ (quizzes/release/).

Uses nbgrader's own API with the repository's nbgrader_config.py, so the result is exactly
what `nbgrader generate_assignment <quiz>` would make. Exit status 1 names any quiz that
failed, with nbgrader's log.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def nbgrader_api(course_root: Path | None = None):
    """An NbGraderAPI configured from the repository's nbgrader_config.py."""
    # nbgrader runs the `alembic` command when it creates a gradebook; make sure the one
    # next to this Python is found even when the virtualenv is not activated.
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    if course_root is not None:
        config.CourseDirectory.root = str(course_root)
    merged = Config()
    merged.merge(config)
    coursedir = CourseDirectory(config=merged)
    return NbGraderAPI(coursedir=coursedir, config=merged)


def quiz_ids(course_root: Path) -> list[str]:
    return sorted(p.name for p in (course_root / "source").iterdir()
                  if p.is_dir() and not p.name.startswith("."))


def build_all(course_root: Path | None = None) -> list[str]:
    """Generate every quiz's release; return the ids that failed."""
    root = course_root or ROOT / "quizzes"
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
