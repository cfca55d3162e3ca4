"""The Stavrum 2013 liver model, checked against what the model and the literature establish."""
import math
import re
import xml.etree.ElementTree as ET

import pytest

from gutbrain.data import asset_path
from gutbrain.models import tryptophan as trp


@pytest.fixture(scope="module")
def baseline():
    return trp.steady_state()


def test_units_convert_both_ways():
    assert trp.uM_to_mM(5.0) == pytest.approx(0.005)
    assert trp.mM_to_uM(0.005) == pytest.approx(5.0)
    assert trp.mM_to_uM(trp.uM_to_mM(67.4)) == pytest.approx(67.4)


def test_default_input_is_the_files_extracellular_tryptophan():
    text = asset_path(trp.MODEL_FILE).read_text()
    match = re.search(r'<species id="TRP_ex" initialConcentration="([^"]+)"', text)
    assert trp.mM_to_uM(float(match.group(1))) == pytest.approx(trp.DEFAULT_EXTRACELLULAR_TRP_UM)


def test_promoting_local_parameters_changes_nothing(baseline):
    """The promoted model simulates exactly like the file as published."""
    import roadrunner

    original = roadrunner.RoadRunner(str(asset_path(trp.MODEL_FILE)))
    original.simulate(0, trp.STEADY_STATE_HORIZON_S, 2)
    fluxes = dict(zip(original.model.getReactionIds(), original.model.getReactionRates()))
    for reaction, flux in fluxes.items():
        assert baseline.reaction_fluxes[reaction] == pytest.approx(flux, rel=1e-6, abs=1e-12)


def test_promoted_ids_exist_for_every_adjustable_enzyme():
    text = trp.promote_local_parameters(asset_path(trp.MODEL_FILE).read_text())
    ids = set(re.findall(r'<parameter\s(?:[^>]*\s)?id="([^"]+)"', text))
    for params in trp.ENZYME_PARAMETERS.values():
        assert set(params) <= ids
    laws = re.findall(r"<kineticLaw.*?</kineticLaw>", text, re.S)
    assert laws and not any("listOfParameters" in law for law in laws)


def test_every_named_species_is_in_the_file():
    assert set(trp.METABOLITES.values()) <= trp.sbml_species_ids()


def test_trp_fates_are_every_reaction_consuming_intracellular_tryptophan():
    """TRP_FATES must list exactly the reactions whose reactant is cytosolic tryptophan."""
    ns = {"s": "http://www.sbml.org/sbml/level2/version4"}
    root = ET.parse(asset_path(trp.MODEL_FILE)).getroot()
    consumers = set()
    for reaction in root.iterfind(".//s:reaction", ns):
        reactants = {r.get("species") for r in reaction.iterfind("s:listOfReactants/s:speciesReference", ns)}
        if "M_trp_DASH_L_c" in reactants:
            consumers.add(reaction.get("id"))
    listed = {r for reactions in trp.TRP_FATES.values() for r in reactions}
    assert listed == consumers


def test_tryptophan_mass_balance_at_steady_state(baseline):
    """Uptake into the cell equals the sum of all of tryptophan's fates."""
    assert baseline.trp_uptake_flux > 0
    assert baseline.trp_consumed_flux == pytest.approx(baseline.trp_uptake_flux, rel=1e-6)


def test_kynurenine_pool_balance(baseline):
    """Kynurenine made (AFMID, KYNU on formylkynurenine excluded) equals kynurenine used + exported."""
    f = baseline.reaction_fluxes
    made = f["R01959"]  # AFMID: N-formylkynurenine -> kynurenine
    used = (f["R00987"] + f["R01960"] + f["R01956_Kat1"] + f["R04171_Kat2"] + f["R04171_Kat3"]
            + f["Lkynr_trans_Slc7a5"] + f["Lkynr_trans_Slc7a8"])
    assert used == pytest.approx(made, rel=1e-5)


def test_liver_sends_most_tryptophan_down_the_kynurenine_branch(baseline):
    """Badawy 2017: the kynurenine pathway accounts for ~95% of dietary Trp degradation, 90% of
    it hepatic. The liver model agrees: the large majority of consumed Trp goes to kynurenine."""
    assert baseline.kynurenine_branch_share > 0.9
    assert baseline.serotonin_branch_share < 0.01
    shares = [baseline.fate_share(f) for f in trp.TRP_FATES]
    assert sum(shares) == pytest.approx(1.0)


def test_raising_ido1_raises_kyn_trp_and_lowers_serotonin_share(baseline):
    high_ido = trp.steady_state(enzyme_scale={"IDO1": 10})
    assert high_ido.kyn_trp_ratio > baseline.kyn_trp_ratio
    assert high_ido.serotonin_branch_share < baseline.serotonin_branch_share


def test_raising_tph1_raises_serotonin_branch_flux(baseline):
    assert trp.steady_state(enzyme_scale={"TPH1": 3}).serotonin_branch_flux > baseline.serotonin_branch_flux


def test_knocking_out_both_dioxygenases_stops_the_kynurenine_branch():
    state = trp.steady_state(enzyme_scale={"TDO2": 0, "IDO1": 0})
    assert state.kynurenine_branch_flux == 0
    assert state.serotonin_branch_share > 0.1


def test_more_tryptophan_outside_means_more_inside():
    low, high = trp.steady_state(2.0), trp.steady_state(50.0)
    assert high.concentrations_uM["tryptophan"] > low.concentrations_uM["tryptophan"]
    assert high.trp_uptake_flux > low.trp_uptake_flux


def test_steady_state_is_steady(baseline):
    later = trp.steady_state()
    assert later.concentrations_uM == baseline.concentrations_uM  # same inputs, same answer
    for value in baseline.concentrations_uM.values():
        assert math.isfinite(value) and value >= 0


def test_results_do_not_leak_between_calls(baseline):
    trp.steady_state(80.0, {"TDO2": 0.1, "MAO": 5})
    assert trp.steady_state().fate_fluxes == pytest.approx(dict(baseline.fate_fluxes))


@pytest.mark.parametrize("bad", [-1.0, 0.0, float("nan"), float("inf"), 1e9, "5", None, True])
def test_rejects_nonsense_extracellular_tryptophan(bad):
    with pytest.raises(ValueError, match="extracellular_trp_uM"):
        trp.steady_state(bad)


@pytest.mark.parametrize("bad", [-0.5, float("nan"), float("inf"), 1e6, "x"])
def test_rejects_nonsense_scale_factors_naming_the_enzyme(bad):
    with pytest.raises(ValueError, match="TPH1"):
        trp.steady_state(enzyme_scale={"TPH1": bad})


def test_rejects_unknown_enzyme_names():
    with pytest.raises(ValueError, match="unknown enzyme 'TPH3'.*TPH1"):
        trp.steady_state(enzyme_scale={"TPH3": 1.0})


def test_extreme_but_valid_inputs_still_reach_steady_state():
    for scale in (0.0, trp.MAX_SCALE_FACTOR):
        state = trp.steady_state(trp.MAX_EXTRACELLULAR_TRP_UM, {n: scale for n in trp.ENZYME_PARAMETERS})
        assert state.trp_consumed_flux == pytest.approx(state.trp_uptake_flux, rel=1e-4)
