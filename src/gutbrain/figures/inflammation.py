"""Lesson 4 figures: IFN-alpha blood vs CSF grid, cytokine and treatment forest plots, and the
effect size -> overlapping distributions picture. Pure builders (no ipywidgets)."""
from __future__ import annotations

import html

import plotly.graph_objects as go

from gutbrain.figures.forest import ForestRow, forest_plot
from gutbrain.figures.style import OKABE_ITO, base_layout, title_height, title_layout, wrap_text
from gutbrain.models import inflammation as infl

# --- IFN-alpha: blood vs CSF ----------------------------------------------------------------

IFN_TITLE = "IFN-α: blood tryptophan falls, CSF tryptophan does not"
#: direction -> (code for the colour scale, cell text, colour). Text and colour both carry it.
DIRECTION_STYLE = {
    "not reported": (0, "–", "#FFFFFF"),
    # short cell texts (arrows as well as colour): seven columns share a 570 px notebook
    "no change": (1, "=", "#DDDDDD"),
    "down": (2, "↓", OKABE_ITO["sky"]),
    "up": (3, "↑", OKABE_ITO["orange"]),
    # the "mood**" column asks "linked to depressive symptoms?"
    "not linked": (4, "no", "#DDDDDD"),
    "linked": (5, "yes", OKABE_ITO["purple"]),
}
COLUMN_LABELS = {
    "TRP": "TRP", "KYN": "KYN", "KYN/TRP": "KYN/<br>TRP", "QUIN": "QUIN", "KA": "KA",
    "TRP breakdown": "overall*", "symptoms": "mood**",
}


def _colourscale() -> list:
    n = len(DIRECTION_STYLE)
    scale = []
    for code, _, colour in sorted(DIRECTION_STYLE.values()):
        scale += [[code / n, colour], [(code + 1) / n, colour]]
    return scale


def ifn_grid(rows=None) -> dict:
    """Rows (study × compartment) and columns (metabolites) of the blood-vs-brain grid."""
    rows = rows if rows is not None else infl.load_ifn_rows()
    keys: list[tuple[str, str]] = []
    for r in rows:
        if (r.study, r.compartment) not in keys:
            keys.append((r.study, r.compartment))
    cells = {(r.study, r.compartment, r.metabolite): r for r in rows}
    row_labels, z, text, hover = [], [], [], []
    for study, comp in keys:
        first = next(r for r in rows if r.study == study)
        n = (f"{first.n_treated} vs {first.n_comparison}" if first.n_comparison[:1].isdigit()
             else f"n = {first.n_treated}")
        row_labels.append(f"{first.label}<br>{comp} ({n})")
        zr, tr, hr = [], [], []
        for met in infl.METABOLITES:
            cell = cells.get((study, comp, met))
            direction = cell.direction if cell else "not reported"
            code, label, _ = DIRECTION_STYLE[direction]
            zr.append(code + 0.5)
            tr.append(label)
            quote = html.escape(cell.quote) if cell and cell.quote else "nothing stated in what the course read"
            where = html.escape(cell.where) if cell else ""
            hr.append(f"<b>{html.escape(first.label)}, {comp}</b><br>{html.escape(infl.METABOLITE_NAMES[met])}: "
                      f"{html.escape(infl.DIRECTIONS[direction])}<br>“{quote}”<br><i>{where}</i>")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    return {"keys": keys, "row_labels": row_labels, "columns": [COLUMN_LABELS[m] for m in infl.METABOLITES],
            "z": z, "text": text, "hover": hover}


def ifn_summary(study: str | None = None, rows=None) -> str:
    rows = rows if rows is not None else infl.load_ifn_rows()
    base = ("Grid of interferon-alpha studies: rows are study and compartment, columns are tryptophan "
            "metabolites. Raison 2010 (hepatitis C, 16 treated vs 11 untreated): in blood, tryptophan "
            "lower and kynurenine higher; in cerebrospinal fluid, tryptophan unchanged while kynurenine, "
            "quinolinic acid and kynurenic acid were higher, and CSF kynurenine and quinolinic acid were "
            "linked to depressive symptoms. Capuron 2003 (melanoma, 26 patients): blood kynurenine and "
            "Kyn/Trp rose in all patients; tryptophan falls were linked to symptoms. Bannink 2007 (43 "
            "oncology patients): increased tryptophan breakdown but hardly any psychiatric change.")
    if study is None:
        return base
    picked = [r for r in rows if r.study == study]
    if not picked:
        raise ValueError(f"unknown study {study!r}")
    first = picked[0]
    changes = "; ".join(_change_text(r) for r in picked if r.direction != "not reported")
    return (f"{first.label} ({first.population}; {first.design}; treated n = {first.n_treated}, comparison: "
            f"{first.n_comparison}). {changes}.")


def _change_text(row) -> str:
    """One cell of the grid in words: "blood KYN: raised", "CSF changes linked to symptoms"."""
    if row.metabolite == "symptoms":
        return f"{row.compartment} changes {infl.DIRECTIONS[row.direction]}"
    return f"{row.compartment} {row.metabolite}: {infl.DIRECTIONS[row.direction]}"


IFN_KEY = "<br>".join(wrap_text(line, 44) for line in (
    "* overall: the authors' summary of tryptophan breakdown",
    "** mood: were the changes linked to depressive symptoms? yes / no",
    "↑ up, ↓ down, = same (as the abstracts state it); – = not stated in what the course read.",
    "No concentrations were readable, so none is shown.",
))


def ifn_figure(highlight: str | None = None, rows=None) -> go.Figure:
    grid = ifn_grid(rows)
    fig = go.Figure(go.Heatmap(
        z=grid["z"], x=grid["columns"], y=grid["row_labels"], hoverinfo="skip",
        colorscale=_colourscale(), zmin=0, zmax=len(DIRECTION_STYLE), showscale=False, xgap=3, ygap=3,
        name="direction",
    ))
    # The cell labels (and their hover quotes) are a text layer on top: text as well as colour.
    xs = [c for _ in grid["row_labels"] for c in grid["columns"]]
    ys = [r for r in grid["row_labels"] for _ in grid["columns"]]
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="text", text=[t for row in grid["text"] for t in row],
        textfont=dict(size=13, color="#111"), hovertext=[h for row in grid["hover"] for h in row],
        hoverinfo="text", name="cells", showlegend=False,
    ))
    fig.update_layout(**base_layout(IFN_TITLE, ifn_summary(highlight, rows), height=500))
    # room under the title for two-line column headings
    fig.update_layout(margin=dict(l=10, r=10, t=title_height(fig.layout.title.text) + 44, b=135))
    fig.update_yaxes(autorange="reversed", automargin=True, ticks="", showline=False, showgrid=False,
                     zeroline=False)
    fig.update_xaxes(side="top", ticks="", showline=False, tickangle=0, tickfont=dict(size=12),
                     showgrid=False, zeroline=False)
    fig.add_annotation(
        text=IFN_KEY,
        xref="paper", yref="paper", x=0, y=-0.06, xanchor="left", yanchor="top", showarrow=False,
        align="left", font=dict(size=11, color="#444"))
    _highlight(fig, grid, highlight)
    return fig


def _highlight(fig: go.Figure, grid: dict, study: str | None) -> None:
    fig.layout.shapes = []
    if study is None:
        return
    idx = [i for i, (s, _) in enumerate(grid["keys"]) if s == study]
    if not idx:
        raise ValueError(f"unknown study {study!r}")
    fig.add_shape(type="rect", xref="x domain", yref="y", x0=-0.005, x1=1.005, y0=min(idx) - 0.5,
                  y1=max(idx) + 0.5, line=dict(color="#000", width=3), fillcolor="rgba(0,0,0,0)")


def update_ifn_figure(fig: go.Figure, highlight: str | None, rows=None) -> None:
    grid = ifn_grid(rows)
    _highlight(fig, grid, highlight)
    fig.layout.meta = dict(alt_text=ifn_summary(highlight, rows))


# --- cytokines in depression (forest) -------------------------------------------------------

CYTOKINE_TITLE = "IL-6 and CRP are higher on average in depression; IL-1β is not"
CI_READ = "95% CI as published"
CI_NOT_READ = "point only: CI not read"


def cytokine_forest_rows(rows=None) -> list[ForestRow]:
    rows = rows if rows is not None else infl.load_cytokine_rows()
    out = []
    for r in rows:
        if r.source != "haapakoski2015":
            continue
        lo, hi = (r.ci_low, r.ci_high) if r.has_ci else (r.estimate, r.estimate)
        label = f"{r.label} ({r.k_studies} studies)" if r.k_studies else r.label
        out.append(ForestRow(label=label, estimate=r.estimate, ci_low=lo, ci_high=hi,
                             group=CI_READ if r.has_ci else CI_NOT_READ,
                             note=f"{r.p_value}; {r.note}"))
    return out


def _value_text(r: infl.MetaRow, measure: str = "d") -> str:
    est = f"{r.estimate:.2f}".replace("-", "−")
    if r.has_ci:
        text = f"{measure} {est} [{r.ci_low:.2f}, {r.ci_high:.2f}]".replace("-", "−")
    else:
        text = f"{measure} {est} ({r.p_value}), CI not read"
    if r.i2_percent is not None:
        text += f"  I² {r.i2_percent:.0f}%"
    return text


def cytokine_summary(rows=None) -> str:
    rows = [r for r in (rows if rows is not None else infl.load_cytokine_rows()) if r.source == "haapakoski2015"]
    parts = [f"{r.label}: d = {r.estimate:.2f} ({r.p_value}" + (f", 95% CI {r.ci_low:.2f} to {r.ci_high:.2f}, "
             f"I² {r.i2_percent:.0f}%" if r.has_ci else ", 95% CI not read by the course") + ")" for r in rows]
    return ("Haapakoski 2015 meta-analysis, depressed patients vs non-depressed controls, standardised mean "
            "difference d (positive = higher in depression). " + "; ".join(parts) + ".")


def cytokine_forest(rows=None) -> go.Figure:
    meta = [r for r in (rows if rows is not None else infl.load_cytokine_rows()) if r.source == "haapakoski2015"]
    fig = forest_plot(
        cytokine_forest_rows(rows), title=CYTOKINE_TITLE,
        x_title="d: depressed − controls (SD units)", null_value=0.0,
        favours=("lower in depression", "higher in depression"), alt_text=cytokine_summary(rows),
        x_range=(-0.4, 1.0), group_title="",
    )
    # The value column and hover say "CI not read" instead of a zero-width interval.
    # two lines, so the value column fits a 570 px notebook
    fig.data[5].text = [_value_text(r).replace("), CI not read", "),<br>CI not read") for r in meta]
    fig.layout.height = 400  # room for the two-line values of the rows without a CI
    fig.data[1].hovertext = [f"<b>{html.escape(r.label)}</b><br>{html.escape(_value_text(r))}<br>"
                             f"{html.escape(r.p_value)}<br>{html.escape(r.note)}<br><i>{html.escape(r.where)}</i>"
                             for r in meta]
    return fig


# --- effect size -> overlapping distributions -------------------------------------------------

def overlap_title(d: float) -> str:
    s = infl.overlap_summary(d)
    return f"At d = {d:.2f} the two groups overlap by {s.overlap_percent:.0f}%"


def overlap_text(d: float) -> str:
    s = infl.overlap_summary(d)
    return (f"Two normal curves of equal spread, {d:.2f} SD apart (computed here): they overlap by "
            f"{s.overlap_percent:.0f}%. A random patient has a higher value than a random control "
            f"{s.superiority_percent:.0f}% of the time (50% = coin toss); {s.above_control_median_percent:.0f}% "
            f"of patients lie above the controls' median; {s.above_control_p90_percent:.0f}% of patients are above "
            f"the controls' 90th percentile (10% of controls are too); the best single cut-off sorts "
            f"{s.best_cutoff_accuracy_percent:.0f}% of people correctly.")


def _fill_rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def overlap_figure(d: float) -> go.Figure:
    x, control, patient = infl.density_curves(d)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=control, mode="lines", name="controls", fill="tozeroy",
                             line=dict(color=OKABE_ITO["blue"], width=2.5),
                             fillcolor=_fill_rgba(OKABE_ITO["blue"], 0.25),
                             hovertemplate="controls: %{y:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=patient, mode="lines", name="patients", fill="tozeroy",
                             line=dict(color=OKABE_ITO["vermillion"], width=2.5, dash="dash"),
                             fillcolor=_fill_rgba(OKABE_ITO["vermillion"], 0.25),
                             hovertemplate="patients: %{y:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[0, 0, None, d, d], y=[0, 0.42, None, 0, 0.42], mode="lines",
                             line=dict(color="#333", width=1, dash="dot"), name="group means",
                             hoverinfo="skip", showlegend=False))
    fig.update_layout(**base_layout(overlap_title(d), overlap_text(d), height=380,
                                    legend=dict(orientation="h", x=0.0, y=1.02, xanchor="left", yanchor="bottom")))
    fig.update_layout(margin=dict(l=70, r=20, t=90, b=60))
    fig.update_xaxes(title_text="marker level (SD units of the control group)", range=[-4, 5.5])
    fig.update_yaxes(title_text="density (per SD)", range=[0, 0.45])
    return fig


def update_overlap_figure(fig: go.Figure, d: float) -> None:
    x, control, patient = infl.density_curves(d)
    fig.data[1].y = patient
    fig.data[2].x = [0, 0, None, d, d]
    fig.layout.title.update(title_layout(overlap_title(d)))
    fig.layout.meta = dict(alt_text=overlap_text(d))


# --- anti-inflammatory treatment trials (forest) ---------------------------------------------

TREATMENT_TITLE = "Anti-inflammatories beat placebo on average, but the trials disagree"


def treatment_forest_rows(rows=None) -> tuple[list[ForestRow], ForestRow]:
    rows = rows if rows is not None else infl.load_treatment_rows()
    pooled = None
    out = []
    for r in rows:
        # No I² where the sources disagree on it (the hover note says so): never a bare "?".
        i2 = f" · I² {r.i2_percent:.0f}%" if r.i2_percent is not None else ""
        row = ForestRow(label=f"{r.label}{i2}", estimate=r.estimate, ci_low=r.ci_low, ci_high=r.ci_high,
                        group=r.group, note=f"{r.note} [{r.source}: {r.where}]")
        if r.key == "kohler2014_all":
            pooled = ForestRow(label=f"Köhler 2014{i2}", estimate=r.estimate, ci_low=r.ci_low,
                               ci_high=r.ci_high, note=r.note)
        else:
            out.append(row)
    return out, pooled


def treatment_summary(rows=None) -> str:
    rows = rows if rows is not None else infl.load_treatment_rows()
    parts = [f"{r.group}, {r.label}: SMD {r.estimate:.2f} (95% CI {r.ci_low:.2f} to {r.ci_high:.2f}"
             + (f", I² {r.i2_percent:.0f}%" if r.i2_percent is not None else "") + ")" for r in rows]
    return ("Meta-analyses of anti-inflammatory drugs vs placebo (negative SMD = fewer depressive symptoms). "
            + "; ".join(parts) + ". All trials were judged at high risk of bias.")


def treatment_forest(rows=None) -> go.Figure:
    trial_rows, pooled = treatment_forest_rows(rows)
    fig = forest_plot(
        trial_rows, pooled=pooled, title=TREATMENT_TITLE,
        x_title="SMD vs placebo (negative = fewer symptoms)", null_value=0.0,
        favours=("favours anti-inflammatory", "favours placebo"), alt_text=treatment_summary(rows),
        x_range=(-1.2, 0.3), group_title="meta-analysis",
    )
    return fig
