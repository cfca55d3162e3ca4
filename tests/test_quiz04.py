"""Quiz 4 (inflammation and the kynurenine pathway): structure, check specs and misconception
keys. Its solution, blank release and plausible wrong answers are graded in test_quizzes.py's
one batch (quiz_cases.py)."""
from quiz_cases import (assert_misconception_keys_cover_every_wrong_option,
                        assert_twenty_points_with_one_rubric_item, check_kinds)

QUIZ = "quiz04_inflammation"
#: Autograded item -> points (item 8, 4 points, is graded by hand).
AUTOGRADED = {"q1": 2, "q2": 2, "q3": 2, "q4": 3, "q5": 3, "q6": 2, "q7": 2}


def test_points_add_up_to_twenty_with_one_manual_item():
    assert_twenty_points_with_one_rubric_item(QUIZ, AUTOGRADED, "q8_answer")


def test_every_autograded_cell_has_a_check_spec_and_no_expected_value():
    kinds = check_kinds(QUIZ)
    assert set(kinds) == set(AUTOGRADED)
    assert kinds["q4"] == "number" and kinds["q5"] == "function" and kinds["q6"] == "number"


def test_misconception_keys_cover_every_wrong_option():
    assert assert_misconception_keys_cover_every_wrong_option(QUIZ)
