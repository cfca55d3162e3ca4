"""Build the hostile/broken submission corpus from quiz00's release.

    .venv/bin/python tests/submissions/build_corpus.py      # rewrites tests/submissions/<case>/

Each case is a folder holding what a student would hand in (``<quiz>/<quiz>.ipynb``);
``expected.json`` says what grading must make of it: status, auto-graded points per item,
the tamper/monkeypatch flags, and the choice the student made (for the misconception
report). Run it again whenever quiz00's source changes (test_instructor_corpus checks).
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
QUIZ = "quiz00_orientation"
ITEM3 = ("The model is of liver cells, not of gut enterochromaffin cells; its enzyme amounts are "
         "scaled values, so it is not a measurement in people.")


def _release() -> nbformat.NotebookNode:
    sys.path.insert(0, str(REPO / "src"))
    from gutbrain.instructor.course import make_api, quiet_nbgrader
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "quizzes"
        shutil.copytree(REPO / "quizzes" / "source", root / "source")
        with quiet_nbgrader():
            result = make_api(root).generate_assignment(QUIZ, force=True)
        if not result["success"]:
            raise SystemExit(result["log"])
        return nbformat.read(root / "release" / QUIZ / f"{QUIZ}.ipynb", as_version=4)


def _cell(nb, grade_id):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(grade_id)


ITEM2_OK = "state = steady_state()\nserotonin_share_percent = 100 * state.serotonin_branch_share"


def answer(nb, item1=None, item2=None, item3=None):
    if item1 is not None:
        _cell(nb, "item1_answer").source = item1
    if item2 is not None:
        _cell(nb, "item2_answer").source = item2
    if item3 is not None:
        _cell(nb, "item3_answer").source = item3
    return nb


def cases(release):
    """name -> (notebook or raw bytes, expected)."""
    def fresh():
        return nbformat.from_dict(json.loads(json.dumps(release)))

    out = {}

    def add(name, nb, status="graded", items=None, flags=(), choice=None, quiz=QUIZ, note=""):
        exp = {"quiz": quiz, "status": status, "flags": sorted(set(flags)), "choice": choice, "note": note}
        if items is not None:
            exp["items"] = items
            exp["score"] = sum(v for v in items.values() if v is not None)
        out[name] = (nb, exp)

    add("correct", answer(fresh(), 'answer_item1 = "a"', ITEM2_OK, ITEM3),
        items={"item1_tests": 3, "item2_tests": 4, "item3_answer": None}, choice="a")
    add("correct_b2", answer(fresh(), "answer_item1 = 'a'  # TPH",
                             "state = steady_state()\nserotonin_share_percent = state.serotonin_branch_share * 100.0"),
        items={"item1_tests": 3, "item2_tests": 4, "item3_answer": 0}, choice="a")
    add("blank", fresh(), items={"item1_tests": 0, "item2_tests": 0, "item3_answer": 0}, choice=None)
    add("wrong_b", answer(fresh(), 'answer_item1 = "b"', "state = steady_state()\nserotonin_share_percent = 50.0"),
        items={"item1_tests": 0, "item2_tests": 0, "item3_answer": 0}, choice="b")
    add("wrong_c", answer(fresh(), 'answer_item1 = "c"', ITEM2_OK),
        items={"item1_tests": 0, "item2_tests": 4, "item3_answer": 0}, choice="c")
    add("wrong_c2", answer(fresh(), "answer_item1 = 'c'", "serotonin_share_percent = 95"),
        items={"item1_tests": 0, "item2_tests": 0, "item3_answer": 0}, choice="c")
    add("item1_only", answer(fresh(), 'answer_item1 = "a"'),
        items={"item1_tests": 3, "item2_tests": 0, "item3_answer": 0}, choice="a")
    add("item2_only", answer(fresh(), None, ITEM2_OK, "The model is not of gut cells."),
        items={"item1_tests": 0, "item2_tests": 4, "item3_answer": None}, choice=None)
    add("not_an_option", answer(fresh(), 'answer_item1 = "TPH"', ITEM2_OK),
        items={"item1_tests": 0, "item2_tests": 4, "item3_answer": 0}, choice="TPH")
    add("syntax_error", answer(fresh(), 'answer_item1 = "a', ITEM2_OK),
        items={"item1_tests": 0, "item2_tests": 4, "item3_answer": 0}, choice=None)
    add("infinite_loop", answer(fresh(), 'answer_item1 = "a"', "while True:\n    pass"),
        items={"item1_tests": 3, "item2_tests": 0, "item3_answer": 0}, choice="a",
        note="bounded by Execute.timeout")
    add("sys_exit", answer(fresh(), 'answer_item1 = "a"', "import sys\nsys.exit('bye')"),
        items={"item1_tests": 3, "item2_tests": 0, "item3_answer": 0}, choice="a")
    add("os_exit", answer(fresh(), 'answer_item1 = "a"\nimport os\nos._exit(1)', ITEM2_OK),
        status="grading_failed", choice="a", note="kills its kernel every time: reported by name")
    add("kill_kernel", answer(fresh(), 'answer_item1 = "a"',
                              "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
        status="grading_failed", choice="a")
    nb = answer(fresh(), 'answer_item1 = "a"', ITEM2_OK)
    nb.cells.remove(_cell(nb, "item1_tests"))
    add("deleted_test_cell", nb, items={"item1_tests": 3, "item2_tests": 4, "item3_answer": 0},
        flags=["deleted"], choice="a")
    nb = answer(fresh(), 'answer_item1 = "b"', ITEM2_OK)
    _cell(nb, "item1_tests").source = "pass  # nothing to see here"
    add("edited_test_cell", nb, items={"item1_tests": 0, "item2_tests": 4, "item3_answer": 0},
        flags=["edited"], choice="b")
    nb = answer(fresh(), 'answer_item1 = "a"', "serotonin_share_percent = 50.0")
    _cell(nb, "setup").source = ("from types import SimpleNamespace\n"
                                 "steady_state = lambda: SimpleNamespace(serotonin_branch_share=0.5)")
    _cell(nb, "item1_prompt").source += "\n\n(I think the answer is a.)"
    add("edited_readonly_cell", nb, items={"item1_tests": 3, "item2_tests": 0, "item3_answer": 0},
        flags=["edited"], choice="a")
    nb = answer(fresh(), 'answer_item1 = "a"', ITEM2_OK)
    del _cell(nb, "item1_tests").metadata["nbgrader"]
    add("stripped_test_metadata", nb, items={"item1_tests": 3, "item2_tests": 4, "item3_answer": 0},
        flags=["metadata-stripped"], choice="a")
    nb = answer(fresh(), 'answer_item1 = "a"', ITEM2_OK)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    add("stripped_all_metadata", nb, status="grading_failed", flags=["metadata-stripped", "monkeypatch"], choice="a",
        note="nbgrader cannot place the missing test cells: reported by name, not scored")
    add("redefine_helper", answer(fresh(), 'answer_item1 = "a"',
                                  "from types import SimpleNamespace\n"
                                  "def steady_state():\n    return SimpleNamespace(serotonin_branch_share=0.5)\n"
                                  "serotonin_share_percent = 50.0"),
        items={"item1_tests": 3, "item2_tests": 0, "item3_answer": 0}, flags=["monkeypatch"], choice="a")
    add("patch_hashlib", answer(fresh(),
                                "import hashlib\n"
                                "class _Fake:\n    def hexdigest(self):\n        return 'ca978112ca1bbdca' * 4\n"
                                "hashlib.sha256 = lambda data: _Fake()\n"
                                'answer_item1 = "b"', ITEM2_OK),
        items={"item1_tests": 0, "item2_tests": 4, "item3_answer": 0}, flags=["monkeypatch"], choice="b")
    add("print_50mb", answer(fresh(), 'answer_item1 = "a"\nprint("x" * 50_000_000)', ITEM2_OK),
        items={"item1_tests": 3, "item2_tests": 4, "item3_answer": 0}, choice="a")
    add("print_hidden_tests", answer(fresh(), 'answer_item1 = "b"', ITEM2_OK + "\nprint('\\n'.join(In))"),
        items={"item1_tests": 0, "item2_tests": 4, "item3_answer": 0}, choice="b",
        note="tries to leak the hidden tests into its feedback via IPython's In")
    text = nbformat.writes(answer(fresh(), 'answer_item1 = "a"', ITEM2_OK))
    add("invalid_json", text[: len(text) // 2].encode(), status="invalid_notebook")
    add("empty_file", b"", status="invalid_notebook")
    add("unknown_quiz", answer(fresh(), 'answer_item1 = "a"'), status="unknown_quiz", quiz="quiz99_unknown")
    return out


def build(dest: Path = HERE) -> dict:
    expected = {}
    for name, (content, exp) in cases(_release()).items():
        folder = dest / name / exp["quiz"]
        if folder.parent.exists():
            shutil.rmtree(folder.parent)
        folder.mkdir(parents=True)
        path = folder / f"{exp['quiz']}.ipynb"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            nbformat.write(content, path)
        expected[name] = exp
    (dest / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    return expected


if __name__ == "__main__":
    print(f"wrote {len(build())} cases to {HERE}")
