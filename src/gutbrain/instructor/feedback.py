"""Feedback without leaks: no hidden-test source, no hidden-test traceback, no answer key.

``SanitizeFeedback`` is added to nbgrader's ``GenerateFeedback.preprocessors`` (before the
HTML export). For every test cell with hidden tests it shows only the visible tests, and
replaces the cell's outputs by one line, ``Item <grade_id> failed: <message>``; the message
is left out when it could give the answer away (it quotes a solution literal or hidden-test
text). In every other cell, an output that contains hidden-test text (a student printing
``In``, say) is replaced by a notice. After export, :func:`scan_for_leaks` checks the HTML
itself; a file that still leaks is deleted and reported (fail closed).
"""
from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor as Preprocessor
from traitlets import Unicode

from . import static
from .course import BEGIN_HIDDEN, END_HIDDEN, hidden_lines, solution_lines, split_hidden, visible_source

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ARROW = re.compile(r"^-+>\s*(\d+)", re.M)
HIDDEN_NOTE = "# (Hidden tests, run when your quiz was graded, are not shown.)"
REMOVED = "[Output removed from feedback: it contained hidden test material.]"


def _nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _literals(source: str) -> set[str]:
    out: set[str] = set()
    tree = static.parse(source)
    if tree is None:
        return out
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float)) \
                and not isinstance(node.value, bool):
            out.add(str(node.value))
    return out


def secrets_of(hidden_sources: list[str]) -> set[str]:
    """Text that must never reach a student: hidden-test lines and their distinctive literals."""
    found: set[str] = set()
    for line in hidden_sources:
        text = line.strip()
        if len(text) >= 8 and text not in (BEGIN_HIDDEN, END_HIDDEN) and not text.startswith("#"):
            found.add(text)
        tree = static.parse(text)
        messages = {str(n.msg.value) for n in ast.walk(tree) if isinstance(n, ast.Assert)
                    and isinstance(n.msg, ast.Constant)} if tree is not None else set()
        for lit in _literals(text) - messages:  # an assertion's message is meant to be shown
            if (len(lit) >= 8) or (sum(ch.isdigit() for ch in lit) >= 5):
                found.add(lit)
    return found


def solution_keys(solution_sources: list[str]) -> set[str]:
    """Literal values the solutions assign (a choice item's key, a number)."""
    keys: set[str] = set()
    for line in solution_sources:
        keys |= _literals(line.strip())
    return keys


def message_leaks(message: str, secrets: set[str], keys: set[str]) -> bool:
    if any(s in message for s in secrets):
        return True
    for key in keys:
        if not key.strip():
            continue
        quoted = (f'"{key}"', f"'{key}'", f"`{key}`")
        if any(q in message for q in quoted):
            return True
        if len(key) >= 3 and re.search(r"(?<![\w.])" + re.escape(key) + r"(?![\w])", message):
            return True
    return False


def _output_text(output) -> str:
    parts = [output.get("text", ""), output.get("evalue", "")]
    parts += output.get("traceback", []) or []
    for value in (output.get("data") or {}).values():
        parts.append(value if isinstance(value, str) else "".join(value) if isinstance(value, list) else "")
    return _ANSI.sub("", "\n".join(p if isinstance(p, str) else "".join(p) for p in parts))


def _failing_line(output) -> int | None:
    """The 1-based line of the cell where the error was raised (IPython's ``---->`` arrow)."""
    text = _ANSI.sub("", "\n".join(output.get("traceback", []) or []))
    frames = text.split("Cell In[")
    if len(frames) < 2:
        return None
    first = frames[1].split("File ")[0]
    hits = _ARROW.findall(first)
    return int(hits[-1]) if hits else None


class SanitizeFeedback(Preprocessor):
    source_root = Unicode("", help="The course's source/ folder (for the solutions' literals).").tag(config=True)

    def preprocess(self, nb, resources):
        hidden: list[str] = []
        for cell in nb.cells:
            if _nbg(cell).get("grade"):
                hidden += hidden_lines(cell.source)
        secrets = secrets_of(hidden)
        keys: set[str] = set()
        info = resources.get("nbgrader", {})
        path = Path(self.source_root) / str(info.get("assignment")) / f"{info.get('notebook')}.ipynb"
        if self.source_root and path.is_file():
            for cell in nbformat.read(path, as_version=4).cells:
                keys |= solution_keys(solution_lines(cell.source))
                hidden += hidden_lines(cell.source)
            secrets = secrets_of(hidden)
        resources.setdefault("gutbrain", {})["secrets"] = secrets
        for cell in nb.cells:
            meta = _nbg(cell)
            lines, blocks = split_hidden(cell.source)
            if meta.get("grade") and cell.cell_type == "code" and blocks:
                self._sanitize_test_cell(cell, meta, lines, blocks, secrets, keys)
            elif cell.cell_type == "code":
                cell.outputs = [o if not any(s in _output_text(o) for s in secrets)
                                else nbformat.v4.new_output("stream", name="stdout", text=REMOVED)
                                for o in cell.get("outputs", [])]
            elif blocks:
                cell.source = visible_source(cell.source)
        return nb, resources

    def _sanitize_test_cell(self, cell, meta, lines, blocks, secrets, keys):
        grade_id = meta.get("grade_id", "?")
        hidden_rows = {i + 1 for a, b in blocks for i in range(a, b + 1)}
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue  # hidden tests may print; their prints are not shown
            ename, evalue = output.get("ename", "Error"), _ANSI.sub("", str(output.get("evalue", "")))
            row = _failing_line(output)
            in_visible = row is not None and row not in hidden_rows
            if in_visible and not any(s in evalue for s in secrets):
                text = f"Item {grade_id} failed: {ename}: {evalue}" if evalue else f"Item {grade_id} failed: {ename}"
            elif evalue and not message_leaks(evalue, secrets, keys):
                text = f"Item {grade_id} failed: {evalue}"
            else:
                text = f"Item {grade_id} failed (a hidden test did not pass)."
            outputs.append(nbformat.v4.new_output("error", ename=ename, evalue=text, traceback=[text]))
        cell.outputs = outputs
        cell.source = visible_source(cell.source).rstrip("\n") + "\n" + HIDDEN_NOTE


def scan_for_leaks(text: str, secrets: set[str]) -> list[str]:
    """The secrets found in a feedback file's text (HTML entities decoded)."""
    plain = html.unescape(text)
    return sorted(s for s in secrets if s in plain or s in text)


def quiz_secrets(course_root: Path, quiz: str) -> set[str]:
    hidden: list[str] = []
    for path in sorted((Path(course_root) / "source" / quiz).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            hidden += hidden_lines(cell.source)
    return secrets_of(hidden)
