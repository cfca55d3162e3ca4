"""Shared fixtures. Tests never write into the user's home or the repository's quizzes/."""
from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

# Hooks: xdist groups by shared fixture, time per area (a module of its own: tests/suite_harness.py).
from suite_harness import (  # noqa: F401
    pytest_collection_modifyitems, pytest_runtest_logreport, pytest_terminal_summary)

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


#: Where a test marked ``clock`` runs, besides the real clock: years later, on the night a
#: daylight-saving change repeats an hour, and in a time zone where UTC is already tomorrow.
#: time-machine moves every clock Python reads (and the local time zone) for the test.
MOVED_CLOCKS = {
    "real-clock": None,
    "years-later": datetime(2031, 7, 14, 10, 0, tzinfo=ZoneInfo("America/New_York")),
    "dst-night-berlin": datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    "late-evening-auckland": datetime(2027, 3, 3, 23, 55, tzinfo=ZoneInfo("Pacific/Auckland")),
}


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("clock"):
        if "moved_clock" not in metafunc.fixturenames:
            metafunc.fixturenames.append("moved_clock")
        metafunc.parametrize("moved_clock", list(MOVED_CLOCKS), indirect=True)


@pytest.fixture
def moved_clock(request):
    """The machine's clock for this test (see MOVED_CLOCKS); time keeps ticking from there."""
    destination = MOVED_CLOCKS[getattr(request, "param", "real-clock")]
    if destination is None:
        yield None
        return
    with time_machine.travel(destination, tick=True):
        yield destination
