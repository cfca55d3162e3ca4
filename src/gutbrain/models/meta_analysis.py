"""Meta-analysis of two-arm trials: effect sizes, pooling, heterogeneity, small-study tests.

A thin, tested layer over the field's library, ``statsmodels.stats.meta_analysis``
(``effectsize_smd``, ``combine_effects``): the pooling itself is statsmodels'; this module adds
what a lesson needs around it (one result object, the usual truncation of a negative
DerSimonian–Laird τ², a prediction interval, leave-one-out, cumulative and subgroup runs,
Egger's regression with statsmodels OLS, and plain-language readings of an SMD).

Conventions: effects are "treatment − control"; a standard error (SE) is on the scale of the
effect; confidence intervals are 95% (normal) unless said otherwise. Pure functions, no plotting.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special, stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.meta_analysis import combine_effects, effectsize_smd
from statsmodels.tools.tools import add_constant

Z95 = float(stats.norm.ppf(0.975))

#: method name -> (statsmodels ``method_re``, label). "fixed" uses the fixed-effect part.
METHODS = {
    "fixed": ("dl", "fixed effect (inverse variance)"),
    "random-dl": ("dl", "random effects, DerSimonian–Laird τ²"),
    "random-pm": ("pm", "random effects, Paule–Mandel τ²"),
}


@dataclass(frozen=True)
class Effect:
    """One study's effect (treatment − control) with its standard error."""

    label: str
    estimate: float
    se: float
    year: int | None = None
    group: str | None = None
    n: int | None = None
    key: str = ""

    def __post_init__(self):
        if not (math.isfinite(self.estimate) and math.isfinite(self.se) and self.se > 0):
            raise ValueError(f"effect {self.label!r}: need a finite estimate and a positive SE")

    @property
    def variance(self) -> float:
        return self.se ** 2

    @property
    def ci_low(self) -> float:
        return self.estimate - Z95 * self.se

    @property
    def ci_high(self) -> float:
        return self.estimate + Z95 * self.se


@dataclass(frozen=True)
class PooledResult:
    """A pooled estimate and its heterogeneity statistics."""

    method: str
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p: float
    tau2: float
    q: float
    df: int
    p_heterogeneity: float
    i2: float  # fraction 0..1
    weights: tuple[float, ...] = field(default_factory=tuple)  # relative weights, sum 1
    pi_low: float | None = None  # 95% prediction interval (k >= 3, random effects)
    pi_high: float | None = None

    @property
    def i2_percent(self) -> float:
        return 100.0 * self.i2

    @property
    def method_label(self) -> str:
        return METHODS[self.method][1]


# ---------------------------------------------------------------------------------------------
# Effect sizes from a trial's reported numbers
# ---------------------------------------------------------------------------------------------

def smd(mean_t: float, sd_t: float, n_t: int, mean_c: float, sd_c: float, n_c: int) -> tuple[float, float]:
    """Standardised mean difference (Hedges' g, small-sample corrected) and its SE.

    statsmodels' ``effectsize_smd``: pooled SD from both arms, correction 1 − 3/(4N − 9),
    variance N/(n_t n_c) + g²/(2(N − 3.94)). Negative g = lower scores with treatment.
    """
    for name, value in (("sd_t", sd_t), ("sd_c", sd_c)):
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value}")
    if n_t < 2 or n_c < 2:
        raise ValueError("each arm needs at least 2 participants")
    g, var = effectsize_smd(np.float64(mean_t), np.float64(sd_t), np.float64(n_t),
                            np.float64(mean_c), np.float64(sd_c), np.float64(n_c))
    return float(g), float(math.sqrt(var))


def mean_difference(mean_t: float, sd_t: float, n_t: int, mean_c: float, sd_c: float,
                    n_c: int) -> tuple[float, float]:
    """Raw mean difference (in the scale's points) and its SE, sqrt(sd_t²/n_t + sd_c²/n_c)."""
    if n_t < 1 or n_c < 1 or not (sd_t >= 0 and sd_c >= 0):
        raise ValueError("need n >= 1 and SD >= 0 in each arm")
    return float(mean_t - mean_c), math.sqrt(sd_t ** 2 / n_t + sd_c ** 2 / n_c)


def se_from_ci(ci_low: float, ci_high: float, level: float = 0.95) -> float:
    """SE of a symmetric (normal-based) confidence interval: width / (2 z)."""
    if not ci_high > ci_low:
        raise ValueError("need ci_low < ci_high")
    z = float(stats.norm.ppf(0.5 + level / 2))
    return (ci_high - ci_low) / (2 * z)


def p_from_estimate(estimate: float, se: float) -> float:
    """Two-sided p value of estimate / SE against the standard normal."""
    return float(2 * special.ndtr(-abs(estimate / se)))


def ci_midpoint_gap(estimate: float, ci_low: float, ci_high: float) -> float:
    """How far a published estimate sits from the middle of its CI (0 for a symmetric CI)."""
    return estimate - (ci_low + ci_high) / 2


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------

def _arrays(effects: Sequence[Effect] | None, estimates, variances):
    if effects is not None:
        return (np.array([e.estimate for e in effects], dtype=float),
                np.array([e.variance for e in effects], dtype=float))
    return np.asarray(estimates, dtype=float), np.asarray(variances, dtype=float)


def pool(effects: Sequence[Effect] | None = None, *, estimates=None, variances=None,
         method: str = "random-dl") -> PooledResult:
    """Pool study effects with statsmodels' ``combine_effects``.

    method: "fixed" (inverse variance), "random-dl" (DerSimonian–Laird τ²) or "random-pm"
    (Paule–Mandel τ², iterated). A negative DL τ² is set to 0 (then random = fixed), as metafor
    and RevMan do; I² is reported as max(0, (Q − df)/Q). Give ``effects`` or the two arrays.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    y, v = _arrays(effects, estimates, variances)
    k = len(y)
    if k == 0:
        raise ValueError("nothing to pool: no effects")
    if np.any(~np.isfinite(y)) or np.any(~(v > 0)):
        raise ValueError("every effect needs a finite estimate and a positive variance")
    if k == 1:
        se = float(math.sqrt(v[0]))
        est = float(y[0])
        return PooledResult(method, 1, est, se, est - Z95 * se, est + Z95 * se, est / se,
                            p_from_estimate(est, se), 0.0, 0.0, 0, float("nan"), 0.0, (1.0,))
    method_re, _ = METHODS[method]
    kwds = {"atol": 1e-10, "maxiter": 200} if method_re == "pm" else {}
    with np.errstate(divide="ignore", invalid="ignore"):
        res = combine_effects(y, v, method_re=method_re, use_t=False, **kwds)
    q, df = float(res.q), k - 1
    if method == "fixed" or float(res.tau2) <= 0:
        tau2 = 0.0
        est, se = float(res.mean_effect_fe), float(res.sd_eff_w_fe)
        weights = np.asarray(res.weights_rel_fe, dtype=float)
    else:
        tau2 = float(res.tau2)
        est, se = float(res.mean_effect_re), float(res.sd_eff_w_re)
        weights = np.asarray(res.weights_rel_re, dtype=float)
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    pi_low = pi_high = None
    if method != "fixed" and k >= 3:
        t = float(special.stdtrit(k - 2, 0.975))
        half = t * math.sqrt(tau2 + se ** 2)
        pi_low, pi_high = est - half, est + half
    return PooledResult(
        method=method, k=k, estimate=est, se=se, ci_low=est - Z95 * se, ci_high=est + Z95 * se,
        z=est / se, p=p_from_estimate(est, se), tau2=tau2, q=q, df=df,
        p_heterogeneity=float(special.chdtrc(df, q)), i2=i2,
        weights=tuple(float(w) for w in weights), pi_low=pi_low, pi_high=pi_high,
    )


def leave_one_out(effects: Sequence[Effect], method: str = "random-dl") -> list[tuple[Effect, PooledResult]]:
    """The pooled result with each study left out in turn: (left-out study, result of the rest)."""
    if len(effects) < 2:
        return []
    return [(e, pool([f for f in effects if f is not e], method=method)) for e in effects]


def cumulative(effects: Sequence[Effect], method: str = "random-dl",
               key: Callable[[Effect], object] | None = None) -> list[tuple[Effect, PooledResult]]:
    """Pool the first 1, 2, … studies in order (by year, then label, unless ``key`` is given)."""
    order = sorted(effects, key=key or (lambda e: (e.year if e.year is not None else 10 ** 6, e.label)))
    return [(e, pool(order[: i + 1], method=method)) for i, e in enumerate(order)]


@dataclass(frozen=True)
class SubgroupResult:
    groups: dict[str, PooledResult]
    q_between: float
    df_between: int
    p_between: float


def subgroups(effects: Sequence[Effect], method: str = "random-dl") -> SubgroupResult:
    """Pool each group (Effect.group) separately, and test whether the group estimates differ
    (Q between groups, on the groups' pooled estimates and SEs; χ² with groups − 1 df)."""
    names: list[str] = []
    for e in effects:
        g = e.group or "all"
        if g not in names:
            names.append(g)
    groups = {g: pool([e for e in effects if (e.group or "all") == g], method=method) for g in names}
    if len(groups) < 2:
        return SubgroupResult(groups, 0.0, 0, float("nan"))
    between = pool(estimates=[r.estimate for r in groups.values()],
                   variances=[r.se ** 2 for r in groups.values()], method="fixed")
    return SubgroupResult(groups, between.q, between.df, between.p_heterogeneity)


@dataclass(frozen=True)
class EggerResult:
    intercept: float
    slope: float
    se_intercept: float
    t: float
    p: float
    df: int


def egger_test(effects: Sequence[Effect] | None = None, *, estimates=None, ses=None) -> EggerResult:
    """Egger's regression test for funnel asymmetry (statsmodels OLS).

    Regress the standard normal deviate (estimate / SE) on precision (1 / SE); an intercept away
    from 0 means small studies report different effects than large ones. Needs >= 3 studies.
    """
    if effects is not None:
        y_est = np.array([e.estimate for e in effects], dtype=float)
        se = np.array([e.se for e in effects], dtype=float)
    else:
        y_est, se = np.asarray(estimates, dtype=float), np.asarray(ses, dtype=float)
    if len(y_est) < 3:
        raise ValueError("Egger's test needs at least 3 studies")
    fit = OLS(y_est / se, add_constant(1.0 / se, has_constant="add")).fit()
    intercept, slope = (float(x) for x in fit.params)
    return EggerResult(intercept=intercept, slope=slope, se_intercept=float(fit.bse[0]),
                       t=float(fit.tvalues[0]), p=float(fit.pvalues[0]), df=int(fit.df_resid))


# ---------------------------------------------------------------------------------------------
# What an SMD means
# ---------------------------------------------------------------------------------------------

def probability_of_superiority(d: float) -> float:
    """Chance that a random treated person scores higher than a random control, Φ(d / √2)
    (two normal distributions with equal SD, d = mean difference / SD)."""
    return float(stats.norm.cdf(d / math.sqrt(2)))


def overlap_coefficient(d: float) -> float:
    """Share of two equal-SD normal distributions that overlaps, 2 Φ(−|d| / 2)."""
    return float(2 * stats.norm.cdf(-abs(d) / 2))


def smd_to_points(d: float, sd_points: float) -> float:
    """An SMD back on a scale: d × SD (the SD of that scale in the population studied)."""
    return d * sd_points


def pooled_sd(sd_t: float, n_t: int, sd_c: float, n_c: int) -> float:
    """The pooled within-arm SD that an SMD divides by."""
    return math.sqrt(((n_t - 1) * sd_t ** 2 + (n_c - 1) * sd_c ** 2) / (n_t + n_c - 2))


def describe_pooled(result: PooledResult, *, measure: str = "SMD", benefit: str = "negative",
                    digits: int = 2) -> str:
    """A plain-language reading of a pooled result (for the status line under a figure)."""
    f = f"{{:.{digits}f}}"
    est, lo, hi = (f.format(x).replace("-", "−") for x in (result.estimate, result.ci_low, result.ci_high))
    if result.k == 1:
        return f"One study only: {measure} {est} (95% CI {lo} to {hi}); there is nothing to pool."
    favours = (result.ci_high < 0) if benefit == "negative" else (result.ci_low > 0)
    against = (result.ci_low > 0) if benefit == "negative" else (result.ci_high < 0)
    if favours:
        verdict = "the whole 95% CI lies on the side of benefit"
    elif against:
        verdict = "the whole 95% CI lies on the side of harm"
    else:
        verdict = "the 95% CI includes 0 (no effect)"
    het = (f"τ² = {result.tau2:.3f}, I² = {result.i2_percent:.0f}% "
           f"(Q = {result.q:.2f} on {result.df} df, p = {result.p_heterogeneity:.2g})")
    text = (f"{result.k} studies, {result.method_label}: pooled {measure} {est} (95% CI {lo} to {hi}); "
            f"{verdict}. Heterogeneity: {het}.")
    if result.pi_low is not None:
        text += (f" A new study's true effect would lie between {f.format(result.pi_low)} and "
                 f"{f.format(result.pi_high)} (95% prediction interval).").replace("-", "−")
    return text


def describe_many(results: Iterable[tuple[str, PooledResult]], measure: str = "SMD") -> str:
    return " ".join(f"{label}: {measure} {r.estimate:.2f} ({r.ci_low:.2f} to {r.ci_high:.2f})."
                    for label, r in results).replace("-", "−")
