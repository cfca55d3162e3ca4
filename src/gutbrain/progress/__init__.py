"""The learner's progress: every self-check answer, kept between sessions (even on Binder).

- ``store``: the JSON store in the user's data dir (atomic writes, file lock, schema
  version + migration, corrupt files moved aside), merge and reset;
- ``scheduler``: spaced review on FSRS, replayed from the stored answers (pure, explicit ``now``);
- ``summary``: per-lesson progress for the course map and what to do next;
- ``transfer``: export to / import from a JSON file;
- ``sync``: the anywidget that mirrors the store in the browser's localStorage.

See docs/progress.md.
"""
from gutbrain.progress.recording import make_recorder, record_answer
from gutbrain.progress.store import (
    SCHEMA_VERSION, ProgressError, ProgressStore, data_dir, default_store, merge, migrate,
)

__all__ = [
    "SCHEMA_VERSION", "ProgressError", "ProgressStore", "data_dir", "default_store",
    "make_recorder", "merge", "migrate", "record_answer",
]
