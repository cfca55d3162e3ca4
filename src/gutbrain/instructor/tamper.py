"""Which locked, test or answer cells a submission edited, deleted or stripped of metadata.

nbgrader quietly puts locked and test cells back before grading (``OverwriteCells``, and
``add_missing_cells`` for deleted test cells), which is right for the score but hides that a
student tried. This module compares each submitted notebook with the released one, by
nbgrader's own cell checksums, and says what changed; it reads JSON only.
"""
from __future__ import annotations

import ast
import warnings
from pathlib import Path

import nbformat
from nbgrader.utils import compute_checksum

from . import static


def _nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def tamper_flags(release_nb, submitted_nb) -> list[dict]:
    """A list of ``{"kind", "cell", "detail"}``; empty when nothing locked was touched.

    kinds: ``deleted``, ``edited``, ``metadata-stripped``, ``metadata-changed``, ``duplicated``.
    """
    flags: list[dict] = []
    by_id: dict[str, list] = {}
    for cell in submitted_nb.cells:
        gid = _nbg(cell).get("grade_id")
        if gid is not None:
            by_id.setdefault(gid, []).append(cell)
    unmarked = [c for c in submitted_nb.cells if "nbgrader" not in c.get("metadata", {})]
    for cell in release_nb.cells:
        meta = _nbg(cell)
        gid = meta.get("grade_id")
        if gid is None:
            continue
        role = "test cell" if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code" \
            else "answer cell" if meta.get("solution") else "read-only cell"
        found = by_id.get(gid, [])
        if len(found) > 1:
            flags.append({"kind": "duplicated", "cell": gid, "detail": f"{role} appears {len(found)} times"})
        if not found:
            same = [c for c in unmarked if c.cell_type == cell.cell_type and c.source == cell.source]
            if same or (meta.get("solution") and unmarked):
                flags.append({"kind": "metadata-stripped", "cell": gid,
                              "detail": f"{role} is present without its nbgrader metadata"})
            else:
                flags.append({"kind": "deleted", "cell": gid, "detail": f"{role} was deleted"})
            continue
        sub = found[0]
        if meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            expected = meta.get("checksum") or compute_checksum(cell)
            if compute_checksum(sub) != expected or sub.cell_type != cell.cell_type:
                if sub.source != cell.source or sub.cell_type != cell.cell_type:
                    flags.append({"kind": "edited", "cell": gid, "detail": f"{role} was edited"})
                else:
                    flags.append({"kind": "metadata-changed", "cell": gid,
                                  "detail": f"{role}'s nbgrader metadata was changed"})
        else:
            keys = ("grade", "solution", "locked", "points", "task")
            if any(_nbg(sub).get(k) != meta.get(k) for k in keys):
                flags.append({"kind": "metadata-changed", "cell": gid,
                              "detail": f"{role}'s nbgrader metadata was changed"})
    return flags


def _import_names(tree) -> set[str]:
    names: set[str] = set()
    for node in ([] if tree is None else ast.walk(tree)):
        if isinstance(node, ast.Import):
            names |= {a.asname or a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names |= {a.asname or a.name for a in node.names if a.name != "*"}
    return names


def _from_imports(tree) -> set[tuple]:
    """(module, name, bound as) of every import a cell makes."""
    out = set()
    for node in ([] if tree is None else ast.walk(tree)):
        if isinstance(node, ast.ImportFrom):
            out |= {(node.module, a.name, a.asname or a.name) for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {(None, a.name, a.asname or a.name.split(".")[0]) for a in node.names}
    return out


def _plain_import_names(tree, trusted_from: set[tuple]) -> set[str]:
    """Names bound by imports that bind what the quiz binds (``import math``; the quiz's own
    ``from gutbrain.models.tryptophan import steady_state``)."""
    names: set[str] = set()
    for node in ([] if tree is None else ast.walk(tree)):
        if isinstance(node, ast.Import):  # `import math`, or `import numpy as np` as the quiz does
            names |= {a.asname or a.name.split(".")[0] for a in node.names
                      if a.asname in (None, a.name) or (None, a.name, a.asname) in trusted_from}
        elif isinstance(node, ast.ImportFrom):
            names |= {a.asname or a.name for a in node.names
                      if (node.module, a.name, a.asname or a.name) in trusted_from}
    return names


def suspicious_flags(source_nb, submitted_nb) -> list[dict]:
    """Student code that rebinds what a test reads, or patches modules (kind ``monkeypatch``).

    The score does not depend on this (the grading guard restores what tests read); the flag
    tells the instructor that someone tried.
    """
    answers: set[str] = set()
    protected: set[str] = set()
    modules: set[str] = set()
    for cell in source_nb.cells:
        meta = _nbg(cell)
        if cell.cell_type != "code":
            continue
        tree = static.parse(cell.source)
        if meta.get("solution"):
            answers |= static.bound_names(tree)
        elif meta.get("grade"):
            protected |= static.loaded_names(tree)
            modules |= _import_names(tree)
        elif meta.get("locked"):
            protected |= static.toplevel_bound_names(tree)
            modules |= _import_names(tree)
    protected -= answers
    trusted_sources = {cell.source.strip() for cell in source_nb.cells
                       if cell.cell_type == "code" and not _nbg(cell).get("solution")}
    trusted_from: set[tuple] = set()
    for cell in source_nb.cells:
        if cell.cell_type == "code" and not _nbg(cell).get("solution"):
            trusted_from |= _from_imports(static.parse(cell.source))
    flags: list[dict] = []
    for cell in submitted_nb.cells:
        meta = _nbg(cell)
        if cell.cell_type != "code" or (meta.get("locked") and not meta.get("solution")):
            continue
        if cell.source.strip() in trusted_sources:  # a released cell that lost its metadata: not student code
            continue
        tree = static.parse(cell.source)
        # a plain `import math` (or `from m import f` as the quiz does) binds the same object: not a patch
        protected_here = protected - _plain_import_names(tree, trusted_from)
        for reason in static.suspicious_code(cell.source, protected_here, modules | _import_names(tree)):
            flags.append({"kind": "monkeypatch", "cell": meta.get("grade_id", "(unmarked cell)"),
                          "detail": reason})
    return flags


def read_notebook(path: Path):
    """The notebook, or raise ``ValueError`` with a student-facing reason."""
    data = Path(path).read_bytes()
    if not data.strip():
        raise ValueError("the file is empty")
    try:
        with warnings.catch_warnings():  # a student's duplicate or missing cell ids: nbformat repairs them
            warnings.simplefilter("ignore")
            return nbformat.reads(data.decode("utf-8"), as_version=4)
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text ({exc.reason})") from None
    except Exception as exc:  # nbformat raises NotJSONError, ValidationError, KeyError...
        raise ValueError(f"not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})") from None
