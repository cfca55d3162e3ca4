"""Shared fixtures. Tests never write into the user's home or the repository's quizzes/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="session")
def _isolated_home(tmp_path_factory):
    """Point HOME (and Jupyter's data/runtime dirs) at a temporary folder for the session."""
    home = tmp_path_factory.mktemp("home")
    saved = {k: os.environ.get(k) for k in ("HOME", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "XDG_DATA_HOME")}
    os.environ["HOME"] = str(home)
    os.environ["XDG_DATA_HOME"] = str(home / ".local" / "share")
    os.environ["JUPYTER_RUNTIME_DIR"] = str(home / "runtime")
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def course_copy(tmp_path) -> Path:
    """A throw-away copy of the nbgrader course root (source/ only), for grading tests."""
    root = tmp_path / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    return root
