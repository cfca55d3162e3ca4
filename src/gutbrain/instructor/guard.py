"""Autograde preprocessors: keep hidden tests honest, and keep outputs a sane size.

``InsertGuards`` runs after nbgrader has restored locked and test cells (sanitize stage) and
before ``Execute``. It adds three kinds of code cells, removed again by ``RemoveGuards`` right
after execution so neither formgrader nor feedback shows them:

* at the top, a guard that imports the modules tests import and snapshots every loaded
  module's functions and classes;
* after each trusted (locked) code cell, a capture of the names it bound;
* before each test cell, a restore: module attributes a student replaced are put back, the
  names the test reads (other than the quiz's answer variables) get their trusted values
  again, and student names that shadow builtins are removed.

So a student who redefines ``steady_state`` or patches ``hashlib.sha256`` does not pass a
hidden test by it. Everything still runs in nbgrader's kernel; nothing here executes student
code. A locked code cell the student deleted (or stripped of metadata) is re-inserted from
the gradebook, as nbgrader already does for test cells.
"""
from __future__ import annotations

import json
import secrets
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor as Preprocessor
from traitlets import Integer, Unicode

from . import static

GUARD_KEY = "gutbrain_guard"

_SKIP = ("IPython", "ipykernel", "zmq", "tornado", "jupyter_client", "jupyter_core", "traitlets",
         "asyncio", "comm", "debugpy", "_pydevd_bundle", "_pydev_bundle", "pydevd", "sys",
         "__main__", "threading", "logging", "concurrent", "selectors", "signal", "warnings",
         "_io", "io", "ipywidgets", "matplotlib", "prompt_toolkit", "jedi", "parso", "pygments",
         "_thread", "site", "encodings", "codecs", "atexit", "faulthandler", "gc", "psutil",
         "anyio", "sniffio", "nest_asyncio", "decorator", "stack_data", "executing",
         "pure_eval", "asttokens", "wcwidth", "plotly", "_plotly_utils")

_GUARD_SOURCE = '''
def _gutbrain_guard_make(preimport, skip):
    import sys as _sys, builtins as _bi, types as _types, importlib as _il
    for _m in preimport:
        try:
            _il.import_module(_m)
        except Exception:
            pass
    _isinstance, _callable, _setattr, _list, _vars = isinstance, callable, setattr, list, vars
    _Module, _none = _types.ModuleType, object()
    _ip = get_ipython()
    _ns = _ip.user_ns
    _mods, _names = {}, {}
    _builtin = frozenset(_vars(_bi))

    def snap():
        for name, mod in _list(_sys.modules.items()):
            if name in _mods or not _isinstance(mod, _Module) or name.split(".")[0] in skip:
                continue
            try:
                d = _vars(mod)
            except TypeError:
                continue
            _mods[name] = (mod, {k: v for k, v in _list(d.items()) if _callable(v) or _isinstance(v, _Module)})

    def capture(bound):
        for n in bound:
            if n in _ns:
                _names[n] = _ns[n]
        snap()

    def restore(used):
        for name, (mod, saved) in _list(_mods.items()):
            if _sys.modules.get(name, mod) is not mod:
                _sys.modules[name] = mod
            d = _vars(mod)
            for k, v in saved.items():
                if d.get(k, _none) is not v:
                    try:
                        _setattr(mod, k, v)
                    except Exception:
                        pass
        for n in used:
            if n in _names:
                _ns[n] = _names[n]
            elif n in _builtin:
                _ns.pop(n, None)
        try:
            _ip.set_custom_exc((), None)
        except Exception:
            pass

    snap()
    return capture, restore
'''


def _guard_cell(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata[GUARD_KEY] = True
    return cell


def _nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


class InsertGuards(Preprocessor):
    source_root = Unicode("", help="The course's source/ folder (quizzes with solutions).").tag(config=True)

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry

        info = resources["nbgrader"]
        try:
            with Gradebook(info["db_url"]) as gb:
                src_nb = gb.find_notebook(info["notebook"], info["assignment"])
                src_cells = [(c.name, c.cell_type, bool(c.locked), c.source, c.checksum) for c in src_nb.source_cells]
                grade_names = {c.name for c in src_nb.grade_cells}
                solution_names = {c.name for c in src_nb.solution_cells}
        except MissingEntry:
            return nb, resources

        answers: set[str] = set()
        for name, ctype, _locked, source, _ in src_cells:
            if name in solution_names and ctype == "code":
                answers |= static.bound_names(static.parse(source))
        path = Path(self.source_root) / info["assignment"] / f"{info['notebook']}.ipynb"
        if self.source_root and path.is_file():
            for cell in nbformat.read(path, as_version=4).cells:
                if cell.cell_type == "code" and _nbg(cell).get("solution"):
                    answers |= static.bound_names(static.parse(cell.source))

        # re-insert trusted (locked, non-test, non-answer) code cells the submission lost
        present = {_nbg(c).get("grade_id") for c in nb.cells}
        for pos, (name, ctype, locked, source, checksum) in enumerate(src_cells):
            if ctype != "code" or not locked or name in present or name in grade_names or name in solution_names:
                continue
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata["nbgrader"] = {"grade": False, "grade_id": name, "locked": True, "solution": False,
                                         "task": False, "schema_version": 3, "checksum": checksum}
            index = 0
            for prev in reversed(src_cells[:pos]):
                hits = [i for i, c in enumerate(nb.cells) if _nbg(c).get("grade_id") == prev[0]]
                if hits:
                    index = hits[0] + 1
                    break
            nb.cells.insert(index, cell)
            present.add(name)
            self.log.warning("gutbrain guard: re-inserted locked cell %s", name)

        trusted = [c for c in nb.cells if c.cell_type == "code" and _nbg(c).get("locked")
                   and not _nbg(c).get("solution")]
        trusted_ids = {id(c) for c in trusted}
        preimport: set[str] = set()
        for cell in trusted:
            preimport |= static.imported_modules(static.parse(cell.source))

        token = secrets.token_hex(8)
        var = f"__gutbrain_guard_{token}"
        cells = [_guard_cell(_GUARD_SOURCE + f"{var} = _gutbrain_guard_make({sorted(preimport)!r}, "
                             f"{_SKIP!r})\ndel _gutbrain_guard_make")]
        for cell in nb.cells:
            meta = _nbg(cell)
            is_test = cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")
            if is_test:
                used = sorted(static.loaded_names(static.parse(cell.source)) - answers)
                cells.append(_guard_cell(f"{var}[1]({json.dumps(used)})"))
            cells.append(cell)
            if id(cell) in trusted_ids:
                bound = sorted(static.toplevel_bound_names(static.parse(cell.source)))
                cells.append(_guard_cell(f"{var}[0]({json.dumps(bound)})"))
        nb.cells = cells
        return nb, resources


class RemoveGuards(Preprocessor):
    def preprocess(self, nb, resources):
        kept = []
        for cell in nb.cells:
            if cell.metadata.get(GUARD_KEY):
                if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                    self.log.warning("gutbrain guard: a guard cell failed (the submission may tamper "
                                     "with the grading kernel)")
                continue
            kept.append(cell)
        nb.cells = kept
        return nb, resources


def _cap_text(text, limit: int):
    if isinstance(text, list):
        text = "".join(text)
    if not isinstance(text, str) or len(text) <= limit:
        return text
    return text[:limit] + f"\n... output truncated by the grader ({len(text):,} characters in all) ...\n"


class CapOutput(Preprocessor):
    """Cap every output at ``max_chars`` characters (a student printing 50 MB in one line)."""
    max_chars = Integer(100_000).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = _cap_text(output["text"], self.max_chars)
            if "data" in output:
                for mime in list(output["data"]):
                    value = output["data"][mime]
                    if isinstance(value, (str, list)) and len("".join(value) if isinstance(value, list) else value) > self.max_chars:
                        if mime.startswith("text/"):
                            output["data"][mime] = _cap_text(value, self.max_chars)
                        else:
                            del output["data"][mime]
                            output["data"].setdefault("text/plain", f"[{mime} output removed by the grader: too large]")
            if "traceback" in output:
                output["traceback"] = [_cap_text(line, self.max_chars) for line in output["traceback"]][:200]
            if "evalue" in output:
                output["evalue"] = _cap_text(output["evalue"], self.max_chars)
        return cell, resources
