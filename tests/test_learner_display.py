"""What a learner sees around the figures of lessons 0-4 (issue 22): words, not data codes; text at
reading size; links that look like links. The browser check of the same things, at 570, 900 and
1400 px notebook widths, is tests/browser/legibility.py."""
from __future__ import annotations

import json
import re

import ipywidgets as w
import plotly.graph_objects as go
import pytest

from gutbrain.course import course_map_html, lessons
from gutbrain.data import lessons_dir
from gutbrain.figures import forest
from gutbrain.figures import inflammation as fi
from gutbrain.figures import psychobiotics as figs
from gutbrain.figures.style import READABLE_TEXT_CSS, text_alternative_html
from gutbrain.models import psychobiotics as ps
from gutbrain.progress.summary import NextStep
from gutbrain.selfcheck.grading import Feedback
from gutbrain.selfcheck.widget import feedback_html
from gutbrain.widgets.controls import status_html
from gutbrain.widgets.progress import next_step_html
from gutbrain.widgets.responsive import FitFigures, fit_to_notebook


def test_trial_table_speaks_the_learners_words():
    table = figs.trial_table_html()
    for t in ps.load_trials():
        assert f">{t.outcome_kind}<" not in table and f", {t.outcome_kind}<" not in table
    assert "adjusted_md" not in table and "Beck Depression Inventory (BDI)" in table
    assert "Edinburgh Postnatal Depression Scale, modified (EPDS)" in table
    assert "change from the start of the trial" in table
    # Four columns that wrap, as wide as the notebook at most: nothing to scroll sideways.
    assert table.count("<th scope='col'") == 4 and "width:100%" in table and "overflow-wrap:anywhere" in table
    with pytest.raises(ValueError, match="unknown outcome kind"):
        figs.outcome_words("adjusted")


def test_leave_one_out_offers_only_the_datasets_own_trials():
    for dataset in ps.DATASETS:
        offered = [key for _, key in figs.leave_out_options(dataset)]
        assert offered == ["none"] + [t.key for t in ps.trials_in(dataset)]
    assert "raygan2019" not in dict((k, v) for v, k in figs.leave_out_options("smd"))


def test_favours_labels_share_one_line_and_run_out_from_no_effect():
    fig = forest.forest_plot([forest.ForestRow("A", -0.3, -0.6, 0.0)], title="t", x_title="SMD (g)",
                             favours=("favours probiotic", "favours placebo"))
    left, right = [a for a in fig.layout.annotations if a.name == "favours"]
    assert left.yshift == right.yshift and left.y == right.y  # one line
    assert (left.x, left.xanchor, right.x, right.xanchor) == (0.0, "right", 0.0, "left")
    assert left.text.startswith("←") and right.text.endswith("→")
    ratio = forest.forest_plot([forest.ForestRow("B", 2.0, 1.0, 4.0)], title="t", x_title="OR (ratio)",
                               null_value=1.0, log_x=True, favours=("a", "b"))
    assert all(a.x == 0.0 for a in ratio.layout.annotations if a.name == "favours")  # log10(1)
    forest.update_forest_plot(fig, [forest.ForestRow("A", 1.3, 1.1, 1.6)], null_value=1.0)
    assert all(a.x == 1.0 for a in fig.layout.annotations if a.name == "favours")


def test_no_row_reads_i2_question_mark():
    fig = fi.treatment_forest()
    assert not any("I² ?" in str(t) for t in fig.layout.yaxis.ticktext)
    assert not any("I² ?" in str(t) for t in fig.data[forest._LABELS].text)


def test_blood_brain_status_line_reads_as_a_sentence():
    text = fi.ifn_summary("bannink2007")
    assert "symptoms: not linked to symptoms" not in text
    assert "blood changes not linked to symptoms" in text
    assert "CSF changes linked to symptoms" in fi.ifn_summary("raison2010")


def _code_cells(path):
    return ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"]


@pytest.mark.parametrize("lesson", ["00", "01", "02", "03", "04"])
def test_lessons_show_model_assumptions_in_the_formatted_box(lesson):
    """print() of a paragraph breaks words mid-way in JupyterLab's output: use show_assumptions."""
    path = next(lessons_dir().glob(f"{lesson}_*.ipynb"))
    printed = [c for c in _code_cells(path) if re.search(r"print\(\s*[A-Z_]{4,}\s*\)", c)]
    assert not printed, f"{path.name} prints a text constant: {printed}"


def test_text_beside_figures_and_explanations_is_reading_size_and_single_spaced():
    css = READABLE_TEXT_CSS
    assert "14px" in css and "line-height:1.5" in css
    assert css in text_alternative_html("A figure of something.")
    assert css in status_html("A status line.") and 'role="status"' in status_html("x")
    why = feedback_html(Feedback(status="correct", message="Right."), "Because.")
    assert css in why and "Why:" in why


def test_course_map_text_is_left_aligned():
    table = course_map_html(lessons())
    cells = re.findall(r"<t[dh] ([^>]*)>", table)
    assert cells and all("text-align:" in c for c in cells)
    titles = re.findall(r'<td style="([^"]*)"><a href=', table)
    assert titles and all("text-align:left" in c for c in titles)


def test_what_next_link_looks_like_a_link():
    html = next_step_html(NextStep("Start lesson 0.", (("Lesson 0", "00_start_here.ipynb"),)))
    assert re.search(r'<a href="00_start_here.ipynb" style="[^"]*text-decoration:underline', html)


def test_fit_to_notebook_makes_every_figure_responsive_once():
    inner = go.FigureWidget(go.Figure(layout=dict(height=300)))
    box = w.VBox([w.HTML("x"), w.VBox([inner])])
    assert fit_to_notebook(box) is box
    assert inner._config.get("responsive") is True
    assert sum(isinstance(c, FitFigures) for c in box.children) == 1
    fit_to_notebook(box)
    assert sum(isinstance(c, FitFigures) for c in box.children) == 1
    assert fit_to_notebook(w.VBox([w.HTML("no figure")])).children[-1].__class__ is w.HTML
