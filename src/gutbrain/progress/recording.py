"""Record self-check answers into the store; failing soft (the learner always sees the
feedback on their answer, and a clear sentence if it could not be saved)."""
from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Any, Callable

from gutbrain.progress.store import ProgressStore, default_store

log = logging.getLogger("gutbrain.progress")


def record_answer(question, feedback, *, source: str = "lesson",
                  store: ProgressStore | None = None, at: datetime | None = None) -> list[str]:
    """Save one graded attempt, made at ``at`` (default: the store's clock). Returns the
    messages the learner should see (empty when all is well); never raises."""
    try:
        store = store or default_store()
        seen = len(store.notices)
        store.record(question.key, feedback.answer, feedback.correct, at=at, source=source,
                     misconception=feedback.misconception)
        return store.notices[seen:]
    except Exception as err:  # disk full, read-only home, anything: keep the lesson going
        log.warning("could not save a self-check answer: %s", err)
        return [f"Your answer was checked, but it could not be saved to your progress "
                f"({type(err).__name__}: {err}). The lesson still works; your progress for this "
                "answer will be missing."]


def notice_html(messages: list[str]) -> str:
    items = "".join(f"<li>{html.escape(m)}</li>" for m in messages)
    return (f'<div class="gutbrain-progress-notice" role="alert" style="border-left:4px solid #b26a00;'
            f'background:#fff4e5;color:#111;padding:4px 10px;margin-top:4px"><b>Progress:</b>'
            f'<ul style="margin:2px 0">{items}</ul></div>')


def make_recorder(selfcheck, *, source: str = "lesson",
                  store: ProgressStore | None = None) -> Callable[[Any, Any, Any], None]:
    """An ``on_answer`` callback for ``selfcheck`` that records each graded attempt, stamped
    with the self-check's own clock, and adds any problem, in words, under the feedback."""
    def on_answer(question, _raw, feedback) -> None:
        messages = record_answer(question, feedback, source=source, store=store,
                                 at=selfcheck.clock())
        if messages:
            try:
                selfcheck.feedback.value += notice_html(messages)
            except Exception:
                log.exception("could not show a progress notice")

    return on_answer
