"""Interactive tryptophan budget explorer on the Stavrum 2013 liver model."""
from __future__ import annotations

import html

import ipywidgets as w

from gutbrain.figures.tryptophan import (
    budget_summary, tryptophan_budget_figure, update_tryptophan_budget_figure,
)
from gutbrain.models import tryptophan as trp_model
from gutbrain.site.static import grid, precompute
from gutbrain.widgets.controls import LabelledSlider, status_html
from gutbrain.widgets.figure import CourseFigure
from gutbrain.widgets.responsive import fit_to_notebook

ENZYME_HELP = {
    "TPH1": "tryptophan hydroxylase 1 (gut enterochromaffin cells, pineal)",
    "TPH2": "tryptophan hydroxylase 2 (neurons)",
    "TDO2": "tryptophan 2,3-dioxygenase (mainly liver)",
    "IDO1": "indoleamine 2,3-dioxygenase 1 (induced by inflammation)",
    "DDC": "aromatic L-amino acid decarboxylase",
    "MAO": "monoamine oxidase A and B",
}


class TryptophanExplorer:
    """Sliders for extracellular tryptophan and enzyme amounts -> live budget figure."""

    def __init__(self, enzymes=("TPH1", "TDO2", "IDO1"), trp_range_uM=(1.0, 100.0),
                 trp_uM: float = trp_model.DEFAULT_EXTRACELLULAR_TRP_UM):
        self.trp_slider = LabelledSlider(
            label="Tryptophan outside the cell", unit="µM", value=trp_uM,
            min=trp_range_uM[0], max=trp_range_uM[1], step=0.5,
        )
        self.enzyme_sliders = {
            name: LabelledSlider(
                label=f"{name} amount", unit="× published", value=1.0, min=0.1, max=10.0,
                step=0.05, scale="log", decimals=2, description=ENZYME_HELP[name],
            )
            for name in enzymes
        }
        self.state = self.compute()
        self.figure = CourseFigure(tryptophan_budget_figure(self.state))
        self.summary = w.HTML(value=self._summary_html())
        for control in self.controls:
            control.observe(self._on_change, names="value")
        legend = "<br>".join(f"<b>{n}</b>: {html.escape(ENZYME_HELP[n])}" for n in enzymes)
        self.widget = w.VBox([
            w.HTML(f"<small>{legend}<br>Each enzyme slider multiplies the published amount "
                   "(1 = as published, 0.1 = a tenth, 10 = ten times).</small>"),
            *self.controls, self.figure, self.summary,
        ])
        self.widget.add_class("gutbrain-explorer")

    @property
    def controls(self):
        return [self.trp_slider, *self.enzyme_sliders.values()]

    def compute(self) -> trp_model.TryptophanSteadyState:
        return trp_model.steady_state(
            self.trp_slider.value, {n: s.value for n, s in self.enzyme_sliders.items()}
        )

    def _summary_html(self) -> str:
        return status_html(budget_summary(self.state))

    def _on_change(self, _change=None) -> None:
        self.state = self.compute()
        with self.figure.batch_update():
            update_tryptophan_budget_figure(self.figure, self.state)
        self.summary.value = self._summary_html()

    def static_figure(self):
        """For the website: extracellular tryptophan precomputed, the enzymes as published."""
        enzymes = {n: s.value for n, s in self.enzyme_sliders.items()}
        lo, hi = self.trp_slider.min, self.trp_slider.max
        values = grid(lo, hi, 13, log=True, include=[self.trp_slider.value], decimals=1)
        return precompute(lambda trp: tryptophan_budget_figure(trp_model.steady_state(trp, enzymes)),
                          [(f"{v:g} µM", v) for v in values], control=self.trp_slider.label,
                          default=round(self.trp_slider.value, 1),
                          launch_adds="The enzyme amounts stay as published here; launch the lesson to "
                                      "change them.")

    def _ipython_display_(self):
        from IPython.display import display

        display(fit_to_notebook(self.widget))
