"""Lesson 5 widgets: the ledger explorer, "Judge it yourself", scorecards and contradictions.

Thin wiring: every view is built by ``gutbrain.ledger`` (pure queries) and
``gutbrain.figures.ledger`` (figures/HTML); the widgets only pass the learner's choices in.
"""
from __future__ import annotations

import ipywidgets as w
import plotly.graph_objects as go

from gutbrain.data import load_references
from gutbrain.figures import ledger as figs
from gutbrain.ledger import TIERS, TOPICS, VERDICTS, load_ledger
from gutbrain.widgets.controls import ChoiceGroup
from gutbrain.widgets.responsive import figure_with_text

LESSON = "05_reading_health_articles"
ANY = "any"


JUDGE_PREFIX = "judge-"


def judge_claim_ids() -> list[str]:
    """The claims lesson 5 asks the learner to judge (its bank's ``judge-<claim id>`` questions)."""
    from gutbrain.selfcheck.bank import load_bank

    return [qid.removeprefix(JUDGE_PREFIX) for qid in load_bank(LESSON) if qid.startswith(JUDGE_PREFIX)]


def judged_claim_ids() -> set[str]:
    """Judge-it claims the learner has answered at least once (from the progress store)."""
    from gutbrain.progress.store import default_store

    prefix = f"{LESSON}/{JUDGE_PREFIX}"
    return {a["key"].removeprefix(prefix) for a in default_store().attempts() if a["key"].startswith(prefix)}


def lesson_titles() -> dict[str, str]:
    """{slug: "Lesson N: title"} from the lessons' own metadata, for links that name a lesson."""
    from gutbrain.course import lessons
    from gutbrain.data import AssetError

    try:
        return {lesson.slug: f"Lesson {lesson.number}: {lesson.title}" for lesson in lessons()}
    except (AssetError, OSError):  # a lesson with broken metadata must not break the explorer: "Lesson N: slug"
        return {}


class LedgerExplorer:
    """Filter the ledger by article, topic, verdict and evidence tier; each claim opens its card.

    Claims that "Judge it yourself" asks about are held back until the learner has judged them
    (``hold_back``: None = those not yet answered, re-read after every answer; or a fixed set)."""

    def __init__(self, *, article: str = ANY, topic: str = ANY, verdict: str = ANY, tier: str = ANY,
                 hold_back: set[str] | None = None):
        from gutbrain.progress.store import subscribe

        self.ledger = load_ledger()
        self.refs = load_references()
        self.titles = lesson_titles()
        self._fixed_hold_back = hold_back
        self._judge_ids = set(judge_claim_ids()) if hold_back is None else set()
        arts = [(f"{a['label']}", letter) for letter, a in sorted(self.ledger.articles.items())]
        self.controls = {
            "article": ChoiceGroup(options=[("any article", ANY), *arts], value=article, legend="Article"),
            "topic": ChoiceGroup(options=[("any topic", ANY), *[(t, t) for t in TOPICS]], value=topic,
                                 legend="Topic"),
            "verdict": ChoiceGroup(options=[("any verdict", ANY), *[(v, v) for v in VERDICTS]], value=verdict,
                                   legend="Course verdict"),
            "tier": ChoiceGroup(options=[("any tier", ANY), *[(t, t) for t in TIERS]], value=tier,
                                legend="Evidence tier"),
        }
        self.output = w.HTML()
        for control in self.controls.values():
            control.layout = w.Layout(width="24%", min_width="150px")
            control.observe(self._update, names="value")
        self.widget = w.VBox([w.HBox(list(self.controls.values()), layout=w.Layout(flex_flow="row wrap")),
                              self.output])
        self._update()
        if hold_back is None:
            subscribe(self._on_progress)

    def filters(self) -> dict[str, str | None]:
        return {name: (None if c.value in (None, ANY) else c.value) for name, c in self.controls.items()}

    def held_back(self) -> set[str]:
        if self._fixed_hold_back is not None:
            return set(self._fixed_hold_back)
        return self._judge_ids - judged_claim_ids()

    def matching(self):
        """Claims that match the filters and are shown (held-back claims excluded)."""
        from gutbrain.ledger import filter_claims

        hidden = self.held_back()
        return [c for c in filter_claims(self.ledger.claims, **self.filters()) if c.id not in hidden]

    def _update(self, _change=None) -> None:
        from gutbrain.ledger import filter_claims

        hidden = self._shown_hidden = self.held_back()
        every = filter_claims(self.ledger.claims, **self.filters())
        shown = [c for c in every if c.id not in hidden]
        self.output.value = figs.claims_list_html(shown, self.ledger, self.refs, held_back=len(every) - len(shown),
                                                  titles=self.titles, hidden=hidden)

    def _on_progress(self, _store, _data) -> None:
        if self.held_back() != self._shown_hidden:  # a judge answered: only then is there anything new to show
            self._update()

    def set(self, **values: str) -> None:
        """Choose filters as a learner would (tests and demos)."""
        for name, value in values.items():
            self.controls[name].value = value

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class JudgeIt:
    """A claim from the ledger as a self-check: the learner picks a verdict, then the course's
    verdict, evidence and lesson link are revealed. Answers are recorded like any self-check
    (the question is ``judge-<claim id>`` in lesson 5's bank), so they come back in the review."""

    def __init__(self, claim_id: str, *, record: bool = True):
        from gutbrain.selfcheck import SelfCheck, ask, question

        self.ledger = load_ledger()
        self.claim = self.ledger.claim(claim_id)
        qid = f"judge-{claim_id}"
        self.check = ask(LESSON, qid) if record else SelfCheck(question(LESSON, qid))
        self.reveal = w.HTML(value="")
        recorder = self.check.on_answer

        def on_answer(q, raw, fb):
            if recorder is not None:
                recorder(q, raw, fb)
            self.reveal.value = ("<p><b>The course's ledger entry:</b></p>"
                                 + figs.claim_card_html(self.claim, self.ledger, load_references(), open_=True,
                                                        titles=lesson_titles()))

        self.check.on_answer = on_answer
        self.widget = w.VBox([self.check.widget, self.reveal])

    def answer(self, verdict: str):
        """Pick the option whose text is ``verdict`` and check it (tests and demos)."""
        by_text = {o["text"]: o["id"] for o in self.check.question.options}
        return self.check.answer(by_text[verdict])

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def judge(claim_id: str) -> JudgeIt:
    """The notebook one-liner for "Judge it yourself"."""
    return JudgeIt(claim_id)


class StaticView:
    """Figures and HTML shown one after the other; each figure is followed by its text alternative.

    The figures are static but still ``CourseFigure`` widgets (``figure_with_text``): as plain
    plotly output, JupyterLab's own plotly extension drew them, with a second copy of plotly.js
    whose loading stalled the page for 1-2 s mid-Run All and made anywidget give up on widgets."""

    def __init__(self, parts: list):
        self.parts = parts

    @property
    def figures(self) -> list[go.Figure]:
        return [p for p in self.parts if isinstance(p, go.Figure)]

    def _ipython_display_(self):
        from IPython.display import HTML, display

        for part in self.parts:
            display(figure_with_text(part) if isinstance(part, go.Figure) else HTML(part))


def scorecards_view() -> StaticView:
    ledger = load_ledger()
    return StaticView([figs.verdict_bars(ledger), figs.scorecard_html(ledger), figs.flag_bars(ledger)])


def contradictions_view() -> StaticView:
    ledger = load_ledger()
    return StaticView([figs.contradiction_map(ledger), figs.contradictions_html(ledger)])
