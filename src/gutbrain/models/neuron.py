"""A Hodgkin–Huxley cable: an action potential travelling along an unmyelinated axon.

Reimplemented with numpy/scipy from the equations of Hodgkin & Huxley (1952), J Physiol 117:500–544
(`[hodgkin1952]`): the squid giant axon's sodium, potassium and leak conductances, their rate
constants, and the cable equation. Parameters are the paper's standard set, in the paper's own
sign convention (voltages are *depolarisations from rest*, in mV); the lesson shows them as absolute
membrane potential with the resting potential put at −65 mV, as NEURON's ``hh`` mechanism does.

What this model is of: the **squid giant axon membrane** at a chosen temperature. Scaling its
diameter down shows how conduction velocity of an *unmyelinated* fibre depends on diameter; it is
not a model of a mammalian vagal C fibre (other channels, 37 °C, no squid).

Pure functions: parameters in, numbers out. No widgets, no plotting.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve_banded

#: Resting potential used to show HH's depolarisations as absolute membrane potential (mV).
RESTING_POTENTIAL_MV = -65.0
#: The temperature at which HH computed their propagated action potential (°C).
HH_PROPAGATION_TEMPERATURE_C = 18.5
#: Diameter of the axon of HH's propagated-impulse calculation (µm): radius 238 µm.
HH_SQUID_AXON_DIAMETER_UM = 476.0
#: Conduction velocity HH computed for that axon at 18.5 °C (m/s), as reported for the paper by
#: NEURON's documentation of its squid-axon test (see references.yaml, hodgkin1952 `verified`).
HH_COMPUTED_VELOCITY_M_PER_S = 18.8


@dataclass(frozen=True)
class HHMembrane:
    """Membrane parameters of Hodgkin & Huxley (1952), squid giant axon (their sign convention)."""

    g_na_mS_per_cm2: float = 120.0
    g_k_mS_per_cm2: float = 36.0
    g_leak_mS_per_cm2: float = 0.3
    e_na_mV: float = 115.0       # reversal potentials as depolarisation from rest
    e_k_mV: float = -12.0
    e_leak_mV: float = 10.613
    capacitance_uF_per_cm2: float = 1.0
    axial_resistivity_ohm_cm: float = 35.4
    #: Rate constants were measured at 6.3 °C; other temperatures scale them by Q10 = 3.
    reference_temperature_C: float = 6.3
    q10: float = 3.0


HH1952 = HHMembrane()


def temperature_factor(temperature_C: float, membrane: HHMembrane = HH1952) -> float:
    """HH's factor φ = Q10^((T − 6.3 °C)/10) that multiplies every rate constant."""
    return membrane.q10 ** ((temperature_C - membrane.reference_temperature_C) / 10.0)


def _vtrap(x: np.ndarray, y: float) -> np.ndarray:
    """x / (exp(x/y) − 1), finite at x = 0 (where it tends to y)."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x / y) < 1e-6
    safe = np.where(small, 1.0, x)
    return np.where(small, y * (1.0 - x / (2.0 * y)), safe / np.expm1(safe / y))


def rate_constants_per_ms(depolarisation_mV: np.ndarray) -> dict[str, np.ndarray]:
    """α and β of the m, h and n gates at 6.3 °C (1/ms), for depolarisation V from rest (mV)."""
    v = np.asarray(depolarisation_mV, dtype=float)
    return {
        "alpha_m": 0.1 * _vtrap(25.0 - v, 10.0),
        "beta_m": 4.0 * np.exp(-v / 18.0),
        "alpha_h": 0.07 * np.exp(-v / 20.0),
        "beta_h": 1.0 / (np.exp((30.0 - v) / 10.0) + 1.0),
        "alpha_n": 0.01 * _vtrap(10.0 - v, 10.0),
        "beta_n": 0.125 * np.exp(-v / 80.0),
    }


def steady_state_gates(depolarisation_mV: float = 0.0) -> tuple[float, float, float]:
    """(m∞, h∞, n∞) at a clamped depolarisation (temperature-independent: φ cancels)."""
    r = rate_constants_per_ms(np.array([depolarisation_mV]))
    return tuple(float(r[f"alpha_{g}"][0] / (r[f"alpha_{g}"][0] + r[f"beta_{g}"][0])) for g in "mhn")


def ionic_current_uA_per_cm2(depolarisation_mV, m, h, n, membrane: HHMembrane = HH1952):
    """Total ionic current density (outward positive), µA/cm²."""
    v = np.asarray(depolarisation_mV, dtype=float)
    return (membrane.g_na_mS_per_cm2 * m**3 * h * (v - membrane.e_na_mV)
            + membrane.g_k_mS_per_cm2 * n**4 * (v - membrane.e_k_mV)
            + membrane.g_leak_mS_per_cm2 * (v - membrane.e_leak_mV))


def resting_potential_mV(membrane: HHMembrane = HH1952) -> float:
    """The membrane potential (absolute, mV) at which the HH membrane carries no net current."""
    from scipy.optimize import brentq

    def net(v):
        m, h, n = steady_state_gates(v)
        return float(ionic_current_uA_per_cm2(v, m, h, n, membrane))

    return RESTING_POTENTIAL_MV + brentq(net, -20.0, 20.0)


@dataclass(frozen=True)
class Propagation:
    """One simulated impulse on a uniform cable, recorded at two electrodes."""

    diameter_um: float
    temperature_C: float
    electrode_distance_mm: float
    time_ms: np.ndarray
    #: Absolute membrane potential (mV) at the first and the second electrode.
    v_first_mV: np.ndarray
    v_second_mV: np.ndarray
    arrival_first_ms: float
    arrival_second_ms: float
    peak_mV: float

    @property
    def conducted(self) -> bool:
        return math.isfinite(self.arrival_first_ms) and math.isfinite(self.arrival_second_ms)

    @property
    def velocity_m_per_s(self) -> float:
        """Electrode distance over the delay between the upstrokes (mm/ms = m/s)."""
        if not self.conducted:
            return float("nan")
        return self.electrode_distance_mm / (self.arrival_second_ms - self.arrival_first_ms)

    @property
    def amplitude_mV(self) -> float:
        """Peak minus resting potential at the second electrode."""
        return self.peak_mV - RESTING_POTENTIAL_MV


def _crossing_time_ms(time_ms: np.ndarray, v: np.ndarray, threshold: float) -> float:
    above = np.nonzero(v >= threshold)[0]
    if above.size == 0 or above[0] == 0:
        return float("nan")
    i = above[0]
    t0, t1, v0, v1 = time_ms[i - 1], time_ms[i], v[i - 1], v[i]
    return float(t0 + (threshold - v0) * (t1 - t0) / (v1 - v0))


def simulate_propagation(diameter_um: float, temperature_C: float = HH_PROPAGATION_TEMPERATURE_C,
                         *, membrane: HHMembrane = HH1952, length_mm: float | None = None,
                         n_compartments: int = 240, dt_ms: float = 0.005, duration_ms: float | None = None,
                         stimulus_uA_per_cm2: float = 400.0, stimulus_ms: float = 0.2) -> Propagation:
    """Stimulate one end of a sealed uniform HH cable and record at 1/3 and 2/3 of its length.

    By default the cable length scales with √diameter (60 mm for HH's 476 µm axon), so every
    diameter is resolved by the same number of compartments. Voltage is integrated implicitly
    (backward Euler on the conductance-linearised cable, a tridiagonal solve per step); the gates by
    exponential Euler.
    """
    return simulate_propagations([diameter_um], temperature_C, membrane=membrane, length_mm=length_mm,
                                 n_compartments=n_compartments, dt_ms=dt_ms, duration_ms=duration_ms,
                                 stimulus_uA_per_cm2=stimulus_uA_per_cm2, stimulus_ms=stimulus_ms)[0]


def simulate_propagations(diameters_um, temperature_C: float = HH_PROPAGATION_TEMPERATURE_C,
                          *, membrane: HHMembrane = HH1952, length_mm: float | None = None,
                          n_compartments: int = 240, dt_ms: float = 0.005, duration_ms: float | None = None,
                          stimulus_uA_per_cm2: float = 400.0, stimulus_ms: float = 0.2) -> list[Propagation]:
    """:func:`simulate_propagation` for several independent cables at once.

    The cables are solved side by side as one block-tridiagonal system (no current flows between
    them), which costs little more than a single cable: the interactive table uses it.
    """
    diameters = [float(d) for d in diameters_um]
    for d in diameters:
        if not (d > 0 and math.isfinite(d)):
            raise ValueError(f"diameter must be a positive number of µm, got {d!r}")
    if not diameters:
        return []
    n = n_compartments
    k = len(diameters)
    scales = np.sqrt(np.asarray(diameters) / HH_SQUID_AXON_DIAMETER_UM)
    lengths_cm = np.full(k, length_mm / 10.0) if length_mm is not None else 6.0 * scales
    phi = temperature_factor(temperature_C, membrane)
    if duration_ms is None:
        # long enough for the impulse to pass the far electrode at 2/3 of the cable: a rough
        # speed estimate (√diameter, √φ) with a margin for the spike to finish
        phi_hh = temperature_factor(HH_PROPAGATION_TEMPERATURE_C, membrane)
        speed_estimates = HH_COMPUTED_VELOCITY_M_PER_S * scales * math.sqrt(phi / phi_hh)
        duration_ms = float(np.max(1.2 + 0.8 * (10.0 * lengths_cm) / speed_estimates))
    radii_cm = np.asarray(diameters) * 1e-4 / 2.0
    dx_cm = lengths_cm / n
    # axial coupling in µA/cm² per mV: 1000 × a / (2 Ri dx²), one value per cable
    coupling = np.repeat(1000.0 * radii_cm / (2.0 * membrane.axial_resistivity_ohm_cm * dx_cm**2), n)
    n_steps = int(round(duration_ms / dt_ms))
    cm = membrane.capacitance_uF_per_cm2

    size = k * n
    v = np.zeros(size)
    m0, h0, n0 = steady_state_gates(0.0)
    m = np.full(size, m0)
    h = np.full(size, h0)
    ng = np.full(size, n0)
    # the stimulated end spans 1 mm × √(d / 476 µm): a fixed fraction of each cable's length constant
    stim_mask = np.zeros(size, dtype=bool)
    for c in range(k):
        n_stim = max(1, int(round(0.1 * scales[c] / dx_cm[c])))
        stim_mask[c * n:c * n + n_stim] = True
    i1, i2 = n // 3, 2 * n // 3
    first = np.arange(k) * n + i1
    second = np.arange(k) * n + i2
    rec1 = np.empty((n_steps + 1, k))
    rec2 = np.empty((n_steps + 1, k))
    rec1[0], rec2[0] = v[first], v[second]

    # second-difference operator with sealed ends, cable by cable (zero coupling across cables)
    starts = np.arange(k) * n
    ends = starts + n - 1
    upper = -coupling.copy()
    upper[starts] = 0.0          # ab[0, j] couples j-1 and j: none into a cable's first node
    lower = -coupling.copy()
    lower[ends] = 0.0            # ab[2, j] couples j+1 and j: none out of a cable's last node
    neighbours = 2.0 * coupling
    neighbours[starts] = coupling[starts]
    neighbours[ends] = coupling[ends]
    ab = np.empty((3, size))
    ab[0], ab[2] = upper, lower
    stim = np.zeros(size)
    decay = -dt_ms

    for step in range(1, n_steps + 1):
        t = step * dt_ms
        r = rate_constants_per_ms(v)
        for gate, x in (("m", m), ("h", h), ("n", ng)):
            a, b = phi * r[f"alpha_{gate}"], phi * r[f"beta_{gate}"]
            total = a + b
            steady = a / total
            x[:] = steady + (x - steady) * np.exp(decay * total)
        g_na = membrane.g_na_mS_per_cm2 * m**3 * h
        g_k = membrane.g_k_mS_per_cm2 * ng**4
        g_total = g_na + g_k + membrane.g_leak_mS_per_cm2
        driving = (g_na * membrane.e_na_mV + g_k * membrane.e_k_mV
                   + membrane.g_leak_mS_per_cm2 * membrane.e_leak_mV)
        stim[stim_mask] = stimulus_uA_per_cm2 if t <= stimulus_ms else 0.0
        ab[1] = cm / dt_ms + g_total + neighbours
        v = solve_banded((1, 1), ab, cm / dt_ms * v + driving + stim, overwrite_ab=False, check_finite=False)
        rec1[step], rec2[step] = v[first], v[second]

    time_ms = np.arange(n_steps + 1) * dt_ms
    threshold = RESTING_POTENTIAL_MV + 50.0
    out = []
    for c, d in enumerate(diameters):
        v1 = rec1[:, c] + RESTING_POTENTIAL_MV
        v2 = rec2[:, c] + RESTING_POTENTIAL_MV
        out.append(Propagation(
            diameter_um=d, temperature_C=float(temperature_C),
            electrode_distance_mm=float((i2 - i1) * dx_cm[c] * 10.0), time_ms=time_ms,
            v_first_mV=v1, v_second_mV=v2,
            arrival_first_ms=_crossing_time_ms(time_ms, v1, threshold),
            arrival_second_ms=_crossing_time_ms(time_ms, v2, threshold),
            peak_mV=float(v2.max()),
        ))
    return out


def conduction_velocity_m_per_s(diameter_um: float, temperature_C: float = HH_PROPAGATION_TEMPERATURE_C,
                                **settings) -> float:
    """Velocity of the simulated impulse on an HH cable of this diameter (m/s)."""
    return simulate_propagation(diameter_um, temperature_C, **settings).velocity_m_per_s


#: Diameters (µm) of the lesson's velocity table: quarter decades from 0.1 to 1000 µm, plus HH's axon.
DIAMETER_GRID_UM: tuple[float, ...] = tuple(sorted(
    {round(10 ** (k / 4), 6) for k in range(-4, 13)} | {HH_SQUID_AXON_DIAMETER_UM}))

#: Coarser but converged settings for the interactive table (checked against the fine ones in tests).
FAST_SETTINGS = dict(n_compartments=120, dt_ms=0.01)


_CACHE: dict[tuple[float, float], Propagation] = {}


def cached_propagations(diameters_um, temperature_C: float = HH_PROPAGATION_TEMPERATURE_C) -> list[Propagation]:
    """``simulate_propagations`` with the fast settings, remembered per (diameter, temperature):
    the missing ones are run together in one batch (for the widgets)."""
    keys = [(float(d), float(temperature_C)) for d in diameters_um]
    missing = sorted({d for d, _ in keys if (d, float(temperature_C)) not in _CACHE})
    if missing:
        for prop in simulate_propagations(missing, temperature_C, **FAST_SETTINGS):
            _CACHE[(prop.diameter_um, float(temperature_C))] = prop
    return [_CACHE[key] for key in keys]


def cached_propagation(diameter_um: float, temperature_C: float = HH_PROPAGATION_TEMPERATURE_C) -> Propagation:
    return cached_propagations([diameter_um], temperature_C)[0]


def velocity_table(diameters_um=DIAMETER_GRID_UM,
                   temperature_C: float = HH_PROPAGATION_TEMPERATURE_C) -> dict[float, float]:
    """Diameter (µm) → simulated conduction velocity (m/s), one cable per diameter (run as a batch)."""
    return {p.diameter_um: p.velocity_m_per_s for p in cached_propagations(diameters_um, temperature_C)}


def nearest_grid_diameter_um(diameter_um: float, grid=DIAMETER_GRID_UM) -> float:
    """The grid diameter closest to ``diameter_um`` on a log scale."""
    if not diameter_um > 0:
        raise ValueError(f"diameter must be positive, got {diameter_um!r}")
    logs = np.log10(np.asarray(grid, dtype=float))
    return float(grid[int(np.argmin(np.abs(logs - math.log10(diameter_um))))])


def sqrt_scaled_velocity_m_per_s(diameter_um: float, reference_diameter_um: float = HH_SQUID_AXON_DIAMETER_UM,
                                 reference_velocity_m_per_s: float = HH_COMPUTED_VELOCITY_M_PER_S) -> float:
    """Cable theory for unmyelinated fibres with the same membrane: velocity ∝ √diameter."""
    if diameter_um < 0 or reference_diameter_um <= 0:
        raise ValueError("diameters must be positive")
    return reference_velocity_m_per_s * math.sqrt(diameter_um / reference_diameter_um)


def travel_time_ms(path_length_m: float, velocity_m_per_s: float) -> float:
    """Time for an impulse to cover ``path_length_m`` at ``velocity_m_per_s``, in milliseconds."""
    if velocity_m_per_s <= 0:
        raise ValueError("velocity must be positive")
    if path_length_m < 0:
        raise ValueError("path length cannot be negative")
    return 1000.0 * path_length_m / velocity_m_per_s


__all__ = [
    "HH1952", "HHMembrane", "Propagation", "RESTING_POTENTIAL_MV", "HH_PROPAGATION_TEMPERATURE_C",
    "HH_SQUID_AXON_DIAMETER_UM", "HH_COMPUTED_VELOCITY_M_PER_S", "DIAMETER_GRID_UM",
    "temperature_factor", "rate_constants_per_ms", "steady_state_gates", "ionic_current_uA_per_cm2",
    "resting_potential_mV", "simulate_propagation", "simulate_propagations", "conduction_velocity_m_per_s",
    "cached_propagation", "cached_propagations",
    "velocity_table", "nearest_grid_diameter_um", "sqrt_scaled_velocity_m_per_s", "travel_time_ms",
]
