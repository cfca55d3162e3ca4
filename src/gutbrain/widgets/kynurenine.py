"""Lesson 4: immune activation on the liver model (IDO1 and TDO2 sliders -> live figure).

Thin wiring: the sliders' ``observe(names="value")`` callback asks gutbrain.models.kynurenine for
a steady state (and, when TDO2 moves, a new IDO1 sweep) and updates the FigureWidget inside
``batch_update``; a role="status" paragraph repeats the figure's text alternative.
"""
from __future__ import annotations


import ipywidgets as w

from gutbrain.figures import kynurenine as figs
from gutbrain.models import kynurenine as kyn
from gutbrain.site.static import grid, precompute
from gutbrain.widgets.controls import LabelledSlider, status_html
from gutbrain.widgets.figure import CourseFigure
from gutbrain.widgets.responsive import fit_to_notebook


class ImmuneActivationExplorer:
    """IDO1 induction and TDO2 amount (both as multiples of the liver model's own amounts)."""

    def __init__(self, ido1_fold: float = 1.0, tdo2_fold: float = 1.0):
        self.ido1_slider = LabelledSlider(
            label="IDO1 amount (scaling)", unit="× model", value=ido1_fold,
            min=kyn.IDO1_FOLD_RANGE[0], max=kyn.IDO1_FOLD_RANGE[1], step=0.05, scale="log", decimals=0,
            description="Multiplies the model's IDO1 amount (stands for induction by inflammation; not a cytokine dose)",
        )
        self.tdo2_slider = LabelledSlider(
            label="TDO2 amount (scaling)", unit="× model", value=tdo2_fold,
            min=kyn.TDO2_FOLD_RANGE[0], max=kyn.TDO2_FOLD_RANGE[1], step=0.05, scale="log", decimals=2,
            description="Multiplies the model's TDO2 amount (in life induced in liver e.g. by glucocorticoids)",
        )
        self.state = kyn.immune_activation(ido1_fold, tdo2_fold)
        self.figure = CourseFigure(figs.immune_activation_figure(self.state, kyn.ido1_sweep(tdo2_fold)))
        self.summary = w.HTML(value=status_html(figs.summary(self.state)))
        self.ido1_slider.observe(self._on_ido1, names="value")
        self.tdo2_slider.observe(self._on_tdo2, names="value")
        self.widget = w.VBox([
            w.HTML("<small>Both sliders multiply an enzyme amount in the Stavrum 2013 <b>liver</b> model "
                   "(1 = as published). IDO1 × 100 means 'a hundred times the model's IDO1', not a dose of "
                   "any cytokine.</small>"),
            self.ido1_slider, self.tdo2_slider, self.figure, self.summary,
        ])
        self.widget.add_class("gutbrain-explorer")

    @property
    def controls(self):
        return [self.ido1_slider, self.tdo2_slider]

    def _refresh(self, new_sweep: bool) -> None:
        self.state = kyn.immune_activation(self.ido1_slider.value, self.tdo2_slider.value)
        sweep = kyn.ido1_sweep(self.state.tdo2_fold) if new_sweep else None
        with self.figure.batch_update():
            figs.update_immune_activation_figure(self.figure, self.state, sweep)
        self.summary.value = status_html(figs.summary(self.state))

    def _on_ido1(self, _change=None) -> None:
        self._refresh(new_sweep=False)

    def _on_tdo2(self, _change=None) -> None:
        self._refresh(new_sweep=True)

    def static_figure(self):
        """For the website: IDO1 at quarter decades (and the starting value), TDO2 as set."""
        tdo2, sweep = self.tdo2_slider.value, kyn.ido1_sweep(self.tdo2_slider.value)
        values = grid(self.ido1_slider.min, self.ido1_slider.max, 13, log=True, include=[self.ido1_slider.value])
        return precompute(lambda f: figs.immune_activation_figure(kyn.immune_activation(f, tdo2), sweep),
                          [(f"{f:g} × model", f) for f in values], control=self.ido1_slider.label,
                          default=round(self.ido1_slider.value, 2),
                          launch_adds=f"TDO2 stays at {tdo2:g} × model here; launch the lesson to move it.")

    def _ipython_display_(self):
        from IPython.display import display

        display(fit_to_notebook(self.widget))
