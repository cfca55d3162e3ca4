"""Lesson 1 (where serotonin is made): models, figures and widgets, without a browser."""
import math

import plotly.graph_objects as go
import pytest

from gutbrain.data import load_references
from gutbrain.figures import serotonin as figs
from gutbrain.figures.style import OKABE_ITO, alt_text
from gutbrain.models import serotonin as sm
from gutbrain.models.tryptophan import steady_state
from gutbrain.selfcheck import load_bank
from gutbrain.widgets import serotonin as widgets
from gutbrain.widgets.tryptophan import TryptophanExplorer


# --- pathway map ---------------------------------------------------------------------------

def test_every_enzyme_has_one_sourced_statement_per_tissue():
    refs = load_references()
    for tissue in sm.TISSUES:
        info = sm.enzymes_in_tissue(tissue)
        assert set(info) == set(sm.ENZYMES)
        for row in info.values():
            assert row.status in sm.STATUS_LABELS
            assert all(key in refs for key in row.sources), row
            assert row.sources or row.status == "not_verified", row


def test_tph_isoforms_are_placed_as_the_sources_say():
    gut, brain = sm.enzymes_in_tissue("gut_ec"), sm.enzymes_in_tissue("brain_neuron")
    assert gut["TPH1"].status == "acts" and "gershon2007" in gut["TPH1"].sources
    assert gut["TPH2"].status == "elsewhere"
    assert brain["TPH2"].status == "acts" and brain["TPH1"].status == "elsewhere"
    assert sm.enzymes_in_tissue("liver")["TDO2"].status == "acts"
    with pytest.raises(ValueError, match="unknown tissue"):
        sm.enzymes_in_tissue("spleen")


def test_km_values_are_read_from_the_sbml_file():
    km = {(k.enzyme, k.substrate): k for e in sm.ENZYMES for k in sm.kinetic_constants(e)}
    assert km[("AADC", "5-HTP")].value_mM == 0.049
    assert km[("MAO-A", "serotonin")].value_mM == 0.43
    assert km[("IDO1", "tryptophan")].value_mM == 0.045
    assert km[("TPH1", "tryptophan")].value_mM == 0.0228  # local parameter Ka of R01814_Tph1
    assert math.isclose(km[("TPH1", "tryptophan")].value_uM, 22.8)
    assert km[("TPH2", "tryptophan")].value_mM == 0.0403
    assert km[("TDO2", "tryptophan")].value_mM == 0.222
    assert all(k.source == "stavrum2013" for k in km.values())


def test_pathway_figure_restyles_edges_when_the_tissue_changes():
    fig = figs.pathway_figure("gut_ec")
    edges = {t.name.split(":")[0]: t for t in fig.data[1:1 + len(sm.ENZYME_EDGES)]}
    assert edges["TPH1"].line.color == OKABE_ITO["blue"] and edges["TPH1"].line.width == 6
    assert edges["TPH2"].line.width < 6
    figs.update_pathway_figure(fig, "brain_neuron")
    edges = {t.name.split(":")[0]: t for t in fig.data[1:1 + len(sm.ENZYME_EDGES)]}
    assert edges["TPH2"].line.color == OKABE_ITO["blue"] and edges["TPH1"].line.width < 6
    assert "brain" in fig.layout.title.text.lower() and "brain" in alt_text(fig).lower()


def test_pathway_hover_shows_km_with_units_and_source():
    fig = figs.pathway_figure("liver")
    hover = fig.data[1].hovertext[0]
    assert "0.0228 mM" in hover and "22.8 µM" in hover and "[stavrum2013]" in hover


def test_pathway_widget_callback_updates_its_figure_widget():
    explorer = widgets.PathwayExplorer()
    assert isinstance(explorer.figure, go.FigureWidget)
    before = explorer.figure.layout.title.text
    explorer.control.value = "liver"
    assert explorer.figure.layout.title.text != before
    assert 'role="status"' in explorer.summary.value and "liver" in explorer.summary.value.lower()


# --- tryptophan budget (existing explorer, lesson's use of it) -------------------------------

def test_raising_tph1_raises_the_serotonin_branch_flux_and_share():
    base, more = steady_state(), steady_state(enzyme_scale={"TPH1": 10.0})
    assert more.serotonin_branch_flux > base.serotonin_branch_flux
    assert more.serotonin_branch_share > base.serotonin_branch_share
    less_tdo = steady_state(enzyme_scale={"TDO2": 0.1})
    assert less_tdo.serotonin_branch_share > base.serotonin_branch_share


def test_budget_explorer_at_slider_extremes_gives_a_valid_figure():
    explorer = TryptophanExplorer()
    explorer.trp_slider.value = explorer.trp_slider.max
    for slider in explorer.enzyme_sliders.values():
        slider.value = 10.0
    explorer.enzyme_sliders["TDO2"].value = 0.1
    shares = explorer.figure.data[0].x
    assert all(math.isfinite(s) for s in shares) and 99 < sum(shares) < 101


# --- microbiome experiments ------------------------------------------------------------------

def test_microbiome_rows_cite_existing_references_and_keep_unverified_values_empty():
    refs = load_references()
    rows = sm.load_microbiome_serotonin()
    assert {r.study for r in rows} == {"reigstad2015", "yano2015"}
    assert all(r.study in refs for r in rows)
    reigstad = {r.group: r for r in rows if r.study == "reigstad2015"}
    assert (reigstad["GF"].value, reigstad["HM"].value, reigstad["CR"].value) == (17, 25, 35)
    assert (reigstad["GF"].error, reigstad["HM"].error, reigstad["CR"].error) == (3, 2, 3)
    assert all(r.unit == "ng/mg" and r.n == "not verified" for r in reigstad.values())
    assert all(r.value is None for r in rows if r.study == "yano2015")


def test_ratio_of_group_means():
    gf, cr = sm.comparison_rows("reigstad_gf_cr")
    ratio = sm.ratio_of_means(gf, cr)
    assert math.isclose(ratio.ratio, 17 / 35) and round(ratio.percent) == 49
    assert ratio.unit_cancelled == "ng/mg"
    assert sm.ratio_of_means(*sm.comparison_rows("yano_colon")) is None
    with pytest.raises(ValueError, match="unknown comparison"):
        sm.comparison_rows("nope")


def test_microbiome_figure_switches_between_measured_and_design_only():
    fig = figs.microbiome_figure("reigstad_all")
    assert list(fig.data[0].y) == [17, 25, 35] and fig.data[0].error_y.visible
    assert "ng/mg" in fig.layout.yaxis.title.text
    figs.update_microbiome_figure(fig, "yano_serum")
    assert not fig.data[0].error_y.visible and fig.data[0].visible is False  # no empty chart
    assert all(t == "value not verified" for t in fig.data[0].text)
    assert "not verified" in fig.layout.annotations[0].text and "[yano2015]" in fig.layout.annotations[0].text
    assert not fig.layout.yaxis.title.text  # no axis title to run into the figure title
    figs.update_microbiome_figure(fig, "reigstad_gf_hm")
    assert list(fig.data[0].y) == [17, 25] and "68%" in alt_text(fig)


def test_microbiome_widget_callback_updates_its_figure_widget():
    explorer = widgets.MicrobiomeExplorer()
    explorer.control.value = "reigstad_gf_cr"
    assert list(explorer.figure.data[0].y) == [17, 35]
    assert "49%" in explorer.summary.value and 'role="status"' in explorer.summary.value
    explorer.control.value = "yano_colon"
    assert "not verified" in explorer.summary.value


# --- where is the body's serotonin ------------------------------------------------------------

def test_distribution_rows_quote_sources_and_never_invent_a_brain_share():
    refs = load_references()
    statements = sm.load_serotonin_distribution()
    assert all(s.source in refs and s.quote for s in statements)
    brain = [s for s in statements if "brain" in s.compartment]
    assert brain and all(s.kind == "not_verified" and s.low_percent is None for s in brain)
    numbers = {(s.source, s.low_percent) for s in statements if s.low_percent is not None}
    assert numbers == {("kim2018", 90), ("bionumbers102687", 90), ("ge2017", 90), ("berger2009", 95),
                       ("liu2021", 95)}
    # the database entry behind many "90%" claims says *found*, while its title says *produced*
    entry = next(s for s in statements if s.source == "bionumbers102687")
    assert "is found in the enterochromaffin cells" in entry.quote and "produced" in entry.where


def test_data_rows_carry_source_where_and_the_reference_tier():
    refs = load_references()
    for row in sm.load_serotonin_distribution():
        assert row.where and row.evidence_tier == refs[row.source]["evidence_tier"], row
    for row in sm.load_microbiome_serotonin():
        assert row.evidence_tier == refs[row.study]["evidence_tier"], row


def test_mao_b_carries_most_serotonin_breakdown_in_the_liver_model():
    shares = sm.mao_serotonin_breakdown_shares()
    assert math.isclose(sum(shares.values()), 1.0)
    assert 0.6 < shares["MAO-B"] < 0.75  # 68% at the file's defaults: MAO-B has ~2x MAO-A's enzyme amount
    assert sm.enzymes_in_tissue("liver")["MAO-B"].status == "model"


def test_distribution_figure_has_labels_units_and_text_alternative():
    fig = figs.distribution_figure()
    assert "(%)" in fig.layout.xaxis.title.text and fig.layout.title.text
    assert all(len(part) <= 24 for label in fig.data[0].y for part in label.split("<br>"))
    text = alt_text(fig)
    assert "more than 90%" in text and "not verified" in text
    assert widgets.serotonin_distribution().children


# --- self-checks ------------------------------------------------------------------------------

def test_question_bank_has_six_or_more_valid_questions_with_references():
    bank = load_bank("01_serotonin_synthesis")
    assert len(bank) >= 6
    assert all(q.spec.get("references") for q in bank.values())


def test_model_share_question_matches_the_model():
    spec = load_bank("01_serotonin_synthesis")["model-serotonin-share"].spec
    assert abs(100 * steady_state().serotonin_branch_share - spec["answer"]) <= spec["tolerance"]
