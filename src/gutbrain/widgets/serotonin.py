"""Lesson 1 widgets: pathway map per tissue, microbiome experiment explorer, static figure + text.

Thin wiring only: a control's ``observe(names="value")`` calls a pure update function from
``gutbrain.figures.serotonin`` inside ``batch_update``, and a text summary (role="status") follows.
"""
from __future__ import annotations

import ipywidgets as w
import plotly.graph_objects as go

from gutbrain.figures import serotonin as figs
from gutbrain.figures.style import alt_text
from gutbrain.models import serotonin as sm
from gutbrain.site.static import precompute
from gutbrain.widgets.controls import ChoiceGroup, Explorer, status_html
from gutbrain.widgets.figure import CourseFigure
from gutbrain.widgets.responsive import figure_with_text


class _Explorer(Explorer):
    control: w.ValueWidget
    figure: go.FigureWidget
    summary: w.HTML
    widget: w.VBox


class PathwayExplorer(_Explorer):
    """Tissue buttons -> the pathway map restyles which enzymes act there (hover for Km values)."""

    def __init__(self, tissue: str = "gut_ec"):
        # A vertical radio group: full tissue names stay readable at notebook width (toggle
        # buttons cut them), and the arrow keys work inside JupyterLab.
        self.control = ChoiceGroup(
            options=[(label, key) for key, label in sm.TISSUES.items()], value=tissue,
            legend="Show the pathway in a",
        )
        self.figure = CourseFigure(figs.pathway_figure(tissue))
        self.figure.switch_in_browser([self.control], self._draw)
        self.summary = w.HTML(value=status_html(alt_text(self.figure)))
        self.control.observe(self._on_change, names="value")
        self.widget = w.VBox([
            self.control, self.figure,
            w.HTML("<small>Arrow style = what the sources say about the enzyme in this tissue (see the key "
                   "on the map). Hover over an enzyme's name or arrow for its Km values.</small>"),
            self.summary,
        ])
        self.widget.add_class("gutbrain-explorer")

    def _draw(self, tissue: str) -> None:
        figs.update_pathway_figure(self.figure, tissue)

    def _on_change(self, change=None) -> None:
        with self.figure.batch_update():
            self._draw(self.control.value)
        self.summary.value = status_html(alt_text(self.figure))

    def static_figure(self):
        """For the website: every tissue precomputed."""
        return precompute(figs.pathway_figure, [(label, key) for key, label in sm.TISSUES.items()],
                          control="Show the pathway in a", default=self.control.value, kind="choice")


class MicrobiomeExplorer(_Explorer):
    """Choice of published comparisons -> bar chart of group means (verified values only)."""

    def __init__(self, comparison: str = "reigstad_all"):
        self.rows = sm.load_microbiome_serotonin()
        # A radio group rather than a Dropdown: every comparison is visible at once, and the
        # arrow keys work inside JupyterLab (see gutbrain.widgets.controls).
        self.control = ChoiceGroup(
            options=[(c.label, key) for key, c in sm.COMPARISONS.items()], value=comparison,
            legend="Comparison",
        )
        self.figure = CourseFigure(figs.microbiome_figure(comparison, self.rows))
        self.figure.switch_in_browser([self.control], self._draw)
        self.summary = w.HTML(value=status_html(alt_text(self.figure)))
        self.control.observe(self._on_change, names="value")
        self.widget = w.VBox([self.control, self.figure, self.summary])
        self.widget.add_class("gutbrain-explorer")

    def _draw(self, comparison: str) -> None:
        figs.update_microbiome_figure(self.figure, comparison, self.rows)

    def _on_change(self, change=None) -> None:
        with self.figure.batch_update():
            self._draw(self.control.value)
        self.summary.value = status_html(alt_text(self.figure))

    def static_figure(self):
        """For the website: every comparison precomputed."""
        return precompute(lambda key: figs.microbiome_figure(key, self.rows),
                          [(c.label, key) for key, c in sm.COMPARISONS.items()],
                          control="Comparison", default=self.control.value, kind="choice")


def serotonin_distribution() -> w.VBox:
    return figure_with_text(figs.distribution_figure())
