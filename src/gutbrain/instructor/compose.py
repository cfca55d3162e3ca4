"""The notebook that runs: the released locked and test cells with the student's answers.

Duplicated, deleted, renamed or stripped cells are resolved here and returned as flags; the
key notebook is the source solution without its test cells.
"""
from __future__ import annotations

import copy

import nbformat

from .cells import _nbg, _role


def _student_cell(cell) -> nbformat.NotebookNode:
    """A cell the student added (or whose grade id is unknown): its source only, no metadata."""
    if cell.cell_type == "markdown":
        return nbformat.v4.new_markdown_cell(str(cell.get("source", "")))
    if cell.cell_type == "code":
        return nbformat.v4.new_code_cell(str(cell.get("source", "")))
    return nbformat.v4.new_raw_cell(str(cell.get("source", "")))


def _trusted(cell) -> nbformat.NotebookNode:
    new = copy.deepcopy(cell)
    new.pop("attachments", None)
    new.metadata = {"nbgrader": copy.deepcopy(_nbg(cell))}
    if "gutbrain" in cell.metadata:
        new.metadata["gutbrain"] = copy.deepcopy(cell.metadata["gutbrain"])
    if new.cell_type == "code":
        new.outputs, new.execution_count = [], None
    return new


def compose(release_nb, submitted_nb) -> tuple[nbformat.NotebookNode, list[dict]]:
    """The notebook to run: released locked/test cells, the student's answers and own cells.

    Duplicated, deleted, renamed or stripped cells are resolved here (graded from the
    original cells) and returned as flags.
    """
    rel = {_nbg(c).get("grade_id"): (i, c) for i, c in enumerate(release_nb.cells) if _nbg(c).get("grade_id")}
    out: list[dict] = []   # {"cell", "rel": release index or None, "gid": student's grade id}
    seen: set[str] = set()
    flags: list[dict] = []
    for cell in submitted_nb.cells:
        gid = _nbg(cell).get("grade_id")
        if gid in rel:
            i, rc = rel[gid]
            if gid in seen:  # a copy-pasted cell: the first one is the item, a copy is the student's own code
                if _role(rc) == "answer":
                    out.append({"cell": _student_cell(cell), "rel": None, "gid": None})
                continue
            seen.add(gid)
            new = _trusted(rc)
            if _role(rc) == "answer":
                if cell.cell_type == rc.cell_type:
                    new.source = str(cell.get("source", ""))
                else:
                    flags.append({"kind": "edited", "cell": gid, "detail": "answer cell's type was changed"})
            out.append({"cell": new, "rel": i, "gid": gid})
        else:
            out.append({"cell": _student_cell(cell), "rel": None, "gid": gid, "type": cell.cell_type})
    # read-only and test cells whose metadata was stripped but whose text is intact: put them back in place
    for entry in out:
        if entry["rel"] is None and entry["cell"].cell_type != "raw":
            for gid, (i, rc) in rel.items():
                if gid not in seen and _role(rc) != "answer" and rc.cell_type == entry["cell"].cell_type \
                        and rc.source.strip() == entry["cell"].source.strip():
                    entry.update(cell=_trusted(rc), rel=i, gid=gid)
                    seen.add(gid)
                    break
    # the rest of the released cells: an answer cell takes a renamed/stripped cell in its place, else is re-added
    for gid, (i, rc) in sorted(rel.items(), key=lambda kv: kv[1][0]):
        if gid in seen:
            continue
        before = [k for k, e in enumerate(out) if e["rel"] is not None and e["rel"] < i]
        after = [k for k, e in enumerate(out) if e["rel"] is not None and e["rel"] > i]
        lo, hi = (before[-1] if before else -1), (after[0] if after else len(out))
        if _role(rc) == "answer":
            cands = [k for k in range(lo + 1, hi) if out[k]["rel"] is None and out[k]["cell"].cell_type == rc.cell_type]
            renamed = [k for k in cands if out[k].get("gid")]
            pick = (renamed or cands or [None])[0]
            if pick is not None:
                new = _trusted(rc)
                new.source = out[pick]["cell"].source
                old = out[pick].get("gid")
                out[pick] = {"cell": new, "rel": i, "gid": gid}
                seen.add(gid)
                flags.append({"kind": "renamed", "cell": gid, "detail": f"answer cell's grade id was changed to {old!r}"}
                             if old else {"kind": "metadata-stripped", "cell": gid,
                                          "detail": "answer cell is present without its nbgrader metadata"})
                continue
        out.insert(hi, {"cell": _trusted(rc), "rel": i, "gid": gid})
        seen.add(gid)
    nb = nbformat.v4.new_notebook()
    nb.metadata = copy.deepcopy(release_nb.metadata)
    nb.cells = [e["cell"] for e in out]
    return nb, flags


def merge_flags(tamper: list[dict], composed: list[dict]) -> list[dict]:
    """tamper.py's flags, corrected by what compose() found (a renamed cell is not 'deleted')."""
    fixed = {(f["cell"]) for f in composed if f["kind"] in ("renamed", "metadata-stripped")}
    out = [f for f in tamper if not (f["kind"] == "deleted" and f["cell"] in fixed)]
    have = {(f["kind"], f["cell"]) for f in out}
    out += [f for f in composed if (f["kind"], f["cell"]) not in have]
    return out


def key_notebook(source_nb) -> nbformat.NotebookNode:
    """The source notebook (solutions in) without its test cells: run to compute the key."""
    nb = copy.deepcopy(source_nb)
    nb.cells = [c for c in nb.cells if _role(c) != "test"]
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    return nb
