"""Which locked, test or answer cells a submission edited, deleted or stripped of metadata.

nbgrader quietly puts locked and test cells back before grading (``OverwriteCells``, and
``add_missing_cells`` for deleted test cells), which is right for the score but hides that a
student tried. This module compares each submitted notebook with the released one, by
nbgrader's own cell checksums, and says what changed; it reads JSON only.
"""
from __future__ import annotations

import ast
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
    flags: list[dict] = []
    for cell in submitted_nb.cells:
        meta = _nbg(cell)
        if cell.cell_type != "code" or (meta.get("locked") and not meta.get("solution")):
            continue
        tree = static.parse(cell.source)
        for reason in static.suspicious_code(cell.source, protected, modules | _import_names(tree)):
            flags.append({"kind": "monkeypatch", "cell": meta.get("grade_id", "(unmarked cell)"),
                          "detail": reason})
    return flags


def read_notebook(path: Path):
    """The notebook, or raise ``ValueError`` with a student-facing reason."""
    data = Path(path).read_bytes()
    if not data.strip():
        raise ValueError("the file is empty")
    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text ({exc.reason})") from None
    except Exception as exc:  # nbformat raises NotJSONError, ValidationError, KeyError...
        raise ValueError(f"not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})") from None
