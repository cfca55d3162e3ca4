"""No more time bombs: a test that hard-codes a calendar date must run with the clock moved.

A test with a literal date (``datetime(2026, 11, 24)``, ``"2026-11-24"``) passes today and can
fail once the real date passes it, if the code under test also reads the real clock (issue 15).
Such tests carry the ``clock`` marker, which runs them again with the machine's clock moved
years ahead, across a daylight-saving night and in another time zone (tests/conftest.py), so a
hidden dependence on today's date fails now, not on some later day.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATE_CALL = re.compile(r"^(datetime|date)$")
DATE_TEXT = re.compile(r"(?<!\d)(19|20)\d\d-[01]\d-[0-3]\d(?!\d)")


def _is_date_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return bool(DATE_CALL.match(name)) and bool(node.args) and isinstance(node.args[0], ast.Constant) \
            and isinstance(node.args[0].value, int) and 1900 <= node.args[0].value <= 2100
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(DATE_TEXT.search(node.value))


def _has_date(node: ast.AST) -> bool:
    return any(_is_date_literal(n) for n in ast.walk(node))


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _marked_clock(decorators) -> bool:
    """Marked ``clock``, or ``dates_are_data("why")``: its dates are data never compared with the clock."""
    return any(("clock" in ast.unparse(d) or "dates_are_data(" in ast.unparse(d)) and "mark" in ast.unparse(d)
               for d in decorators)


def dated_tests_without_clock_marker(source: str) -> list[str]:
    """Names of test functions in ``source`` that use a calendar date (directly, or through a
    module-level name or helper that holds one) and are not marked ``clock``."""
    tree = ast.parse(source)
    module_marked = any(
        isinstance(stmt, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in stmt.targets)
        and "clock" in ast.unparse(stmt.value)
        for stmt in tree.body)
    dated: set[str] = set()
    for stmt in tree.body:  # module constants and helper functions that hold a date
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and _has_date(stmt.value or ast.Constant(None)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            dated |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(stmt, ast.FunctionDef) and not stmt.name.startswith("test") and _has_date(stmt):
            dated.add(stmt.name)
    offenders = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name.startswith("test"):
            uses_date = _has_date(stmt) or bool(_names(stmt) & dated)
            if uses_date and not (module_marked or _marked_clock(stmt.decorator_list)):
                offenders.append(stmt.name)
    return offenders


@pytest.mark.clock  # its examples hold dates (and it must pass on any day too)
def test_the_check_catches_a_dated_test_and_accepts_a_marked_one():
    bomb = "from datetime import datetime\nT = datetime(2026, 11, 24)\ndef test_x():\n    assert T\n"
    assert dated_tests_without_clock_marker(bomb) == ["test_x"]
    text = "def test_y():\n    assert parse('2026-11-24T09:00+00:00')\n"
    assert dated_tests_without_clock_marker(text) == ["test_y"]
    helper = "def at(d):\n    return datetime(2026, 11, d)\ndef test_z():\n    at(3)\n"
    assert dated_tests_without_clock_marker(helper) == ["test_z"]
    marked = "import pytest\n@pytest.mark.clock\ndef test_x():\n    datetime(2026, 1, 1)\n"
    assert dated_tests_without_clock_marker(marked) == []
    module = "import pytest\npytestmark = pytest.mark.clock\ndef test_x():\n    datetime(2026, 1, 1)\n"
    assert dated_tests_without_clock_marker(module) == []
    data = "@pytest.mark.dates_are_data('LMS file names')\ndef test_x():\n    name = 'a_2026-01-01-10-00-00.ipynb'\n"
    assert dated_tests_without_clock_marker(data) == []
    undated = "def test_x():\n    assert 2026 > 2025\n"
    assert dated_tests_without_clock_marker(undated) == []


@pytest.mark.parametrize("path", sorted(TESTS.rglob("test_*.py")), ids=lambda p: str(p.relative_to(TESTS)))
def test_dated_tests_run_with_the_clock_moved(path):
    offenders = dated_tests_without_clock_marker(path.read_text(encoding="utf-8"))
    assert not offenders, (
        f"{path.name}: {', '.join(offenders)} hard-code a calendar date but are not marked "
        "@pytest.mark.clock; mark them (they then also run with the clock moved, tests/conftest.py), "
        "or pass the code under test an explicit now=/clock= instead of reading the real clock")
