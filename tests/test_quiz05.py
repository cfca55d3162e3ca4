"""Quiz 5 (reading a health article): structure, check specs, misconception keys, and the verdict
items agree with the ledger. Its solution, blank release and plausible wrong answers are graded
in test_quizzes.py's one batch (quiz_cases.py)."""
import re

from gutbrain.ledger import VERDICTS, load_ledger
from quiz_cases import (assert_misconception_keys_cover_every_wrong_option,
                        assert_twenty_points_with_one_rubric_item, cells, check_kinds, right_option)

QUIZ = "quiz05_reading"
#: Autograded item -> points (item 9, 4 points, is graded by hand).
AUTOGRADED = {"q1": 2, "q2": 2, "q3": 2, "q4": 2, "q5": 2, "q6": 2, "q7": 2, "q8": 2}


def test_points_add_up_to_twenty_with_one_manual_item():
    assert_twenty_points_with_one_rubric_item(QUIZ, AUTOGRADED, "q9_answer")


def test_every_autograded_cell_has_a_check_spec_and_no_expected_value():
    kinds = check_kinds(QUIZ)
    assert [kinds[f"q{i}"] for i in range(1, 9)] == ["choice"] * 5 + ["value", "number", "function"]


def test_verdict_items_agree_with_the_ledger():
    ledger = load_ledger()
    text = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in cells(QUIZ)}
    for n in range(1, 6):
        prompt = text[f"q{n}_prompt"]
        options = dict(re.findall(r'- `"([a-d])"` (.+)', prompt))
        assert set(options.values()) <= set(VERDICTS)
        right = right_option(QUIZ, f"answer_q{n}")
        claim = next(c for c in ledger.claims if f"“{c.quote}”" in prompt)
        assert options[right] == claim.verdict, f"item {n}: key {options[right]!r}, ledger {claim.verdict!r}"


def test_misconception_keys_cover_every_wrong_option():
    assert len(assert_misconception_keys_cover_every_wrong_option(QUIZ)) == 5
