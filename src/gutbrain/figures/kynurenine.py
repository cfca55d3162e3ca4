"""Figure of immune activation on the liver model: who takes the tryptophan, and what falls when."""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gutbrain.figures.style import OKABE_ITO, base_layout, legend_at_foot, title_height
from gutbrain.models import kynurenine as kyn

TITLE = "Tryptophan falls gradually as IDO1 takes TDO2's share (liver model)"
BRANCHES = ("tdo2", "ido1", "serotonin", "other")
BRANCH_LABELS = {
    "tdo2": "TDO2 → kynurenine",
    "ido1": "IDO1 → kynurenine",
    "serotonin": "TPH → serotonin",
    "other": "protein and other",
}
BRANCH_COLOURS = {
    "tdo2": OKABE_ITO["orange"], "ido1": OKABE_ITO["vermillion"],
    "serotonin": OKABE_ITO["blue"], "other": OKABE_ITO["grey"],
}
#: Curves of the lower panel: label -> (key of percent_of_baseline, colour, dash).
CURVES = {
    "tryptophan (in cell)": ("tryptophan", OKABE_ITO["green"], "solid"),  # drawn wide: serotonin follows it
    "serotonin branch flux": ("serotonin branch", OKABE_ITO["blue"], "dash"),
    "kynurenine (in cell)": ("kynurenine", OKABE_ITO["purple"], "dot"),
    "Kyn/Trp ratio": ("Kyn/Trp", OKABE_ITO["vermillion"], "dashdot"),
}
Y_RANGE_LOG = (0.5, 3.5)  # 10^0.5 ≈ 3% to 10^3.5 ≈ 3000% of the published model


def _share_text(p: float) -> str:
    return f"{p:.2f} %" if p < 10 else f"{p:.1f} %"


def figure_data(state: kyn.ImmuneActivationState, sweep: list[kyn.ImmuneActivationState]) -> dict:
    """Plain numbers the figure shows (tested without plotly)."""
    ref = kyn.baseline()
    shares = [100 * state.share(b) for b in BRANCHES]
    curves = {}
    for label, (key, _, _) in CURVES.items():
        curves[label] = [kyn.percent_of_baseline(s, ref)[key] for s in sweep]
    now = kyn.percent_of_baseline(state, ref)
    return {
        "branch_labels": [BRANCH_LABELS[b] for b in BRANCHES],
        "shares_percent": shares,
        "share_text": [_share_text(p) for p in shares],
        "sweep_folds": [s.ido1_fold for s in sweep],
        "curves": curves,
        "current": {label: now[key] for label, (key, _, _) in CURVES.items()},
        "equal_flux_fold": kyn.ido1_fold_for_equal_flux(state.tdo2_fold),
    }


def fold_text(fold: float) -> str:
    return f"{fold:.0f}" if fold >= 10 else f"{fold:.2g}"


def summary(state: kyn.ImmuneActivationState) -> str:
    """Text alternative: the numbers a sighted learner reads off the figure."""
    pct = kyn.percent_of_baseline(state)
    equal = kyn.ido1_fold_for_equal_flux(state.tdo2_fold)
    equal_text = (f"IDO1 would match TDO2's flux at about × {equal:.0f} IDO1" if equal != float("inf")
                  else "IDO1 does not reach TDO2's flux within the slider's range")
    return (
        f"IDO1 × {fold_text(state.ido1_fold)}, TDO2 × {fold_text(state.tdo2_fold)} (liver model): of the tryptophan the "
        f"cell consumes, TDO2 takes {100 * state.share('tdo2'):.1f}%, IDO1 {100 * state.share('ido1'):.1f}% and "
        f"the serotonin branch {100 * state.share('serotonin'):.2f}%. Compared with the published model, "
        f"tryptophan in the cell is at {pct['tryptophan']:.0f}%, the serotonin branch at "
        f"{pct['serotonin branch']:.0f}%, kynurenine at {pct['kynurenine']:.0f}% and the Kyn/Trp ratio at "
        f"{pct['Kyn/Trp']:.0f}%. {equal_text}."
    )


def immune_activation_figure(state: kyn.ImmuneActivationState,
                             sweep: list[kyn.ImmuneActivationState]) -> go.Figure:
    data = figure_data(state, sweep)
    fig = make_subplots(
        rows=2, cols=1, row_heights=[0.38, 0.62], vertical_spacing=0.2,
        subplot_titles=("Where consumed tryptophan goes (%)",
                        "Levels as % of the published model"),
    )
    fig.add_trace(go.Bar(
        x=data["shares_percent"], y=data["branch_labels"], orientation="h",
        marker_color=[BRANCH_COLOURS[b] for b in BRANCHES], text=data["share_text"],
        textposition="outside", cliponaxis=False, name="share", showlegend=False,
        hovertemplate="%{y}: %{x:.2f} % of consumed tryptophan<extra></extra>"), row=1, col=1)
    for label, (key, colour, dash) in CURVES.items():
        fig.add_trace(go.Scatter(
            x=data["sweep_folds"], y=data["curves"][label], mode="lines", name=label, line_shape="spline",
            line=dict(color=colour, dash=dash, width=6 if key == "tryptophan" else 2.5), legendgroup=label,
            hovertemplate=f"{label}<br>IDO1 × %{{x:.3g}}: %{{y:.0f}} %<extra></extra>"), row=2, col=1)
    fig.add_trace(go.Scatter(
        x=[state.ido1_fold] * len(CURVES), y=list(data["current"].values()), mode="markers",
        marker=dict(size=11, color=[c for _, c, _ in CURVES.values()], symbol="circle",
                    line=dict(color="#222", width=1)),
        name="current setting", showlegend=False, hovertemplate="now: %{y:.0f} %<extra></extra>"),
        row=2, col=1)
    equal = data["equal_flux_fold"]
    fig.add_trace(go.Scatter(
        x=[equal, equal] if equal != float("inf") else [], y=[10 ** Y_RANGE_LOG[0], 10 ** Y_RANGE_LOG[1]],
        mode="lines", line=dict(color="#555", dash="dot", width=1.5), name="IDO1 flux = TDO2 flux",
        hoverinfo="skip"), row=2, col=1)
    fig.update_xaxes(title_text="share of consumed tryptophan (%)", range=[0, 118], row=1, col=1)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    fig.update_xaxes(title_text="IDO1 amount (× published, log scale)", type="log",
                     range=[-0.05, 3.05], tickvals=[1, 3, 10, 30, 100, 300, 1000], row=2, col=1)
    fig.update_yaxes(title_text="% of published model (log)", type="log", range=list(Y_RANGE_LOG),
                     tickvals=[3, 10, 30, 100, 300, 1000, 3000], row=2, col=1)
    fig.update_layout(**base_layout(
        TITLE, summary(state), height=740, showlegend=True, legend=legend_at_foot(),
    ))
    fig.update_layout(margin=dict(l=70, r=30, t=title_height(fig.layout.title.text) + 30, b=180))
    fig.update_annotations(font_size=14)
    return fig


def update_immune_activation_figure(fig: go.Figure, state: kyn.ImmuneActivationState,
                                    sweep: list[kyn.ImmuneActivationState] | None = None) -> None:
    """New steady state (and, if given, a new IDO1 sweep) into an existing figure."""
    data = figure_data(state, sweep if sweep is not None else [])
    fig.data[0].x = data["shares_percent"]
    fig.data[0].text = data["share_text"]
    if sweep is not None:
        for i, label in enumerate(CURVES, start=1):
            fig.data[i].x = data["sweep_folds"]
            fig.data[i].y = data["curves"][label]
        equal = data["equal_flux_fold"]
        fig.data[len(CURVES) + 2].x = [equal, equal] if equal != float("inf") else []
    marker = fig.data[len(CURVES) + 1]
    marker.x = [state.ido1_fold] * len(CURVES)
    marker.y = list(data["current"].values())
    fig.layout.meta = dict(alt_text=summary(state))
