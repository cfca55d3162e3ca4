"""Feedback that carries only feedback.

The autograded notebook the grader writes (``grading.py``) already holds no hidden test,
no key and no file the student's code wrote: released locked/test cells, the student's
own cells (markdown sanitised), text-only capped outputs and one line per item
(``Item <id> failed: <message>``). Feedback is nbgrader's ``generate_feedback`` of that
notebook, exported with nbconvert's HTML sanitiser on. After export:

* everything in the feedback folder that is not the HTML (or the two small files nbgrader's
  exchange needs, written by the grader) is deleted;
* every file handed back is scanned for key material — hidden-test lines and literals,
  solution lines, the rubric — as plain text, HTML-unescaped, and decoded from base64,
  hex and rot13 runs (one level nested); text the student typed in their own submission
  is not a leak. A file that leaks is deleted and reported (fail closed).
"""
from __future__ import annotations

import ast
import base64
import binascii
import codecs
import html
import re
import warnings
from pathlib import Path

import nbformat

from . import static
from .course import BEGIN_HIDDEN, END_HIDDEN, hidden_lines, solution_lines

KEEP_FILES = {"timestamp.txt", "submission_secret.txt"}
_B64 = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2}){8,}")
_WS = re.compile(r"\s+")


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


def quiz_secrets(course_root: Path, quiz: str) -> set[str]:
    """Hidden-test text, solution lines and rubric lines of every notebook of ``quiz``."""
    hidden: list[str] = []
    solutions: set[str] = set()
    for path in sorted((Path(course_root) / "source" / quiz).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            hidden += hidden_lines(cell.source)
            for line in solution_lines(cell.source):
                text = line.strip().lstrip("-*# ").strip()
                if len(text) >= 16:
                    solutions.add(text)
                for clause in re.split(r"[.;,:()]\s", text):  # a rubric point leaks in parts too
                    if len(_norm(clause).strip()) >= 30:
                        solutions.add(clause.strip())
    return secrets_of(hidden) | solutions


def _norm(text: str) -> str:
    """Whitespace collapsed, markdown emphasis and code marks dropped."""
    return _WS.sub(" ", text.replace("*", "").replace("`", ""))


def decodings(text: str) -> list[str]:
    """The text and what it says once decoded from base64, hex or rot13 (and one level more)."""
    plain = html.unescape(text)
    out = [text, plain, _norm(re.sub(r"<[^>]+>", "", plain))]
    layer = [plain]
    for _ in range(2):
        nxt = []
        for t in layer:
            nxt.append(codecs.decode(t, "rot13"))
            for m in _B64.finditer(t):
                run = m.group(0)
                for decode in (base64.b64decode, base64.urlsafe_b64decode):
                    try:
                        raw = decode(run + "=" * (-len(run) % 4))
                    except (binascii.Error, ValueError):
                        continue
                    s = raw.decode("utf-8", "ignore")
                    if s.strip():
                        nxt.append(s)
            for m in _HEX.finditer(t):
                try:
                    nxt.append(bytes.fromhex(m.group(0)).decode("utf-8", "ignore"))
                except ValueError:
                    pass
        out += nxt
        layer = nxt
    return out


def scan_for_leaks(text: str, secrets: set[str], own_text: str = "") -> list[str]:
    """Secrets found in ``text`` in any encoding recognised, except those in ``own_text``."""
    normed = {s: _norm(s) for s in secrets}
    views = [_norm(v) for v in decodings(text)]
    found = {s for s, n in normed.items() if any(n in v for v in views)}
    if own_text and found:
        own = [_norm(v) for v in decodings(own_text)]
        found = {s for s in found if not any(normed[s] in v for v in own)}
    return sorted(found)


def scan_folder(folder: Path, secrets: set[str], own_text: str = "") -> dict[str, list[str]]:
    """{file name: leaks} for every file in ``folder`` (binary files read as UTF-8, lossy)."""
    out = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            text = path.read_bytes()[:50_000_000].decode("utf-8", "replace")
            leaks = scan_for_leaks(text, secrets, own_text)
            if leaks:
                out[str(path.relative_to(folder))] = leaks
    return out


def clean_feedback_folder(folder: Path) -> list[str]:
    """Delete everything that is not the feedback HTML (or the exchange's two files); return names."""
    removed = []
    for path in sorted(Path(folder).iterdir(), reverse=True) if Path(folder).is_dir() else []:
        if path.is_file() and not path.is_symlink() and (path.suffix == ".html" or path.name in KEEP_FILES):
            continue
        removed.append(path.name)
        if path.is_dir() and not path.is_symlink():
            import shutil
            shutil.rmtree(path)
        else:
            path.unlink()
    return removed


def own_submission_text(course_root: Path, student: str, quiz: str) -> str:
    parts = []
    for path in sorted((Path(course_root) / "submitted" / student / quiz).glob("*.ipynb")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                nb = nbformat.read(path, as_version=4)
            parts += [c.source for c in nb.cells]
        except Exception:  # noqa: BLE001 - unreadable: nothing counts as the student's own
            pass
    return "\n".join(parts)
