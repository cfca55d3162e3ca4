"""Quiz 2 (the vagus nerve): structure, check specs and misconception keys. Its solution, blank
release and plausible wrong answers are graded in test_quizzes.py's one batch (quiz_cases.py)."""
from quiz_cases import (assert_misconception_keys_cover_every_wrong_option,
                        assert_twenty_points_with_one_rubric_item, check_kinds)

QUIZ = "quiz02_vagus"
#: Autograded item -> points (item 8, 5 points, is graded by hand).
AUTOGRADED = {"q1": 2, "q2": 2, "q3": 2, "q4": 2, "q5": 2, "q6": 2, "q7": 3}


def test_points_add_up_to_twenty_with_one_manual_item():
    assert_twenty_points_with_one_rubric_item(QUIZ, AUTOGRADED, "q8_answer")


def test_every_autograded_cell_has_a_check_spec_and_no_expected_value():
    assert check_kinds(QUIZ) == {"q1": "choice", "q2": "choice", "q3": "choice", "q4": "choice",
                                 "q5": "number", "q6": "number", "q7": "function"}


def test_misconception_keys_cover_every_wrong_option():
    assert len(assert_misconception_keys_cover_every_wrong_option(QUIZ)) == 4
