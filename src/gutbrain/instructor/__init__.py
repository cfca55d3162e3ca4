"""Instructor tools: release, collect, autograde a class in parallel, leak-free feedback,
grade CSV and misconception report, on top of nbgrader. See docs/instructor_guide.md.

``python -m gutbrain.instructor <verb> --help`` for the command line.
"""
from .grading import Result, format_summary, grade_class

__all__ = ["Result", "format_summary", "grade_class"]
