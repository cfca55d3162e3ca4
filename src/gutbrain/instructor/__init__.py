"""Instructor tools: release, collect, autograde a class in parallel, leak-free feedback,
grade CSV and misconception report, on top of nbgrader. See docs/instructor_guide.md.

``python -m gutbrain.instructor <verb> --help`` for the command line.

Nothing is imported here eagerly: the sandbox's runner (``sandbox_run``, started once per
submission) lives in this package and must not pay for nbgrader's import (about 1.2 s).
"""
__all__ = ["Result", "format_summary", "grade_class"]


def __getattr__(name: str):
    if name in __all__:
        from . import grading
        return getattr(grading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
