"""Static reading of notebook code with ``ast``: nothing a student wrote is ever executed here."""
from __future__ import annotations

import ast

_MISSING = object()


def parse(source: str) -> ast.Module | None:
    """Parse a code cell, ignoring IPython magics and shell lines; None if it is not Python."""
    lines = [("pass" if line.lstrip().startswith(("%", "!")) else line) for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # e.g. one expression of 300,000 terms
        return None


def bound_names(tree: ast.AST | None) -> set[str]:
    """Names a cell binds at any level (assignments, defs, classes, imports, loop targets...)."""
    names: set[str] = set()
    if tree is None:
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


def toplevel_bound_names(tree: ast.AST | None) -> set[str]:
    """Names bound at module level only (what a cell leaves in the notebook's namespace)."""
    if tree is None:
        return set()
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name.split(".")[0])
        else:
            for node in ast.walk(stmt):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                    continue
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
    return names


def loaded_names(tree: ast.AST | None) -> set[str]:
    if tree is None:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def imported_modules(tree: ast.AST | None) -> set[str]:
    mods: set[str] = set()
    if tree is None:
        return mods
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods.add(node.module)
    return mods


def last_literal_assignment(source: str, variable: str):
    """The literal value last assigned to ``variable`` at top level, or ``_MISSING``."""
    tree = parse(source)
    value = _MISSING
    if tree is None:
        return value
    for stmt in tree.body:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets, expr = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, expr = [stmt.target], stmt.value
        if any(isinstance(t, ast.Name) and t.id == variable for t in targets):
            try:
                value = ast.literal_eval(expr)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                value = _MISSING
    return value


MISSING = _MISSING

_SUSPICIOUS_CALLS = {"setattr", "delattr", "exec", "eval", "compile", "globals", "__import__",
                     "get_ipython", "vars", "locals"}
_SUSPICIOUS_NAMES = {"builtins", "__builtins__", "ctypes", "gc", "importlib", "inspect", "sys"}


def suspicious_code(source: str, protected: set[str], modules: set[str]) -> list[str]:
    """Reasons why a student cell looks like it tampers with what the tests rely on.

    ``protected``: names the tests read that a student answer must not rebind (helpers from
    locked cells, builtins). ``modules``: names bound to modules (attribute assignment on them
    is monkeypatching).
    """
    tree = parse(source)
    if tree is None:
        return []
    reasons: list[str] = []
    for name in sorted(bound_names(tree) & protected):
        reasons.append(f"rebinds `{name}`, which a test uses")
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                root = target
                while isinstance(root, (ast.Attribute, ast.Subscript)):
                    root = root.value
                if isinstance(target, ast.Attribute) and isinstance(root, ast.Name) and (
                        root.id in modules or root.id in _SUSPICIOUS_NAMES):
                    reasons.append(f"patches `{ast.unparse(target)}`")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _SUSPICIOUS_CALLS:
            reasons.append(f"calls `{node.func.id}()`")
        elif isinstance(node, ast.Attribute) and node.attr in {"modules", "__dict__", "__code__", "__globals__", "__class__"}:
            reasons.append(f"touches `.{node.attr}`")
    seen: set[str] = set()
    return [r for r in reasons if not (r in seen or seen.add(r))]
