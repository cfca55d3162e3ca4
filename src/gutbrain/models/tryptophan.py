"""Human tryptophan metabolism, from the published kinetic model of Stavrum et al. (2013).

The SBML file (BioModels MODEL1310160000, liver parameterisation, CC0) is simulated with
libroadrunner. This module is the only place that knows the file's identifiers; everything
else speaks in domain names (``TPH1``, ``serotonin``, ``kynurenine_branch_flux``).

Units. The SBML file declares none. Following the model's provenance note, concentrations
are read as mM and rate constants as 1/s; the enzyme totals (``*_E_T``) are scaled
gene-expression values, not concentrations, so fluxes are in *model flux units* (relative,
comparable with each other, not mM/s of a real liver). This API takes and returns
concentrations in µM (names end in ``_uM``) and converts at the boundary.

Steady state is reached by integrating from the file's initial state for long enough
(``STEADY_STATE_HORIZON_S``) and then checking that every species has stopped changing;
roadrunner's Newton solver is ~300x slower on this model and is not needed.
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from gutbrain.data import asset_path

MODEL_FILE = "model/stavrum2013_liver_MODEL1310160000.xml"

UM_PER_MM = 1000.0
STEADY_STATE_HORIZON_S = 1.0e4
MAX_HORIZON_S = 1.0e7
#: Relative rate of change (1/s) below which a species counts as steady.
STEADY_STATE_TOLERANCE_PER_S = 1.0e-6

#: Enzyme (as a learner names it) -> model parameters holding its total amount.
ENZYME_PARAMETERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "TPH1": ("R01814_Tph1__E_T",),
        "TPH2": ("R01814_Tph2__E_T",),
        "TDO2": ("R00678_Tdo__E_T",),
        "IDO1": ("IDO_E_T",),
        "DDC": ("DDC_E_T",),
        "MAO": ("MAOA_E_T", "MAOB_E_T"),
    }
)

#: Metabolite (domain name) -> SBML species id.
METABOLITES: Mapping[str, str] = MappingProxyType(
    {
        "tryptophan": "M_trp_DASH_L_c",
        "5-hydroxytryptophan": "M_5htrp_c",
        "serotonin": "M_srtn_c",
        "N-formylkynurenine": "M_Lfmkynr_c",
        "kynurenine": "M_Lkynr_c",
        "3-hydroxykynurenine": "M_hLkynr_c",
        "3-hydroxyanthranilate": "M_3hanthrn_c",
        "tryptamine": "M_trypta_c",
    }
)

TRP_UPTAKE_REACTIONS = ("TRPtrans_Slc7a5", "TRPtrans_Slc7a8")
#: Tryptophan's fates: each reaction here consumes one intracellular tryptophan.
TRP_FATES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "serotonin": ("R01814_Tph1", "R01814_Tph2"),  # TPH: Trp -> 5-HTP
        "kynurenine": ("R00678_Tdo", "R00678_Indo"),  # TDO2/IDO1: Trp -> N-formylkynurenine
        "protein": ("R03664",),  # WARS: Trp -> Trp-tRNA
        "other": ("R00685", "R00677"),  # DDC: Trp -> tryptamine; IL4I1: Trp -> indole-3-pyruvate
    }
)

EXTRACELLULAR_TRP_SPECIES = "TRP_ex"
DEFAULT_EXTRACELLULAR_TRP_UM = 5.0  # the file's TRP_ex = 0.005 (mM)
MAX_EXTRACELLULAR_TRP_UM = 10_000.0
MAX_SCALE_FACTOR = 1000.0

ASSUMPTIONS = (
    "Liver parameterisation of Stavrum et al. 2013 (BioModels MODEL1310160000): one "
    "well-mixed hepatocyte cytosol fed by tryptophan outside the cell. The file declares no "
    "units: concentrations are read as mM (shown here in µM) and rate constants as 1/s. "
    "Enzyme amounts are scaled gene-expression values, so fluxes are relative model units, "
    "not measured rates. It is a model of liver, not of gut enterochromaffin cells or neurons."
)


class SteadyStateError(RuntimeError):
    """The model did not settle to a steady state within MAX_HORIZON_S."""


@dataclass(frozen=True)
class TryptophanSteadyState:
    """The model's steady state for one set of inputs.

    Concentrations are intracellular, in µM. Fluxes are in model flux units (relative).
    Shares are fractions (0..1) of the tryptophan consumed inside the cell.
    """

    extracellular_trp_uM: float
    enzyme_scale: Mapping[str, float]
    concentrations_uM: Mapping[str, float]
    fate_fluxes: Mapping[str, float]
    reaction_fluxes: Mapping[str, float] = field(repr=False)

    @property
    def trp_uptake_flux(self) -> float:
        return sum(self.reaction_fluxes[r] for r in TRP_UPTAKE_REACTIONS)

    @property
    def trp_consumed_flux(self) -> float:
        return sum(self.fate_fluxes.values())

    @property
    def serotonin_branch_flux(self) -> float:
        return self.fate_fluxes["serotonin"]

    @property
    def kynurenine_branch_flux(self) -> float:
        return self.fate_fluxes["kynurenine"]

    def fate_share(self, fate: str) -> float:
        """Fraction of consumed tryptophan that goes to ``fate`` (see TRP_FATES)."""
        total = self.trp_consumed_flux
        return self.fate_fluxes[fate] / total if total > 0 else 0.0

    @property
    def serotonin_branch_share(self) -> float:
        return self.fate_share("serotonin")

    @property
    def kynurenine_branch_share(self) -> float:
        return self.fate_share("kynurenine")

    @property
    def kyn_trp_ratio(self) -> float:
        """Intracellular kynurenine / tryptophan (dimensionless).

        Not the clinical plasma Kyn/Trp ratio, which is measured in blood.
        """
        return self.concentrations_uM["kynurenine"] / self.concentrations_uM["tryptophan"]


def uM_to_mM(value_uM: float) -> float:
    return value_uM / UM_PER_MM


def mM_to_uM(value_mM: float) -> float:
    return value_mM * UM_PER_MM


def _check_number(name: str, value: object, *, low: float, high: float, allow_low: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if value < low or (value == low and not allow_low) or value > high:
        bound = "≥" if allow_low else ">"
        raise ValueError(f"{name} must be {bound} {low:g} and ≤ {high:g}, got {value:g}")
    return value


def validate_inputs(
    extracellular_trp_uM: float, enzyme_scale: Mapping[str, float] | None
) -> tuple[float, dict[str, float]]:
    """Check inputs; return them normalised (every enzyme present, floats)."""
    trp = _check_number(
        "extracellular_trp_uM", extracellular_trp_uM,
        low=0.0, high=MAX_EXTRACELLULAR_TRP_UM, allow_low=False,
    )
    scale = {name: 1.0 for name in ENZYME_PARAMETERS}
    for name, factor in (enzyme_scale or {}).items():
        if name not in ENZYME_PARAMETERS:
            known = ", ".join(ENZYME_PARAMETERS)
            raise ValueError(f"unknown enzyme {name!r}: the model's adjustable enzymes are {known}")
        scale[name] = _check_number(
            f"enzyme_scale[{name!r}]", factor, low=0.0, high=MAX_SCALE_FACTOR, allow_low=True
        )
    return trp, scale


def promote_local_parameters(sbml_text: str) -> str:
    """Make every reaction-local kinetic parameter global, named ``<reaction>__<parameter>``.

    roadrunner cannot change local parameters, and TPH1, TPH2 and TDO2 keep their enzyme
    amounts as locals. This is libsbml's promoteLocalParameters conversion, done on the XML
    so that no extra dependency is needed; the simulated behaviour is unchanged (tested).
    """
    ns = {"sbml": "http://www.sbml.org/sbml/level2/version4"}
    ET.register_namespace("", ns["sbml"])
    root = ET.fromstring(sbml_text)
    model = root.find("sbml:model", ns)
    globals_ = model.find("sbml:listOfParameters", ns)
    for reaction in model.iterfind("sbml:listOfReactions/sbml:reaction", ns):
        law = reaction.find("sbml:kineticLaw", ns)
        local_list = law.find("sbml:listOfParameters", ns) if law is not None else None
        if local_list is None:
            continue
        renames = {}
        for param in list(local_list):
            local_id = param.get("id")
            global_id = f"{reaction.get('id')}__{local_id}"
            renames[local_id] = global_id
            param.set("id", global_id)
            param.attrib.pop("name", None)
            param.set("constant", "true")
            globals_.append(param)
            local_list.remove(param)
        law.remove(local_list)
        for ci in law.iter("{http://www.w3.org/1998/Math/MathML}ci"):
            name = (ci.text or "").strip()
            if name in renames:
                ci.text = f" {renames[name]} "
    return ET.tostring(root, encoding="unicode")


@lru_cache(maxsize=1)
def _load(model_path: Path):
    import roadrunner  # heavy import, deferred so the rest of gutbrain loads quickly

    text = promote_local_parameters(model_path.read_text(encoding="utf-8"))
    rr = roadrunner.RoadRunner(text)
    baseline = {
        param: rr[param] for params in ENZYME_PARAMETERS.values() for param in params
    }
    return rr, MappingProxyType(baseline)


def _roadrunner():
    return _load(asset_path(MODEL_FILE))


def steady_state(
    extracellular_trp_uM: float = DEFAULT_EXTRACELLULAR_TRP_UM,
    enzyme_scale: Mapping[str, float] | None = None,
) -> TryptophanSteadyState:
    """Steady state of the liver model for an extracellular tryptophan level and enzyme amounts.

    ``enzyme_scale`` multiplies the file's amount of each named enzyme (keys of
    ENZYME_PARAMETERS; 1.0 = as published, 0.0 = knocked out). Raises ValueError naming the
    parameter for unknown names, negative, NaN or infinite values.
    """
    trp_uM, scale = validate_inputs(extracellular_trp_uM, enzyme_scale)
    rr, baseline = _roadrunner()
    rr.reset()  # species and time back to the file's initial state
    for enzyme, params in ENZYME_PARAMETERS.items():
        for param in params:
            rr[param] = baseline[param] * scale[enzyme]
    rr[EXTRACELLULAR_TRP_SPECIES] = uM_to_mM(trp_uM)

    start, horizon = 0.0, STEADY_STATE_HORIZON_S
    while True:
        rr.simulate(start, horizon, 2)
        if _is_steady(rr):
            break
        if horizon >= MAX_HORIZON_S:
            raise SteadyStateError(
                f"no steady state by t = {MAX_HORIZON_S:g} s for extracellular_trp_uM="
                f"{trp_uM:g}, enzyme_scale={scale}"
            )
        start, horizon = horizon, horizon * 10

    model = rr.model
    species = dict(zip(model.getFloatingSpeciesIds(), model.getFloatingSpeciesConcentrations()))
    fluxes = dict(zip(model.getReactionIds(), (float(v) for v in model.getReactionRates())))
    concentrations = {name: mM_to_uM(float(species[sid])) for name, sid in METABOLITES.items()}
    fates = {fate: sum(fluxes[r] for r in reactions) for fate, reactions in TRP_FATES.items()}
    return TryptophanSteadyState(
        extracellular_trp_uM=trp_uM,
        enzyme_scale=MappingProxyType(scale),
        concentrations_uM=MappingProxyType(concentrations),
        fate_fluxes=MappingProxyType(fates),
        reaction_fluxes=MappingProxyType(fluxes),
    )


def _is_steady(rr) -> bool:
    model = rr.model
    rates = model.getFloatingSpeciesConcentrationRates()
    levels = model.getFloatingSpeciesConcentrations()
    for rate, level in zip(rates, levels):
        if abs(rate) > STEADY_STATE_TOLERANCE_PER_S * max(abs(level), 1e-9):
            return False
    return True


def sbml_species_ids(model_path: Path | None = None) -> set[str]:
    """All species ids declared in the SBML file (for tests and provenance checks)."""
    text = (model_path or asset_path(MODEL_FILE)).read_text(encoding="utf-8")
    return set(re.findall(r'<species id="([^"]+)"', text))
