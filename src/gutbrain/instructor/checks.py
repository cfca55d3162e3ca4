"""What an autograded item checks, and whether a student's value matches the key.

check kinds (``metadata.gutbrain.check`` of an autograded code cell):
  ``{"kind": "choice", "name": "answer_q1", "options": ["a", "b", "c", "d"]}``
  ``{"kind": "number", "name": "share_percent", "abs_tol": 0.01}`` (or ``rel_tol``)
  ``{"kind": "value", "name": "answer_q9"}`` (JSON-equal, types included)
  ``{"kind": "function", "name": "f", "calls": [{"args": [...], "array_args": [0]}], "abs_tol": .., "rel_tol": ..}``
"""
from __future__ import annotations

import ast
import math

from .cells import _nbg, _role
from .course import hidden_lines

CHECK_KINDS = ("choice", "number", "value", "function")


class CheckSpecError(ValueError):
    pass


def validate_spec(spec) -> None:
    if not isinstance(spec, dict) or spec.get("kind") not in CHECK_KINDS:
        raise CheckSpecError(f"kind must be one of {CHECK_KINDS}: {spec!r}")
    if not isinstance(spec.get("name"), str) or not spec["name"].isidentifier():
        raise CheckSpecError(f"name must be a Python identifier: {spec!r}")
    if spec["kind"] == "choice" and not (isinstance(spec.get("options"), list) and spec["options"]):
        raise CheckSpecError(f"a choice check needs its options: {spec!r}")
    if spec["kind"] == "function":
        calls = spec.get("calls")
        if not isinstance(calls, list) or not calls or not all(isinstance(c, dict) and
                                                               isinstance(c.get("args", []), list) for c in calls):
            raise CheckSpecError(f"a function check needs calls [{{'args': [...]}}]: {spec!r}")
    for key in ("abs_tol", "rel_tol"):
        if key in spec and not (type(spec[key]) in (int, float) and spec[key] >= 0):
            raise CheckSpecError(f"{key} must be a number >= 0: {spec!r}")


def quiz_checks(source_nb) -> dict[str, dict]:
    """grade_id -> check spec of every autograded test cell; CheckSpecError names a bad one."""
    out = {}
    for cell in source_nb.cells:
        if _role(cell) == "test" and _nbg(cell).get("grade"):
            gid = _nbg(cell).get("grade_id")
            spec = cell.metadata.get("gutbrain", {}).get("check")
            if spec is None:
                raise CheckSpecError(f"test cell {gid} has no metadata.gutbrain.check")
            try:
                validate_spec(spec)
            except CheckSpecError as exc:
                raise CheckSpecError(f"test cell {gid}: {exc}") from None
            out[gid] = spec
    return out


def hidden_message(test_source: str) -> str:
    """The message of the first hidden assertion (quiz authors write it not to give the answer)."""
    for line in hidden_lines(test_source):
        try:
            tree = ast.parse(line.strip())
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert) and isinstance(node.msg, ast.Constant) and isinstance(node.msg.value, str):
                return node.msg.value
    return "a hidden check did not pass"


def _plain(value, depth: int = 0) -> bool:
    """True if ``value`` is JSON built-ins only (json.loads can give nothing else; checked anyway)."""
    if depth > 8:
        return False
    t = type(value)
    if t in (str, int, float, bool, type(None)):
        return True
    if t is list:
        return all(_plain(v, depth + 1) for v in value)
    if t is dict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    return False


def _is_number(v) -> bool:
    return type(v) in (int, float)


def _close(a, b, spec) -> bool:
    if _is_number(a) and _is_number(b):
        rel = spec.get("rel_tol", 1e-9 if "abs_tol" not in spec else 0.0)
        return math.isclose(a, b, rel_tol=rel, abs_tol=spec.get("abs_tol", 0.0))
    if type(a) is list and type(b) is list:
        return len(a) == len(b) and all(_close(x, y, spec) for x, y in zip(a, b))
    return _strict_equal(a, b)


def _strict_equal(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is list:
        return len(a) == len(b) and all(_strict_equal(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return a.keys() == b.keys() and all(_strict_equal(a[k], b[k]) for k in a)
    return a == b


def compare(spec: dict, got: dict | None, want: dict) -> tuple[bool, str | None]:
    """(right, why not) for one item; ``got``/``want`` as the runner reports them."""
    if not isinstance(got, dict) or not _plain(got):
        return False, "no answer could be read"
    if not got.get("ok"):
        return False, str(got.get("error") or "no answer")[:300]
    kind = spec["kind"]
    if kind == "function":
        results, expected = got.get("results"), want.get("results")
        if type(results) is not list or len(results) != len(expected):
            return False, "the function could not be called on the grader's inputs"
        for r, e in zip(results, expected):
            if type(r) is not dict or not r.get("ok"):
                return False, str((r or {}).get("error") if type(r) is dict else "no result")[:300]
            if not _close(r.get("value"), e.get("value"), spec):
                return False, None
        return True, None
    value, key = got.get("value"), want.get("value")
    if kind == "choice":
        return (type(value) is str and value == key and value in spec["options"]), None
    if kind == "number":
        if not _is_number(value):
            return False, "the answer is not a number"
        return _close(value, key, spec), None
    return _strict_equal(value, key), None
