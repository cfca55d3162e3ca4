"""Quiz 1 grades plausible wrong answers with the partial credit its items intend."""
import json
import shutil

import nbformat
import pytest

from test_quizzes import autograde, build_all, source_nb, submit

QUIZ = "quiz01_serotonin"
#: Autograded item -> points (item 8, 4 points, is graded by hand).
AUTOGRADED = {"q1": 2, "q2": 2, "q3": 2, "q4": 2, "q5": 3, "q6": 3, "q7": 2}


def answered(changes: dict[str, str]):
    """The source notebook (full marks) with some answer cells replaced by a student's version."""
    nb = nbformat.read(source_nb(QUIZ), as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id in changes:
            cell.source = changes[grade_id]
    return nb


#: A student who swaps TPH1/TPH2, thinks microbes add EC cells, reports a fraction instead of a
#: percentage and forgets the Km in the Michaelis–Menten denominator, but computes item 7 directly.
CONFUSED = {
    "q1_answer": 'answer_q1 = "a"',
    "q4_answer": 'answer_q4 = "a"',
    "q5_answer": ('state = steady_state(enzyme_scale={"TPH1": 10.0})\n'
                  "serotonin_share_tph1x10_percent = state.serotonin_branch_share"),
    "q6_answer": "def michaelis_menten_rate(s, vmax, km):\n    return vmax * s / km",
    "q7_answer": ('km_tph1_uM = kinetic_constants("TPH1")[0].value_uM\n'
                  "tph1_fraction_of_vmax = 5.0 / (km_tph1_uM + 5.0)"),
}
#: Everything right except the classic percent-versus-fraction slip.
ALMOST = {"q5_answer": CONFUSED["q5_answer"]}


def test_points_add_up_to_twenty_with_one_manual_item():
    cells = json.loads(source_nb(QUIZ).read_text())["cells"]
    points = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"].get("points", 0)
              for c in cells if c["metadata"]["nbgrader"]["grade"]}
    assert sum(points.values()) == 20
    assert {k.split("_")[0]: v for k, v in points.items() if k != "q8_answer"} == AUTOGRADED
    manual = [c for c in cells if c["metadata"]["nbgrader"]["grade_id"] == "q8_answer"]
    assert manual[0]["cell_type"] == "markdown" and "Rubric" in "".join(manual[0]["source"])


@pytest.mark.grading
def test_wrong_submissions_get_the_intended_partial_credit(tmp_path):
    root = tmp_path / "quizzes"
    (root / "source").mkdir(parents=True)
    shutil.copytree(source_nb(QUIZ).parent, root / "source" / QUIZ)
    assert build_all(root) == []
    for student, changes in (("confused", CONFUSED), ("almost", ALMOST)):
        path = tmp_path / f"{student}.ipynb"
        nbformat.write(answered(changes), path)
        submit(root, QUIZ, student, path)

    score, max_score, needs_manual = autograde(root, QUIZ, "confused")
    assert max_score == 20 and needs_manual
    assert score == AUTOGRADED["q2"] + AUTOGRADED["q3"] + AUTOGRADED["q7"]  # 6 of 16

    score, _, _ = autograde(root, QUIZ, "almost")
    assert score == sum(AUTOGRADED.values()) - AUTOGRADED["q5"]  # 13 of 16
