"""Figures of the tryptophan model's steady state."""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gutbrain.figures.style import FATE_COLOURS, base_layout, title_height
from gutbrain.models.tryptophan import TRP_FATES, TryptophanSteadyState

FATE_LABELS = {
    "serotonin": "Serotonin branch<br>(TPH1/TPH2)",
    "kynurenine": "Kynurenine branch<br>(TDO2/IDO1)",
    "protein": "Protein synthesis<br>(WARS)",
    "other": "Other (tryptamine,<br>indole-3-pyruvate)",
}
SHOWN_METABOLITES = ("tryptophan", "5-hydroxytryptophan", "serotonin", "kynurenine")


def budget_data(state: TryptophanSteadyState) -> dict:
    """Numbers the budget figure shows: fate shares (%) and concentrations (µM)."""
    fates = list(TRP_FATES)
    shares = [100.0 * state.fate_share(f) for f in fates]
    return {
        "fate_labels": [FATE_LABELS[f] for f in fates],
        "fate_colours": [FATE_COLOURS[f] for f in fates],
        "shares_percent": shares,
        "share_text": [f"{s:.2f} %" if s < 10 else f"{s:.1f} %" for s in shares],
        "metabolites": list(SHOWN_METABOLITES),
        # a knocked-out branch gives exactly 0, which a log axis cannot show
        "concentrations_uM": [max(state.concentrations_uM[m], 1e-9) for m in SHOWN_METABOLITES],
    }


def budget_summary(state: TryptophanSteadyState) -> str:
    """Plain-language text alternative of the budget figure."""
    return (
        f"With {state.extracellular_trp_uM:g} µM tryptophan outside the cell, "
        f"{100 * state.kynurenine_branch_share:.1f}% of the tryptophan the model liver cell "
        f"consumes goes down the kynurenine branch and {100 * state.serotonin_branch_share:.2f}% "
        f"down the serotonin branch; {100 * state.fate_share('protein'):.2f}% is used for protein. "
        f"Steady-state serotonin is {state.concentrations_uM['serotonin']:.2g} µM and the "
        f"intracellular kynurenine/tryptophan ratio is {state.kyn_trp_ratio:.3g}."
    )


def tryptophan_budget_figure(state: TryptophanSteadyState) -> go.Figure:
    data = budget_data(state)
    # Stacked, not side by side: a notebook column is ~700 px wide, too narrow for two
    # panels with long labels.
    fig = make_subplots(
        rows=2, cols=1, row_heights=[0.55, 0.45], vertical_spacing=0.22,
        subplot_titles=("Where consumed tryptophan goes", "Steady-state levels in the cell"),
    )
    fig.add_trace(
        go.Bar(x=data["shares_percent"], y=data["fate_labels"], orientation="h",
               marker_color=data["fate_colours"], text=data["share_text"],
               textposition="outside", cliponaxis=False, name="share of tryptophan",
               hovertemplate="%{y}: %{x:.3f} %<extra></extra>"),
        row=1, col=1,
    )
    fig.add_trace(
        go.Bar(x=data["concentrations_uM"], y=data["metabolites"], orientation="h",
               name="concentration", marker_color="#0072B2",
               hovertemplate="%{y}: %{x:.3g} µM<extra></extra>"),
        row=2, col=1,
    )
    fig.update_xaxes(title_text="share of tryptophan consumed (%)", range=[0, 115], row=1, col=1)
    # Plain-number ticks (0.001, 0.01 …): plotly's default SI prefixes would print "100µ" on a µM axis.
    fig.update_xaxes(title_text="concentration (µM, log scale)", type="log", dtick=1,
                     exponentformat="none", tickformat="~g", row=2, col=1)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(**base_layout(
        "Tryptophan budget of the liver model (Stavrum et al. 2013)",
        budget_summary(state), showlegend=False, height=580,
    ))
    # room under the (two-line at 570 px) title for the first panel's own title
    fig.update_layout(margin=dict(l=10, t=title_height(fig.layout.title.text) + 30))
    fig.update_annotations(font_size=14)
    return fig


def update_tryptophan_budget_figure(fig: go.Figure, state: TryptophanSteadyState) -> None:
    """Put a new steady state into an existing budget figure (or FigureWidget)."""
    data = budget_data(state)
    fig.data[0].x = data["shares_percent"]
    fig.data[0].text = data["share_text"]
    fig.data[1].x = data["concentrations_uM"]
    fig.layout.meta = dict(alt_text=budget_summary(state))
