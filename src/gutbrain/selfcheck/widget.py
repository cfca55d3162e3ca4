"""The self-check widget: thin wiring around ``check_answer``."""
from __future__ import annotations

import functools
import html
import re
from typing import Callable

import ipywidgets as w

from gutbrain.clock import Clock, system_now
from gutbrain.figures.style import LINK_CSS, READABLE_TEXT_CSS
from gutbrain.selfcheck.bank import Question, question
from gutbrain.selfcheck.grading import Feedback, check_answer
from gutbrain.selfcheck.shuffle import learner_seed, next_showing, option_order, order_seed
from gutbrain.widgets.controls import ChoiceGroup

# ipywidgets gives checkbox labels a fixed height, so an option that wraps onto a second line
# spills over the next one (and a click lands on the wrong option).
_CSS = (
    "<style>.gutbrain-selfcheck .widget-checkbox{height:auto}"
    ".gutbrain-selfcheck .widget-checkbox label{height:auto;line-height:1.35;white-space:normal}</style>"
)

_STYLE = {
    "correct": ("✔ Correct.", "#1b5e20", "#e8f5e9"),
    "incorrect": ("✘ Not yet.", "#8a1c1c", "#fdecea"),
    "invalid": ("ⓘ", "#37474f", "#eceff1"),
}


def feedback_html(fb: Feedback, explanation: str | None = None) -> str:
    """HTML for one piece of feedback; the explanation is shown once the answer is right."""
    label, colour, background = _STYLE[fb.status]
    body = f"<b>{label}</b> {html.escape(fb.message)}"
    if fb.correct and explanation:
        body += f"<br><span><b>Why:</b> {html.escape(explanation)}</span>"
    return (
        f'<div role="status" aria-live="polite" style="border-left:4px solid {colour};'
        f'background:{background};color:#111;padding:6px 10px;margin-top:4px;{READABLE_TEXT_CSS}">{body}</div>'
    )


_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def demo_html(demo: str) -> str:
    """A question's ``demo`` note as HTML: escaped text, Markdown links ``[text](target)`` kept."""
    parts, last = [], 0
    for m in _LINK.finditer(demo):
        parts.append(html.escape(demo[last:m.start()]))
        target = m.group(2)
        # Web links and relative links (another lesson, an anchor); nothing like javascript:.
        if re.match(r"^(https?://|[A-Za-z0-9_.#/-][^:]*$)", target):
            parts.append(f'<a href="{html.escape(target)}" style="{LINK_CSS}">{html.escape(m.group(1))}</a>')
        else:
            parts.append(html.escape(m.group(0)))
        last = m.end()
    parts.append(html.escape(demo[last:]))
    return (f'<p class="gutbrain-selfcheck-demo" style="margin:2px 0 6px 0"><b>Before you answer:</b> '
            f'{"".join(parts)}</p>')


@functools.cache
def _shared_parts() -> dict:
    """One Layout, one HTMLStyle and one ButtonStyle model for the plain parts of every self-check
    in this kernel. Each widget would otherwise open its own (about 1.7, 1 and 1 kB over the kernel
    websocket): for a lesson's 25 self-checks, a third of what its Run All sends. Nothing ever
    changes these models, so sharing them changes nothing on screen."""
    from ipywidgets.widgets.widget_string import HTMLStyle

    return {"layout": w.Layout(), "html_style": HTMLStyle(), "button_style": w.ButtonStyle()}


def _html(value: str = "") -> w.HTML:
    parts = _shared_parts()
    return w.HTML(value=value, layout=parts["layout"], style=parts["html_style"])


def _button(**kwargs) -> w.Button:
    parts = _shared_parts()
    return w.Button(layout=parts["layout"], style=parts["button_style"], **kwargs)


def _showing_seed(key: str) -> str:
    return order_seed(learner_seed(), key, next_showing(key))


class SelfCheck:
    """One question with a Check button, a Hint button and immediate feedback; retry freely.

    ``on_answer(question, raw_answer, feedback)`` is called after every graded attempt
    (not for invalid input) so that progress can be recorded elsewhere.

    A choice question shows its options shuffled (``gutbrain.selfcheck.shuffle``): by
    default from the learner's seed and this showing's number; ``order_seed`` fixes the seed
    and ``shuffle=False`` keeps the bank's order. ``self.options`` is the order shown.
    ``for_review=True`` adds the question's ``demo`` note (what to reopen) above the answer.
    """

    def __init__(self, q: Question, on_answer: Callable[[Question, object, Feedback], None] | None = None,
                 *, clock: Clock | None = None, shuffle: bool = True, order_seed: str | None = None,
                 for_review: bool = False):
        self.question = q
        self.on_answer = on_answer
        self.order_seed = None
        self.options = q.options
        if q.options and shuffle:
            self.order_seed = order_seed or _showing_seed(q.key)
            by_id = {o["id"]: o for o in q.options}
            self.options = [by_id[i] for i in option_order(list(by_id), self.order_seed)]
        self.clock: Clock = clock or system_now
        self.attempts: list[dict] = []
        self.input = self._make_input()
        self.check_button = _button(description="Check", button_style="primary", tooltip="Check your answer")
        self.hint_button = _button(description="Hint", tooltip="Show a hint")
        self.feedback = _html()
        self.hint = _html()
        self.check_button.on_click(lambda _: self.submit())
        self.hint_button.on_click(lambda _: self.show_hint())
        prompt = _html(f"{_CSS}<p><b>Self-check.</b> {html.escape(q.prompt)}</p>")
        context = [_html(demo_html(q.demo))] if for_review and q.demo else []
        buttons = w.HBox([self.check_button, self.hint_button], layout=_shared_parts()["layout"])
        self.widget = w.VBox(
            [prompt, *context, self.input, buttons, self.hint, self.feedback],
            layout=w.Layout(border="1px solid #90a4ae", padding="6px 10px", margin="8px 0"),
        )
        self.widget.add_class("gutbrain-selfcheck")

    def _make_input(self):
        q = self.question
        if q.type == "single_choice":
            return ChoiceGroup(options=[(o["text"], o["id"]) for o in self.options], legend="Answer")
        if q.type == "multiple_choice":
            self._boxes = [w.Checkbox(value=False, description=o["text"], indent=False,
                                      layout=w.Layout(width="auto")) for o in self.options]
            return w.VBox(self._boxes)
        placeholder = f"number in {q.spec['unit']}" if q.type == "numeric" and q.spec["unit"] else "your answer"
        return w.Text(placeholder=placeholder, description="Answer:", continuous_update=False)

    def current_answer(self):
        if self.question.type == "multiple_choice":
            return {o["id"] for o, box in zip(self.options, self._boxes) if box.value}
        return self.input.value

    def answer(self, value) -> Feedback:
        """Set the input as a learner would, then check (used by tests and demos)."""
        if self.question.type == "multiple_choice":
            for o, box in zip(self.options, self._boxes):
                box.value = o["id"] in set(value)
        else:
            self.input.value = value
        return self.submit()

    def submit(self) -> Feedback:
        raw = self.current_answer()
        fb = check_answer(self.question, raw)
        self.feedback.value = feedback_html(fb, self.question.explanation)
        if fb.counts_as_attempt:
            self.attempts.append({"answer": fb.answer, "correct": fb.correct,
                                  "at": self.clock().isoformat()})
            if self.on_answer is not None:
                self.on_answer(self.question, raw, fb)
        return fb

    def show_hint(self) -> None:
        self.hint.value = f"<i>Hint: {html.escape(self.question.hint)}</i>"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def ask(lesson: str, qid: str) -> SelfCheck:
    """Show question ``qid`` of ``assets/questions/<lesson>.yaml`` (the notebook one-liner).

    Every graded attempt is recorded in the learner's progress store (``gutbrain.progress``),
    which a hidden widget mirrors in the browser. If saving fails, the feedback stays and a
    sentence under it says so; the self-check itself never fails because of progress."""
    check = SelfCheck(question(lesson, qid))
    try:
        from gutbrain.progress.recording import make_recorder
        from gutbrain.progress.sync import shared_sync

        check.on_answer = make_recorder(check)
        check.widget.children += (shared_sync(),)
    except Exception as err:  # progress is a bonus: the question must still work
        check.hint.value = (f"<small>(Your answers to this question will not be saved: "
                            f"{html.escape(type(err).__name__)}: {html.escape(str(err))})</small>")
    return check
