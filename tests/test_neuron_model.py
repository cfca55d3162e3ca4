"""The Hodgkin–Huxley cable (gutbrain.models.neuron) against the numbers published for it.

Published numbers: Hodgkin & Huxley (1952) standard parameters (rest at −65 mV in NEURON's
convention: the leak reversal 10.613 mV above rest makes the net current zero there); their computed
conduction velocity of 18.8 m/s for a 476 µm squid axon at 18.5 °C (as reported in NEURON's
documentation); and cable theory's velocity ∝ √diameter for unmyelinated fibres.
"""
import math

import numpy as np
import pytest

from gutbrain.models import neuron


def test_rate_constants_at_rest_match_the_paper_equations():
    r = neuron.rate_constants_per_ms(np.array([0.0]))
    # HH 1952 eqs. at V = 0 (rest): αm = 0.1·25/(e^2.5 − 1), βm = 4, αh = 0.07, βh = 1/(e^3 + 1),
    # αn = 0.01·10/(e − 1), βn = 0.125
    assert math.isclose(r["alpha_m"][0], 2.5 / (math.exp(2.5) - 1))
    assert math.isclose(r["beta_m"][0], 4.0)
    assert math.isclose(r["alpha_h"][0], 0.07)
    assert math.isclose(r["beta_h"][0], 1 / (math.exp(3.0) + 1))
    assert math.isclose(r["alpha_n"][0], 0.1 / (math.e - 1))
    assert math.isclose(r["beta_n"][0], 0.125)
    # the removable singularities (αm at 25 mV, αn at 10 mV) are finite and continuous
    near = neuron.rate_constants_per_ms(np.array([25.0, 25.0 + 1e-9, 10.0]))
    assert math.isclose(near["alpha_m"][0], 1.0) and math.isclose(near["alpha_m"][1], 1.0, rel_tol=1e-6)
    assert math.isclose(near["alpha_n"][2], 0.1)


def test_resting_potential_is_minus_65_mV():
    assert abs(neuron.resting_potential_mV() - (-65.0)) < 0.05


def test_temperature_factor_uses_q10_of_three_from_6_3_degrees():
    assert neuron.temperature_factor(6.3) == 1.0
    assert math.isclose(neuron.temperature_factor(16.3), 3.0)
    assert math.isclose(neuron.temperature_factor(18.5), 3 ** 1.22)


def test_squid_axon_conducts_at_hodgkin_and_huxleys_computed_velocity():
    prop = neuron.simulate_propagation(neuron.HH_SQUID_AXON_DIAMETER_UM, 18.5)
    assert prop.conducted
    assert prop.velocity_m_per_s == pytest.approx(neuron.HH_COMPUTED_VELOCITY_M_PER_S, rel=0.02)
    # an overshooting action potential of about 90 mV from rest
    assert 80 < prop.amplitude_mV < 110 and prop.peak_mV > 0


def test_velocity_grows_with_the_square_root_of_diameter_on_a_fixed_mesh():
    # the same 30 mm cable and mesh for both diameters: nothing is rescaled by hand
    thin = neuron.simulate_propagation(100.0, length_mm=30, n_compartments=300)
    thick = neuron.simulate_propagation(400.0, length_mm=30, n_compartments=300)
    assert thick.velocity_m_per_s / thin.velocity_m_per_s == pytest.approx(2.0, rel=0.03)


def test_interactive_table_is_converged_and_monotonic():
    table = neuron.velocity_table()
    diameters = sorted(table)
    velocities = [table[d] for d in diameters]
    assert all(b > a for a, b in zip(velocities, velocities[1:]))
    assert table[neuron.HH_SQUID_AXON_DIAMETER_UM] == pytest.approx(neuron.HH_COMPUTED_VELOCITY_M_PER_S, rel=0.03)
    ratio = table[100.0] / table[1.0]
    assert ratio == pytest.approx(10.0, rel=0.01)  # √(100/1)
    # a batch run gives the same velocities as single runs
    single = neuron.simulate_propagation(1.0, **neuron.FAST_SETTINGS).velocity_m_per_s
    assert table[1.0] == pytest.approx(single, rel=1e-9)


def test_model_c_fibre_lands_in_the_measured_rat_range():
    """Not a validation of the model (squid membrane, 18.5 °C): the lesson says it is partly luck."""
    v = neuron.cached_propagation(0.8).velocity_m_per_s
    assert 0.4 <= v <= 2.5


def test_too_cold_or_blocked_cable_reports_no_conduction():
    blocked = neuron.HHMembrane(g_na_mS_per_cm2=0.0)
    prop = neuron.simulate_propagation(476.0, membrane=blocked, n_compartments=60, dt_ms=0.02)
    assert not prop.conducted and math.isnan(prop.velocity_m_per_s)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="positive"):
        neuron.simulate_propagation(0.0)
    with pytest.raises(ValueError, match="positive"):
        neuron.nearest_grid_diameter_um(-1.0)
    with pytest.raises(ValueError):
        neuron.travel_time_ms(1.0, 0.0)
    assert neuron.travel_time_ms(0.6, 1.5) == pytest.approx(400.0)
    assert neuron.sqrt_scaled_velocity_m_per_s(119.0) == pytest.approx(9.4)
    assert neuron.nearest_grid_diameter_um(0.8) == 1.0  # nearer than 0.56 on a log scale
    assert neuron.nearest_grid_diameter_um(480.0) == neuron.HH_SQUID_AXON_DIAMETER_UM
