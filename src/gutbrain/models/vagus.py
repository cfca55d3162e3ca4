"""Lesson 2's data: measured vagal conduction velocities, gut-to-brain routes and their key studies,
and the Bravo 2011 (mice) vs Kelly 2017 (healthy men) comparison.

Pure functions over ``assets/data/vagus_*.csv`` (every row carries ``source`` and ``where``).
No widgets, no plotting. The neuron model itself lives in :mod:`gutbrain.models.neuron`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from gutbrain.data import AssetError, load_csv
from gutbrain.models import neuron

# ---------------------------------------------------------------------------------------------
# Conduction velocities and travel time
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VelocityRange:
    """A measured (or modelled) range of conduction velocities of one fibre group."""

    key: str
    label: str
    species: str
    low_m_per_s: float
    high_m_per_s: float
    source: str
    where: str
    measured: bool = True

    def travel_time_range_ms(self, path_length_m: float) -> tuple[float, float]:
        """(fastest, slowest) arrival time over ``path_length_m``, in ms."""
        return (neuron.travel_time_ms(path_length_m, self.high_m_per_s),
                neuron.travel_time_ms(path_length_m, self.low_m_per_s))


@lru_cache(maxsize=1)
def load_conduction_velocities() -> tuple[VelocityRange, ...]:
    rows = load_csv("data/vagus_conduction_velocities.csv",
                    ("fibre_group", "label", "species", "low_m_per_s", "high_m_per_s", "source", "where"))
    out = []
    for row in rows:
        low, high = float(row["low_m_per_s"]), float(row["high_m_per_s"])
        if not (0 < low <= high):
            raise AssetError(f"vagus_conduction_velocities.csv: bad range {low}-{high} for {row['fibre_group']}")
        out.append(VelocityRange(row["fibre_group"], row["label"], row["species"], low, high,
                                 row["source"], row["where"]))
    return tuple(out)


@dataclass(frozen=True)
class AnatomyFact:
    """One measured quantity of the rat abdominal vagus (low–high, or low = high for a single value)."""

    quantity: str
    species: str
    low: float
    high: float
    unit: str
    source: str
    where: str


@lru_cache(maxsize=1)
def load_fibre_anatomy() -> tuple[AnatomyFact, ...]:
    rows = load_csv("data/vagus_fibre_anatomy.csv", ("quantity", "species", "low", "high", "unit", "source", "where"))
    return tuple(AnatomyFact(r["quantity"], r["species"], float(r["low"]), float(r["high"]), r["unit"],
                             r["source"], r["where"]) for r in rows)


def c_axon_diameter_range_um() -> tuple[float, float]:
    """Mean diameters of unmyelinated axons across the rat abdominal vagus's branches (µm)."""
    fact = next(f for f in load_fibre_anatomy() if f.quantity.startswith("Mean diameter of unmyelinated"))
    return fact.low, fact.high


#: Diameter used for the model C fibre in the travel-time demo (µm): inside the 0.75–0.83 µm range
#: of mean unmyelinated axon diameters in the rat abdominal vagus (Prechtl & Powley 1990).
MODEL_C_FIBRE_DIAMETER_UM = 0.8


def model_c_fibre_velocity() -> VelocityRange:
    """The HH squid-membrane cable at 0.8 µm: a *model* value, shown beside the measured ones."""
    v = neuron.cached_propagation(MODEL_C_FIBRE_DIAMETER_UM).velocity_m_per_s
    return VelocityRange("model_c_fibre", f"Model: squid-membrane cable, {MODEL_C_FIBRE_DIAMETER_UM:g} µm",
                         "model (squid membrane, 18.5 °C)", v, v, "hodgkin1952", "computed here", measured=False)


def travel_time_rows(path_length_m: float) -> list[dict]:
    """One row per fibre group: fastest and slowest arrival time (ms) over the assumed path."""
    if not (path_length_m >= 0 and math.isfinite(path_length_m)):
        raise ValueError(f"path length must be a non-negative number of metres, got {path_length_m!r}")
    rows = []
    for group in (*load_conduction_velocities(), model_c_fibre_velocity()):
        fastest, slowest = group.travel_time_range_ms(path_length_m)
        rows.append(dict(key=group.key, label=group.label, species=group.species, measured=group.measured,
                         fastest_ms=fastest, slowest_ms=slowest, low_m_per_s=group.low_m_per_s,
                         high_m_per_s=group.high_m_per_s, source=group.source))
    return rows


# ---------------------------------------------------------------------------------------------
# Routes from gut to brain
# ---------------------------------------------------------------------------------------------

ROUTES: Mapping[str, str] = MappingProxyType({
    "vagal": "Vagal afferents",
    "spinal": "Spinal afferents",
    "enteroendocrine": "Enteroendocrine / EC cells",
    "immune": "Immune signals",
    "metabolites": "Microbial metabolites",
})
#: What each route carries, in one line (shown in the diagram's hover text).
ROUTE_NOTES: Mapping[str, str] = MappingProxyType({
    "vagal": "nodose-ganglion sensory fibres from gut wall to brainstem",
    "spinal": "dorsal-root sensory fibres from gut to spinal cord (pain, discomfort)",
    "enteroendocrine": "gut-lining sensor cells that release serotonin and hormones onto nerves",
    "immune": "cytokines and immune cells (lesson 4)",
    "metabolites": "molecules made by gut microbes (lessons 1 and 3)",
})
SPECIES_FILTERS: Mapping[str, str] = MappingProxyType({
    "all": "All studies", "rodent": "Rodents only", "human": "Humans only",
})
DIRECTIONS: Mapping[str, str] = MappingProxyType({
    "effect": "effect through this route",
    "null": "no effect over control",
    "mechanism": "mechanism shown (no behaviour measured)",
    "against": "effect did not need this route",
})
#: Evidence ladder, weakest to strongest (x-axis order of the routes figure).
TIER_ORDER = ("review", "in vitro", "animal", "human observational", "human uncontrolled trial", "human RCT",
              "meta-analysis")


@dataclass(frozen=True)
class RouteStudy:
    route: str
    study: str
    species: str
    species_group: str
    tier: str
    n: str
    direction: str
    finding: str
    source: str
    where: str


@lru_cache(maxsize=1)
def load_route_studies() -> tuple[RouteStudy, ...]:
    rows = load_csv("data/vagus_route_studies.csv",
                    ("route", "study", "species", "species_group", "evidence_tier", "n", "direction",
                     "finding", "source", "where"))
    out = []
    for row in rows:
        if row["route"] not in ROUTES or row["direction"] not in DIRECTIONS or row["evidence_tier"] not in TIER_ORDER:
            raise AssetError(f"vagus_route_studies.csv: unknown route/direction/tier in {row['study']!r}")
        out.append(RouteStudy(row["route"], row["study"], row["species"], row["species_group"],
                              row["evidence_tier"], row["n"], row["direction"], row["finding"],
                              row["source"], row["where"]))
    return tuple(out)


def studies_for(route: str, species_filter: str = "all") -> list[RouteStudy]:
    """Key studies of one route; ``species_filter`` keeps rodent or human studies only."""
    if route not in ROUTES:
        raise ValueError(f"unknown route {route!r}; choose one of {', '.join(ROUTES)}")
    if species_filter not in SPECIES_FILTERS:
        raise ValueError(f"unknown species filter {species_filter!r}; choose one of {', '.join(SPECIES_FILTERS)}")
    return [s for s in load_route_studies()
            if s.route == route and (species_filter == "all" or s.species_group == species_filter)]


def human_evidence_by_route() -> dict[str, list[str]]:
    """Route → the human studies the lesson has for it (empty list: none)."""
    return {route: [s.study for s in studies_for(route, "human")] for route in ROUTES}


# ---------------------------------------------------------------------------------------------
# Mouse → human: Bravo 2011 vs Kelly 2017
# ---------------------------------------------------------------------------------------------

OUTCOMES: Mapping[str, str] = MappingProxyType({
    "anxiety": "Anxiety",
    "depression_mood": "Depression / mood",
    "stress_hormone": "Stress hormone",
    "brain": "Brain measure",
    "cognition": "Cognition",
    "inflammation": "Inflammation",
    "vagus_needed": "Needs the vagus?",
})
RESULTS: Mapping[str, str] = MappingProxyType({
    "reduced": "reduced", "changed": "changed", "no_effect": "no effect", "not_reported": "not reported",
    "needed": "yes: gone after vagotomy", "not_tested": "not tested",
})
#: Results that count as an effect of the probiotic.
EFFECT_RESULTS = ("reduced", "changed")
TRANSLATION_STUDIES = ("bravo2011", "kelly2017")
COMPARISON_VIEWS: Mapping[str, str] = MappingProxyType({
    "all": "Every outcome either study reports",
    "both": "Only outcomes measured in both",
})


@dataclass(frozen=True)
class OutcomeResult:
    outcome: str
    study: str
    species: str
    n: str
    design: str
    result: str
    measured: str
    source: str
    where: str

    @property
    def reported(self) -> bool:
        return self.result not in ("not_reported", "not_tested")


@lru_cache(maxsize=1)
def load_translation_outcomes() -> tuple[OutcomeResult, ...]:
    rows = load_csv("data/vagus_bravo_kelly.csv",
                    ("outcome", "study", "species", "n", "design", "result", "what_was_measured", "source", "where"))
    out = []
    for row in rows:
        if row["outcome"] not in OUTCOMES or row["result"] not in RESULTS or row["study"] not in TRANSLATION_STUDIES:
            raise AssetError(f"vagus_bravo_kelly.csv: unknown outcome/result/study in row {row}")
        out.append(OutcomeResult(row["outcome"], row["study"], row["species"], row["n"], row["design"],
                                 row["result"], row["what_was_measured"], row["source"], row["where"]))
    return tuple(out)


def translation_table(view: str = "all") -> list[tuple[str, OutcomeResult, OutcomeResult]]:
    """(outcome, mouse result, human result) rows; ``view="both"`` keeps outcomes both studies report."""
    if view not in COMPARISON_VIEWS:
        raise ValueError(f"unknown view {view!r}; choose one of {', '.join(COMPARISON_VIEWS)}")
    by_key = {(r.outcome, r.study): r for r in load_translation_outcomes()}
    rows = []
    for outcome in OUTCOMES:
        mouse, human = by_key[(outcome, "bravo2011")], by_key[(outcome, "kelly2017")]
        if view == "both" and not (mouse.reported and human.reported):
            continue
        rows.append((outcome, mouse, human))
    return rows


def replicated_outcomes() -> list[str]:
    """Outcomes with an effect in mice that the human trial also found (the lesson's answer: none)."""
    return [o for o, mouse, human in translation_table("both")
            if mouse.result in EFFECT_RESULTS and human.result in EFFECT_RESULTS]
