"""The harness of `make test` (tests/suite_harness.py) on a small suite of its own, on real
pytest-xdist workers: each shared fixture is made once for the whole run, a failure on a worker
fails the run, "no tests ran" is still reported, and the time per area is printed."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

SUITE = {
    "pytest.ini": """
        [pytest]
        markers =
            browser: test
            grading: test
        """,
    "made.py": """
        import os
        from pathlib import Path

        def made(what):
            with (Path(__file__).parent / "made.log").open("a") as log:
                log.write(f"{what} {os.getpid()}\\n")
        """,
    "conftest.py": f"""
        import sys
        sys.path.insert(0, {str(HERE)!r})
        import pytest
        from made import made
        from suite_harness import (
            pytest_collection_modifyitems, pytest_runtest_logreport, pytest_terminal_summary)

        @pytest.fixture(scope="session", params=["a", "b", "c"])
        def lesson(request):
            made(f"lesson={{request.param}}")
            return request.param

        @pytest.fixture(scope="session")
        def server():
            made("server")
        """,
    "test_lesson_checks.py": """
        import pytest
        pytestmark = pytest.mark.browser

        def test_runs(lesson, server): pass
        def test_renders(lesson, server): pass
        def test_keyboard(lesson): pass
        """,
    "test_lesson_more.py": """
        import pytest
        pytestmark = pytest.mark.browser

        def test_legible_narrow(lesson): pass
        def test_legible_wide(lesson, server): pass
        """,
    "test_grading.py": """
        import os
        import pytest
        from made import made
        pytestmark = pytest.mark.grading

        @pytest.fixture(scope="module")
        def batch():
            made("batch")
            return {"ok": True}

        @pytest.fixture(scope="module")
        def report(batch):
            made("report")
            return batch

        @pytest.mark.parametrize("case", range(6))
        def test_case(batch, case):
            assert batch["ok"]
            assert not (case == 3 and os.environ.get("HARNESS_FAIL")), "case 3 fails on purpose"

        def test_report(report): pass
        """,
    "test_independent.py": """
        import pytest

        @pytest.mark.parametrize("n", range(12))
        def test_alone(n, server): pass
        """,
}


@pytest.fixture
def suite(tmp_path):
    for name, text in SUITE.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return tmp_path


def run(suite: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    import os
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--dist=loadgroup", *args],
        cwd=suite, capture_output=True, text=True, timeout=300, env={**os.environ, **env})


def made(suite: Path) -> Counter:
    log = suite / "made.log"
    return Counter(line.split()[0] for line in log.read_text().splitlines()) if log.exists() else Counter()


def test_every_shared_fixture_is_made_once_across_workers(suite):
    result = run(suite, "-n", "3")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "34 passed" in result.stdout, result.stdout[-2000:]
    counts = made(suite)
    # One Run All per lesson although two modules check it; one grading batch for its module.
    assert {k: counts[k] for k in ("lesson=a", "lesson=b", "lesson=c", "batch", "report")} == {
        "lesson=a": 1, "lesson=b": 1, "lesson=c": 1, "batch": 1, "report": 1}, counts
    assert 1 <= counts["server"] <= 3, counts  # once per worker that needs it
    summary = result.stdout.split("time per area", 1)[-1]
    assert "time per area" in result.stdout and all(a in summary for a in ("browser", "grading", "other"))


def test_a_failure_on_a_worker_fails_the_run_and_no_tests_is_reported(suite):
    failed = run(suite, "-n", "2", HARNESS_FAIL="1")
    assert failed.returncode == 1, failed.stdout[-3000:]
    assert "1 failed, 33 passed" in failed.stdout and "case 3 fails on purpose" in failed.stdout
    nothing = run(suite, "-n", "2", "-k", "no_such_test")
    assert nothing.returncode == 5, nothing.stdout[-2000:]
    assert "no tests ran" in nothing.stdout
