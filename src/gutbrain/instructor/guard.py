"""nbgrader's own autograde is switched off for this course (formgrader's button included);
feedback drops the rubric cells the grader adds for formgrader.

nbgrader's ``autograde`` runs student code with the instructor's rights, outside any sandbox,
and lets the student's kernel decide the score (hidden tests run in it). The course grades
with ``make grade`` instead (``grading.py``: a bubblewrap sandbox per submission, scores
decided by the grader). ``RefuseAutograde`` is the only autograde preprocessor configured in
``nbgrader_config.py``; it stops before any student code runs, with a message saying what
to do.
"""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor as Preprocessor

MESSAGE = ("Autograding with nbgrader directly (formgrader's 'Autograde' button, `nbgrader autograde`) is "
           "disabled for this course: it would run student code unsandboxed with your rights and let the "
           "student's kernel decide the score. Run `make grade` (or `make grade QUIZ=<quiz>`) from the "
           "repository root instead; formgrader then shows the results for manual grading.")


class AutogradeDisabled(RuntimeError):
    pass


class RefuseAutograde(Preprocessor):
    def preprocess(self, nb, resources):
        raise AutogradeDisabled(MESSAGE)


RUBRIC_KEY = "gutbrain_rubric"


class RemoveRubric(Preprocessor):
    """Feedback: drop the rubric cells the grader put beside hand-graded answers for formgrader."""

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if not c.get("metadata", {}).get(RUBRIC_KEY)]
        return nb, resources
