"""A new gradebook carries nbgrader's schema version without running the `alembic` command for it."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gutbrain.instructor import course

pytestmark = pytest.mark.grading


def test_the_known_alembic_head_is_the_one_alembic_reports():
    import nbgrader
    from nbgrader.dbutil import _temp_alembic_ini

    head = course.KNOWN_ALEMBIC_HEADS.get(nbgrader.__version__)
    assert head, f"nbgrader {nbgrader.__version__}: add its `alembic heads` to course.KNOWN_ALEMBIC_HEADS"
    alembic = Path(sys.executable).parent / "alembic"
    with _temp_alembic_ini("sqlite:////nonexistent/gradebook.db") as ini:
        reported = subprocess.run([str(alembic), "-c", ini, "heads"], capture_output=True, text=True, check=True)
    assert reported.stdout.split()[0] == head


def test_a_new_gradebook_is_stamped_with_nbgraders_schema_version(tmp_path, monkeypatch):
    import nbgrader
    import nbgrader.api

    def no_alembic_command(*args, **kwargs):
        raise AssertionError(f"nbgrader ran {args[0]}")

    monkeypatch.delenv("GUTBRAIN_GRADEBOOK_URL", raising=False)
    monkeypatch.setattr(nbgrader.api.sp, "check_output", no_alembic_command)
    with course.quiet_nbgrader(), course.gradebook(tmp_path) as gb:
        gb.add_student("s1")
    with sqlite3.connect(tmp_path / "gradebook.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (course.KNOWN_ALEMBIC_HEADS[nbgrader.__version__],)]
