"""Lesson 3's data: probiotic trials on depressive symptoms and published pooled estimates.

Rows come from assets/data/psychobiotic_trials.csv and assets/data/meta_analyses.csv; every
row names its source (a key of assets/references.yaml) and where in it the numbers were read.
Effect sizes are computed here with ``gutbrain.models.meta_analysis`` (statsmodels).
Sign convention everywhere in the lesson: probiotic − placebo, so a negative effect means fewer
depressive symptoms with the probiotic.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from gutbrain.data import AssetError, load_csv
from gutbrain.models import meta_analysis as ma

TRIALS_CSV = "data/psychobiotic_trials.csv"
META_CSV = "data/meta_analyses.csv"

#: The two ways the lesson pools the trials.
DATASETS = {
    "bdi_md": "Trials scored on the BDI: mean difference in BDI points",
    "smd": "Trials with means and SDs per arm: standardised mean difference (Hedges' g)",
}
#: Trial attributes a learner can split the pool by.
SUBGROUPS = {
    "none": "no subgroups",
    "intervention_type": "probiotic alone vs with a co-supplement",
    "population_group": "who took part",
    "outcome_kind": "what was compared: change from baseline, end-point score or adjusted difference",
}


def _num(value: str) -> float | None:
    value = (value or "").strip()
    return float(value) if value else None


def _int(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


@dataclass(frozen=True)
class Trial:
    key: str
    label: str
    year: int
    source: str
    where: str
    population: str
    population_group: str
    intervention: str
    intervention_type: str
    strains: str
    n_strains: int | None
    weeks: int | None
    scale: str
    outcome_kind: str  # change | endpoint | adjusted_md
    n_probiotic: int
    n_placebo: int
    mean_probiotic: float | None
    sd_probiotic: float | None
    mean_placebo: float | None
    sd_placebo: float | None
    md: float | None
    md_ci_low: float | None
    md_ci_high: float | None
    benefit_direction: str
    dispersion: str
    note: str

    @property
    def n(self) -> int:
        return self.n_probiotic + self.n_placebo

    @property
    def has_arm_data(self) -> bool:
        return None not in (self.mean_probiotic, self.sd_probiotic, self.mean_placebo, self.sd_placebo)

    def mean_difference(self) -> tuple[float, float]:
        """(MD, SE) in the trial's scale points, probiotic − placebo."""
        if self.has_arm_data:
            return ma.mean_difference(self.mean_probiotic, self.sd_probiotic, self.n_probiotic,
                                      self.mean_placebo, self.sd_placebo, self.n_placebo)
        if None in (self.md, self.md_ci_low, self.md_ci_high):
            raise ValueError(f"{self.key}: no mean difference can be computed from the shipped row")
        return self.md, ma.se_from_ci(self.md_ci_low, self.md_ci_high)

    def smd(self) -> tuple[float, float]:
        """(Hedges' g, SE), probiotic − placebo; only for trials with means and SDs per arm."""
        if not self.has_arm_data:
            raise ValueError(f"{self.key}: no means and SDs per arm, so no SMD")
        return ma.smd(self.mean_probiotic, self.sd_probiotic, self.n_probiotic,
                      self.mean_placebo, self.sd_placebo, self.n_placebo)


TRIAL_COLUMNS = ("key", "label", "year", "source", "where", "population", "population_group", "intervention",
                 "intervention_type", "scale", "outcome_kind", "n_probiotic", "n_placebo",
                 "benefit_direction")


@lru_cache(maxsize=1)
def _load_trials() -> tuple[Trial, ...]:
    rows = load_csv(TRIALS_CSV, TRIAL_COLUMNS)
    trials = []
    for r in rows:
        if r["benefit_direction"] != "lower":
            raise AssetError(f"{TRIALS_CSV}: {r['key']}: the lesson expects lower scores = benefit")
        trials.append(Trial(
            key=r["key"], label=r["label"], year=int(r["year"]), source=r["source"], where=r["where"],
            population=r["population"], population_group=r["population_group"], intervention=r["intervention"],
            intervention_type=r["intervention_type"], strains=r.get("strains", ""), n_strains=_int(r.get("n_strains")),
            weeks=_int(r.get("weeks")), scale=r["scale"], outcome_kind=r["outcome_kind"],
            n_probiotic=int(r["n_probiotic"]), n_placebo=int(r["n_placebo"]),
            mean_probiotic=_num(r.get("mean_probiotic")), sd_probiotic=_num(r.get("sd_probiotic")),
            mean_placebo=_num(r.get("mean_placebo")), sd_placebo=_num(r.get("sd_placebo")),
            md=_num(r.get("md")), md_ci_low=_num(r.get("md_ci_low")), md_ci_high=_num(r.get("md_ci_high")),
            benefit_direction=r["benefit_direction"], dispersion=r.get("dispersion", ""), note=r.get("note", ""),
        ))
    return tuple(trials)


def load_trials() -> list[Trial]:
    """Every shipped trial row (cached; the list is a fresh copy)."""
    return list(_load_trials())


def trial(key: str) -> Trial:
    for t in _load_trials():
        if t.key == key:
            return t
    raise KeyError(f"no trial {key!r} in {TRIALS_CSV}")


def trials_in(dataset: str) -> list[Trial]:
    """The trials a dataset pools: BDI trials (MD in points) or trials with arm data (SMD)."""
    if dataset == "bdi_md":
        return [t for t in _load_trials() if t.scale == "BDI"]
    if dataset == "smd":
        return [t for t in _load_trials() if t.has_arm_data]
    raise ValueError(f"unknown dataset {dataset!r}; use one of {', '.join(DATASETS)}")


def effects(dataset: str = "bdi_md", subgroup: str = "none") -> list[ma.Effect]:
    """Effects of a dataset's trials (probiotic − placebo), grouped by a trial attribute."""
    if subgroup not in SUBGROUPS:
        raise ValueError(f"unknown subgroup {subgroup!r}; use one of {', '.join(SUBGROUPS)}")
    out = []
    for t in trials_in(dataset):
        est, se = t.mean_difference() if dataset == "bdi_md" else t.smd()
        group = None if subgroup == "none" else getattr(t, subgroup)
        out.append(ma.Effect(label=t.label, estimate=est, se=se, year=t.year, group=group, n=t.n, key=t.key))
    return out


def measure_name(dataset: str) -> str:
    return "MD (BDI points)" if dataset == "bdi_md" else "SMD (Hedges' g, SD units)"


# ---------------------------------------------------------------------------------------------
# Published pooled estimates
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublishedPool:
    key: str
    label: str
    year: int
    source: str
    where: str
    supplement: str
    outcome: str
    population: str
    model: str
    measure: str
    k: int | None
    n: int | None
    estimate: float
    ci_low: float | None
    ci_high: float | None
    p: str
    tau2: float | None
    i2_percent: float | None
    benefit_sign: int
    consistency_note: str

    @property
    def has_ci(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    def oriented(self) -> tuple[float, float | None, float | None]:
        """(estimate, low, high) with the lesson's sign: negative = fewer symptoms with the supplement."""
        if self.benefit_sign < 0:
            return self.estimate, self.ci_low, self.ci_high
        flip = (lambda x: None if x is None else -x)
        return -self.estimate, flip(self.ci_high), flip(self.ci_low)

    def se(self) -> float | None:
        return ma.se_from_ci(self.ci_low, self.ci_high) if self.has_ci else None


META_COLUMNS = ("key", "label", "year", "source", "where", "supplement", "outcome", "population", "model",
                "measure", "estimate", "benefit_sign")


@lru_cache(maxsize=1)
def _load_meta() -> tuple[PublishedPool, ...]:
    rows = load_csv(META_CSV, META_COLUMNS)
    return tuple(PublishedPool(
        key=r["key"], label=r["label"], year=int(r["year"]), source=r["source"], where=r["where"],
        supplement=r["supplement"], outcome=r["outcome"], population=r["population"], model=r["model"],
        measure=r["measure"], k=_int(r.get("k")), n=_int(r.get("n")), estimate=float(r["estimate"]),
        ci_low=_num(r.get("ci_low")), ci_high=_num(r.get("ci_high")), p=(r.get("p") or "").strip(),
        tau2=_num(r.get("tau2")), i2_percent=_num(r.get("i2_percent")), benefit_sign=int(r["benefit_sign"]),
        consistency_note=(r.get("consistency_note") or "").strip(),
    ) for r in rows)


def load_meta_analyses() -> list[PublishedPool]:
    return list(_load_meta())


def published(key: str) -> PublishedPool:
    for m in _load_meta():
        if m.key == key:
            return m
    raise KeyError(f"no published estimate {key!r} in {META_CSV}")


def compare_published(a: PublishedPool, b: PublishedPool) -> list[str]:
    """What differs between two published pooled estimates, one sentence per difference."""
    out = []
    for attr, name in (("supplement", "supplement"), ("outcome", "outcome"), ("population", "population"),
                       ("model", "model"), ("measure", "effect measure")):
        va, vb = getattr(a, attr), getattr(b, attr)
        if va != vb:
            out.append(f"{name}: {va} vs {vb}")
    ka = "not stated" if a.k is None else str(a.k)
    kb = "not stated" if b.k is None else str(b.k)
    if ka != kb:
        out.append(f"number of studies: {ka} vs {kb}")
    if a.year != b.year:
        out.append(f"search/publication year: {a.year} vs {b.year} (later reviews can include later trials)")
    if a.has_ci != b.has_ci:
        out.append("only one of them gives a confidence interval in what the course could read")
    if not out:
        out.append("same question, population, model and measure as far as the course could read")
    return out


def consistency_problems() -> list[PublishedPool]:
    """Published rows whose numbers do not add up (recorded in the CSV's consistency_note)."""
    return [m for m in _load_meta() if m.consistency_note]
