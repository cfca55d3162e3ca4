"""Figures of lesson 1: the pathway map per tissue, microbiome experiments, where serotonin is.

Pure builders: model results in, plotly Figure out; every ``update_*`` function changes an existing
figure (or FigureWidget) in place so a widget can call it inside ``batch_update``.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go

from gutbrain.figures.style import OKABE_ITO, base_layout, legend_at_foot, title_height, title_layout, wrap_text
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
    "acts": "acts here", "model": "liver model only", "inferred": "inferred",
    "elsewhere": "placed elsewhere", "not_verified": "no source checked",
}


#: Half-size of a metabolite box in layout units (x, y): edges stop at the box's edge.
_BOX_HALF = (0.30, 0.13)
#: How far an enzyme label sits from its edge, in layout units (perpendicular to the edge).
_LABEL_GAP = 0.13


def _edge_xy(edge: sm.EnzymeEdge) -> tuple[list[float], list[float]]:
    """Start and end of an edge: from box edge to box edge, parallel edges offset sideways."""
    _, x0, y0 = sm.METABOLITE_NODES[edge.substrate]
    _, x1, y1 = sm.METABOLITE_NODES[edge.product]
    dx, dy = x1 - x0, y1 - y0
    length = (dx * dx + dy * dy) ** 0.5
    ux, uy = dx / length, dy / length
    # distance from a box centre to its border along (ux, uy)
    t = min(_BOX_HALF[0] / abs(ux) if ux else float("inf"), _BOX_HALF[1] / abs(uy) if uy else float("inf"))
    shrink = t + 0.04
    ox, oy = -uy * edge.offset, ux * edge.offset
    if uy == 0:  # horizontal edges: the offset is purely vertical, keep it inside the box height
        ox, oy = 0.0, edge.offset * 0.6
    return ([x0 + ux * shrink + ox, x1 - ux * shrink + ox], [y0 + uy * shrink + oy, y1 - uy * shrink + oy])


def _label_xy(edge: sm.EnzymeEdge) -> tuple[float, float]:
    """Where an enzyme's label goes: beside the middle of its edge, on the side of its offset."""
    xs, ys = _edge_xy(edge)
    mx, my = sum(xs) / 2, sum(ys) / 2
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    length = (dx * dx + dy * dy) ** 0.5
    nx, ny = -dy / length, dx / length
    side = 1.0 if edge.offset >= 0 else -1.0
    return mx + nx * _LABEL_GAP * side, my + ny * _LABEL_GAP * side


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


def pathway_title(tissue: str) -> str:
    return f"Which enzymes act in a {sm.TISSUE_SHORT[tissue]}?"


def pathway_summary(tissue: str) -> str:
    info = sm.enzymes_in_tissue(tissue)
    by_status: dict[str, list[str]] = {}
    for edge in sm.ENZYME_EDGES:
        by_status.setdefault(info[edge.enzyme].status, []).append(edge.enzyme)
    parts = [f"{sm.STATUS_LABELS[s]}: {', '.join(names)}"
             for s in sm.STATUS_LABELS if (names := by_status.get(s))]
    return (f"Pathway map for the {sm.TISSUES[tissue].lower()}. Tryptophan → 5-HTP (TPH1 or TPH2) → "
            f"serotonin (AADC) → 5-HIAA (MAO-A or MAO-B); tryptophan → kynurenine (TDO2 or IDO1). "
            + "; ".join(parts) + ".")


def _pathway_edge_traces(tissue: str) -> list[dict]:
    info = sm.enzymes_in_tissue(tissue)
    out = []
    for edge in sm.ENZYME_EDGES:
        status = info[edge.enzyme].status
        colour, dash, width = STATUS_STYLE[status]
        out.append(dict(colour=colour, dash=dash, width=width, status=status,
                        name=f"{edge.enzyme}: {STATUS_SHORT[status]}",
                        hover=enzyme_hover_text(edge, info[edge.enzyme])))
    return out


def pathway_figure(tissue: str = "gut_ec") -> go.Figure:
    """Metabolites as boxes (left to right), enzymes as arrows; arrow style shows what acts in ``tissue``.

    Traces: [0] metabolite hover points, [1..N] one arrow per enzyme (sm.ENZYME_EDGES order),
    [N+1] enzyme labels, then one legend-only trace per status. The boxes are annotations.
    """
    fig = go.Figure()
    names = list(sm.METABOLITE_NODES)
    fig.add_trace(go.Scatter(
        x=[sm.METABOLITE_NODES[n][1] for n in names], y=[sm.METABOLITE_NODES[n][2] for n in names],
        mode="markers", marker=dict(size=40, color="rgba(0,0,0,0)"),
        hoverinfo="text", hovertext=[sm.METABOLITE_NAMES[n] for n in names],
        name="metabolite", showlegend=False,
    ))
    styles = _pathway_edge_traces(tissue)
    for edge, style in zip(sm.ENZYME_EDGES, styles):
        xs, ys = _edge_xy(edge)
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines+markers",
            line=dict(color=style["colour"], dash=style["dash"], width=style["width"]),
            marker=dict(symbol=["circle", "arrow"], size=[4, 15], angleref="previous", color=style["colour"]),
            name=style["name"], hoverinfo="text", hovertext=[style["hover"]] * 2, showlegend=False,
        ))
    labels = [_label_xy(e) for e in sm.ENZYME_EDGES]
    fig.add_trace(go.Scatter(
        x=[x for x, _ in labels], y=[y for _, y in labels],
        mode="text", text=[f"<b>{e.enzyme}</b>" for e in sm.ENZYME_EDGES],
        textfont=dict(size=13, color="#222"), textposition="middle center",
        hoverinfo="text", hovertext=[s["hover"] for s in styles], showlegend=False, name="enzyme",
    ))
    for status, short in STATUS_SHORT.items():
        colour, dash, width = STATUS_STYLE[status]
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=short, hoverinfo="skip",
                                 line=dict(color=colour, dash=dash, width=max(width, 2.5))))
    boxes = [dict(x=x, y=y, text=f"<b>{label}</b>", showarrow=False, font=dict(size=15, color="#111"),
                  bgcolor="#ffffff", bordercolor="#333", borderwidth=1.5, borderpad=7, align="center")
             for label, x, y in sm.METABOLITE_NODES.values()]
    fig.update_xaxes(visible=False, range=[-0.42, 3.42], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-0.32, 1.38], fixedrange=True)
    fig.update_layout(**base_layout(
        pathway_title(tissue), pathway_summary(tissue),
        height=420, annotations=boxes,
        # The key sits in the empty lower right of the map (right of kynurenine), one entry a line.
        legend=dict(title=dict(text="Arrow = enzyme in this tissue:"), orientation="v", x=0.55, xanchor="left",
                    y=0.50, yanchor="top", font=dict(size=13), bgcolor="rgba(255,255,255,0.9)"),
        hoverlabel=dict(align="left"),
    ))
    fig.update_layout(margin=dict(l=10, r=10, t=50, b=20))
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
    fig.layout.title.update(title_layout(pathway_title(tissue)))
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
    known = ""
    if not verified:
        first = data[0]
        known = ("<b>Values not verified: not readable in any stored copy, so no bars are drawn.</b><br>"
                 + wrap_text(f"Design: {', '.join(r.group for r in data)} mice, {first.tissue} 5-HT "
                         f"normalised to SPF; n = {first.n}; mean ± SEM.", 70)
                 + "<br>" + wrap_text("Fig. 1 also compares antibiotic-treated (ABX) with vehicle-treated mice.", 70)
                 + "<br>" + wrap_text("What is known: gut microbes raise colonic and blood 5-HT in mice; "
                                  "spore-forming bacteria promote 5-HT biosynthesis by EC cells [yano2015].", 70))
    return {
        "groups": ([f"{r.group}<br>{r.value:g} ± {r.error:g} {r.unit}" for r in data] if verified
                   else [r.group for r in data]),
        "values": [r.value if r.value is not None else None for r in data],
        "errors": [r.error if r.error is not None else 0.0 for r in data],
        "colours": [GROUP_COLOURS.get(r.group, OKABE_ITO["grey"]) for r in data],
        "text": ([f"{r.value:g} ± {r.error:g}" for r in data] if verified
                 else ["value not verified"] * len(data)),
        "verified": verified,
        "y_title": f"colonic serotonin ({unit})" if verified else "",
        "title": sm.COMPARISONS[key].label,
        "notice": known,
        "error_note": wrap_text(f"error bars: ± as reported ({data[0].error_type})", 50),
        "summary": sm.comparison_summary(key, rows),
    }


def _microbiome_note(d: dict) -> dict:
    if d["verified"]:
        return dict(text=d["error_note"], xref="paper", yref="paper", x=0, y=-0.36, xanchor="left",
                    yanchor="top", showarrow=False, font=dict(size=12, color="#444"), align="left",
                    bgcolor="rgba(0,0,0,0)", borderwidth=0)
    return dict(text=d["notice"], xref="paper", yref="paper", x=0.5, y=0.5,
                xanchor="center", yanchor="middle", showarrow=False, font=dict(size=13, color="#222"),
                align="left", bgcolor="#f4f4f4", bordercolor="#999", borderwidth=1, borderpad=10)


def microbiome_figure(key: str = "reigstad_all", rows: list[sm.GroupMeasurement] | None = None) -> go.Figure:
    d = microbiome_data(key, rows)
    fig = go.Figure(go.Bar(
        x=d["groups"], y=d["values"], marker_color=d["colours"], text=d["text"],
        textposition="none", name="group mean",
        error_y=dict(type="data", array=d["errors"], visible=d["verified"]),
        hovertemplate="%{x}: %{text}<extra></extra>", visible=d["verified"],
    ))
    fig.update_layout(**base_layout(
        d["title"], d["summary"], height=420 if d["verified"] else 300, showlegend=False,
        annotations=[_microbiome_note(d)],
    ))
    fig.update_layout(margin=dict(l=80, r=20, t=_microbiome_top(fig.layout.title.text), b=130))
    fig.update_xaxes(title_text="group (mean ± reported error), colon, mice", visible=d["verified"])
    fig.update_yaxes(title_text=d["y_title"], rangemode="tozero", visible=d["verified"])
    return fig


def _microbiome_top(title: str) -> int:
    return title_height(title) + 30  # room for the top tick label under a two-line title


def update_microbiome_figure(fig: go.Figure, key: str, rows: list[sm.GroupMeasurement] | None = None) -> None:
    d = microbiome_data(key, rows)
    bar = fig.data[0]
    bar.x, bar.y = d["groups"], d["values"]
    bar.marker.color, bar.text = d["colours"], d["text"]
    bar.error_y.array, bar.error_y.visible = d["errors"], d["verified"]
    bar.visible = d["verified"]
    title = title_layout(d["title"])
    fig.layout.title.update(title)
    # a two-line title needs the room (from the new title: inside batch_update the figure still has the old one)
    fig.layout.margin.t = _microbiome_top(title["text"])
    fig.layout.annotations = [_microbiome_note(d)]
    fig.layout.xaxis.visible = d["verified"]
    fig.layout.yaxis.visible = d["verified"]
    fig.layout.yaxis.title.text = d["y_title"]
    fig.layout.height = 420 if d["verified"] else 300
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
            parts.append(f"[{s.source}] {s.compartment}: more than {s.low_percent:g}% (“{s.quote}”)")
        elif s.kind == "approximate":
            parts.append(f"[{s.source}] {s.compartment}: roughly {s.low_percent:g}% (“{s.quote}”)")
        elif s.kind == "qualitative":
            parts.append(f"[{s.source}] {s.compartment}: no number (“{s.quote}”)")
        else:
            parts.append(f"[{s.source}] {s.compartment}: not verified, no number shown")
    return ("What sources say about shares of the body's serotonin; each measures a different thing. "
            + "; ".join(parts) + ".")


def _row_label(s: sm.DistributionStatement) -> str:
    return wrap_text(s.label or f"[{s.source}] {s.compartment}", 22)


def _quote_hover(s: sm.DistributionStatement) -> str:
    return f"<b>[{html.escape(s.source)}]</b> ({html.escape(s.evidence_tier)})<br>“{wrap_text(html.escape(s.quote), 60)}”"


def distribution_figure(statements: list[sm.DistributionStatement] | None = None) -> go.Figure:
    """One row per statement: a bar for 'more than X%', a marker for 'roughly X%', a short note otherwise.

    Exact quotes are in the hover text and in the text alternative shown under the figure.
    """
    statements = sm.load_serotonin_distribution() if statements is None else statements
    labels = [_row_label(s) for s in statements]
    fig = go.Figure()
    lb = [(lab, s) for lab, s in zip(labels, statements) if s.kind == "lower_bound"]
    fig.add_trace(go.Bar(
        y=[lab for lab, _ in lb], x=[(s.high_percent or 100) - s.low_percent for _, s in lb],
        base=[s.low_percent for _, s in lb], orientation="h", marker_color=KIND_STYLE["lower_bound"],
        name="“more than X%”", hovertext=[_quote_hover(s) for _, s in lb], hoverinfo="text", width=0.5,
    ))
    ap = [(lab, s) for lab, s in zip(labels, statements) if s.kind == "approximate"]
    fig.add_trace(go.Scatter(
        y=[lab for lab, _ in ap], x=[s.low_percent for _, s in ap], mode="markers+text",
        marker=dict(symbol="diamond", size=14, color=KIND_STYLE["approximate"]),
        text=[f"{s.low_percent:g}%" for _, s in ap], textposition="middle left",
        textfont=dict(size=12, color="#222"),
        name="“roughly / almost X%”", hovertext=[_quote_hover(s) for _, s in ap], hoverinfo="text",
    ))
    rest = [(lab, s) for lab, s in zip(labels, statements) if s.kind in ("qualitative", "not_verified")]
    fig.add_trace(go.Scatter(
        y=[lab for lab, _ in rest], x=[1.0] * len(rest), mode="text",
        text=["no number given (hover for the quote)" if s.kind == "qualitative"
              else "not verified: no source checked gives a number" for _, s in rest],
        textposition="middle right", name="no number", hovertext=[_quote_hover(s) for _, s in rest],
        hoverinfo="text", showlegend=False, textfont=dict(size=12, color="#444"),
    ))
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(labels)), automargin=True,
                     tickfont=dict(size=12), title_text="source: what it states", title_standoff=6)
    fig.update_xaxes(title_text="stated share of body serotonin (%)", range=[0, 101], dtick=10)
    fig.update_layout(**base_layout(
        "Same number, different claims:<br>what each source states",
        distribution_summary(statements), height=560,
        # at the foot of the figure, from its left edge: it cannot meet the title there
        legend=legend_at_foot(xref="container"),
    ))
    fig.update_layout(margin=dict(l=10, r=20, b=100))
    return fig
