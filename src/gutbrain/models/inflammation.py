"""Inflammation and depression in numbers: published study rows, and what an effect size means.

Data (assets/data/, every row with ``source`` and ``where``):

* ``ifn_alpha_kynurenine.csv``: interferon-alpha studies, compartment by compartment (blood,
  CSF): which tryptophan metabolites changed and in which direction, as the papers state it.
* ``cytokine_depression_meta.csv``: case-control meta-analyses of blood inflammatory markers.
* ``inflammation_treatment_meta.csv``: meta-analyses of anti-inflammatory treatment trials.

Effect sizes. For two normal distributions with equal SD whose means differ by ``d`` SDs
(Cohen's d), the overlap, the probability of superiority and the best single-cut-off
accuracy follow from the normal CDF. These are the textbook formulas, applied here to show
why a group difference of d ≈ 0.5 cannot sort individuals; real marker distributions are
skewed, so the numbers are an idealisation (computed here, not read from a study).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
from scipy.special import ndtr, ndtri  # scipy.special: the normal CDF without importing scipy.stats

from gutbrain.data import AssetError, load_csv, load_references

IFN_FILE = "data/ifn_alpha_kynurenine.csv"
CYTOKINE_FILE = "data/cytokine_depression_meta.csv"
TREATMENT_FILE = "data/inflammation_treatment_meta.csv"

DIRECTIONS = {
    "up": "raised",
    "down": "lowered",
    "no change": "no change",
    "linked": "linked to symptoms",
    "not linked": "not linked to symptoms",
    "not reported": "not stated in what the course read",
}
#: Columns of the blood-vs-brain grid: metabolites, the authors' summary of tryptophan
#: breakdown, and whether changes were linked to depressive symptoms.
METABOLITES = ("TRP", "KYN", "KYN/TRP", "QUIN", "KA", "TRP breakdown", "symptoms")
METABOLITE_NAMES = {
    "TRP": "tryptophan", "KYN": "kynurenine", "KYN/TRP": "kynurenine/tryptophan ratio",
    "QUIN": "quinolinic acid", "KA": "kynurenic acid",
    "TRP breakdown": "tryptophan breakdown (the authors' overall summary)",
    "symptoms": "link between the changes and depressive symptoms",
}


# --- effect sizes ----------------------------------------------------------------------------

def _d_array(d):
    arr = np.asarray(d, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"effect size d must be finite, got {d!r}")
    return arr


def _out(value, like):
    return float(value) if np.ndim(like) == 0 else value


def overlap_percent(d):
    """Overlapping coefficient of two equal-SD normal curves d SDs apart, in % (100 at d = 0)."""
    arr = _d_array(d)
    return _out(100 * 2 * ndtr(-np.abs(arr) / 2), d)


def superiority_percent(d):
    """Chance (%) that a random patient's value exceeds a random control's (Φ(d/√2))."""
    arr = _d_array(d)
    return _out(100 * ndtr(arr / np.sqrt(2)), d)


def above_control_median_percent(d):
    """Share (%) of patients above the controls' median (Cohen's U3 = Φ(d))."""
    arr = _d_array(d)
    return _out(100 * ndtr(arr), d)


def best_cutoff_accuracy_percent(d):
    """Accuracy (%) of the best single cut-off (midway) sorting equal-sized groups (Φ(|d|/2))."""
    arr = _d_array(d)
    return _out(100 * ndtr(np.abs(arr) / 2), d)


def patients_above_control_percentile(d, percentile: float = 90.0):
    """Share (%) of patients above the controls' given percentile (e.g. a 'high' cut-off)."""
    arr = _d_array(d)
    if not 0 < percentile < 100:
        raise ValueError("percentile must be between 0 and 100")
    z = ndtri(percentile / 100)
    return _out(100 * ndtr(arr - z), d)


@dataclass(frozen=True)
class OverlapSummary:
    d: float
    overlap_percent: float
    superiority_percent: float
    above_control_median_percent: float
    best_cutoff_accuracy_percent: float
    above_control_p90_percent: float


def overlap_summary(d: float) -> OverlapSummary:
    d = float(_d_array(d))
    return OverlapSummary(
        d=d, overlap_percent=overlap_percent(d), superiority_percent=superiority_percent(d),
        above_control_median_percent=above_control_median_percent(d),
        best_cutoff_accuracy_percent=best_cutoff_accuracy_percent(d),
        above_control_p90_percent=patients_above_control_percentile(d, 90.0),
    )


def density_curves(d: float, x: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x (control SD units), control density N(0, 1), patient density N(d, 1)."""
    d = float(_d_array(d))
    xs = np.linspace(-4.0, 5.5, 241) if x is None else np.asarray(x, dtype=float)
    pdf = lambda v: np.exp(-0.5 * v * v) / np.sqrt(2 * np.pi)
    return xs, pdf(xs), pdf(xs - d)


# --- published rows --------------------------------------------------------------------------

@dataclass(frozen=True)
class IfnRow:
    study: str            # citation key
    label: str            # e.g. "Raison 2010"
    population: str
    compartment: str      # "blood" or "CSF"
    metabolite: str       # one of METABOLITES
    direction: str        # key of DIRECTIONS
    n_treated: str
    n_comparison: str
    design: str
    quote: str
    source: str
    where: str


@dataclass(frozen=True)
class MetaRow:
    """One pooled estimate of a meta-analysis, as published (``None`` = not read)."""

    key: str
    label: str
    group: str
    measure: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    i2_percent: float | None
    k_studies: int | None
    n_participants: str
    p_value: str
    note: str
    source: str
    where: str

    @property
    def has_ci(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None


def _num(text: str) -> float | None:
    text = (text or "").strip()
    return None if text in ("", "not read") else float(text)


def _check_sources(rows, path):
    refs = load_references()
    for row in rows:
        if row.source not in refs:
            raise AssetError(f"assets/{path}: source {row.source!r} is not in assets/references.yaml")
    return rows


@lru_cache(maxsize=1)
def load_ifn_rows() -> tuple[IfnRow, ...]:
    cols = ("study", "label", "population", "compartment", "metabolite", "direction", "n_treated",
            "n_comparison", "design", "quote", "source", "where")
    required = tuple(c for c in cols if c != "quote")
    rows = [IfnRow(**{c: (r.get(c) or "").strip() for c in cols}) for r in load_csv(IFN_FILE, required)]
    for r in rows:
        if r.direction not in DIRECTIONS or r.metabolite not in METABOLITES or r.compartment not in ("blood", "CSF"):
            raise AssetError(f"assets/{IFN_FILE}: bad row {r}")
    return tuple(_check_sources(rows, IFN_FILE))


def _load_meta(path: str) -> tuple[MetaRow, ...]:
    cols = ("key", "label", "group", "measure", "estimate", "source", "where")
    rows = []
    for r in load_csv(path, cols):
        rows.append(MetaRow(
            key=r["key"], label=r["label"], group=r["group"], measure=r["measure"],
            estimate=float(r["estimate"]), ci_low=_num(r.get("ci_low", "")), ci_high=_num(r.get("ci_high", "")),
            i2_percent=_num(r.get("i2_percent", "")),
            k_studies=None if _num(r.get("k_studies", "")) is None else int(float(r["k_studies"])),
            n_participants=(r.get("n_participants") or "").strip(), p_value=(r.get("p_value") or "").strip(),
            note=(r.get("note") or "").strip(), source=r["source"], where=r["where"],
        ))
    return tuple(_check_sources(rows, path))


@lru_cache(maxsize=1)
def load_cytokine_rows() -> tuple[MetaRow, ...]:
    return _load_meta(CYTOKINE_FILE)


@lru_cache(maxsize=1)
def load_treatment_rows() -> tuple[MetaRow, ...]:
    return _load_meta(TREATMENT_FILE)


def ifn_studies() -> dict[str, str]:
    """Citation key -> label, in file order."""
    out: dict[str, str] = {}
    for r in load_ifn_rows():
        out.setdefault(r.study, r.label)
    return out
