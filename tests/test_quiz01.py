"""Quiz 1's shape: 20 points, seven autograded items and one rubric item. Its solution, blank
release and plausible wrong answers are graded in test_quizzes.py's one batch (quiz_cases.py)."""
from quiz_cases import assert_twenty_points_with_one_rubric_item, check_kinds

QUIZ = "quiz01_serotonin"
#: Autograded item -> points (item 8, 4 points, is graded by hand).
AUTOGRADED = {"q1": 2, "q2": 2, "q3": 2, "q4": 2, "q5": 3, "q6": 3, "q7": 2}


def test_points_add_up_to_twenty_with_one_manual_item():
    assert_twenty_points_with_one_rubric_item(QUIZ, AUTOGRADED, "q8_answer")


def test_every_autograded_item_is_checked_as_data():
    assert check_kinds(QUIZ) == {"q1": "choice", "q2": "choice", "q3": "choice", "q4": "choice",
                                 "q5": "number", "q6": "function", "q7": "number"}
