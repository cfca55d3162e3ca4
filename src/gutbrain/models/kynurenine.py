"""Immune activation on the Stavrum 2013 liver model: IDO1 and TDO2 competing for tryptophan.

Built on :mod:`gutbrain.models.tryptophan` (which it does not change). Two knobs:

* ``ido1_fold``: a multiple of the model's own IDO1 amount (``IDO_E_T``). It is a *scaling of an
  enzyme amount in a liver model*, not a cytokine dose: no published model here links an
  interferon concentration to an IDO1 amount, so the course does not pretend to.
* ``tdo2_fold``: the same for TDO2 (in life induced in liver by glucocorticoids and by
  tryptophan itself; here simply a scaling).

What the model shows (tested in tests/test_kynurenine_model.py): in this liver, TDO2 carries
almost all tryptophan degradation. Extra IDO1 first takes flux *away from TDO2* (both enzymes
compete for the same intracellular tryptophan, whose supply is set by uptake); intracellular
tryptophan and the serotonin branch fall appreciably only when IDO1's capacity approaches TDO2's.
The Kyn/Trp ratio rises mostly because tryptophan falls.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from gutbrain.models import tryptophan as trp

#: Reactions (SBML ids) of the two dioxygenases: tryptophan -> N-formylkynurenine.
TDO2_REACTION = "R00678_Tdo"
IDO1_REACTION = "R00678_Indo"

IDO1_FOLD_RANGE = (1.0, 1000.0)   # log slider: published amount up to 1000x
TDO2_FOLD_RANGE = (0.1, 10.0)
#: IDO1 folds at which the response curve is computed (log-spaced, 2 per decade: each point is an
#: exact steady state; a TDO2 slider move recomputes all of them, so few points keep it fast).
SWEEP_IDO1_FOLDS = tuple(10 ** (k / 2) for k in range(0, 7))

ASSUMPTIONS = (
    "The liver parameterisation of Stavrum et al. 2013 (one hepatocyte cytosol; enzyme amounts "
    "are scaled gene-expression values, so fluxes are relative model units). 'IDO1 × N' multiplies "
    "the model's IDO1 amount by N: it stands for induction of the enzyme, not for a dose of any "
    "cytokine, and the model has no immune cells, no blood and no brain."
)


@dataclass(frozen=True)
class ImmuneActivationState:
    """One steady state of the liver model with scaled IDO1 and TDO2.

    Fluxes are in model flux units; shares are fractions (0..1) of the tryptophan consumed in the
    cell; concentrations are intracellular, in µM.
    """

    ido1_fold: float
    tdo2_fold: float
    tdo2_flux: float
    ido1_flux: float
    serotonin_flux: float
    other_flux: float          # protein synthesis, tryptamine, indole-3-pyruvate
    trp_uM: float
    kyn_uM: float
    serotonin_uM: float

    @property
    def consumed_flux(self) -> float:
        return self.tdo2_flux + self.ido1_flux + self.serotonin_flux + self.other_flux

    def share(self, branch: str) -> float:
        """Fraction of consumed tryptophan taken by 'tdo2', 'ido1', 'serotonin' or 'other'."""
        flux = {"tdo2": self.tdo2_flux, "ido1": self.ido1_flux,
                "serotonin": self.serotonin_flux, "other": self.other_flux}[branch]
        return flux / self.consumed_flux if self.consumed_flux > 0 else 0.0

    @property
    def ido1_share(self) -> float:
        return self.share("ido1")

    @property
    def ido1_to_tdo2_flux_ratio(self) -> float:
        """IDO1 flux / TDO2 flux: both act on the same tryptophan, so this is the ratio of their
        capacities at the current tryptophan level."""
        return self.ido1_flux / self.tdo2_flux if self.tdo2_flux > 0 else math.inf

    @property
    def kyn_trp_ratio(self) -> float:
        """Intracellular kynurenine / tryptophan of the model cell (not the plasma ratio)."""
        return self.kyn_uM / self.trp_uM


def _check_fold(name: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < low or value > high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return value


def immune_activation(ido1_fold: float = 1.0, tdo2_fold: float = 1.0,
                      extracellular_trp_uM: float = trp.DEFAULT_EXTRACELLULAR_TRP_UM
                      ) -> ImmuneActivationState:
    """Steady state with IDO1 and TDO2 amounts scaled by ``ido1_fold`` and ``tdo2_fold``."""
    ido1_fold = _check_fold("ido1_fold", ido1_fold, 0.0, trp.MAX_SCALE_FACTOR)
    tdo2_fold = _check_fold("tdo2_fold", tdo2_fold, 0.0, trp.MAX_SCALE_FACTOR)
    return _cached(round(ido1_fold, 9), round(tdo2_fold, 9), float(extracellular_trp_uM))


@lru_cache(maxsize=4096)
def _cached(ido1_fold: float, tdo2_fold: float, extracellular_trp_uM: float) -> ImmuneActivationState:
    state = trp.steady_state(extracellular_trp_uM, {"IDO1": ido1_fold, "TDO2": tdo2_fold})
    f = state.reaction_fluxes
    tdo2, ido1 = f[TDO2_REACTION], f[IDO1_REACTION]
    serotonin = state.fate_fluxes["serotonin"]
    other = state.trp_consumed_flux - tdo2 - ido1 - serotonin
    c = state.concentrations_uM
    return ImmuneActivationState(
        ido1_fold=ido1_fold, tdo2_fold=tdo2_fold, tdo2_flux=tdo2, ido1_flux=ido1,
        serotonin_flux=serotonin, other_flux=other, trp_uM=c["tryptophan"], kyn_uM=c["kynurenine"],
        serotonin_uM=c["serotonin"],
    )


def baseline() -> ImmuneActivationState:
    """The model as published (IDO1 × 1, TDO2 × 1)."""
    return immune_activation(1.0, 1.0)


def percent_of_baseline(state: ImmuneActivationState, reference: ImmuneActivationState | None = None
                        ) -> dict[str, float]:
    """Tryptophan, kynurenine, serotonin-branch flux and Kyn/Trp as % of the published model."""
    ref = reference or baseline()
    return {
        "tryptophan": 100 * state.trp_uM / ref.trp_uM,
        "kynurenine": 100 * state.kyn_uM / ref.kyn_uM,
        "serotonin branch": 100 * state.serotonin_flux / ref.serotonin_flux,
        "Kyn/Trp": 100 * state.kyn_trp_ratio / ref.kyn_trp_ratio,
    }


def ido1_sweep(tdo2_fold: float = 1.0, folds=SWEEP_IDO1_FOLDS) -> list[ImmuneActivationState]:
    """Steady states along the IDO1 axis at one TDO2 amount (cached: a slider redraws fast)."""
    return [immune_activation(f, tdo2_fold) for f in folds]


def ido1_fold_for_equal_flux(tdo2_fold: float = 1.0, iterations: int = 2) -> float:
    """The IDO1 fold at which IDO1 and TDO2 carry equal flux (inf if beyond MAX_SCALE_FACTOR).

    Both enzymes see the same tryptophan, so their flux ratio grows almost in proportion to the
    IDO1 amount: start from the published model and apply ``fold <- fold / ratio(fold)`` twice
    (tests compare it with a bisection)."""
    fold = 1.0
    for _ in range(iterations):
        ratio = immune_activation(min(fold, trp.MAX_SCALE_FACTOR), tdo2_fold).ido1_to_tdo2_flux_ratio
        if ratio == 0:
            return math.inf
        fold = min(fold, trp.MAX_SCALE_FACTOR) / ratio
        if fold > trp.MAX_SCALE_FACTOR * 10:
            return math.inf
    return fold if fold <= trp.MAX_SCALE_FACTOR else math.inf


def ido1_fold_for_equal_flux_bisection(tdo2_fold: float = 1.0) -> float:
    """Reference implementation (slow, for tests): bisection on the log IDO1 axis."""
    lo, hi = 0.0, math.log10(trp.MAX_SCALE_FACTOR)
    if immune_activation(10 ** hi, tdo2_fold).ido1_to_tdo2_flux_ratio < 1:
        return math.inf
    for _ in range(40):
        mid = (lo + hi) / 2
        if immune_activation(10 ** mid, tdo2_fold).ido1_to_tdo2_flux_ratio < 1:
            lo = mid
        else:
            hi = mid
    return 10 ** ((lo + hi) / 2)
