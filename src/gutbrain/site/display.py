"""The site's display mode: what a lesson shows when it is executed for the website.

``enable()`` runs in the kernel that executes the lessons for the site (``build`` adds a hidden
first cell that calls it). It registers display functions with IPython, so nothing in a lesson
changes:

- an explorer (anything with ``static_figure()``) shows that client-side figure;
- a self-check shows its question, then the answer, the feedback on every option and the
  explanation behind a "Show the answer" disclosure (no kernel, nothing recorded);
- progress, review and import/export tools say that they need the live course;
- any other widget shows a static snapshot (text, figures) and says what launching adds;
- a plain plotly figure is drawn by the site's plotly.js (no widget, no embedded bundle).

Everything it outputs is ``text/html``: no widget state, no plotly.js in the page's outputs.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure

from gutbrain.site.static import static_html, still

LIVE_ONLY = ("needs the live course: launch the lesson (Binder, or <code>make lab</code> on your computer) "
             "to use it.")


def _note(what: str) -> str:
    return f'<p class="gutbrain-live-only"><b>{html.escape(what)}</b> {LIVE_ONLY}</p>'


def snapshot_html(widget) -> str:
    """A widget tree as static HTML: boxes, HTML and figures are kept; controls are left out
    and the snapshot says so."""
    import ipywidgets as w

    from gutbrain.widgets.responsive import FitFigures

    parts: list[str] = []
    left_out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, FitFigures):  # invisible: sizes the figures in the live course
            return
        if isinstance(node, BaseFigure):
            parts.append(static_html(still(go.Figure(node))))
        elif isinstance(node, w.Box):
            for child in node.children:
                walk(child)
        elif isinstance(node, (w.HTML, w.HTMLMath)):
            parts.append(node.value)
        elif isinstance(node, w.Label):
            parts.append(f"<p>{html.escape(node.value)}</p>")
        else:
            left_out.append(type(node).__name__)

    walk(widget)
    if left_out:
        parts.insert(0, _note("Its controls are not on this page: this part of the lesson"))
    return '<div class="gutbrain-snapshot">' + "".join(parts) + "</div>"


def selfcheck_html(q, extra_answer_html: str = "") -> str:
    """A self-check readable without a kernel: the question, then (disclosed on request) the
    answer, what each option's choice means and why."""
    options = ""
    key = ""
    if q.options:
        items = "".join(f"<li>{html.escape(o['text'])}</li>" for o in q.options)
        options = f'<ol type="A" class="gutbrain-options">{items}</ol>'
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        right = [f"{letters[i]}. {html.escape(o['text'])}" for i, o in enumerate(q.options) if o.get("correct")]
        feedback = "".join(
            f"<li><b>{letters[i]}</b>{' (right)' if o.get('correct') else ''}: {html.escape(o['feedback'])}</li>"
            for i, o in enumerate(q.options))
        key = (f"<p><b>Answer:</b> {'; '.join(right)}</p>"
               f'<p><b>If you chose…</b></p><ul class="gutbrain-option-feedback">{feedback}</ul>')
    elif q.type == "numeric":
        unit = f" {html.escape(q.spec['unit'])}" if q.spec["unit"] else ""
        key = f"<p><b>Answer:</b> {q.spec['answer']:g}{unit} (± {q.spec['tolerance']:g})</p>"
    else:
        key = f"<p><b>Accepted answers:</b> {html.escape(', '.join(q.spec['accepted']))}</p>"
    return ('<div class="gutbrain-selfcheck gutbrain-selfcheck-static">'
            f"<p><b>Self-check.</b> {html.escape(q.prompt)}</p>{options}"
            f'<details><summary>Hint</summary><p><i>{html.escape(q.hint)}</i></p></details>'
            f"<details><summary>Show the answer</summary>{key}"
            f"<p><b>Why:</b> {html.escape(q.explanation)}</p>{extra_answer_html}</details>"
            '<p class="gutbrain-live-only"><small>Answers on this page are not recorded; launch the lesson '
            "to keep your progress and meet this question again in the review.</small></p></div>")


def _html(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def show_explorer(explorer) -> bool:
    make = getattr(explorer, "static_figure", None)
    if make is None:
        _html(snapshot_html(explorer.widget))
    else:
        _html(static_html(make()))
    return True


def show_figure(fig) -> bool:
    _html(static_html(still(go.Figure(fig))))
    return True


def show_widget(widget) -> bool:
    _html(snapshot_html(widget))
    return True


def show_selfcheck(check) -> bool:
    _html(selfcheck_html(check.question))
    return True


def show_judge(judge) -> bool:
    from gutbrain.data import load_references
    from gutbrain.figures.ledger import claim_card_html

    card = claim_card_html(judge.claim, judge.ledger, load_references(), open_=True)
    _html(selfcheck_html(judge.check.question, f"<p><b>The course's ledger entry:</b></p>{card}"))
    return True


def show_progress_map(progress_map) -> bool:
    from gutbrain.figures.progress import course_progress_figure

    fig = course_progress_figure(progress_map.compute({"attempts": []}))
    _html(_note("Your progress") + static_html(still(fig, launch_adds="It shows a new learner's map; "
                                                      "the live course fills it in as you answer.")))
    return True


def show_live_only(what: str):
    def show(_obj) -> bool:
        _html(_note(what))
        return True
    return show


def enable(shell=None) -> None:
    """Switch the running IPython kernel to the site's display mode."""
    import comm
    import ipywidgets as w
    from IPython import get_ipython

    from gutbrain.progress.sync import BrowserSync
    from gutbrain.selfcheck.widget import SelfCheck
    from gutbrain.widgets.controls import Explorer
    from gutbrain.widgets.kynurenine import ImmuneActivationExplorer
    from gutbrain.widgets.ledger import JudgeIt
    from gutbrain.widgets.progress import ImportControl, ProgressMap, ResetControl, ReviewSession
    from gutbrain.widgets.tryptophan import TryptophanExplorer

    shell = shell or get_ipython()
    if shell is None:
        raise RuntimeError("gutbrain.site.display.enable() needs a running IPython kernel")
    # No widget reaches the page, so none talks to the front end: widgets get a comm that sends
    # nothing, and no widget state (each FigureWidget's carries plotly's 5 MB bundle) is saved
    # with the executed notebook.
    comm.create_comm = comm.DummyComm
    printers = shell.display_formatter.ipython_display_formatter
    # Most specific first does not matter: IPython looks a type up along its MRO.
    for cls in (Explorer, TryptophanExplorer, ImmuneActivationExplorer):
        printers.for_type(cls, show_explorer)
    printers.for_type(BaseFigure, show_figure)
    printers.for_type(w.Widget, show_widget)
    printers.for_type(SelfCheck, show_selfcheck)
    printers.for_type(JudgeIt, show_judge)
    printers.for_type(ProgressMap, show_progress_map)
    printers.for_type(ReviewSession, show_live_only("The spaced review of the questions you missed"))
    printers.for_type(ImportControl, show_live_only("Importing your saved answers"))
    printers.for_type(ResetControl, show_live_only("Resetting your progress"))
    printers.for_type(BrowserSync, lambda _sync: True)  # keeps the live course's progress: nothing to show
