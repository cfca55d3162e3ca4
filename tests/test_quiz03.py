"""Quiz 3 (psychobiotics and meta-analysis): structure, check specs and misconception keys. Its
solution, blank release and plausible wrong answers are graded in test_quizzes.py's one batch
(quiz_cases.py)."""
from quiz_cases import (assert_misconception_keys_cover_every_wrong_option,
                        assert_twenty_points_with_one_rubric_item, cells, check_kinds)

QUIZ = "quiz03_psychobiotics"
#: Autograded item -> points (item 9, 4 points, is graded by hand).
AUTOGRADED = {"q1": 2, "q2": 2, "q3": 2, "q4": 3, "q5": 2, "q6": 2, "q7": 1, "q8": 2}


def test_points_add_up_to_twenty_with_one_manual_item():
    assert_twenty_points_with_one_rubric_item(QUIZ, AUTOGRADED, "q9_answer")
    assert "Article D" in "".join("".join(c["source"]) for c in cells(QUIZ))


def test_every_autograded_cell_has_a_check_spec_and_no_expected_value():
    kinds = check_kinds(QUIZ)
    assert [kinds[q] for q in ("q1", "q6", "q8")] == ["choice"] * 3
    assert all(kinds[q] == "number" for q in ("q2", "q3", "q4", "q5", "q7"))


def test_misconception_keys_cover_every_wrong_option():
    assert assert_misconception_keys_cover_every_wrong_option(QUIZ)
