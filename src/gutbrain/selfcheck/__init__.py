"""Self-check questions that answer at once.

``bank`` loads and validates the question files in ``assets/questions/``; ``grading`` turns
a learner's raw input into feedback (pure, no widgets); ``widget`` shows a question.
"""
from gutbrain.selfcheck.bank import Question, load_bank, load_misconceptions, question
from gutbrain.selfcheck.grading import Feedback, check_answer
from gutbrain.selfcheck.widget import SelfCheck, ask

__all__ = [
    "Feedback", "Question", "SelfCheck", "ask", "check_answer", "load_bank",
    "load_misconceptions", "question",
]
