"""Notebooks are committed clean and keep their nbgrader metadata."""
import json

import pytest

from course_files import LESSONS, QUIZ_SOURCES


@pytest.mark.parametrize("path", LESSONS + QUIZ_SOURCES, ids=lambda p: p.name)
def test_committed_without_outputs_or_execution_counts(path):
    nb = json.loads(path.read_text())
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {index} has outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {index} has an execution count"
    assert "widgets" not in nb["metadata"], f"{path.name} carries saved widget state"


def test_one_kernelspec_name():
    names = {json.loads(p.read_text())["metadata"]["kernelspec"]["name"] for p in LESSONS + QUIZ_SOURCES}
    assert names == {"python3"}


@pytest.mark.parametrize("path", QUIZ_SOURCES, ids=lambda p: p.name)
def test_quiz_sources_keep_nbgrader_metadata(path):
    nb = json.loads(path.read_text())
    graded = [c["metadata"]["nbgrader"] for c in nb["cells"] if "nbgrader" in c["metadata"]]
    assert len(graded) == len(nb["cells"]), "every quiz cell should carry nbgrader metadata"
    ids = [m["grade_id"] for m in graded]
    assert len(ids) == len(set(ids)), "duplicate grade_id"
    for meta in graded:
        assert meta["schema_version"] == 3
        if meta["grade"]:
            assert meta["points"] > 0
    total = sum(m.get("points", 0) for m in graded if m["grade"])
    assert total % 5 == 0, f"points sum to {total}, not a round total"
    assert any(m["solution"] and m["grade"] for m in graded) or path.parent.name.startswith("quiz0")
