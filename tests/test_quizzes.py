"""The quiz machinery end to end: release, then grade real submissions with nbgrader."""
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
from build_quizzes import build_all, nbgrader_api, quiz_ids  # noqa: E402

QUIZZES = quiz_ids(REPO / "quizzes")


def regions(source: str, begin: str, end: str) -> list[str]:
    """Lines between nbgrader markers, without the markers."""
    found = re.findall(rf"{begin}\n(.*?)\n[ \t]*{end}", source, re.S)
    return [line.strip() for block in found for line in block.splitlines() if line.strip()]


def source_nb(quiz):
    return next((REPO / "quizzes" / "source" / quiz).glob("*.ipynb"))


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    root = tmp_path_factory.mktemp("course") / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    assert build_all(root) == []
    return root


def submit(root: Path, quiz: str, student: str, notebook: Path):
    dest = root / "submitted" / student / quiz
    dest.mkdir(parents=True)
    shutil.copy(notebook, dest / source_nb(quiz).name)


def autograde(root: Path, quiz: str, student: str):
    from nbgrader.api import Gradebook

    api = nbgrader_api(root)
    result = api.autograde(quiz, student, force=True, create=True)
    assert result["success"], result.get("log")
    with Gradebook(api.coursedir.db_url) as gb:
        sub = gb.find_submission(quiz, student)
        return sub.score, sub.max_score, sub.needs_manual_grade


@pytest.mark.grading
@pytest.mark.parametrize("quiz", QUIZZES)
def test_release_hides_solutions_hidden_tests_and_keys(released, quiz):
    release = next((released / "release" / quiz).glob("*.ipynb")).read_text()
    src = source_nb(quiz).read_text()
    cells = json.loads(src)["cells"]
    secret = []
    for cell in cells:
        text = "".join(cell["source"])
        secret += regions(text, "### BEGIN SOLUTION", "### END SOLUTION")
        secret += regions(text, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
    assert secret
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Rubric"):
        assert marker not in release
    release_lines = {line.strip() for c in json.loads(release)["cells"] for line in "".join(c["source"]).splitlines()}
    leaked = [line for line in secret if line in release_lines and len(line) > 12]
    assert not leaked, leaked


@pytest.mark.grading
@pytest.mark.parametrize("quiz", QUIZZES)
def test_solutions_score_full_marks_and_blank_release_scores_zero(released, quiz):
    submit(released, quiz, "solution_student", source_nb(quiz))
    submit(released, quiz, "blank_student", next((released / "release" / quiz).glob("*.ipynb")))
    score, max_score, needs_manual = autograde(released, quiz, "solution_student")
    manual_points = sum(
        c["metadata"]["nbgrader"].get("points", 0) for c in json.loads(source_nb(quiz).read_text())["cells"]
        if c["metadata"]["nbgrader"]["grade"] and c["metadata"]["nbgrader"]["solution"]
        and c["cell_type"] == "markdown"
    )
    assert score == max_score - manual_points and max_score > 0
    assert needs_manual == (manual_points > 0)
    blank, _, _ = autograde(released, quiz, "blank_student")
    assert blank == 0


def test_repository_config_makes_formgrader_feedback_and_autograde_safe():
    """Formgrader uses nbgrader_config.py directly, so the guards must be installed there."""
    from traitlets.config.loader import PyFileConfigLoader

    from gutbrain.instructor.feedback import SanitizeFeedback
    from gutbrain.instructor.guard import InsertGuards

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert SanitizeFeedback in config.GenerateFeedback.preprocessors
    assert InsertGuards in config.Autograde.autograde_preprocessors
    assert config.OverwriteCells.add_missing_cells is True
    assert Path(config.CourseDirectory.root) == REPO / "quizzes"
    assert Path(config.Exchange.root).is_dir()
