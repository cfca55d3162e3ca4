"""nbgrader's cell metadata, read defensively: a submission's metadata is untrusted data."""
from __future__ import annotations


def _nbg(cell) -> dict:
    """The cell's ``metadata.nbgrader`` if it is a dict, else {} (validated per submission first)."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def _role(cell) -> str:
    meta = _nbg(cell)
    if meta.get("solution"):
        return "answer"
    if meta.get("grade") and cell.cell_type == "code":
        return "test"
    return "locked"
