"""Lesson 3 widgets: meta-analysis lab, funnel, forest of meta-analyses, what an SMD means.

Thin wiring: controls (gutbrain.widgets.controls, ipywidgets) call a pure ``*_view`` function of
``gutbrain.figures.psychobiotics`` and redraw a FigureWidget inside ``batch_update``; a status
line (role="status") carries the plain-language reading, which is also the figure's text
alternative.
"""
from __future__ import annotations

import ipywidgets as w

from gutbrain.figures import psychobiotics as figs
from gutbrain.figures.style import text_alternative_html
from gutbrain.models import meta_analysis as ma
from gutbrain.models import psychobiotics as ps
from gutbrain.site.static import grid, precompute
from gutbrain.widgets.controls import ChoiceGroup, Explorer, LabelledSlider, status_html
from gutbrain.widgets.figure import CourseFigure


class _Explorer(Explorer):
    widget: w.VBox


class MetaAnalysisLab(_Explorer):
    """Pool the shipped trials: dataset, model, subgroups, leave one out, cumulative by year."""

    def __init__(self, dataset: str = "bdi_md", method: str = "random-dl"):
        self.dataset = ChoiceGroup(options=[(v, k) for k, v in ps.DATASETS.items()], value=dataset,
                                   legend="Trials and effect measure")
        self.method = ChoiceGroup(options=[(label, k) for k, (_, label) in ma.METHODS.items()], value=method,
                                  legend="Model")
        self.subgroup = ChoiceGroup(options=[(v, k) for k, v in ps.SUBGROUPS.items()], value="none",
                                    legend="Split by")
        self.leave_out = ChoiceGroup(options=figs.leave_out_options(dataset), value="none",
                                     legend="Leave one trial out")
        self.cumulative = w.Checkbox(value=False, description="Cumulative by year", indent=False,
                                     tooltip="Add the trials one by one in date order")
        self.view = figs.lab_view(dataset, method)
        self.figure = CourseFigure(figs.lab_figure(self.view))
        self.controls = (self.dataset, self.method, self.subgroup, self.leave_out, self.cumulative)
        # Hundreds of combinations: the browser is given the views one click away, after every change.
        self.figure.switch_in_browser(self.controls, self._draw, one_click_away=True)
        self.summary = w.HTML(value=status_html(self.view.reading))
        for control in self.controls:
            control.observe(self._on_change, names="value")
        choices = w.HBox([w.VBox([self.dataset, self.method]), w.VBox([self.subgroup, self.leave_out])])
        self.widget = w.VBox([choices, self.cumulative, self.figure, self.summary])
        self.widget.add_class("gutbrain-explorer")

    def _offer_dataset_trials(self) -> None:
        """Offer only the chosen dataset's trials to leave out (and none if the left-out one is not in it)."""
        options = figs.leave_out_options(self.dataset.value)
        if list(self.leave_out.options) == options:
            return
        self.leave_out.unobserve(self._on_change, names="value")
        try:
            if self.leave_out.value not in {key for _, key in options}:
                self.leave_out.value = "none"
            self.leave_out.options = options
        finally:
            self.leave_out.observe(self._on_change, names="value")

    @staticmethod
    def _view(dataset: str, method: str, subgroup: str, leave_out: str | None, cumulative: bool) -> figs.LabView:
        """The view these choices draw (a trial not in the dataset is not left out: the dataset's
        own list of trials to leave out no longer offers it)."""
        offered = {key for _, key in figs.leave_out_options(dataset)}
        leave = leave_out if leave_out in offered and leave_out != "none" else None
        return figs.lab_view(dataset, method, subgroup, leave, cumulative)

    def _draw(self, *values) -> None:
        figs.update_lab_figure(self.figure, self._view(*values))

    def _on_change(self, change=None) -> None:
        self._offer_dataset_trials()
        self.view = self._view(*(c.value for c in self.controls))
        with self.figure.batch_update():
            figs.update_lab_figure(self.figure, self.view)
        self.summary.value = status_html(self.view.reading)
        self.figure.switch_in_browser(self.controls, self._draw, one_click_away=True)

    def static_figure(self):
        """For the website: both models (fixed and random effects) on the default trials."""
        return precompute(lambda method: figs.lab_figure(figs.lab_view(self.dataset.value, method)),
                          self.method.options, control="Model", default=self.method.value, kind="choice",
                          launch_adds="Launch the lesson to change the trials, split them into subgroups, "
                                      "leave one out or add them year by year.")


class FunnelExplorer(_Explorer):
    """Funnel plot with Egger's line; a slider leaves out the least precise trials."""

    def __init__(self, dataset: str = "bdi_md"):
        self.dataset_key = dataset
        n = len(ps.trials_in(dataset))
        self.drop = LabelledSlider(label="Leave out the least precise trials", value=0, min=0, max=max(1, n - 3),
                                   step=1, decimals=0, unit="trials",
                                   description="Trials with the largest standard errors are left out first")
        self.view = figs.funnel_view(dataset, 0)
        self.figure = CourseFigure(figs.funnel_figure(self.view))
        self.summary = w.HTML(value=status_html(self.view.reading))
        self.drop.observe(self._on_change, names="value")
        self.widget = w.VBox([self.drop, self.figure, self.summary])
        self.widget.add_class("gutbrain-explorer")

    def _on_change(self, change=None) -> None:
        self.view = figs.funnel_view(self.dataset_key, int(round(self.drop.value)))
        with self.figure.batch_update():
            figs.update_funnel_figure(self.figure, self.view)
        self.summary.value = status_html(self.view.reading)

    def static_figure(self):
        """For the website: every number of trials left out (the slider's own steps)."""
        steps = [(f"{k} trial{'s' if k != 1 else ''}", k) for k in range(int(self.drop.max) + 1)]
        return precompute(lambda k: figs.funnel_figure(figs.funnel_view(self.dataset_key, k)), steps,
                          control="Leave out the smallest trials", default=int(round(self.drop.value)))


class MetaForest(_Explorer):
    """The published pooled estimates side by side; pick two to see what differs between them."""

    def __init__(self, first: str = "huang2016_all", second: str = "ng2018_all"):
        options = [(m.label, m.key) for m in ps.load_meta_analyses()]
        self.first = ChoiceGroup(options=options, value=first, legend="First estimate")
        self.second = ChoiceGroup(options=options, value=second, legend="Second estimate")
        self.figure = CourseFigure(figs.meta_forest_figure((first, second)))
        self.summary = w.HTML(value=status_html(figs.compare_text(first, second)))
        self.description = w.HTML(value=text_alternative_html(figs.meta_forest_alt_text(figs.meta_forest_rows())))
        self.first.observe(self._on_change, names="value")
        self.second.observe(self._on_change, names="value")
        self.widget = w.VBox([self.figure, self.description, w.HBox([self.first, self.second]), self.summary])
        self.widget.add_class("gutbrain-explorer")

    def _on_change(self, change=None) -> None:
        with self.figure.batch_update():
            figs.update_meta_forest(self.figure, (self.first.value, self.second.value))
        self.summary.value = status_html(figs.compare_text(self.first.value, self.second.value))

    def static_figure(self):
        """For the website: the first estimate fixed, every second one precomputed."""
        first = self.first.value
        return precompute(lambda second: figs.meta_forest_figure((first, second)),
                          [o for o in self.second.options if o[1] != first], control="Compare it with",
                          default=self.second.value, kind="choice",
                          caption=lambda second: figs.compare_text(first, second),
                          launch_adds="Launch the lesson to choose the first estimate too.")


class EffectSizeExplorer(_Explorer):
    """An SMD as two overlapping distributions, a chance of a better score, and points on a scale."""

    def __init__(self, d: float = -0.24, trial_key: str = "akkasheh2016"):
        self.trial_key = trial_key
        self.d = LabelledSlider(label="Standardised mean difference", value=d, min=-1.5, max=0.5, step=0.01,
                                decimals=2, unit="SD", description="probiotic − placebo, in SD units")
        self.view = figs.effect_size_view(d, trial_key)
        self.figure = CourseFigure(figs.effect_size_figure(self.view))
        self.summary = w.HTML(value=status_html(self.view.text))
        self.d.observe(self._on_change, names="value")
        self.widget = w.VBox([self.d, self.figure, self.summary])
        self.widget.add_class("gutbrain-explorer")

    def _on_change(self, change=None) -> None:
        self.view = figs.effect_size_view(self.d.value, self.trial_key)
        with self.figure.batch_update():
            figs.update_effect_size_figure(self.figure, self.view)
        self.summary.value = status_html(self.view.text)

    def static_figure(self):
        """For the website: the SMD in steps of 0.1 SD (and the lesson's starting value)."""
        values = grid(self.d.min, self.d.max, 21, include=[self.d.value])
        return precompute(lambda d: figs.effect_size_figure(figs.effect_size_view(d, self.trial_key)),
                          [(f"{d:.2f} SD", d) for d in values], control=self.d.label,
                          default=round(self.d.value, 2))


def trial_table() -> w.HTML:
    return w.HTML(value=figs.trial_table_html())
