"""Grade a whole class: student code in a sandbox, scores decided by the grader.

For every submission the grader (this process, trusted) builds the notebook to run from the
*released* quiz (locked and test cells as released, hidden tests absent) and the student's
answer cells, and runs it in a fresh bubblewrap sandbox (``sandbox.py``), several at a time.
The sandbox hands back plain data only: each autograded item's value named by its cell's
``metadata.gutbrain.check`` (a function item's outputs on the grader's inputs), and the
cells' outputs. The key is computed once per quiz by running the quiz's own source solution
in a separate sandbox (cached by the source's hash); the grader compares, scores, writes
nbgrader's gradebook itself and writes the autograded notebook (sanitised outputs) for
formgrader and feedback. Hidden tests and keys never enter a student's kernel; nothing a
kernel can touch is merged back. nbgrader's own ``autograde`` is not used (and refuses to
run: nbgrader_config.py).

Each submission is isolated: its failure (kernel killed, wall clock, unreadable result) is
reported by name and gets no score, never a silent zero. ``submitted/`` and ``source/`` are
verified unchanged after each submission.

check kinds (``metadata.gutbrain.check`` of an autograded code cell):
  ``{"kind": "choice", "name": "answer_q1", "options": ["a", "b", "c", "d"]}``
  ``{"kind": "number", "name": "share_percent", "abs_tol": 0.01}`` (or ``rel_tol``)
  ``{"kind": "value", "name": "answer_q9"}`` (JSON-equal, types included)
  ``{"kind": "function", "name": "f", "calls": [{"args": [...], "array_args": [0]}], "abs_tol": .., "rel_tol": ..}``
"""
from __future__ import annotations

import ast
import copy
import hashlib
import json
import math
import os
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from . import sandbox
from .course import (gradebook, hidden_lines, make_api, quiet_nbgrader, quiz_ids, release_notebooks,
                     sha256_tree, solution_lines, source_notebooks)
from .guard import RUBRIC_KEY
from .tamper import read_notebook, suspicious_flags, tamper_flags

GRADED, FAILED, INVALID, UNKNOWN = "graded", "grading_failed", "invalid_notebook", "unknown_quiz"
CHECK_KINDS = ("choice", "number", "value", "function")
RUNNER_VERSION = "1"
OUTPUT_CHARS = 20_000          # one output
NOTEBOOK_OUTPUT_CHARS = 400_000  # all outputs of one autograded notebook


@dataclass
class Result:
    student: str
    quiz: str
    status: str = GRADED
    score: float | None = None
    max_score: float = 0.0
    items: dict = field(default_factory=dict)      # grade_id -> score (None: by hand)
    needs_manual: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)    # grade_id -> the value that was graded
    messages: dict = field(default_factory=dict)   # grade_id -> why it scored 0
    attempts: int = 0
    seconds: float = 0.0
    error: str | None = None


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _role(cell) -> str:
    meta = _nbg(cell)
    if meta.get("solution"):
        return "answer"
    if meta.get("grade") and cell.cell_type == "code":
        return "test"
    return "locked"


# ---------------------------------------------------------------- checks

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


# ---------------------------------------------------------------- composing what runs

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


# ---------------------------------------------------------------- outputs that may be shown

def _cap(text: str, limit: int = OUTPUT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... output truncated by the grader ({len(text):,} characters in all) ...\n"


def _text(value) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def safe_outputs(outputs, budget: list[int]) -> list:
    """Outputs as plain text only (streams, errors, text/plain), capped: nothing to render as HTML."""
    safe = []
    for out in outputs if isinstance(outputs, list) else []:
        if not isinstance(out, dict) or budget[0] <= 0:
            continue
        kind = out.get("output_type")
        if kind == "stream":
            text = _cap(_text(out.get("text")))
            new = nbformat.v4.new_output("stream", name="stderr" if out.get("name") == "stderr" else "stdout",
                                         text=text)
        elif kind == "error":
            tb = [_cap(_text(t), 4000) for t in (out.get("traceback") or [])[:60] if isinstance(t, str)]
            new = nbformat.v4.new_output("error", ename=_cap(_text(out.get("ename")), 200),
                                         evalue=_cap(_text(out.get("evalue")), 4000), traceback=tb)
            text = "".join(tb)
        elif kind in ("execute_result", "display_data"):
            data = out.get("data") if isinstance(out.get("data"), dict) else {}
            text = _cap(_text(data.get("text/plain", "")))
            if not text:
                continue
            new = nbformat.v4.new_output("display_data", data={"text/plain": text})
        else:
            continue
        budget[0] -= len(text)
        safe.append(new)
    if budget[0] <= 0 and safe:
        safe.append(nbformat.v4.new_output("stream", name="stdout",
                                           text="... further output removed by the grader ...\n"))
    return safe


def sanitize_markdown(text: str) -> str:
    """Student markdown with any HTML neutralised (bleach escapes every tag it does not allow)."""
    import bleach
    allowed = {"b", "i", "em", "strong", "code", "pre", "p", "br", "ul", "ol", "li", "sub", "sup",
               "blockquote", "h1", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "td", "th"}
    return bleach.clean(text, tags=allowed, attributes={}, protocols=[], strip=False, strip_comments=True)


# ---------------------------------------------------------------- the key

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compute_key(root: Path, quiz: str, sandboxed: bool, cell_timeout: int, wall: float) -> dict:
    """{notebook: {grade_id: {"spec", "want", "points", "message"}}}, cached in <root>/.gutbrain-keys/."""
    key: dict = {}
    for path in source_notebooks(root, quiz):
        raw = path.read_bytes()
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        checks = quiz_checks(nb)
        cache = Path(root) / ".gutbrain-keys" / f"{quiz}-{path.stem}-{_sha(raw + RUNNER_VERSION.encode())[:20]}.json"
        if cache.is_file():
            try:
                key[path.stem] = json.loads(cache.read_text())
                continue
            except ValueError:
                pass
        items = {}
        if checks:
            job = {"notebook": key_notebook(nb), "cell_timeout": cell_timeout,
                   "checks": [{"id": gid, "spec": spec} for gid, spec in checks.items()]}
            res = sandbox.run_job(job, sandboxed, wall)
            if not res.ok or res.data.get("status") != "ok":
                raise RuntimeError(f"{quiz}: running the source solution failed: "
                                   f"{res.error or res.data.get('error')} {res.stderr[-300:]}")
            for gid, spec in checks.items():
                want = res.data["answers"].get(gid)
                ok, why = compare(spec, want, want) if isinstance(want, dict) and want.get("ok") else (False, None)
                if not ok:
                    raise RuntimeError(f"{quiz}: the source solution gives no usable key for {gid}: "
                                       f"{(want or {}).get('error') or why or 'not comparable'}")
                items[gid] = {"spec": spec, "want": want}
        for cell in nb.cells:
            gid = _nbg(cell).get("grade_id")
            if gid in items:
                items[gid]["points"] = float(_nbg(cell).get("points", 0))
                items[gid]["message"] = hidden_message(cell.source)
        key[path.stem] = items
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(items))
    return key


# ---------------------------------------------------------------- one submission

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


def _prepare(root: Path, res: Result, key: dict) -> list[_Task]:
    """Read the submission (JSON only), flag tampering, compose what runs; sets res.status on failure."""
    tasks = []
    folder = root / "submitted" / res.student / res.quiz
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
        try:
            sub_nb = read_notebook(path)
        except ValueError as exc:
            res.status, res.error = INVALID, f"{name}.ipynb: {exc}"
            return []
        rel_nb = nbformat.read(rel_path, as_version=4)
        src_nb = nbformat.read(root / "source" / res.quiz / f"{name}.ipynb", as_version=4)
        composed, cflags = compose(rel_nb, sub_nb)
        res.flags += merge_flags(tamper_flags(rel_nb, sub_nb), cflags)
        res.flags += suspicious_flags(src_nb, sub_nb)
        rubrics = {_nbg(c).get("grade_id"): "\n".join(solution_lines(c.source)).strip() for c in src_nb.cells
                   if _nbg(c).get("grade") and _nbg(c).get("solution") and c.cell_type == "markdown"}
        tasks.append(_Task(res, name, composed, rel_nb, ts, digest, {k: v for k, v in rubrics.items() if v}))
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


def ensure_released(api, root: Path, quiz: str) -> None:
    """The gradebook must know the quiz and release/ must hold it (what students were given)."""
    from nbgrader.api import MissingEntry
    known = True
    with quiet_nbgrader(), gradebook(root) as gb:
        try:
            gb.find_assignment(quiz)
        except MissingEntry:
            known = False
    if not known or not release_notebooks(root, quiz):
        with quiet_nbgrader():
            result = api.generate_assignment(quiz, force=True, create=True)
        if not result.get("success"):
            raise RuntimeError(f"could not generate {quiz}: {(result.get('log') or '')[-500:]}")


# ---------------------------------------------------------------- the class

def grade_class(course_root: Path, quizzes: list[str] | None = None, jobs: int | None = None,
                retries: int = 0, overrides: dict | None = None, serial: bool = False,
                write_summary: bool = True, log=print, sandboxed: bool | None = None,
                cell_timeout: int | None = None, wall_seconds: float | None = None,
                students: list[str] | None = None) -> list[Result]:
    """Grade every submission in ``course_root/submitted`` (optionally only ``quizzes``).

    ``sandboxed``: None = bubblewrap if it works, else refuse (``sandbox.SandboxUnavailable``)
    unless GUTBRAIN_UNSANDBOXED=1; False = plain subprocesses (benchmarks, opt-out).
    """
    root = Path(course_root).resolve()
    use_sandbox = sandbox.resolve_mode(sandboxed)
    api = make_api(root)
    if cell_timeout is None:
        cell_timeout = int(((overrides or {}).get("Execute") or {}).get("timeout")
                           or api.config.Execute.get("timeout") or 60)
    known = quiz_ids(root)
    submitted = root / "submitted"
    source_digest = sha256_tree(root / "source")
    results: list[Result] = []
    tasks: list[_Task] = []
    keys: dict[str, dict] = {}
    key_errors: dict[str, str] = {}
    for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []:
        if students and student_dir.name not in students:
            continue
        for quiz_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            quiz, student = quiz_dir.name, student_dir.name
            if quizzes and quiz not in quizzes:
                continue
            res = Result(student, quiz)
            results.append(res)
            if quiz not in known:
                res.status, res.error = UNKNOWN, f"no quiz called {quiz!r} in source/"
                continue
            if quiz not in keys and quiz not in key_errors:
                try:
                    ensure_released(api, root, quiz)
                    keys[quiz] = compute_key(root, quiz, use_sandbox, cell_timeout, 20 * cell_timeout + 120)
                except (RuntimeError, CheckSpecError) as exc:
                    key_errors[quiz] = str(exc)
            if quiz in key_errors:
                res.status, res.error = FAILED, f"no key for the quiz: {key_errors[quiz][:400]}"
                continue
            tasks += _prepare(root, res, keys[quiz])

    with quiet_nbgrader(), gradebook(root) as gb:  # every student with a submission gets a row
        for res in results:
            gb.update_or_create_student(res.student)
    wall = wall_seconds or (len(max((t.composed.cells for t in tasks), key=len, default=[])) + 10) * cell_timeout + 60

    def job(task: _Task) -> sandbox.JobResult:
        items_key = keys[task.res.quiz][task.notebook]
        checks = [{"id": gid, "spec": item["spec"]} for gid, item in items_key.items()]
        return sandbox.run_job({"notebook": task.composed, "checks": checks, "cell_timeout": cell_timeout},
                               use_sandbox, wall)

    def finish(task: _Task, out: sandbox.JobResult) -> bool:
        res = task.res
        res.seconds = round(res.seconds + out.seconds, 3)
        data = out.data if out.ok else None
        if data is not None and data.get("status") != "ok":
            out = sandbox.JobResult(False, None, str(data.get("error") or data.get("status"))[:400], out.seconds)
        if not out.ok:
            res.error = out.error
            return False
        items_key = keys[res.quiz][task.notebook]
        scores, messages, answers, _manual = _score(task, items_key, data)
        _record(root, task, scores)
        _write_autograded(root, task, _autograded_notebook(task, data, scores, messages))
        res.answers.update(answers)
        res.messages.update(messages)
        return True

    def verify(task: _Task) -> None:
        folder = submitted / task.res.student / task.res.quiz
        if sha256_tree(folder) != task.digest:
            task.res.flags.append({"kind": "changed-during-grading", "cell": "submitted/",
                                   "detail": "the submission changed while it was graded"})
            task.res.status, task.res.error = FAILED, "submitted/ changed during grading: grade again"
        if sha256_tree(root / "source") != source_digest:
            task.res.flags.append({"kind": "changed-during-grading", "cell": "source/",
                                   "detail": "quizzes/source changed while this was graded"})
            task.res.status, task.res.error = FAILED, "quizzes/source changed during grading: check the machine"

    pending = list(tasks)
    done_ok: dict[int, bool] = {}
    workers = 1 if serial else max(1, min(jobs or _cpu_count(), len(tasks) or 1))
    attempt = 0
    while pending and attempt <= retries:
        attempt += 1
        with ThreadPoolExecutor(workers) as pool:
            futures = {pool.submit(job, t): t for t in pending}
            for fut in as_completed(futures):
                task = futures[fut]
                task.res.attempts = attempt
                try:
                    out = fut.result()
                except Exception as exc:  # noqa: BLE001 - one submission never stops the class
                    out = sandbox.JobResult(False, None, f"{type(exc).__name__}: {exc}"[:400], 0.0)
                try:
                    done_ok[id(task)] = finish(task, out)
                except Exception as exc:  # noqa: BLE001
                    task.res.error = f"{type(exc).__name__}: {exc}"[:400]
                    done_ok[id(task)] = False
                verify(task)
        pending = [t for t in pending if not done_ok.get(id(t)) and t.res.status == GRADED]
        if pending and attempt <= retries:
            log(f"grading again, one at a time: {', '.join(f'{t.res.student}/{t.res.quiz}' for t in pending)}")
            workers = 1

    for task in tasks:
        res = task.res
        if res.status != GRADED:
            continue
        if not done_ok.get(id(task)):
            res.status = FAILED
            stale = root / "autograded" / res.student / res.quiz
            if stale.exists():  # never leave a stale or partial autograded copy behind
                import shutil
                shutil.rmtree(stale)
    for res in results:
        if res.status == GRADED and any(t.res is res for t in tasks):
            res.score, res.max_score, res.items, res.needs_manual = read_scores(root, res.quiz, res.student)
        elif res.status == GRADED:  # nothing gradable submitted (every notebook missing)
            res.status, res.error = FAILED, "no notebook of the quiz was submitted"
    if write_summary:
        save_summary(root, results)
    return results


def summary_path(root: Path) -> Path:
    return Path(root) / "reports" / "grading_summary.json"


def save_summary(root: Path, results: list[Result]) -> Path:
    """Merge this run's results into reports/grading_summary.json (one entry per student/quiz)."""
    import fcntl
    path = summary_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:  # two `make grade` runs at once: merge, never overwrite
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(path.read_text()) if path.is_file() else {}
        for res in results:
            data.setdefault(res.quiz, {})[res.student] = asdict(res)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        tmp.replace(path)
    return path


def load_summary(root: Path) -> dict:
    path = summary_path(root)
    return json.loads(path.read_text()) if path.is_file() else {}


def format_summary(results: list[Result]) -> str:
    lines = [f"{'student':<24} {'quiz':<24} {'status':<17} {'score':>11}  flags"]
    for r in sorted(results, key=lambda r: (r.quiz, r.student)):
        score = "-" if r.score is None else f"{r.score:g}/{r.max_score:g}"
        flags = "; ".join(f"{f['kind']} {f['cell']}" for f in r.flags)
        lines.append(f"{r.student:<24} {r.quiz:<24} {r.status:<17} {score:>11}  {flags}")
    bad = [r for r in results if r.status != GRADED]
    if bad:
        lines.append("")
        lines.append("NOT GRADED (look at these by hand):")
        lines += [f"  {r.student} / {r.quiz}: {r.status}: {r.error}" for r in bad]
    tampered = [r for r in results if any(f["kind"] != "missing-notebook" for f in r.flags)]
    if tampered:
        lines.append("")
        lines.append("FLAGGED (graded from the original locked and test cells; check by hand):")
        for r in tampered:
            for f in r.flags:
                lines.append(f"  {r.student} / {r.quiz}: {f['kind']}: {f['cell']}: {f['detail']}")
    manual = [r for r in results if r.needs_manual]
    if manual:
        lines.append("")
        lines.append(f"{len(manual)} submission(s) have items to grade by hand: `make instructor`, then "
                     "Nbgrader > Formgrader > Manual Grading > the quiz > its notebook > a submission "
                     "(docs/instructor_guide.md, step 5).")
    graded = sum(r.status == GRADED for r in results)
    lines.append("")
    lines.append(f"{len(results)} submission(s): {graded} graded, {len(bad)} not graded, "
                 f"{len(tampered)} flagged.")
    return "\n".join(lines)


def needs_a_look(results: list[Result]) -> bool:
    """True when the instructor must look (exit status 3): not graded, or flagged."""
    return any(r.status != GRADED or any(f["kind"] != "missing-notebook" for f in r.flags) for r in results)
