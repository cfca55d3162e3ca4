"""The course's notebooks, as the tests see them (a module of its own: `conftest` is ambiguous
once tests/browser/ has a conftest.py too)."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
QUIZ_SOURCES = sorted((REPO / "quizzes" / "source").glob("*/*.ipynb"))
