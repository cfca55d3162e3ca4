"""Lesson 3 (psychobiotics): the shipped trial data, its provenance, figures and widgets."""
import csv
import math

import plotly.graph_objects as go
import pytest

from gutbrain.data import asset_path, load_references
from gutbrain.figures import forest
from gutbrain.figures import psychobiotics as figs
from gutbrain.figures.style import alt_text
from gutbrain.models import meta_analysis as ma
from gutbrain.models import psychobiotics as ps
from gutbrain.widgets import psychobiotics as widgets


def _rows(name):
    with asset_path(f"data/{name}").open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


# --- data honesty --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["psychobiotic_trials.csv", "meta_analyses.csv"])
def test_every_row_has_a_known_source_and_a_location(name):
    refs = load_references()
    for row in _rows(name):
        assert row["source"] in refs, row["key"]
        assert len(row["where"].strip()) > 10, row["key"]
        tier = refs[row["source"]]["evidence_tier"]
        assert tier == ("human RCT" if name.startswith("psychobiotic") else "meta-analysis"), row["key"]


def test_trial_rows_carry_either_arm_data_or_a_published_difference_and_a_sign():
    for t in ps.load_trials():
        assert t.benefit_direction == "lower" and t.n_probiotic > 0 and t.n_placebo > 0
        if t.outcome_kind in ("change", "endpoint"):
            assert t.has_arm_data and t.md is None, t.key
            assert t.sd_probiotic > 0 and t.sd_placebo > 0
        else:
            assert t.outcome_kind == "adjusted_md" and not t.has_arm_data, t.key
            assert t.md_ci_low < t.md < t.md_ci_high, t.key
        assert t.dispersion, t.key


def test_values_as_read_in_the_sources():
    akk = ps.trial("akkasheh2016")
    assert (akk.n_probiotic, akk.n_placebo, akk.mean_probiotic, akk.sd_probiotic, akk.mean_placebo,
            akk.sd_placebo) == (20, 20, -5.7, 6.4, -1.5, 4.8)
    sly = ps.trial("slykerman2017")
    assert (sly.n_probiotic, sly.n_placebo, sly.mean_probiotic, sly.sd_probiotic) == (193, 187, 7.7, 5.4)
    assert (ps.trial("jamilian2018").md, ps.trial("raygan2019").md_ci_low) == (-0.76, -2.61)
    ng = ps.published("ng2018_all")
    assert (ng.k, ng.n, ng.estimate, ng.ci_low, ng.ci_high) == (10, 1349, -0.128, -0.261, 0.00463)


def test_published_table_inconsistencies_are_detected_from_the_numbers():
    flagged = {m.key for m in ps.consistency_problems()}
    assert flagged == {"hofmeister2021_trimfill_dep", "hofmeister2021_prebiotic_nondep"}
    tf = ps.published("hofmeister2021_trimfill_dep")
    assert abs(ma.ci_midpoint_gap(tf.estimate, tf.ci_low, tf.ci_high)) > 0.3  # not the CI's middle
    base, pre = ps.published("hofmeister2021_dep"), ps.published("hofmeister2021_prebiotic_nondep")
    assert (base.estimate, base.ci_low, base.ci_high, base.tau2, base.i2_percent) == \
           (pre.estimate, pre.ci_low, pre.ci_high, pre.tau2, pre.i2_percent)
    ok = [m for m in ps.load_meta_analyses() if m.has_ci and not m.consistency_note]
    for m in ok:  # every other printed CI is (nearly) symmetric around its estimate
        assert abs(ma.ci_midpoint_gap(m.estimate, m.ci_low, m.ci_high)) < 0.03, m.key


def test_effects_come_from_the_shipped_rows():
    bdi = ps.effects("bdi_md")
    assert [e.key for e in bdi] == ["akkasheh2016", "raygan2018", "jamilian2018", "ostadmohammadi2019",
                                    "raygan2019"]
    assert bdi[0].estimate == pytest.approx(-4.2) and bdi[0].se == pytest.approx(math.sqrt(6.4 ** 2 / 20 + 4.8 ** 2 / 20))
    assert bdi[2].se == pytest.approx((1.26 - 0.26) / (2 * 1.959964), rel=1e-5)
    smd = ps.effects("smd")
    assert [e.key for e in smd] == ["akkasheh2016", "raygan2018", "slykerman2017"]
    assert smd[2].estimate == pytest.approx(ma.smd(7.7, 5.4, 193, 9.0, 6.0, 187)[0])
    with pytest.raises(ValueError, match="no means and SDs"):
        ps.trial("jamilian2018").smd()


def test_published_signs_are_aligned_for_the_forest_of_meta_analyses():
    est, lo, hi = ps.published("hofmeister2021_dep").oriented()
    assert (est, lo, hi) == (-0.78, -1.37, -0.19)
    assert ps.published("huang2016_all").oriented() == (-0.30, -0.51, -0.09)
    diffs = ps.compare_published(ps.published("huang2016_all"), ps.published("ng2018_all"))
    assert any("model" in d for d in diffs) and any("number of studies" in d for d in diffs)


# --- figures ---------------------------------------------------------------------------------

def test_lab_view_pools_the_shipped_rows():
    view = figs.lab_view("bdi_md", "random-dl")
    direct = ma.pool(ps.effects("bdi_md"), method="random-dl")
    assert view.result.estimate == pytest.approx(direct.estimate) and view.result.k == 5
    assert view.pooled[-1].estimate == pytest.approx(direct.estimate)
    assert "I² =" in view.reading and "5 trials" in view.title and view.alt_text == view.reading
    sub = figs.lab_view("bdi_md", "fixed", subgroup="intervention_type")
    assert [p.label.split(" (")[0] for p in sub.pooled] == ["probiotic alone", "probiotic + vitamin D",
                                                              "probiotic + selenium", "All"]
    assert "between subgroups" in sub.reading
    loo = figs.lab_view("bdi_md", leave_out="akkasheh2016")
    assert loo.result.k == 4 and loo.reading.startswith("Left out: Akkasheh 2016")
    cum = figs.lab_view("smd", cumulative=True)
    assert [r.label for r in cum.rows][0].startswith("+ Akkasheh 2016 (k = 1)")


def test_lab_figure_has_title_axis_alt_text_and_redraws_in_place():
    fig = go.FigureWidget(figs.lab_figure(figs.lab_view()))
    assert fig.layout.xaxis.title.text.startswith("MD (BDI points)")
    assert "pooled MD" in alt_text(fig) and "I² =" in alt_text(fig)
    with fig.batch_update():
        figs.update_lab_figure(fig, figs.lab_view("smd", "random-pm"))
    assert fig.layout.xaxis.title.text.startswith("SMD") and len(fig.data[forest._POINTS].x) == 3


def test_funnel_view_leaves_out_smallest_trials_and_runs_egger():
    full = figs.funnel_view("bdi_md", 0)
    assert full.egger is not None and full.egger.df == 3
    two = figs.funnel_view("bdi_md", 2)
    assert two.excluded == sorted(["Akkasheh 2016", "Raygan 2018"])  # the two largest SEs
    fig = figs.funnel_figure(two)
    assert len(fig.data[forest._F_EXCLUDED].x) == 2 and "standard error" in fig.layout.yaxis.title.text
    assert figs.funnel_view("bdi_md", 99).excluded  # clamped, never empty of kept trials


def test_meta_forest_and_comparison_text():
    fig = figs.meta_forest_figure(("huang2016_all", "ng2018_all"))
    labels = list(fig.data[forest._LABELS].text)
    assert any("Ng 2018" in label for label in labels)
    assert not any("Liu 2019" in label for label in labels)  # no CI read: not drawn as a row
    assert sum("⚠" in label for label in labels) == 2
    text = figs.compare_text("huang2016_all", "hofmeister2021_dep")
    assert "fixed effect" in text and "random effects" in text


def test_effect_size_view_reads_an_smd_three_ways():
    view = figs.effect_size_view(-0.24, "akkasheh2016")
    assert view.sd_points == pytest.approx(ma.pooled_sd(6.4, 20, 4.8, 20))
    assert view.points == pytest.approx(-0.24 * view.sd_points)
    assert view.p_benefit == pytest.approx(ma.probability_of_superiority(0.24))
    assert "computed here" in view.text
    with pytest.raises(ValueError):
        figs.effect_size_view(-0.2, "jamilian2018")


# --- widgets (no browser) -------------------------------------------------------------------

def test_lab_widget_callbacks_update_figure_and_status():
    lab = widgets.MetaAnalysisLab()
    first = lab.figure.layout.title.text
    lab.method.value = "fixed"
    assert lab.figure.layout.title.text != first and 'role="status"' in lab.summary.value
    lab.leave_out.value = "raygan2019"
    assert "Left out: Raygan 2019" in lab.summary.value
    lab.dataset.value = "smd"
    # Raygan 2019 has no arm data, so no SMD: it is no longer offered, and nothing is left out.
    assert lab.leave_out.value == "none" and "Left out" not in lab.summary.value
    smd_keys = {t.key for t in ps.trials_in("smd")}
    assert {v for _, v in lab.leave_out.options} == {"none"} | smd_keys
    lab.leave_out.value = "slykerman2017"
    assert "Left out: Slykerman 2017" in lab.summary.value
    lab.dataset.value = "bdi_md"  # Slykerman 2017 is not a BDI trial
    assert lab.leave_out.value == "none"
    assert {v for _, v in lab.leave_out.options} == {"none"} | {t.key for t in ps.trials_in("bdi_md")}
    lab.cumulative.value = True
    assert "cumulative" in lab.figure.layout.title.text


def test_funnel_meta_forest_and_effect_size_widgets():
    funnel = widgets.FunnelExplorer()
    funnel.drop.value = 1
    assert "1 least precise left out" in funnel.summary.value
    meta = widgets.MetaForest()
    meta.second.value = "hofmeister2021_nondep"
    assert "Hofmeister 2021 (not depressed)" in meta.summary.value
    es = widgets.EffectSizeExplorer()
    es.d.value = -1.0
    assert "SMD −1.00" in es.figure.layout.title.text
