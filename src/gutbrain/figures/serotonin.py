"""Figures of lesson 1: the pathway map per tissue, microbiome experiments, where serotonin is.

Pure builders: model results in, plotly Figure out; every ``update_*`` function changes an existing
figure (or FigureWidget) in place so a widget can call it inside ``batch_update``.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go

from gutbrain.figures.style import OKABE_ITO, base_layout
from gutbrain.models import serotonin as sm

# ---------------------------------------------------------------------------------------------
# 1. Pathway map
# ---------------------------------------------------------------------------------------------

#: Status -> (line colour, dash, width). Colour is never the only cue: dash and width differ too.
STATUS_STYLE = {
    "acts": (OKABE_ITO["blue"], "solid", 6),
    "model": (OKABE_ITO["orange"], "dash", 4),
    "inferred": (OKABE_ITO["green"], "dot", 4),
    "elsewhere": (OKABE_ITO["grey"], "dot", 1.5),
    "not_verified": ("#c8c8c8", "longdash", 1.5),
}
STATUS_SHORT = {
    "acts": "acts here", "model": "in liver model only", "inferred": "inferred",
    "elsewhere": "not here (source)", "not_verified": "no source checked",
}


def _edge_xy(edge: sm.EnzymeEdge) -> tuple[list[float], list[float]]:
    _, x0, y0 = sm.METABOLITE_NODES[edge.substrate]
    _, x1, y1 = sm.METABOLITE_NODES[edge.product]
    # shorten so the line stops before the node markers; offset parallel edges sideways
    shrink = 0.18
    dx, dy = x1 - x0, y1 - y0
    length = (dx * dx + dy * dy) ** 0.5
    ux, uy = dx / length, dy / length
    ox, oy = -uy * edge.offset, ux * edge.offset
    return ([x0 + ux * shrink + ox, x1 - ux * shrink + ox], [y0 + uy * shrink + oy, y1 - uy * shrink + oy])


def enzyme_hover_text(edge: sm.EnzymeEdge, info: sm.EnzymeInTissue) -> str:
    """Hover text of one enzyme edge: name, status in this tissue, Km values with units, sources."""
    lines = [f"<b>{edge.enzyme}</b>: {html.escape(edge.name)}",
             f"{html.escape(sm.TISSUES[info.tissue])}: {html.escape(sm.STATUS_LABELS[info.status])}"]
    if info.sources:
        lines.append("Sources: " + ", ".join(f"[{s}]" for s in info.sources))
    for k in sm.kinetic_constants(edge.enzyme):
        lines.append(f"Km ({html.escape(k.substrate)}) = {k.value_mM:g} mM = {k.value_uM:g} µM")
    lines.append("Km source: [stavrum2013] SBML file (no units declared; read as mM)")
    return "<br>".join(lines)


def pathway_summary(tissue: str) -> str:
    info = sm.enzymes_in_tissue(tissue)
    by_status: dict[str, list[str]] = {}
    for edge in sm.ENZYME_EDGES:
        by_status.setdefault(info[edge.enzyme].status, []).append(edge.enzyme)
    parts = [f"{sm.STATUS_LABELS[s]}: {', '.join(names)}"
             for s in sm.STATUS_LABELS if (names := by_status.get(s))]
    return (f"Pathway map for the {sm.TISSUES[tissue].lower()}. Tryptophan → 5-HTP (TPH1 or TPH2) → "
            f"serotonin (AADC) → 5-HIAA (MAO-A); tryptophan → kynurenine (TDO2 or IDO1). "
            + "; ".join(parts) + ".")


def _pathway_edge_traces(tissue: str) -> list[dict]:
    info = sm.enzymes_in_tissue(tissue)
    out = []
    for edge in sm.ENZYME_EDGES:
        status = info[edge.enzyme].status
        colour, dash, width = STATUS_STYLE[status]
        out.append(dict(colour=colour, dash=dash, width=width,
                        name=f"{edge.enzyme}: {STATUS_SHORT[status]}",
                        hover=enzyme_hover_text(edge, info[edge.enzyme])))
    return out


def pathway_figure(tissue: str = "gut_ec") -> go.Figure:
    """Metabolites as nodes, enzymes as edges; edge style shows what acts in ``tissue``."""
    fig = go.Figure()
    names = list(sm.METABOLITE_NODES)
    fig.add_trace(go.Scatter(
        x=[sm.METABOLITE_NODES[n][1] for n in names], y=[sm.METABOLITE_NODES[n][2] for n in names],
        mode="markers+text", text=[sm.METABOLITE_NODES[n][0] for n in names],
        textposition=["top center", "top center", "top center", "top center", "bottom center"],
        marker=dict(size=26, color="white", line=dict(color="#333", width=2)),
        hoverinfo="text", hovertext=[sm.METABOLITE_NODES[n][0] for n in names],
        name="metabolite", showlegend=False,
    ))
    for edge, style in zip(sm.ENZYME_EDGES, _pathway_edge_traces(tissue)):
        xs, ys = _edge_xy(edge)
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines+markers",
            line=dict(color=style["colour"], dash=style["dash"], width=style["width"]),
            marker=dict(symbol=["circle", "arrow"], size=[6, 16], angleref="previous",
                        color=style["colour"]),
            name=style["name"], hoverinfo="text", hovertext=[style["hover"]] * 2,
        ))
    # enzyme labels at edge midpoints, also hoverable
    mids = [_edge_xy(e) for e in sm.ENZYME_EDGES]
    styles = _pathway_edge_traces(tissue)
    fig.add_trace(go.Scatter(
        x=[sum(xs) / 2 for xs, _ in mids],
        y=[sum(ys) / 2 + (0.07 if e.offset >= 0 else -0.07) for e, (_, ys) in zip(sm.ENZYME_EDGES, mids)],
        mode="text", text=[e.enzyme for e in sm.ENZYME_EDGES], textfont=dict(size=13),
        hoverinfo="text", hovertext=[s["hover"] for s in styles], showlegend=False, name="enzyme",
    ))
    fig.update_xaxes(visible=False, range=[-0.5, 3.6])
    fig.update_yaxes(visible=False, range=[-0.4, 1.4])
    fig.update_layout(**base_layout(
        f"Serotonin and kynurenine branches: {sm.TISSUES[tissue]}", pathway_summary(tissue),
        height=430, legend=dict(title="Enzyme in this tissue", orientation="v", x=1.0, y=1.0),
        hoverlabel=dict(align="left"),
    ))
    return fig


def update_pathway_figure(fig: go.Figure, tissue: str) -> None:
    styles = _pathway_edge_traces(tissue)
    for trace, style in zip(fig.data[1:1 + len(sm.ENZYME_EDGES)], styles):
        trace.line.color = style["colour"]
        trace.line.dash = style["dash"]
        trace.line.width = style["width"]
        trace.marker.color = style["colour"]
        trace.name = style["name"]
        trace.hovertext = [style["hover"]] * 2
    fig.data[1 + len(sm.ENZYME_EDGES)].hovertext = [s["hover"] for s in styles]
    fig.layout.title.text = f"Serotonin and kynurenine branches: {sm.TISSUES[tissue]}"
    fig.layout.meta = dict(alt_text=pathway_summary(tissue))


# ---------------------------------------------------------------------------------------------
# 3. Microbiome experiments
# ---------------------------------------------------------------------------------------------

GROUP_COLOURS = {"GF": OKABE_ITO["grey"], "HM": OKABE_ITO["sky"], "CR": OKABE_ITO["blue"],
                 "SPF": OKABE_ITO["blue"]}


def microbiome_data(key: str, rows: list[sm.GroupMeasurement] | None = None) -> dict:
    data = sm.comparison_rows(key, rows)
    verified = all(r.verified_value for r in data)
    unit = data[0].unit
    return {
        "groups": [f"{r.group}: {r.tissue} ({r.species})" for r in data],
        "values": [r.value if r.value is not None else 0.0 for r in data],
        "errors": [r.error if r.error is not None else 0.0 for r in data],
        "colours": [GROUP_COLOURS.get(r.group, OKABE_ITO["grey"]) for r in data],
        "text": ([f"{r.value:g} ± {r.error:g}" for r in data] if verified
                 else ["value not verified"] * len(data)),
        "verified": verified,
        "y_title": f"serotonin ({unit})",
        "title": sm.COMPARISONS[key].label,
        "notice": ("" if verified else
                   "Numbers not shown: not verified in a stored copy. Design and direction only."),
        "error_note": f"error bars: ± as reported; type: {data[0].error_type}",
        "summary": sm.comparison_summary(key, rows),
    }


def microbiome_figure(key: str = "reigstad_all", rows: list[sm.GroupMeasurement] | None = None) -> go.Figure:
    d = microbiome_data(key, rows)
    fig = go.Figure(go.Bar(
        x=d["groups"], y=d["values"], marker_color=d["colours"], text=d["text"],
        textposition="outside", cliponaxis=False, name="group mean",
        error_y=dict(type="data", array=d["errors"], visible=d["verified"]),
        hovertemplate="%{x}: %{text}<extra></extra>",
    ))
    fig.update_layout(**base_layout(
        d["title"], d["summary"], height=420, showlegend=False,
        annotations=[dict(text=d["notice"] or d["error_note"], xref="paper", yref="paper",
                          x=0, y=1.02, showarrow=False, xanchor="left", font=dict(size=12))],
    ))
    fig.update_xaxes(title_text="group (tissue, species)")
    fig.update_yaxes(title_text=d["y_title"], rangemode="tozero",
                     range=None if d["verified"] else [0, 1])
    return fig


def update_microbiome_figure(fig: go.Figure, key: str, rows: list[sm.GroupMeasurement] | None = None) -> None:
    d = microbiome_data(key, rows)
    bar = fig.data[0]
    bar.x, bar.y = d["groups"], d["values"]
    bar.marker.color, bar.text = d["colours"], d["text"]
    bar.error_y.array, bar.error_y.visible = d["errors"], d["verified"]
    fig.layout.title.text = d["title"]
    fig.layout.annotations[0].text = d["notice"] or d["error_note"]
    fig.layout.yaxis.title.text = d["y_title"]
    fig.layout.yaxis.range = None if d["verified"] else [0, 1]
    fig.layout.yaxis.autorange = True if d["verified"] else False
    fig.layout.meta = dict(alt_text=d["summary"])


# ---------------------------------------------------------------------------------------------
# 4. Where is the body's serotonin?
# ---------------------------------------------------------------------------------------------

KIND_STYLE = {
    "lower_bound": OKABE_ITO["blue"], "approximate": OKABE_ITO["vermillion"],
    "qualitative": OKABE_ITO["grey"], "not_verified": OKABE_ITO["grey"],
}


def distribution_summary(statements: list[sm.DistributionStatement]) -> str:
    parts = []
    for s in statements:
        if s.kind == "lower_bound":
            parts.append(f"[{s.source}] {s.compartment}: more than {s.low_percent:g}%")
        elif s.kind == "approximate":
            parts.append(f"[{s.source}] {s.compartment}: roughly {s.low_percent:g}%")
        elif s.kind == "qualitative":
            parts.append(f"[{s.source}] {s.compartment}: no number (“{s.quote[:60]}…”)")
        else:
            parts.append(f"[{s.source}] {s.compartment}: not verified, no number shown")
    return ("What sources say about shares of the body's serotonin; each measures a different thing. "
            + "; ".join(parts) + ".")


def distribution_figure(statements: list[sm.DistributionStatement] | None = None) -> go.Figure:
    """One row per statement: a bar for 'more than X%', a marker for 'roughly X%', text otherwise."""
    statements = sm.load_serotonin_distribution() if statements is None else statements
    labels = [f"[{s.source}] {s.compartment}" for s in statements]
    fig = go.Figure()
    lb = [(lab, s) for lab, s in zip(labels, statements) if s.kind == "lower_bound"]
    fig.add_trace(go.Bar(
        y=[lab for lab, _ in lb], x=[(s.high_percent or 100) - s.low_percent for _, s in lb],
        base=[s.low_percent for _, s in lb], orientation="h", marker_color=KIND_STYLE["lower_bound"],
        name="“more than X%” (range)", hovertext=[s.quote for _, s in lb], hoverinfo="text",
    ))
    ap = [(lab, s) for lab, s in zip(labels, statements) if s.kind == "approximate"]
    fig.add_trace(go.Scatter(
        y=[lab for lab, _ in ap], x=[s.low_percent for _, s in ap], mode="markers",
        marker=dict(symbol="diamond", size=14, color=KIND_STYLE["approximate"]),
        name="“roughly / approximately X%”", hovertext=[s.quote for _, s in ap], hoverinfo="text",
    ))
    rest = [(lab, s) for lab, s in zip(labels, statements) if s.kind in ("qualitative", "not_verified")]
    fig.add_trace(go.Scatter(
        y=[lab for lab, _ in rest], x=[1.0] * len(rest), mode="text",
        text=[("no number given: “" + s.quote[:48] + "…”") if s.kind == "qualitative"
              else "NOT VERIFIED: no source checked gives a number" for _, s in rest],
        textposition="middle right", name="no number", hovertext=[s.quote for _, s in rest],
        hoverinfo="text", showlegend=False, textfont=dict(size=12, color="#444"),
    ))
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(labels)), automargin=True)
    fig.update_xaxes(title_text="share of the body's serotonin, as stated by the source (%)", range=[0, 100])
    fig.update_layout(**base_layout(
        "Where is the body's serotonin? What each source actually states",
        distribution_summary(statements), height=440,
        legend=dict(orientation="h", y=-0.25, x=0),
    ))
    return fig
