"""One submission: read and validate it, compose what runs, score what came back, record it.

Everything read from a submission is untrusted: :func:`validate_notebook` checks its shape
(metadata types, sources, size, cell count) before anything else reads it, and a submission
that fails is reported by name (``grading_failed`` with the reason), never a crash.
"""
from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from .cells import _nbg
from .checks import _plain, compare
from .compose import compose, merge_flags
from .course import gradebook, quiet_nbgrader, release_notebooks, sha256_tree, solution_lines
from .guard import RUBRIC_KEY
from .sanitise import NOTEBOOK_OUTPUT_CHARS, safe_outputs, sanitize_markdown
from .summary import INVALID, Result
from .tamper import read_notebook, suspicious_flags, tamper_flags

#: per submission, whatever classmates hand in
MAX_CELLS = 500
MAX_NOTEBOOK_BYTES = 8 * 1024 ** 2
MAX_SOURCE_CHARS = 200_000
CELL_TYPES = ("code", "markdown", "raw")
_FLAGS = ("grade", "solution", "locked", "task")


class SubmissionError(ValueError):
    """A submission that cannot be graded; the message says why (shown by the student's name)."""


def unsafe_entries(folder: Path) -> list[str]:
    """What in ``folder`` (itself included) is a symlink or not a regular file or folder."""
    bad = []
    top = Path(folder)
    for path in [top, *sorted(top.rglob("*"))] if not top.is_symlink() else [top]:
        rel = "." if path == top else str(path.relative_to(top))
        if path.is_symlink():
            bad.append(f"{rel} is a symbolic link")
        elif not (path.is_file() or path.is_dir()):
            bad.append(f"{rel} is not a regular file")
    return bad


def validate_notebook(nb, name: str) -> None:
    """Raise :class:`SubmissionError` naming the first thing in ``nb`` that is not as nbformat 4 says."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise SubmissionError(f"{name}: the notebook has no list of cells")
    if len(cells) > MAX_CELLS:
        raise SubmissionError(f"{name}: {len(cells)} cells (at most {MAX_CELLS} are graded)")
    for i, cell in enumerate(cells, 1):
        where = f"{name}: cell {i}"
        if not isinstance(cell, dict) or cell.get("cell_type") not in CELL_TYPES:
            raise SubmissionError(f"{where} is not a code, markdown or raw cell")
        if not isinstance(cell.get("source", ""), str):
            raise SubmissionError(f"{where}: its source is not text")
        if len(cell.get("source", "")) > MAX_SOURCE_CHARS:
            raise SubmissionError(f"{where}: its source is longer than {MAX_SOURCE_CHARS:,} characters")
        meta = cell.get("metadata", {})
        if not isinstance(meta, dict):
            raise SubmissionError(f"{where}: its metadata is not an object")
        nbg = meta.get("nbgrader", {})
        if not isinstance(nbg, dict):
            raise SubmissionError(f"{where}: metadata.nbgrader is not an object")
        if "grade_id" in nbg and not isinstance(nbg["grade_id"], str):
            raise SubmissionError(f"{where}: metadata.nbgrader.grade_id is not text")
        if "points" in nbg and not (type(nbg["points"]) in (int, float) and 0 <= nbg["points"] <= 1000):
            raise SubmissionError(f"{where}: metadata.nbgrader.points is not a number of points")
        for flag in _FLAGS:
            if flag in nbg and not isinstance(nbg[flag], bool):
                raise SubmissionError(f"{where}: metadata.nbgrader.{flag} is not true or false")
        if "gutbrain" in meta and not isinstance(meta["gutbrain"], dict):
            raise SubmissionError(f"{where}: metadata.gutbrain is not an object")
        if cell["cell_type"] == "code" and not isinstance(cell.get("outputs", []), list):
            raise SubmissionError(f"{where}: its outputs are not a list")


def _timestamp(folder: Path) -> tuple[datetime | None, str | None]:
    path = folder / "timestamp.txt"
    if not path.is_file():
        return None, None
    from nbgrader.utils import parse_utc
    text = path.read_text(encoding="utf-8", errors="replace").strip()[:100]
    try:
        ts = parse_utc(text)
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=timezone.utc)
        return ts, None
    except Exception:  # noqa: BLE001 - dateutil raises several kinds
        return None, f"timestamp.txt is not a date ({text[:40]!r}): graded without a time, no late penalty"


@dataclass
class _Task:
    res: Result
    notebook: str
    composed: nbformat.NotebookNode
    release: nbformat.NotebookNode
    timestamp: datetime | None
    digest: dict
    rubrics: dict = field(default_factory=dict)   # grade_id -> rubric text (formgrader only)
    code_cells: int = 0


def _prepare(root: Path, res: Result, key: dict) -> list[_Task]:
    """Read the submission (JSON only), flag tampering, compose what runs; sets res.status on failure."""
    tasks = []
    folder = root / "submitted" / res.student / res.quiz
    unsafe = unsafe_entries(root / "submitted" / res.student) if (root / "submitted" / res.student).is_symlink() \
        else unsafe_entries(folder)
    if unsafe:
        raise SubmissionError(f"refused: {'; '.join(unsafe[:3])} (only plain files are graded)")
    ts, why = _timestamp(folder)
    if why:
        res.flags.append({"kind": "bad-timestamp", "cell": "timestamp.txt", "detail": why})
    digest = sha256_tree(folder)
    for rel_path in release_notebooks(root, res.quiz):
        name = rel_path.stem
        path = folder / f"{name}.ipynb"
        if not path.exists():
            res.flags.append({"kind": "missing-notebook", "cell": name, "detail": "not submitted"})
            continue
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise SubmissionError(f"{name}.ipynb is larger than {MAX_NOTEBOOK_BYTES // 1024 ** 2} MB")
        try:
            sub_nb = read_notebook(path)
        except ValueError as exc:
            res.status, res.error = INVALID, f"{name}.ipynb: {exc}"
            return []
        validate_notebook(sub_nb, f"{name}.ipynb")
        rel_nb = nbformat.read(rel_path, as_version=4)
        src_nb = nbformat.read(root / "source" / res.quiz / f"{name}.ipynb", as_version=4)
        composed, cflags = compose(rel_nb, sub_nb)
        res.flags += merge_flags(tamper_flags(rel_nb, sub_nb), cflags)
        res.flags += suspicious_flags(src_nb, sub_nb)
        rubrics = {_nbg(c).get("grade_id"): "\n".join(solution_lines(c.source)).strip() for c in src_nb.cells
                   if _nbg(c).get("grade") and _nbg(c).get("solution") and c.cell_type == "markdown"}
        tasks.append(_Task(res, name, composed, rel_nb, ts, digest, {k: v for k, v in rubrics.items() if v},
                           sum(c.cell_type == "code" for c in composed.cells)))
    return tasks


def _score(task: _Task, items_key: dict, data: dict | None) -> tuple[dict, dict, dict, list]:
    """scores (grade_id -> points or None), messages, answers, manual items."""
    scores, messages, answers, manual = {}, {}, {}, []
    got = (data or {}).get("answers", {}) if isinstance(data, dict) else {}
    got = got if isinstance(got, dict) else {}
    release_by_id = {_nbg(c).get("grade_id"): c for c in task.release.cells}
    for cell in task.composed.cells:
        meta = _nbg(cell)
        gid = meta.get("grade_id")
        if not meta.get("grade") or gid in scores:
            continue
        points = float(meta.get("points", 0))
        if gid in items_key:
            item = items_key[gid]
            ok, why = compare(item["spec"], got.get(gid), item["want"])
            scores[gid] = points if ok else 0.0
            if not ok:
                messages[gid] = why or item.get("message") or "not right"
            answer = got.get(gid)
            if isinstance(answer, dict) and answer.get("ok") and "value" in answer and _plain(answer["value"]):
                answers[gid] = answer["value"]
        elif meta.get("solution"):  # graded by hand, unless left as released
            stub = release_by_id.get(gid)
            blank = not cell.source.strip() or (stub is not None and cell.source.strip() == stub.source.strip())
            scores[gid] = 0.0 if blank else None
            if not blank:
                manual.append(gid)
        else:
            scores[gid] = None  # a test cell without a check spec: by hand, flagged
            manual.append(gid)
            task.res.flags.append({"kind": "no-check", "cell": gid, "detail": "no metadata.gutbrain.check: grade by hand"})
    return scores, messages, answers, manual


def _autograded_notebook(task: _Task, data: dict, scores: dict, messages: dict) -> nbformat.NotebookNode:
    nb = copy.deepcopy(task.composed)
    outputs = data.get("outputs") if isinstance(data.get("outputs"), list) else []
    counts = data.get("execution_counts") if isinstance(data.get("execution_counts"), list) else []
    budget = [NOTEBOOK_OUTPUT_CHARS]
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and not _nbg(cell).get("locked"):
            cell.source = sanitize_markdown(cell.source)
        if cell.cell_type != "code":
            continue
        cell.outputs = safe_outputs(outputs[i] if i < len(outputs) else [], budget)
        count = counts[i] if i < len(counts) else None
        cell.execution_count = count if type(count) is int and 0 < count < 10 ** 6 else None
        gid = _nbg(cell).get("grade_id")
        if _nbg(cell).get("grade") and gid in scores and scores[gid] is not None:
            points = float(_nbg(cell).get("points", 0))
            if scores[gid] == points:
                cell.outputs.append(nbformat.v4.new_output("stream", name="stdout",
                                                           text=f"Item {gid}: right ({points:g}/{points:g} points)\n"))
            else:
                text = f"Item {gid} failed: {messages.get(gid) or 'not right'}"
                cell.outputs.append(nbformat.v4.new_output("error", ename="Item failed", evalue=text, traceback=[text]))
    cells = []
    for cell in nb.cells:  # the rubric beside each hand-graded answer, for formgrader; feedback drops it
        cells.append(cell)
        gid = _nbg(cell).get("grade_id")
        if gid in task.rubrics:
            note = nbformat.v4.new_markdown_cell(f"**Rubric for {gid}** (shown to graders in formgrader; "
                                                 f"removed from feedback)\n\n{task.rubrics[gid]}")
            note.metadata[RUBRIC_KEY] = True
            cells.append(note)
    nb.cells = cells
    return nb


def _record(root: Path, task: _Task, scores: dict, attempts: int = 3) -> None:
    """Write the scores into nbgrader's gradebook (hand grades kept).

    Several graders may share one PostgreSQL gradebook: a student added at the same moment by
    another run is an IntegrityError here, so the write is retried; each grade row is locked
    (FOR UPDATE) while it is read and written, so a hand grade saved meanwhile is not overwritten."""
    from nbgrader.api import InvalidEntry
    from sqlalchemy.exc import DBAPIError, IntegrityError
    for attempt in range(attempts):
        try:
            return _record_once(root, task, scores)
        except (InvalidEntry, IntegrityError, DBAPIError):
            if attempt == attempts - 1:
                raise


def _record_once(root: Path, task: _Task, scores: dict) -> None:
    res = task.res
    with quiet_nbgrader(), gradebook(root) as gb:
        gb.update_or_create_student(res.student)
        if task.timestamp is not None:
            gb.update_or_create_submission(res.quiz, res.student, timestamp=task.timestamp.replace(tzinfo=None))
        else:
            gb.update_or_create_submission(res.quiz, res.student)
        for gid, auto in scores.items():
            grade = gb.find_grade(gid, task.notebook, res.quiz, res.student)
            gb.db.refresh(grade, with_for_update=True)
            grade.auto_score = auto
            grade.needs_manual_grade = auto is None and grade.manual_score is None
        gb.db.commit()


def _write_autograded(root: Path, task: _Task, nb) -> None:
    dest = root / "autograded" / task.res.student / task.res.quiz
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.iterdir():  # only what the grader wrote, never anything else
        if old.is_file() and old.suffix != ".ipynb":
            old.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nbformat.write(nb, dest / f"{task.notebook}.ipynb")
    if task.timestamp is not None:
        (dest / "timestamp.txt").write_text(task.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
    from .exchange import copy_exchange_files
    copy_exchange_files(root / "submitted" / task.res.student / task.res.quiz, dest)


def read_scores(root: Path, quiz: str, student: str) -> tuple[float, float, dict, list]:
    with quiet_nbgrader(), gradebook(root) as gb:
        sub = gb.find_submission(quiz, student)
        items, manual = {}, []
        for nb in sub.notebooks:
            for g in nb.grades:
                items[g.name] = g.auto_score if g.manual_score is None else g.manual_score
                if g.needs_manual_grade:
                    manual.append(g.name)
        return float(sub.score), float(sub.max_score), items, sorted(manual)
