"""Lesson 2 (the vagus nerve): data provenance, models, figures and widgets, without a browser."""
import csv
import json
import math

import plotly.graph_objects as go
import pytest

from gutbrain.course import read_lesson
from gutbrain.data import assets_dir, load_references
from gutbrain.figures import vagus as figs
from gutbrain.figures.style import OKABE_ITO, alt_text
from gutbrain.models import neuron
from gutbrain.models import vagus as vm
from gutbrain.selfcheck import load_bank
from gutbrain.widgets import vagus as widgets

from course_files import REPO

DATA_FILES = sorted((assets_dir() / "data").glob("vagus_*.csv"))


# --- provenance ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_data_row_names_a_source_that_resolves_and_where_it_was_read(path):
    refs = load_references()
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    assert rows
    for row in rows:
        assert row["source"] in refs, row
        assert row["where"].strip(), row
        if row.get("evidence_tier"):
            assert row["evidence_tier"] == refs[row["source"]]["evidence_tier"], row


def test_the_lesson_uses_all_four_data_files():
    assert {p.name for p in DATA_FILES} >= {"vagus_conduction_velocities.csv", "vagus_route_studies.csv",
                                             "vagus_bravo_kelly.csv", "vagus_fibre_anatomy.csv"}


def test_measured_numbers_are_the_ones_read_in_the_sources():
    velocities = {v.key: v for v in vm.load_conduction_velocities()}
    assert (velocities["abdominal_main_group"].low_m_per_s, velocities["abdominal_main_group"].high_m_per_s) == (0.4, 1.5)
    assert (velocities["mucosal_afferents"].low_m_per_s, velocities["mucosal_afferents"].high_m_per_s) == (0.5, 2.5)
    assert all(v.source == "clarke1978" and v.species == "rat" for v in velocities.values())
    assert vm.c_axon_diameter_range_um() == (0.75, 0.83)
    assert {f.source for f in vm.load_fibre_anatomy()} == {"prechtl1990"}
    kelly = [r for r in vm.load_translation_outcomes() if r.study == "kelly2017"]
    assert {r.n for r in kelly} == {"29"}
    assert all(r.n == "not verified" for r in vm.load_translation_outcomes() if r.study == "bravo2011")


# --- models -----------------------------------------------------------------------------------

def test_travel_time_rows_scale_with_path_length_and_order_fast_before_slow():
    short, long = vm.travel_time_rows(0.3), vm.travel_time_rows(0.9)
    for a, b in zip(short, long):
        assert b["slowest_ms"] == pytest.approx(3 * a["slowest_ms"])
        assert a["fastest_ms"] <= a["slowest_ms"]
    main = next(r for r in short if r["key"] == "abdominal_main_group")
    assert main["slowest_ms"] == pytest.approx(750.0) and main["fastest_ms"] == pytest.approx(200.0)
    model = next(r for r in short if r["key"] == "model_c_fibre")
    assert not model["measured"] and model["fastest_ms"] == model["slowest_ms"]
    with pytest.raises(ValueError):
        vm.travel_time_rows(-1.0)


def test_routes_filter_by_species_and_expose_the_translation_gap():
    assert set(vm.human_evidence_by_route()) == set(vm.ROUTES)
    gap = vm.human_evidence_by_route()
    assert gap["vagal"] and all(not gap[r] for r in ("spinal", "enteroendocrine", "immune", "metabolites"))
    rodent = vm.studies_for("vagal", "rodent")
    assert {s.source for s in rodent} >= {"bravo2011", "bercik2011nmo"}
    assert all(s.species_group == "rodent" for s in rodent)
    with pytest.raises(ValueError, match="unknown route"):
        vm.studies_for("lymph")


def test_no_mouse_effect_of_jb1_was_reproduced_in_men():
    both = vm.translation_table("both")
    assert [o for o, _, _ in both] == ["anxiety", "depression_mood", "stress_hormone", "brain"]
    assert vm.replicated_outcomes() == []
    assert len(vm.translation_table("all")) == len(vm.OUTCOMES)


# --- figures ----------------------------------------------------------------------------------

def _check_figure(fig: go.Figure):
    assert fig.layout.title.text and alt_text(fig)
    assert fig.to_plotly_json()  # serialisable


def test_fibre_figure_moves_the_point_and_the_traces_with_the_diameter():
    table = neuron.velocity_table()
    fig = figs.fibre_figure(neuron.cached_propagation(476.0), table)
    _check_figure(fig)
    assert "(µm" in fig.layout.xaxis.title.text and "m/s" in fig.layout.yaxis.title.text
    assert "(mV)" in fig.layout.yaxis2.title.text and "(ms)" in fig.layout.xaxis2.title.text
    before = fig.data[1].y[0]
    figs.update_fibre_figure(fig, neuron.cached_propagation(1.0), table)
    assert fig.data[1].y[0] < before / 10  # thinner → slower
    assert fig.data[1].x[0] == 1.0 and "1 µm" in alt_text(fig)


def test_travel_time_figure_stretches_with_the_path():
    rows = vm.travel_time_rows(0.5)
    fig = figs.travel_time_figure(rows, 0.5, "abdominal_main_group")
    _check_figure(fig)
    assert "(s)" in fig.layout.xaxis.title.text
    first = fig.data[0].x[1]
    figs.update_travel_time_figure(fig, vm.travel_time_rows(1.0), 1.0, "mucosal_afferents")
    assert fig.data[0].x[1] == pytest.approx(2 * first)
    assert fig.data[1].line.color == OKABE_ITO["vermillion"]  # the chosen group is highlighted


def test_routes_figure_highlights_the_route_and_says_when_no_human_study_exists():
    fig = figs.routes_figure("vagal", "all")
    _check_figure(fig)
    assert fig.data[0].line.width > fig.data[1].line.width
    studies = fig.data[len(vm.ROUTES)]
    assert "Bravo 2011" in studies.y
    figs.update_routes_figure(fig, "spinal", "human")
    assert fig.data[1].line.width > fig.data[0].line.width
    assert list(fig.data[len(vm.ROUTES)].y) == []
    note = [a for a in fig.layout.annotations if a.name == "empty-note"][0]
    assert note.visible and "No human study" in note.text
    assert "no study in humans" in alt_text(fig)


def test_routes_figure_keeps_its_margins_whatever_the_route():
    """A margin that changed with the route made plotly lay the figure out again on every click
    (and the ladder jumped sideways); the fixed one fits every study's label."""
    fig = figs.routes_figure("vagal", "all")
    margin = fig.layout.margin.to_plotly_json()
    for route in vm.ROUTES:
        for species in vm.SPECIES_FILTERS:
            figs.update_routes_figure(fig, route, species)
            assert fig.layout.margin.to_plotly_json() == margin, (route, species)
    longest = max((line for s in vm.load_route_studies() for line in figs.study_label(s.study).split("<br>")), key=len)
    assert longest == "(antimicrobials)"  # "Bercik 2011 (antimicrobials)" on two lines
    assert margin["l"] >= 0.55 * 14 * len(longest)


def test_translation_figure_shows_one_mark_per_study_and_outcome():
    fig = figs.translation_figure("all")
    _check_figure(fig)
    assert len(fig.data[0].x) == 2 * len(vm.OUTCOMES)
    figs.update_translation_figure(fig, "both")
    assert len(fig.data[0].x) == 8
    assert "no effect" in alt_text(fig)


# --- widgets (real FigureWidgets, no browser) -----------------------------------------------

def test_fibre_explorer_slider_moves_the_model_both_ways_and_survives_its_extremes():
    explorer = widgets.FibreExplorer()
    assert isinstance(explorer.figure, go.FigureWidget)
    start = explorer.propagation.velocity_m_per_s
    explorer.slider.value = 10.0
    slower = explorer.figure.data[1].y[0]
    assert slower < start and 'role="status"' in explorer.summary.value
    explorer.slider.value = explorer.slider.min
    assert explorer.figure.data[1].y[0] < slower and math.isfinite(explorer.figure.data[1].y[0])
    explorer.slider.value = explorer.slider.max
    assert explorer.figure.data[1].y[0] > start
    explorer.slider.value = 1e6  # clamped by the slider
    assert explorer.slider.value == explorer.slider.max


def test_travel_time_explorer_follows_both_controls():
    explorer = widgets.TravelTimeExplorer()
    before = explorer.figure.data[0].x[1]
    explorer.path.value = 1.0
    assert explorer.figure.data[0].x[1] == pytest.approx(2 * before)
    explorer.path.value = explorer.path.min
    assert explorer.figure.data[0].x[1] > 0
    explorer.fibre.value = "model_c_fibre"
    assert "model" in explorer.summary.value.lower()


def test_routes_and_translation_explorers_update_their_figures():
    routes = widgets.RoutesExplorer()
    routes.species.value = "human"
    routes.route.value = "immune"
    assert list(routes.figure.data[len(vm.ROUTES)].y) == []
    assert "no study in humans" in routes.summary.value
    translation = widgets.TranslationExplorer()
    translation.view.value = "both"
    assert len(translation.figure.data[0].x) == 8


# --- lesson and bank --------------------------------------------------------------------------

def test_lesson_metadata_and_clean_notebook():
    path = REPO / "lessons" / "02_vagus_nerve.ipynb"
    lesson = read_lesson(path)
    assert lesson.number == 2 and "01_serotonin_synthesis" in lesson.prerequisites
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    for name in ("FibreExplorer()", "TravelTimeExplorer()", "RoutesExplorer()", "TranslationExplorer()",
                 "show_references(", "Think!"):
        assert name in source
    asked = {line.split('"')[3] for line in source.splitlines() if line.startswith("ask(")}
    assert asked == set(load_bank("02_vagus_nerve"))


def test_question_bank_has_six_or_more_sourced_questions():
    bank = load_bank("02_vagus_nerve")
    assert len(bank) >= 6
    refs = load_references()
    assert all(q.spec.get("references") and set(q.spec["references"]) <= set(refs) for q in bank.values())


def test_numeric_questions_agree_with_the_model():
    bank = load_bank("02_vagus_nerve")
    scaling = bank["diameter-scaling"].spec
    ratio = neuron.cached_propagation(4.0).velocity_m_per_s / neuron.cached_propagation(1.0).velocity_m_per_s
    assert abs(ratio - scaling["answer"]) <= scaling["tolerance"]
    travel = bank["travel-time"].spec
    assert abs(neuron.travel_time_ms(0.6, 1.5) - travel["answer"]) <= travel["tolerance"]
