"""Lesson 4 widgets: IFN-alpha blood vs brain, effect size -> overlap, static forest plots.

Thin wiring only; every number comes from gutbrain.models.inflammation via gutbrain.figures.inflammation.
"""
from __future__ import annotations

import ipywidgets as w
import plotly.graph_objects as go

from gutbrain.figures import inflammation as figs
from gutbrain.figures.style import alt_text
from gutbrain.models import inflammation as infl
from gutbrain.site.static import grid, precompute
from gutbrain.widgets.controls import ChoiceGroup, Explorer, LabelledSlider, status_html
from gutbrain.widgets.figure import CourseFigure
from gutbrain.widgets.responsive import figure_with_text

ALL_STUDIES = "all"


class _Explorer(Explorer):
    figure: go.FigureWidget
    summary: w.HTML
    widget: w.VBox


class BloodBrainExplorer(_Explorer):
    """Pick a study -> its rows are framed in the grid and its design and n are read out."""

    def __init__(self, study: str = ALL_STUDIES):
        studies = infl.ifn_studies()
        self.control = ChoiceGroup(
            options=[("All three studies", ALL_STUDIES)] + [(label, key) for key, label in studies.items()],
            value=study, legend="Study",
        )
        self.figure = CourseFigure(figs.ifn_figure(None if study == ALL_STUDIES else study))
        self.figure.switch_in_browser([self.control], self._draw)
        self.summary = w.HTML(value=status_html(alt_text(self.figure)))
        self.control.observe(self._on_change, names="value")
        self.widget = w.VBox([self.control, self.figure, self.summary])
        self.widget.add_class("gutbrain-explorer")

    def _draw(self, study: str) -> None:
        figs.update_ifn_figure(self.figure, None if study == ALL_STUDIES else study)

    def _on_change(self, _change=None) -> None:
        with self.figure.batch_update():
            self._draw(self.control.value)
        self.summary.value = status_html(alt_text(self.figure))

    def static_figure(self):
        """For the website: every study precomputed."""
        return precompute(lambda key: figs.ifn_figure(None if key == ALL_STUDIES else key), self.control.options,
                          control="Study", default=self.control.value, kind="choice")


class EffectSizeExplorer(_Explorer):
    """Cohen's d slider -> two overlapping normal curves and what they mean for one person."""

    def __init__(self, d: float = 0.54):
        self.slider = LabelledSlider(
            label="Effect size d (group difference)", unit="SD", value=d, min=0.0, max=2.0, step=0.01,
            decimals=2, description="Difference between the group means, in standard deviations",
        )
        self.figure = CourseFigure(figs.overlap_figure(d))
        self.summary = w.HTML(value=status_html(alt_text(self.figure)))
        self.slider.observe(self._on_change, names="value")
        self.widget = w.VBox([
            w.HTML("<small>Idealised picture (computed here): both groups normal with the same spread. "
                   "IL-6 in the meta-analysis: d = 0.54; CRP: d = 0.47.</small>"),
            self.slider, self.figure, self.summary,
        ])
        self.widget.add_class("gutbrain-explorer")

    def _on_change(self, _change=None) -> None:
        with self.figure.batch_update():
            figs.update_overlap_figure(self.figure, self.slider.value)
        self.summary.value = status_html(alt_text(self.figure))

    def static_figure(self):
        """For the website: d in steps of 0.1 (and the lesson's starting value)."""
        values = grid(self.slider.min, self.slider.max, 21, include=[self.slider.value])
        return precompute(figs.overlap_figure, [(f"{d:.2f} SD", d) for d in values], control=self.slider.label,
                          default=round(self.slider.value, 2))


def cytokine_forest() -> w.VBox:
    return figure_with_text(figs.cytokine_forest())


def treatment_forest() -> w.VBox:
    return figure_with_text(figs.treatment_forest())
