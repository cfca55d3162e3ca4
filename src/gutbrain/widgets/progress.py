"""Progress widgets: the course map's progress figure, the review session, export/import and
reset controls. Thin wiring over ``gutbrain.progress`` (all logic lives there, tested)."""
from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

import ipywidgets as w

from gutbrain.clock import Clock, resolve
from gutbrain.course import lessons
from gutbrain.figures.progress import course_progress_figure, update_progress_figure
from gutbrain.figures.style import LINK_CSS, READABLE_TEXT_CSS, alt_text, text_alternative_html
from gutbrain.progress.recording import make_recorder, notice_html
from gutbrain.progress.scheduler import (
    MASTERED_STABILITY_DAYS, card_states, memory_counts, next_due, review_queue,
)
from gutbrain.progress.store import ProgressStore, default_store, subscribe
from gutbrain.progress.summary import course_progress, course_questions, next_step
from gutbrain.progress.sync import BrowserSync, ExportButton, shared_sync
from gutbrain.progress.transfer import import_message
from gutbrain.widgets.figure import CourseFigure
from gutbrain.widgets.responsive import fit_to_notebook


def _message_html(text: str, ok: bool = True) -> str:
    colour, background = ("#1b5e20", "#e8f5e9") if ok else ("#8a1c1c", "#fdecea")
    return (f'<div role="status" aria-live="polite" style="border-left:4px solid {colour};'
            f'background:{background};color:#111;padding:4px 10px;margin-top:4px">'
            f"{html.escape(text)}</div>")


def next_step_html(step) -> str:
    # A widget's HTML gets no link style from JupyterLab: colour and underline say "link".
    links = " · ".join(f'<a href="{html.escape(path)}" style="{LINK_CSS}">{html.escape(label)}</a>'
                       for label, path in step.links)
    return (f'<p class="gutbrain-next-step" style="{READABLE_TEXT_CSS}"><b>What next?</b> {html.escape(step.text)}'
            f"{(' ' + links) if links else ''}</p>")


class ProgressMap:
    """The progress figure with a sentence saying what to do next. Redraws by itself when the
    store changes in this kernel (an answer, a sync from the browser, an import, a reset)."""

    def __init__(self, store: ProgressStore | None = None, *, now: datetime | None = None,
                 clock: Clock | None = None):
        self._store = store
        self.clock = resolve(clock, now)
        self.course = lessons()
        self.questions = course_questions(self.course)
        rows = self.compute()
        self.figure = CourseFigure(course_progress_figure(rows))
        self.description = w.HTML()
        self.next = w.HTML()
        self.notices = w.HTML()
        self.refresh_button = w.Button(description="Refresh", icon="refresh",
                                       tooltip="Redraw the progress figure from your saved answers")
        self.refresh_button.on_click(lambda _: self.refresh())
        self._show_text(rows)
        self.widget = w.VBox([self.notices, self.figure, self.description, self.next, self.refresh_button])
        self.widget.add_class("gutbrain-progress-map")
        subscribe(self._on_store_change)

    @property
    def store(self) -> ProgressStore:
        return self._store or default_store()

    def now(self) -> datetime:
        return self.clock()

    def compute(self, data=None):
        data = data if data is not None else self.store.load()
        self.rows = course_progress(self.course, self.questions, data["attempts"], self.now())
        return self.rows

    def _show_text(self, rows) -> None:
        self.description.value = text_alternative_html(alt_text(self.figure))
        self.next.value = next_step_html(next_step(rows))
        notes = self.store.notices
        self.notices.value = notice_html(notes) if notes else ""

    def refresh(self, data=None) -> None:
        rows = self.compute(data)
        with self.figure.batch_update():
            update_progress_figure(self.figure, rows)
        self._show_text(rows)

    def _on_store_change(self, store, data) -> None:
        if store.path == self.store.path:
            self.refresh(data)

    def _ipython_display_(self):
        from IPython.display import display

        display(fit_to_notebook(self.widget))


_REASONS = {"missed": "you missed it last time", "due": "due for review", "new": "new to you"}


def _days(stability_days: float) -> str:
    days = max(1, round(stability_days))
    return f"{days} day{'s' if days != 1 else ''}"


class ReviewSession:
    """Today's review: questions drawn from every lesson's bank by the FSRS schedule
    (``gutbrain.progress.scheduler``); each answer is recorded with source "review".

    The session is "as of" one moment: ``now`` (or the ``clock`` it is read from once) decides
    what is due, and every answer given in the session is stamped with the session's clock."""

    def __init__(self, size: int = 10, max_new: int = 3, *, store: ProgressStore | None = None,
                 now: datetime | None = None, clock: Clock | None = None):
        from gutbrain.selfcheck.bank import question
        from gutbrain.selfcheck.widget import SelfCheck

        self._store = store
        self.clock = resolve(clock, now)
        self.now = self.clock()
        course = lessons()
        titles = {lesson.slug: f"Lesson {lesson.number}: {lesson.title}" for lesson in course}
        # questions marked ``review: false`` (they need their lesson's demo) stay out of review
        keys = [k for ks in course_questions(course).values() for k in ks
                if question(*k.split("/", 1)).in_review]
        self.states = card_states(self.store.load()["attempts"], self.now, keys)
        self.states = {k: s for k, s in self.states.items() if k in set(keys)}
        self.queue = review_queue(self.states, keys, self.now, size=size, max_new=max_new)
        self.checks = []
        rows = [w.HTML(self._header_html()), w.HTML(self._memory_html())]
        for number, item in enumerate(self.queue, start=1):
            lesson, qid = item.key.split("/", 1)
            check = SelfCheck(question(lesson, qid), clock=self.clock, for_review=True)
            check.on_answer = make_recorder(check, source="review", store=store)
            self.checks.append(check)
            where = (f"you remember it for about {_days(item.stability_days)}"
                     if item.stability_days is not None else "not answered yet")
            link = (f'<a href="{html.escape(lesson)}.ipynb" style="{LINK_CSS}">'
                    f"{html.escape(titles.get(lesson, lesson))}</a>")
            rows.append(w.HTML(f'<p class="gutbrain-review-card" style="margin:14px 0 0 0">'
                               f"<b>Question {number} of {len(self.queue)}</b> · from {link} · "
                               f"<small>{_REASONS[item.reason]}; {where}</small></p>"))
            rows.append(check.widget)
        rows.append(shared_sync())
        self.widget = w.VBox(rows)
        self.widget.add_class("gutbrain-review")

    @property
    def store(self) -> ProgressStore:
        return self._store or default_store()

    def _header_html(self) -> str:
        counts = {r: sum(1 for i in self.queue if i.reason == r) for r in _REASONS}
        if self.queue:
            text = (f"Today's review: {len(self.queue)} question{'s' if len(self.queue) != 1 else ''} "
                    f"({counts['missed']} you missed, {counts['due']} due, {counts['new']} new). "
                    "Answer each one; run this cell again tomorrow for the next review.")
        else:
            day = next_due(self.states, self.now)
            text = ("Nothing is due today, and every question has been seen. "
                    + (f"The next question is due on {day:%A %d %B %Y}." if day else ""))
        notes = self.store.notices
        return ((notice_html(notes) if notes else "")
                + f'<p role="status" style="{READABLE_TEXT_CSS}"><b>{html.escape(text)}</b></p>')

    def _memory_html(self) -> str:
        counts = memory_counts(self.states.values())
        head = "".join(f'<th scope="col">{html.escape(label)}</th>' for label in counts)
        cells = "".join(f"<td>{n}</td>" for n in counts.values())
        # Compact, bordered cells that wrap, so the columns stay apart and fit a 570 px notebook.
        style = ("<style>.gutbrain-boxes{border-collapse:collapse;margin:4px 0 10px 0;font-size:0.95em;"
                 "line-height:1.3}"
                 ".gutbrain-boxes caption{text-align:left;font-weight:600;padding-bottom:4px}"
                 ".gutbrain-boxes th,.gutbrain-boxes td{border:1px solid #b0bec5;padding:3px 6px;"
                 "text-align:center}"
                 ".gutbrain-boxes th[scope=row]{text-align:left;background:#f5f7f8;white-space:normal}"
                 ".gutbrain-boxes thead th{background:#eceff1}</style>")
        return (style + '<div style="overflow-x:auto;max-width:100%"><table class="gutbrain-boxes">'
                "<caption>Your questions by how long you are likely to remember them "
                f"(mastered: {MASTERED_STABILITY_DAYS:.0f} days or more)</caption>"
                f'<thead><tr><td></td>{head}</tr></thead><tbody>'
                f'<tr><th scope="row">questions</th>{cells}</tr></tbody></table></div>')

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class ImportControl:
    """Choose an exported progress file; it is validated, then merged (nothing overwritten)."""

    def __init__(self, store: ProgressStore | None = None):
        self._store = store
        self.upload = w.FileUpload(accept=".json,application/json", multiple=False,
                                   description="Import progress", tooltip="Load a progress file you exported",
                                   layout=w.Layout(width="auto"))  # the label (with its file count) is never cut
        self.message = w.HTML()
        self.upload.observe(self._on_upload, names="value")
        self.widget = w.VBox([self.upload, self.message])

    def load(self, content: bytes, filename: str = "the file") -> bool:
        ok, text = import_message(content, filename, self._store)
        self.message.value = _message_html(text, ok)
        return ok

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        self.load(bytes(item["content"]), item.get("name") or "the file")
        self.upload.value = ()


class ResetControl:
    """Reset one lesson's progress or all of it, in two steps, with a backup and an Undo."""

    def __init__(self, store: ProgressStore | None = None):
        self._store = store
        choices = [("all lessons", "*")] + [
            (f"lesson {lesson.number}: {lesson.title}", lesson.slug) for lesson in lessons()
        ]
        self.scope = w.Dropdown(options=choices, value="*", description="Reset",
                                style={"description_width": "initial"})
        self.reset_button = w.Button(description="Reset…", button_style="warning",
                                     tooltip="Delete saved progress (asks you to confirm)")
        self.confirm_button = w.Button(description="", button_style="danger",
                                       layout=w.Layout(width="auto"))
        self.cancel_button = w.Button(description="Cancel")
        self.undo_button = w.Button(description="Undo the reset", icon="undo", layout=w.Layout(width="auto"))
        self.message = w.HTML()
        self.confirm_row = w.HBox([self.confirm_button, self.cancel_button])
        self.confirm_row.layout.display = "none"
        self.undo_button.layout.display = "none"
        self.reset_button.on_click(lambda _: self.ask_confirmation())
        self.confirm_button.on_click(lambda _: self.confirm())
        self.cancel_button.on_click(lambda _: self.cancel())
        self.undo_button.on_click(lambda _: self.undo())
        self.scope.observe(lambda _: self.cancel(), names="value")
        self.last_backup: Path | None = None
        self.last_reset_id: str | None = None
        self.widget = w.VBox([w.HBox([self.scope, self.reset_button]), self.confirm_row,
                              self.message, self.undo_button])

    @property
    def store(self) -> ProgressStore:
        return self._store or default_store()

    def scope_label(self) -> str:
        return next(label for label, value in self.scope.options if value == self.scope.value)

    def ask_confirmation(self) -> None:
        self.confirm_button.description = f"Yes, delete my progress for {self.scope_label()}"
        self.confirm_row.layout.display = "flex"
        self.message.value = ""

    def cancel(self) -> None:
        self.confirm_row.layout.display = "none"

    def confirm(self) -> None:
        if self.confirm_row.layout.display == "none":
            return  # a stale click: confirmation was not asked for this choice
        self.confirm_row.layout.display = "none"
        label = self.scope_label()
        try:
            self.last_backup, self.last_reset_id = self.store.reset(
                None if self.scope.value == "*" else self.scope.value)
        except OSError as err:
            self.message.value = _message_html(f"Nothing was deleted: {err}", ok=False)
            return
        self.message.value = _message_html(
            f"Deleted your progress for {label}. A backup is kept at {self.last_backup}; "
            "press Undo to bring it back.")
        self.undo_button.layout.display = "flex"

    def undo(self) -> None:
        if self.last_backup is None:
            return
        try:
            self.store.undo_reset(self.last_backup, self.last_reset_id)
        except (OSError, ValueError) as err:
            self.message.value = _message_html(f"Could not undo the reset: {err}", ok=False)
            return
        self.undo_button.layout.display = "none"
        self.message.value = _message_html(f"Your progress is back (from {self.last_backup}).")
        self.last_backup = self.last_reset_id = None


def progress_tools(store: ProgressStore | None = None) -> w.VBox:
    """Export, import and reset, in one box (for the start-here notebook)."""
    return w.VBox([ExportButton(store=store), ImportControl(store).widget, ResetControl(store).widget])


def browser_sync(store: ProgressStore | None = None) -> BrowserSync:
    """The visible sync widget, with a status line."""
    return BrowserSync(store=store)
