"""Lesson 2 widgets: HH cable explorer, signal travel time, routes map, mouse → human comparison.

Thin wiring only: a control's ``observe(names="value")`` calls a model from ``gutbrain.models`` and
an update function from ``gutbrain.figures.vagus`` inside ``batch_update``; a text summary
(role="status") follows. The cable model is too slow for a frame (≈ 50 ms a run), so the fibre
explorer runs it once per diameter on a quarter-decade grid when it is built, and the slider steps
along that grid.
"""
from __future__ import annotations


import ipywidgets as w
import plotly.graph_objects as go

from gutbrain.figures import vagus as figs
from gutbrain.figures.style import alt_text
from gutbrain.models import neuron
from gutbrain.models import vagus as vm
from gutbrain.site.static import precompute
from gutbrain.widgets.controls import ChoiceGroup, Explorer, LabelledSlider, status_html
from gutbrain.widgets.figure import CourseFigure


class _Explorer(Explorer):
    figure: go.FigureWidget
    summary: w.HTML
    widget: w.VBox

    def _finish(self, intro: str, controls: list) -> None:
        self.summary = w.HTML(value=status_html(alt_text(self.figure)))
        self.widget = w.VBox([w.HTML(f"<small>{intro}</small>"), *controls, self.figure, self.summary])
        self.widget.add_class("gutbrain-explorer")


class FibreExplorer(_Explorer):
    """Diameter slider (log, quarter decades) → HH cable: velocity vs diameter + two electrodes."""

    def __init__(self, diameter_um: float = neuron.HH_SQUID_AXON_DIAMETER_UM):
        self.table = neuron.velocity_table()  # one model run per grid diameter (≈ 1 s in all)
        self.slider = LabelledSlider(
            label="Fibre diameter", unit="µm", value=diameter_um, min=0.1, max=1000.0, step=0.25,
            scale="log", decimals=2,
            description="Diameter of an unmyelinated fibre with squid-axon membrane (Hodgkin–Huxley 1952)",
        )
        self.propagation = self.compute()
        self.figure = CourseFigure(figs.fibre_figure(self.propagation, self.table))
        self.slider.observe(self._on_change, names="value")
        self._finish("Model of a squid giant axon membrane (Hodgkin &amp; Huxley 1952) at 18.5 °C, scaled to the "
                     "diameter you choose. It is not a mammalian vagal fibre: compare its velocities with the "
                     "green box of measured rat values.", [self.slider])

    def compute(self) -> neuron.Propagation:
        return neuron.cached_propagation(neuron.nearest_grid_diameter_um(self.slider.value))

    def _on_change(self, _change=None) -> None:
        self.propagation = self.compute()
        with self.figure.batch_update():
            figs.update_fibre_figure(self.figure, self.propagation, self.table)
        self.summary.value = status_html(alt_text(self.figure))

    def static_figure(self):
        """For the website: the model run at every grid diameter (the slider's own steps)."""
        return precompute(lambda d: figs.fibre_figure(neuron.cached_propagation(d), self.table),
                          [(f"{d:g} µm", d) for d in neuron.DIAMETER_GRID_UM], control="Fibre diameter",
                          default=neuron.nearest_grid_diameter_um(self.slider.value))


class TravelTimeExplorer(_Explorer):
    """Fibre group + assumed path length → arrival time at the brainstem."""

    def __init__(self, fibre: str = "abdominal_main_group", path_length_m: float = 0.5):
        groups = [*vm.load_conduction_velocities(), vm.model_c_fibre_velocity()]
        self.fibre = ChoiceGroup(options=[(g.label, g.key) for g in groups], value=fibre,
                                 legend="Fibre group (measured velocities, or the model)")
        self.path = LabelledSlider(
            label="Path length (your assumption)", unit="m", value=path_length_m, min=0.05, max=1.5, step=0.05,
            decimals=2, description="How far you assume the signal travels from gut wall to brainstem. "
                                    "Not a measured value: choose what you think is plausible.",
        )
        self.rows = vm.travel_time_rows(self.path.value)
        self.figure = CourseFigure(figs.travel_time_figure(self.rows, self.path.value, self.fibre.value))
        for control in (self.fibre, self.path):
            control.observe(self._on_change, names="value")
        self._finish("Bars: measured velocity ranges from rats (blue; your choice in orange-red); grey diamond: the "
                     "model's single value. The path length is <b>your assumption</b>, not a measurement.",
                     [self.fibre, self.path])

    def _on_change(self, _change=None) -> None:
        self.rows = vm.travel_time_rows(self.path.value)
        with self.figure.batch_update():
            figs.update_travel_time_figure(self.figure, self.rows, self.path.value, self.fibre.value)
        self.summary.value = status_html(alt_text(self.figure))

    def static_figure(self):
        """For the website: every fibre group at the default path length."""
        return precompute(lambda key: figs.travel_time_figure(self.rows, self.path.value, key),
                          self.fibre.options, control=self.fibre.legend, default=self.fibre.value, kind="choice",
                          launch_adds=f"The path length is fixed at {self.path.value:g} m here; launch the "
                                      "lesson to choose your own.")


class RoutesExplorer(_Explorer):
    """Route + species filter → routes diagram and the route's key studies on the evidence ladder."""

    def __init__(self, route: str = "vagal", species_filter: str = "all"):
        self.route = ChoiceGroup(options=[(label, key) for key, label in vm.ROUTES.items()], value=route,
                                 legend="Route")
        self.species = ChoiceGroup(options=[(label, key) for key, label in vm.SPECIES_FILTERS.items()],
                                   value=species_filter, legend="Species")
        self.figure = CourseFigure(figs.routes_figure(route, species_filter))
        self.figure.switch_in_browser([self.route, self.species], self._draw)
        for control in (self.route, self.species):
            control.observe(self._on_change, names="value")
        self._finish("Colour = species (vermillion rodent, blue human, green in vitro, grey review); shape = what "
                     "the study found. Hover over a study for its finding and sample size.",
                     [w.HBox([self.route, self.species])])

    def _draw(self, route: str, species: str) -> None:
        figs.update_routes_figure(self.figure, route, species)

    def _on_change(self, _change=None) -> None:
        with self.figure.batch_update():
            self._draw(self.route.value, self.species.value)
        self.summary.value = status_html(alt_text(self.figure))

    def static_figure(self):
        """For the website: every route, all species."""
        return precompute(lambda key: figs.routes_figure(key, self.species.value), self.route.options,
                          control="Route", default=self.route.value, kind="choice",
                          launch_adds="Launch the lesson to filter the studies by species.")


class TranslationExplorer(_Explorer):
    """Bravo 2011 (mice) vs Kelly 2017 (healthy men), outcome by outcome."""

    def __init__(self, view: str = "all"):
        self.view = ChoiceGroup(options=[(label, key) for key, label in vm.COMPARISON_VIEWS.items()], value=view,
                                legend="Show")
        self.figure = CourseFigure(figs.translation_figure(view))
        self.figure.switch_in_browser([self.view], self._draw)
        self.view.observe(self._on_change, names="value")
        self._finish("Same bacterial strain (L. rhamnosus JB-1), two species. Hover over a mark for what was "
                     "measured and where the course read it.", [self.view])

    def _draw(self, view: str) -> None:
        figs.update_translation_figure(self.figure, view)

    def _on_change(self, _change=None) -> None:
        with self.figure.batch_update():
            self._draw(self.view.value)
        self.summary.value = status_html(alt_text(self.figure))

    def static_figure(self):
        """For the website: every view precomputed."""
        return precompute(figs.translation_figure, self.view.options, control="Show", default=self.view.value,
                          kind="choice")
