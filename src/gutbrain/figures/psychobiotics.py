"""Figures of lesson 3: the meta-analysis lab, the funnel, the forest of meta-analyses, what an SMD means.

Pure builders (no ipywidgets): each ``*_view`` function turns the learner's choices into plain
data (rows, pooled rows, title, text alternative, a plain-language reading); the ``*_figure``
functions draw it with ``gutbrain.figures.forest``; the ``update_*`` functions redraw in place.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from gutbrain.figures.forest import ForestRow, forest_plot, funnel_plot, update_forest_plot, update_funnel_plot
from gutbrain.figures.style import OKABE_ITO, base_layout, title_layout
from gutbrain.models import meta_analysis as ma
from gutbrain.models import psychobiotics as ps

FAVOURS = ("favours probiotic", "favours placebo")


def _f(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace("-", "−")


# ---------------------------------------------------------------------------------------------
# 1. Meta-analysis lab
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LabView:
    rows: list[ForestRow]
    pooled: list[ForestRow]
    result: ma.PooledResult
    title: str
    x_title: str
    reading: str
    alt_text: str


def lab_view(dataset: str = "bdi_md", method: str = "random-dl", subgroup: str = "none",
             leave_out: str | None = None, cumulative: bool = False,
             effects: list[ma.Effect] | None = None) -> LabView:
    """Everything the lab shows for one set of choices. ``effects`` overrides the shipped trials
    (used by the benchmark and tests); ``leave_out`` is a trial key or label."""
    all_effects = effects if effects is not None else ps.effects(dataset, subgroup)
    kept = [e for e in all_effects if leave_out not in (e.key, e.label)] if leave_out else list(all_effects)
    measure = ps.measure_name(dataset)
    result = ma.pool(kept, method=method)
    if cumulative:
        steps = ma.cumulative(kept, method=method)
        rows = [ForestRow(label=f"+ {e.label} (k = {r.k})", estimate=r.estimate, ci_low=r.ci_low,
                          ci_high=r.ci_high, note=f"pooled over the first {r.k} by year")
                for e, r in steps]
        pooled = [ForestRow("All trials", result.estimate, result.ci_low, result.ci_high)]
    else:
        rows = [ForestRow(label=e.label, estimate=e.estimate, ci_low=e.ci_low, ci_high=e.ci_high,
                          weight=w, group=e.group, note=f"n = {e.n}" if e.n else "")
                for e, w in zip(kept, result.weights)]
        pooled = []
        if subgroup != "none":
            sub = ma.subgroups(kept, method=method)
            for name, r in sub.groups.items():
                pooled.append(ForestRow(f"{name} (k = {r.k})", r.estimate, r.ci_low, r.ci_high))
        pooled.append(ForestRow(f"All (k = {result.k})", result.estimate, result.ci_low, result.ci_high,
                                pi_low=result.pi_low, pi_high=result.pi_high,
                                note="dotted line: 95% prediction interval" if result.pi_low is not None else ""))
    reading = ma.describe_pooled(result, measure=measure)
    if subgroup != "none" and not cumulative:
        sub = ma.subgroups(kept, method=method)
        if sub.df_between:
            reading += (f" Subgroups ({ps.SUBGROUPS[subgroup]}): " + ma.describe_many(
                ((name, r) for name, r in sub.groups.items()), measure=measure)
                + f" Test for a difference between subgroups: Q = {sub.q_between:.2f} on {sub.df_between} df, "
                  f"p = {sub.p_between:.2g}.")
    if leave_out and len(kept) < len(all_effects):
        reading = f"Left out: {leave_out_label(all_effects, leave_out)}. " + reading
    elif leave_out:
        reading = f"{ps.trial(leave_out).label if leave_out in {t.key for t in ps.load_trials()} else leave_out} " \
                  "is not in this dataset, so nothing is left out. " + reading
    short = {"fixed": "fixed effect", "random-dl": "random, DL", "random-pm": "random, PM"}[method]
    trials = f"{result.k} trial{'s' if result.k != 1 else ''}"
    interval = f"{_f(result.estimate)} [{_f(result.ci_low)}, {_f(result.ci_high)}]"
    title = (f"Added by year, cumulative: {trials} reach {interval}" if cumulative
             else f"{trials} pool to {interval} ({short})")
    alt = reading  # the status line under the figure shows the same text
    return LabView(rows, pooled, result, title, f"{measure}, probiotic − placebo", reading, alt)


def leave_out_label(effects, key: str) -> str:
    for e in effects:
        if key in (e.key, e.label):
            return e.label
    return key


def lab_figure(view: LabView) -> go.Figure:
    fig = forest_plot(view.rows, pooled=view.pooled, title=view.title, x_title=view.x_title,
                      favours=FAVOURS, alt_text=view.alt_text, group_title="Subgroup:")
    return fig


def update_lab_figure(fig: go.Figure, view: LabView) -> None:
    update_forest_plot(fig, view.rows, pooled=view.pooled, title=view.title, x_title=view.x_title,
                       alt_text=view.alt_text)


# ---------------------------------------------------------------------------------------------
# 2. Funnel plot and Egger's test
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FunnelView:
    estimates: list[float]
    ses: list[float]
    labels: list[str]
    excluded: list[str]
    pooled: float
    egger: ma.EggerResult | None
    title: str
    reading: str
    x_title: str
    y_title: str


def funnel_view(dataset: str = "bdi_md", drop_smallest: int = 0, method: str = "random-dl",
                effects: list[ma.Effect] | None = None) -> FunnelView:
    """Funnel data with the ``drop_smallest`` least precise trials left out (drawn hollow)."""
    all_effects = effects if effects is not None else ps.effects(dataset)
    by_precision = sorted(all_effects, key=lambda e: e.se, reverse=True)
    drop_smallest = max(0, min(int(drop_smallest), len(all_effects) - 1))
    dropped = {e.label for e in by_precision[:drop_smallest]}
    kept = [e for e in all_effects if e.label not in dropped]
    result = ma.pool(kept, method=method)
    measure = ps.measure_name(dataset)
    egger = ma.egger_test(kept) if len(kept) >= 3 else None
    if egger is None:
        egg_text = "Egger's test needs at least 3 trials."
    else:
        egg_text = (f"Egger's regression intercept {_f(egger.intercept)} (SE {_f(egger.se_intercept)}), "
                    f"p = {egger.p:.2g} on {egger.df} df: "
                    + ("small trials report larger benefits than large ones." if egger.p < 0.10 and egger.intercept < 0
                       else "no clear asymmetry (which, with so few trials, is weak reassurance)."))
    reading = (f"{len(kept)} trials kept, {len(dropped)} least precise left out. Pooled {measure} {_f(result.estimate)} "
               f"[{_f(result.ci_low)}, {_f(result.ci_high)}]. {egg_text}")
    title = (f"Funnel: {len(kept)} trials, pooled {_f(result.estimate)}"
             + (f"; Egger p = {egger.p:.2g}" if egger else ""))
    return FunnelView([e.estimate for e in all_effects], [e.se for e in all_effects],
                      [e.label for e in all_effects], sorted(dropped), result.estimate, egger, title, reading,
                      f"{measure}, probiotic − placebo",
                      "standard error (BDI points)" if dataset == "bdi_md" else "standard error (SD units)")


def funnel_figure(view: FunnelView) -> go.Figure:
    return funnel_plot(view.estimates, view.ses, labels=view.labels, pooled=view.pooled, title=view.title,
                       x_title=view.x_title, y_title=view.y_title, excluded=view.excluded,
                       egger=(view.egger.intercept, view.egger.slope) if view.egger else None,
                       alt_text=view.reading)


def update_funnel_figure(fig: go.Figure, view: FunnelView) -> None:
    update_funnel_plot(fig, view.estimates, view.ses, labels=view.labels, pooled=view.pooled, title=view.title,
                       excluded=view.excluded,
                       egger=(view.egger.intercept, view.egger.slope) if view.egger else None,
                       alt_text=view.reading)


# ---------------------------------------------------------------------------------------------
# 3. Forest of meta-analyses
# ---------------------------------------------------------------------------------------------

def key_of(row: ForestRow) -> str:
    """The published estimate's key a meta-forest row was made from (kept in its note's tail)."""
    return row.note.rsplit("key: ", 1)[-1]


def meta_forest_rows(selected: tuple[str, ...] = ()) -> list[ForestRow]:
    """Published pooled estimates that give a CI, sign-aligned (negative = benefit)."""
    rows = []
    for m in ps.load_meta_analyses():
        if not m.has_ci:
            continue
        est, lo, hi = m.oriented()
        flag = " ⚠" if m.consistency_note else ""
        group = "picked" if m.key in selected else ("probiotic" if m.supplement == "probiotic" else "prebiotic")
        note = (f"{m.measure}; {m.model}; k = {m.k if m.k else 'not stated'}"
                + ("; sign flipped to match the lesson (paper: positive = benefit)" if m.benefit_sign > 0 else "")
                + (f"; {m.consistency_note}" if m.consistency_note else "") + f"; key: {m.key}")
        if hi < est or lo > est:  # a published estimate outside its own CI cannot be drawn as a row
            lo, hi = min(lo, est), max(hi, est)
        rows.append(ForestRow(label=m.label + flag, estimate=est, ci_low=lo, ci_high=hi, group=group, note=note))
    return rows


def meta_forest_alt_text(rows: list[ForestRow]) -> str:
    return ("Forest of published meta-analyses, as printed, sign-aligned so that negative means fewer depressive "
           "symptoms. " + "; ".join(f"{r.label} {_f(r.estimate)} [{_f(r.ci_low)}, {_f(r.ci_high)}]" for r in rows)
           + ". Rows marked ⚠ have numbers that do not add up in the published table.")


def meta_forest_figure(selected: tuple[str, ...] = ()) -> go.Figure:
    rows = meta_forest_rows(selected)
    alt = meta_forest_alt_text(rows)
    reviews = sorted({ps.published(key_of(r)).source for r in rows})
    lo, hi = min(r.estimate for r in rows), max(r.estimate for r in rows)
    title = f"{len(reviews)} reviews, one question: pooled estimates from {_f(lo)} to {_f(hi)}"
    return forest_plot(rows, title=title,
                       x_title="pooled effect as published (SD units; < 0 = benefit)",
                       favours=("favours supplement", "favours placebo"), alt_text=alt, group_title="Row:")


def update_meta_forest(fig: go.Figure, selected: tuple[str, ...]) -> None:
    rows = meta_forest_rows(selected)
    update_forest_plot(fig, rows, keep_height=True, alt_text=meta_forest_alt_text(rows))


def compare_text(key_a: str, key_b: str) -> str:
    a, b = ps.published(key_a), ps.published(key_b)
    if key_a == key_b:
        return f"You picked the same estimate twice: {a.label}."
    diffs = ps.compare_published(a, b)
    ea, la, ha = a.oriented()
    eb, lb, hb = b.oriented()
    ci = (lambda lo, hi: f"[{_f(lo)}, {_f(hi)}]" if lo is not None else "(no CI read)")
    return (f"{a.label}: {_f(ea)} {ci(la, ha)}. {b.label}: {_f(eb)} {ci(lb, hb)}. What differs — "
            + "; ".join(diffs) + ".")


# ---------------------------------------------------------------------------------------------
# 4. What an SMD means
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EffectSizeView:
    d: float
    sd_points: float
    scale: str
    points: float
    p_benefit: float
    overlap: float
    text: str


def effect_size_view(d: float, trial_key: str = "akkasheh2016") -> EffectSizeView:
    """An SMD read three ways, with the SD of a trial's own scale (pooled SD of its two arms)."""
    t = ps.trial(trial_key)
    if not t.has_arm_data:
        raise ValueError(f"{trial_key} has no SDs to put an SMD back on its scale")
    sd = ma.pooled_sd(t.sd_probiotic, t.n_probiotic, t.sd_placebo, t.n_placebo)
    points = ma.smd_to_points(d, sd)
    p_benefit = ma.probability_of_superiority(-d)  # lower score = better
    overlap = ma.overlap_coefficient(d)
    kind = "change in " if t.outcome_kind == "change" else ""
    text = (f"SMD {_f(d)}: on {t.label}'s {kind}{t.scale} scale (SD {sd:.1f} points, computed here from its two arms) "
            f"that is {_f(points, 1)} points. A random person on probiotic has a {100 * p_benefit:.0f}% chance of "
            f"a better score than a random person on placebo (50% = no difference); the two distributions "
            f"overlap by {100 * overlap:.0f}%.")
    return EffectSizeView(d, sd, t.scale, points, p_benefit, overlap, text)


def _curves(view: EffectSizeView):
    x = np.linspace(-3.5, 3.5, 141)
    pdf = np.exp(-0.5 * x ** 2) / math.sqrt(2 * math.pi)
    xs_points = x * view.sd_points
    return xs_points, pdf / view.sd_points, (x + view.d) * view.sd_points


def effect_size_figure(view: EffectSizeView) -> go.Figure:
    xs, ys, xs_treated = _curves(view)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="placebo", fill="tozeroy",
                             line=dict(color=OKABE_ITO["grey"], width=2, dash="dash"),
                             fillcolor="rgba(153,153,153,0.25)"))
    fig.add_trace(go.Scatter(x=xs_treated, y=ys, mode="lines", name="probiotic", fill="tozeroy",
                             line=dict(color=OKABE_ITO["blue"], width=3), fillcolor="rgba(0,114,178,0.25)"))
    fig.update_layout(**base_layout(_es_title(view), view.text, height=420,
                                    legend=dict(orientation="v", x=1.0, xanchor="right", y=1.0, yanchor="top")))
    fig.update_xaxes(title_text=_es_x_title(view),
                     range=[-4 * view.sd_points, 4 * view.sd_points])
    fig.update_yaxes(title_text="share of people (per point)", rangemode="tozero", showticklabels=False)
    return fig


def _es_x_title(view: EffectSizeView) -> str:
    return f"score vs the placebo mean ({view.scale} points)<br>lower = fewer symptoms"


def _es_title(view: EffectSizeView) -> str:
    return f"SMD {_f(view.d)} ≈ {_f(view.points, 1)} {view.scale} points; the groups overlap {100 * view.overlap:.0f}%"


def update_effect_size_figure(fig: go.Figure, view: EffectSizeView) -> None:
    xs, ys, xs_treated = _curves(view)
    fig.data[0].update(x=xs, y=ys)
    fig.data[1].update(x=xs_treated, y=ys)
    fig.layout.title.update(title_layout(_es_title(view)))
    fig.layout.xaxis.range = [-4 * view.sd_points, 4 * view.sd_points]
    fig.layout.xaxis.title.text = _es_x_title(view)
    fig.layout.meta = dict(alt_text=view.text)


def leave_out_options(dataset: str) -> list[tuple[str, str]]:
    """(label, trial key) choices for "Leave one trial out": none, then the dataset's own trials."""
    return [("none", "none")] + [(t.label, t.key) for t in ps.trials_in(dataset)]


#: The data's outcome kinds and scale names in a learner's words.
OUTCOME_WORDS = {
    "change": "change from the start of the trial",
    "endpoint": "score at the end of the trial",
    "adjusted_md": "difference between the groups, adjusted (as the authors report it)",
}
SCALE_NAMES = {
    "BDI": "Beck Depression Inventory (BDI)",
    "modified EPDS": "Edinburgh Postnatal Depression Scale, modified (EPDS)",
}
#: Narrow cells that wrap, so the table fits a 570 px notebook without sideways scrolling.
_TABLE_CSS = "width:100%;max-width:60em;border-collapse:collapse;table-layout:auto;line-height:1.4"
_CELL_CSS = ("text-align:left;vertical-align:top;padding:4px 8px 6px 0;border-bottom:1px solid #ddd;"
             "overflow-wrap:anywhere")


def scale_name(scale: str) -> str:
    """A rating scale as a learner reads it: "BDI" -> "Beck Depression Inventory (BDI)"."""
    return SCALE_NAMES.get(scale, scale[:1].upper() + scale[1:])


def outcome_words(kind: str) -> str:
    """What a trial's number measures, in words ("change" -> "change from the start of the trial")."""
    try:
        return OUTCOME_WORDS[kind]
    except KeyError:
        raise ValueError(f"unknown outcome kind {kind!r}; use one of {', '.join(OUTCOME_WORDS)}") from None


def trial_table_html() -> str:
    """The shipped trials as an accessible HTML table in four columns that wrap (it fits a narrow
    notebook): who and what, the outcome in words, the numbers read, and where they were read."""
    columns = ("Trial", "Who took part, and what they took", "Outcome", "Numbers read (probiotic vs placebo)")
    head = "".join(f"<th scope='col' style='{_CELL_CSS}'>{c}</th>" for c in columns)
    body = []
    for t in ps.load_trials():
        if t.has_arm_data:
            nums = (f"{_f(t.mean_probiotic, 1)} ± {t.sd_probiotic:g} vs {_f(t.mean_placebo, 1)} ± {t.sd_placebo:g}")
        else:
            nums = f"difference {_f(t.md)} [{_f(t.md_ci_low)}, {_f(t.md_ci_high)}]"
        body.append(
            f"<tr><th scope='row' style='{_CELL_CSS};font-weight:600'>{html.escape(t.label)}"
            f"<br><code style='font-weight:normal'>[{html.escape(t.source)}]</code></th>"
            f"<td style='{_CELL_CSS}'>{html.escape(t.population)}; {html.escape(t.intervention)}</td>"
            f"<td style='{_CELL_CSS}'>{html.escape(scale_name(t.scale))}: {html.escape(outcome_words(t.outcome_kind))}</td>"
            f"<td style='{_CELL_CSS}'>{nums}; n = {t.n_probiotic} vs {t.n_placebo}"
            f"<br><small>Read in: {html.escape(t.where)}</small></td></tr>")
    return (f"<table class='gutbrain-table gutbrain-trial-table' style='{_TABLE_CSS}'>"
            "<caption style='text-align:left;font-weight:600;padding-bottom:4px'>The trials this lesson pools, "
            f"with where each number was read</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")