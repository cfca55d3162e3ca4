"""Immune activation on the Stavrum 2013 liver model (gutbrain.models.kynurenine), from the SBML file.

What lesson 4 claims about the model, checked here: induced IDO1 displaces TDO2 flux; Kyn/Trp
rises; tryptophan and the serotonin branch fall appreciably only as IDO1 nears TDO2's capacity;
Kyn/Trp also rises with TDO2 alone, so it is not specific to IDO1.
"""
import math
import re

import pytest

from gutbrain.data import asset_path
from gutbrain.models import kynurenine as kyn
from gutbrain.models import tryptophan as trp


@pytest.fixture(scope="module")
def base():
    return kyn.baseline()


def test_dioxygenase_reactions_are_in_the_sbml_file():
    text = asset_path(trp.MODEL_FILE).read_text()
    ids = set(re.findall(r'<reaction id="([^"]+)"', text))
    assert {kyn.TDO2_REACTION, kyn.IDO1_REACTION} <= ids
    assert {kyn.TDO2_REACTION, kyn.IDO1_REACTION} == set(trp.TRP_FATES["kynurenine"])


def test_the_lesson_names_kynurenine_metabolites_the_file_contains():
    species = trp.sbml_species_ids()
    assert {"M_Lkynr_c", "M_hLkynr_c", "M_3hanthrn_c", "M_quln_c"} <= species  # Kyn, 3-HK, 3-HAA, QUIN


def test_branch_fluxes_add_up_to_the_tryptophan_consumed(base):
    state = trp.steady_state()
    assert base.consumed_flux == pytest.approx(state.trp_consumed_flux, rel=1e-9)
    assert base.tdo2_flux + base.ido1_flux == pytest.approx(state.kynurenine_branch_flux, rel=1e-9)
    assert sum(base.share(b) for b in ("tdo2", "ido1", "serotonin", "other")) == pytest.approx(1.0)


def test_in_the_published_liver_tdo2_dominates(base):
    assert base.share("tdo2") > 0.95
    assert base.ido1_share < 0.01
    assert base.share("serotonin") < 0.01


def test_ido1_induction_displaces_tdo2_flux(base):
    """Most of IDO1's extra flux is flux TDO2 no longer carries; the total barely changes."""
    sweep = kyn.ido1_sweep(1.0)
    tdo = [s.tdo2_flux for s in sweep]
    ido = [s.ido1_flux for s in sweep]
    assert all(b < a for a, b in zip(tdo, tdo[1:])), "TDO2 flux must fall as IDO1 rises"
    assert all(b > a for a, b in zip(ido, ido[1:])), "IDO1 flux must rise with IDO1"
    at30 = kyn.immune_activation(30.0)
    gained, lost = at30.ido1_flux - base.ido1_flux, base.tdo2_flux - at30.tdo2_flux
    assert lost / gained > 0.9
    for s in sweep:
        total = s.tdo2_flux + s.ido1_flux
        assert total == pytest.approx(base.tdo2_flux + base.ido1_flux, rel=0.03)


def test_kyn_trp_rises_with_ido1():
    ratios = [s.kyn_trp_ratio for s in kyn.ido1_sweep(1.0)]
    assert all(b > a for a, b in zip(ratios, ratios[1:]))
    assert ratios[-1] > 3 * ratios[0]


def test_tryptophan_and_serotonin_fall_only_as_ido1_nears_tdo2_capacity(base):
    equal = kyn.ido1_fold_for_equal_flux(1.0)
    assert 100 < equal < 1000
    for fold in (3.0, 10.0, 30.0):
        pct = kyn.percent_of_baseline(kyn.immune_activation(fold))
        assert pct["tryptophan"] > 90 and pct["serotonin branch"] > 90, (fold, pct)
    near = kyn.percent_of_baseline(kyn.immune_activation(equal))
    assert 40 < near["tryptophan"] < 60  # tryptophan halves where IDO1's capacity equals TDO2's
    far = kyn.percent_of_baseline(kyn.immune_activation(1000.0))
    assert far["tryptophan"] < 35 and far["serotonin branch"] < 35


def test_serotonin_branch_follows_intracellular_tryptophan():
    for fold in (1.0, 100.0, 1000.0):
        pct = kyn.percent_of_baseline(kyn.immune_activation(fold))
        assert pct["serotonin branch"] == pytest.approx(pct["tryptophan"], rel=0.01)


def test_kynurenine_in_the_cell_barely_moves(base):
    for fold in (10.0, 100.0, 1000.0):
        assert kyn.percent_of_baseline(kyn.immune_activation(fold))["kynurenine"] == pytest.approx(100, abs=5)


def test_tdo2_alone_raises_kyn_trp_so_the_ratio_is_not_specific_to_ido1(base):
    more_tdo = kyn.immune_activation(1.0, 3.0)
    assert more_tdo.ido1_fold == 1.0
    assert more_tdo.kyn_trp_ratio / base.kyn_trp_ratio > 2.5


def test_more_tdo2_pushes_the_crossover_further(base):
    assert kyn.ido1_fold_for_equal_flux(0.5) < kyn.ido1_fold_for_equal_flux(1.0)
    assert kyn.ido1_fold_for_equal_flux(0.5) == pytest.approx(kyn.ido1_fold_for_equal_flux(1.0) / 2, rel=0.02)
    assert math.isinf(kyn.ido1_fold_for_equal_flux(10.0))


@pytest.mark.parametrize("tdo2", [0.1, 0.5, 1.0, 2.0])
def test_fast_crossover_matches_bisection(tdo2):
    assert kyn.ido1_fold_for_equal_flux(tdo2) == pytest.approx(kyn.ido1_fold_for_equal_flux_bisection(tdo2), rel=0.01)


def test_the_model_is_deterministic_and_unchanged_by_earlier_calls(base):
    kyn.immune_activation(777.0, 0.2)
    again = trp.steady_state(5.0, {"IDO1": 1.0, "TDO2": 1.0})
    assert again.reaction_fluxes[kyn.TDO2_REACTION] == pytest.approx(base.tdo2_flux, rel=1e-9)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), 1e6, "3", None, True])
def test_rejects_nonsense_folds(bad):
    with pytest.raises(ValueError, match="ido1_fold"):
        kyn.immune_activation(bad)
    with pytest.raises(ValueError, match="tdo2_fold"):
        kyn.immune_activation(1.0, bad)
