"""Lesson 4 (inflammation and the kynurenine pathway): data, figures, widgets, bank, notebook.

No browser: figures are checked as plotly objects, widgets by setting their values in Python.
"""
import json
import math
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
import yaml

from gutbrain.data import assets_dir, load_references
from gutbrain.figures import inflammation as fi
from gutbrain.figures import kynurenine as fk
from gutbrain.figures.style import OKABE_ITO, alt_text
from gutbrain.models import inflammation as infl
from gutbrain.models import kynurenine as kyn
from gutbrain.selfcheck import load_bank
from gutbrain.widgets.inflammation import BloodBrainExplorer, EffectSizeExplorer, cytokine_forest, treatment_forest
from gutbrain.widgets.kynurenine import ImmuneActivationExplorer

REPO = Path(__file__).resolve().parents[1]
LESSON = REPO / "lessons" / "04_inflammation_kynurenine.ipynb"
BANK = "04_inflammation_kynurenine"


# --- data rows, traced to sources -------------------------------------------------------------

def test_every_data_row_names_a_known_source_and_where_it_was_read():
    refs = load_references()
    rows = list(infl.load_ifn_rows()) + list(infl.load_cytokine_rows()) + list(infl.load_treatment_rows())
    assert rows
    for r in rows:
        assert r.source in refs, r
        assert r.where.strip(), r


def test_ifn_rows_state_directions_as_the_abstracts_do():
    cells = {(r.study, r.compartment, r.metabolite): r for r in infl.load_ifn_rows()}
    assert cells[("raison2010", "blood", "TRP")].direction == "down"
    assert cells[("raison2010", "CSF", "TRP")].direction == "no change"
    for met in ("KYN", "QUIN", "KA"):
        assert cells[("raison2010", "CSF", met)].direction == "up"
    assert cells[("raison2010", "CSF", "symptoms")].direction == "linked"
    assert cells[("capuron2003", "blood", "KYN/TRP")].direction == "up"
    assert cells[("bannink2007", "blood", "symptoms")].direction == "not linked"
    raison = cells[("raison2010", "CSF", "KYN")]
    assert (raison.n_treated, raison.n_comparison) == ("16", "11")
    for r in cells.values():
        # a direction is either quoted from the source or recorded as not stated
        assert bool(r.quote) == (r.direction != "not reported"), r


def test_meta_analysis_numbers_are_the_published_ones_and_unread_cis_stay_empty():
    cyt = {r.key: r for r in infl.load_cytokine_rows()}
    assert [cyt[k].estimate for k in ("haapakoski_il6", "haapakoski_crp", "haapakoski_tnf", "haapakoski_il1b")] \
        == [0.54, 0.47, 0.40, -0.05]
    assert (cyt["haapakoski_tnf"].ci_low, cyt["haapakoski_tnf"].ci_high, cyt["haapakoski_tnf"].i2_percent) == (0.15, 0.65, 88)
    for k in ("haapakoski_il6", "haapakoski_crp", "haapakoski_il1b"):
        assert not cyt[k].has_ci and cyt[k].i2_percent is None
    assert (cyt["osimo_crp3_prev"].estimate, cyt["osimo_crp3_prev"].ci_low, cyt["osimo_crp3_prev"].ci_high) == (27, 21, 34)
    trt = {r.key: r for r in infl.load_treatment_rows()}
    k = trt["kohler2014_all"]
    assert (k.estimate, k.ci_low, k.ci_high, k.i2_percent, k.k_studies) == (-0.34, -0.57, -0.11, 90, 14)
    assert trt["kohler2014_sym"].i2_percent is None  # two copies disagree: left out
    assert all(r.has_ci for r in trt.values())


# --- effect sizes ------------------------------------------------------------------------------

def test_effect_size_formulas_at_known_points():
    assert infl.overlap_percent(0.0) == pytest.approx(100.0)
    assert infl.superiority_percent(0.0) == pytest.approx(50.0)
    assert infl.above_control_median_percent(0.0) == pytest.approx(50.0)
    assert infl.best_cutoff_accuracy_percent(0.0) == pytest.approx(50.0)
    assert infl.patients_above_control_percentile(0.0, 90) == pytest.approx(10.0)
    assert infl.overlap_percent(0.54) == pytest.approx(78.7, abs=0.05)
    assert infl.above_control_median_percent(0.54) == pytest.approx(70.5, abs=0.05)
    assert infl.overlap_percent(-0.54) == pytest.approx(infl.overlap_percent(0.54))


def test_effect_size_functions_take_arrays_and_are_monotone():
    d = np.linspace(0, 2, 21)
    ovl = infl.overlap_percent(d)
    assert isinstance(ovl, np.ndarray) and np.all(np.diff(ovl) < 0)
    assert np.all(np.diff(infl.superiority_percent(d)) > 0)
    with pytest.raises(ValueError):
        infl.overlap_percent(float("nan"))
    x, control, patient = infl.density_curves(0.5)
    assert np.trapezoid(control, x) == pytest.approx(1.0, abs=1e-3)
    assert x[np.argmax(patient)] == pytest.approx(0.5, abs=0.05)


# --- figures ------------------------------------------------------------------------------------

def _okabe(colour):
    return colour in OKABE_ITO.values()


def test_immune_activation_figure_states_its_message_with_units_and_text():
    state = kyn.immune_activation(100.0)
    fig = fk.immune_activation_figure(state, kyn.ido1_sweep(1.0))
    assert "IDO1" in fig.layout.title.text and "TDO2" in fig.layout.title.text
    assert "(%)" in fig.layout.xaxis.title.text
    assert "×" in fig.layout.xaxis2.title.text and fig.layout.xaxis2.type == "log"
    assert "%" in fig.layout.yaxis2.title.text
    assert all(_okabe(c) for c in fig.data[0].marker.color)
    text = alt_text(fig)
    assert "IDO1 × 100" in text and "21." in text
    assert fig.data[0].x[1] == pytest.approx(100 * state.ido1_share)


def test_immune_activation_update_moves_bars_marker_and_curves():
    fig = fk.immune_activation_figure(kyn.baseline(), kyn.ido1_sweep(1.0))
    before_curve = list(fig.data[1].y)
    fk.update_immune_activation_figure(fig, kyn.immune_activation(300.0, 1.0))
    assert fig.data[0].x[1] > 40
    assert list(fig.data[1].y) == before_curve  # IDO1 move: same sweep
    fk.update_immune_activation_figure(fig, kyn.immune_activation(1.0, 3.0), kyn.ido1_sweep(3.0))
    assert list(fig.data[1].y) != before_curve
    assert "TDO2 × 3" in alt_text(fig)


def test_ifn_grid_has_every_study_and_compartment_and_highlights_one():
    grid = fi.ifn_grid()
    assert grid["keys"] == [("raison2010", "blood"), ("raison2010", "CSF"), ("capuron2003", "blood"),
                            ("bannink2007", "blood")]
    assert "16 vs 11" in grid["row_labels"][0] and "n = 43" in grid["row_labels"][3]
    fig = fi.ifn_figure()
    assert "CSF" in fig.layout.title.text and not fig.layout.shapes
    fi.update_ifn_figure(fig, "bannink2007")
    assert len(fig.layout.shapes) == 1 and "Bannink 2007" in alt_text(fig)
    with pytest.raises(ValueError, match="unknown study"):
        fi.update_ifn_figure(fig, "nobody2020")


def test_cytokine_forest_shows_no_invented_interval():
    fig = fi.cytokine_forest()
    assert fig.layout.title.text.replace("<br>", " ") == fi.CYTOKINE_TITLE  # wrapped to fit 570 px
    values = list(fig.data[5].text)
    assert sum("CI not read" in v for v in values) == 3
    assert any("[0.15, 0.65]" in v for v in values)
    assert "not read" in alt_text(fig) and "0.54" in alt_text(fig)
    assert "SD" in fig.layout.xaxis.title.text


def test_overlap_figure_title_follows_d():
    fig = fi.overlap_figure(0.54)
    assert "79%" in fig.layout.title.text
    fi.update_overlap_figure(fig, 2.0)
    assert "d = 2.00" in fig.layout.title.text and "computed here" in alt_text(fig)
    assert "SD" in fig.layout.xaxis.title.text


def test_treatment_forest_shows_pooled_estimate_and_heterogeneity():
    fig = fi.treatment_forest()
    labels = list(fig.layout.yaxis.ticktext)
    assert any("I² 90%" in t and "Köhler 2014" in t for t in labels)
    assert any("I² 93%" in t for t in labels)
    # The symptoms subgroup's I² is given two ways by the sources: no bare "I² ?" on the row.
    assert not any("?" in t for t in labels) and any(t.startswith("Symptoms") for t in labels)
    assert "high risk of bias" in alt_text(fig)


# --- widgets (no browser) -------------------------------------------------------------------------

def test_immune_activation_explorer_sliders_drive_figure_and_status():
    explorer = ImmuneActivationExplorer()
    assert isinstance(explorer.figure, go.FigureWidget)
    assert explorer.ido1_slider.scale == "log" and explorer.tdo2_slider.scale == "log"
    assert "scaling" in explorer.ido1_slider.label
    explorer.ido1_slider.value = 100.0
    assert explorer.figure.data[0].x[1] == pytest.approx(100 * kyn.immune_activation(100.0).ido1_share, rel=1e-6)
    assert 'role="status"' in explorer.summary.value and "IDO1 × 100" in explorer.summary.value
    curve = list(explorer.figure.data[1].y)
    explorer.tdo2_slider.value = 0.5
    assert list(explorer.figure.data[1].y) != curve
    explorer.ido1_slider.value = explorer.ido1_slider.max
    explorer.tdo2_slider.value = explorer.tdo2_slider.min
    assert all(math.isfinite(v) for v in explorer.figure.data[0].x)


def test_blood_brain_and_effect_size_explorers():
    bb = BloodBrainExplorer()
    bb.control.value = "raison2010"
    assert len(bb.figure.layout.shapes) == 1 and "Raison 2010" in bb.summary.value
    bb.control.value = "all"
    assert not bb.figure.layout.shapes
    es = EffectSizeExplorer()
    es.slider.value = 1.2
    assert "1.20" in es.figure.layout.title.text and "overlap" in es.summary.value
    assert cytokine_forest().children and treatment_forest().children


# --- self-checks and the notebook -----------------------------------------------------------------

def test_bank_has_six_or_more_referenced_questions_and_model_answers_match():
    bank = load_bank(BANK)
    assert len(bank) >= 6
    assert all(q.spec.get("references") for q in bank.values())
    spec = bank["ido-share-at-100"].spec
    assert abs(100 * kyn.immune_activation(100.0).ido1_share - spec["answer"]) <= spec["tolerance"]
    misconceptions = yaml.safe_load((assets_dir() / "misconceptions.yaml").read_text())
    for q in bank.values():
        for opt in q.spec.get("options", []):
            assert opt.get("correct") or opt["misconception"] in misconceptions


def _nb():
    return json.loads(LESSON.read_text(encoding="utf-8"))


def test_notebook_is_clean_and_follows_the_template():
    nb = _nb()
    meta = nb["metadata"]["gutbrain"]
    assert meta["number"] == 4 and meta["prerequisites"] == ["01_serotonin_synthesis"]
    assert 3 <= len(meta["objectives"]) <= 5
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    text = "\n".join("".join(c["source"]) for c in nb["cells"])
    first = "".join(nb["cells"][0]["source"])
    assert "**You will be able to**" in first and "\n- " in first and "|" not in first
    assert "Article C" in text and "Article D" in text and "seed 0" not in text
    assert text.count("**Think!**") >= 5 and "<details><summary>About the sources</summary>" in text
    assert "## Summary" in text and "## What next" in text and "show_references([" in text


def test_notebook_asks_every_bank_question_and_cites_known_references():
    text = "\n".join("".join(c["source"]) for c in _nb()["cells"])
    asked = set(re.findall(r'ask\("04_inflammation_kynurenine", "([^"]+)"\)', text))
    assert asked == set(load_bank(BANK))
    refs = load_references()
    shown = re.search(r"show_references\(\[(.*?)\]\)", text, re.S).group(1)
    shown_keys = set(re.findall(r'"([^"]+)"', shown))
    cited = {k.strip() for m in re.findall(r"`\[([^\]]+)\]`", text) for k in m.split(",")}
    assert cited <= shown_keys <= set(refs)


def test_article_quotes_are_verbatim():
    seeds = REPO.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("the shared seed articles are not next to the repository")
    articles = yaml.safe_load((assets_dir() / "articles.yaml").read_text())["articles"]
    text = "\n".join("".join(c["source"]) for c in _nb()["cells"])
    for letter in ("C", "D"):
        source = (seeds / articles[letter]["source_file"]).read_text(encoding="utf-8")
        para = text[text.index(f"Article {letter} "):].split("\n")[0]
        for quote in re.findall(r'"([^"]+)"', para):
            assert quote in source, (letter, quote)
