"""Lesson 2 figures: the HH cable (velocity vs diameter + two electrodes), signal travel time, the
gut-to-brain routes map, and Bravo 2011 vs Kelly 2017. Pure plotly functions; no widgets.

Each ``*_figure`` builds a Figure; each ``update_*`` puts new model output into an existing Figure or
FigureWidget (the widgets call it inside ``batch_update``). Every figure's text alternative is in
``layout.meta.alt_text``.
"""
from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gutbrain.figures.style import OKABE_ITO, base_layout, legend_at_foot, title_height, title_layout, wrap_text
from gutbrain.models import neuron
from gutbrain.models import vagus as vm

# ---------------------------------------------------------------------------------------------
# 1. The Hodgkin–Huxley cable
# ---------------------------------------------------------------------------------------------

def _measured_vagal_box() -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1): rat C-axon diameters × measured rat vagal velocities (all ranges)."""
    ranges = vm.load_conduction_velocities()
    return (*vm.c_axon_diameter_range_um(), min(r.low_m_per_s for r in ranges), max(r.high_m_per_s for r in ranges))


def fibre_summary(prop: neuron.Propagation) -> str:
    v = prop.velocity_m_per_s
    x0, x1, y0, y1 = _measured_vagal_box()
    if not prop.conducted:
        return f"At {prop.diameter_um:.3g} µm the model impulse did not reach the second electrode."
    return (f"Model: a {prop.diameter_um:.3g} µm unmyelinated fibre with squid-axon membrane (Hodgkin–Huxley "
            f"1952, 18.5 °C) conducts at {v:.3g} m/s; the impulse takes {prop.arrival_second_ms - prop.arrival_first_ms:.3g} ms "
            f"between electrodes {prop.electrode_distance_mm:.3g} mm apart, and peaks at {prop.peak_mV:.0f} mV. "
            f"For comparison, rat abdominal vagal C axons are {x0}–{x1} µm across and rat gut vagal fibres "
            f"conduct at {y0}–{y1} m/s (measured, rat).")


#: At most this many points per voltage trace are sent to the browser (the model keeps them all).
TRACE_POINTS = 200


def _fibre_data(prop: neuron.Propagation, table: dict[float, float]) -> dict:
    diameters = sorted(table)
    step = max(1, len(prop.time_ms) // TRACE_POINTS)
    return dict(
        grid_x=diameters, grid_y=[float(table[d]) for d in diameters],
        point_x=[prop.diameter_um], point_y=[float(prop.velocity_m_per_s)],
        t=prop.time_ms[::step].tolist(), v1=prop.v_first_mV[::step].tolist(), v2=prop.v_second_mV[::step].tolist(),
        distance_mm=prop.electrode_distance_mm,
    )


def fibre_figure(prop: neuron.Propagation, table: dict[float, float]) -> go.Figure:
    """Top: simulated velocity vs diameter (log–log) with the chosen fibre and the measured rat
    vagal box; bottom: membrane potential at the two electrodes."""
    data = _fibre_data(prop, table)
    fig = make_subplots(rows=2, cols=1, row_heights=[0.58, 0.42], vertical_spacing=0.2,
                        subplot_titles=("Conduction velocity vs fibre diameter",
                                        "The impulse passing two electrodes"))
    fig.add_trace(go.Scatter(x=data["grid_x"], y=data["grid_y"], mode="lines+markers", name="HH cable (model)",
                             line=dict(color=OKABE_ITO["blue"], width=2), marker=dict(size=5),
                             hovertemplate="%{x:.3g} µm → %{y:.3g} m/s (model)<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=data["point_x"], y=data["point_y"], mode="markers", name="your fibre",
                             marker=dict(color=OKABE_ITO["vermillion"], size=14, symbol="diamond",
                                         line=dict(color="black", width=1)),
                             hovertemplate="your fibre: %{x:.3g} µm, %{y:.3g} m/s<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[neuron.HH_SQUID_AXON_DIAMETER_UM], y=[neuron.HH_COMPUTED_VELOCITY_M_PER_S],
                             mode="markers", name="HH 1952 computed",
                             marker=dict(color="black", size=11, symbol="star-open"),
                             hovertemplate="Hodgkin & Huxley's own calculation: 476 µm, 18.8 m/s<extra></extra>"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=data["t"], y=data["v1"], mode="lines", name="electrode 1",
                             line=dict(color=OKABE_ITO["blue"], width=2),
                             hovertemplate="electrode 1: %{x:.2f} ms, %{y:.0f} mV<extra></extra>"), row=2, col=1)
    fig.add_trace(go.Scatter(x=data["t"], y=data["v2"], mode="lines", name="electrode 2",
                             line=dict(color=OKABE_ITO["orange"], width=2, dash="dash"),
                             hovertemplate="electrode 2: %{x:.2f} ms, %{y:.0f} mV<extra></extra>"), row=2, col=1)
    x0, x1, y0, y1 = _measured_vagal_box()
    # shapes on log axes take data values; annotations take log10 values
    fig.add_shape(type="rect", x0=x0 * 0.8, x1=x1 * 1.25, y0=y0, y1=y1, xref="x", yref="y", line=dict(color=OKABE_ITO["green"], width=2),
                  fillcolor="rgba(0,158,115,0.18)")
    fig.add_annotation(x=math.log10(x1 * 1.3), y=math.log10(y0), xref="x", yref="y", xanchor="left",
                       yanchor="top", showarrow=False, font=dict(size=12, color="#00694D"),
                       text="rat vagal fibres (measured)")
    fig.update_xaxes(type="log", title_text="fibre diameter (µm, log scale)", range=[-1.15, 3.15],
                     tickvals=[0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000],
                     ticktext=["0.1", "0.3", "1", "3", "10", "30", "100", "300", "1000"], row=1, col=1)
    fig.update_yaxes(type="log", title_text="velocity (m/s, log)", range=[-0.75, 1.6],
                     tickvals=[0.2, 0.5, 1, 2, 5, 10, 20], ticktext=["0.2", "0.5", "1", "2", "5", "10", "20"],
                     row=1, col=1)
    fig.update_xaxes(title_text="time after the stimulus (ms)", row=2, col=1)
    fig.update_yaxes(title_text="membrane potential (mV)", range=[-80, 45], row=2, col=1)
    fig.update_layout(**base_layout(
        "Thinner fibres conduct more slowly (velocity ∝ √diameter)", fibre_summary(prop),
        height=760, legend=legend_at_foot(font=dict(size=12)),
    ))
    fig.update_layout(margin=dict(l=70, r=20, t=title_height(fig.layout.title.text) + 30, b=170))
    fig.update_annotations(font_size=14)
    _set_electrode_title(fig, prop)
    return fig


def _set_electrode_title(fig, prop: neuron.Propagation) -> None:
    text = (f"Impulse at two electrodes {prop.electrode_distance_mm:.3g} mm apart"
            f" ({prop.diameter_um:.3g} µm fibre)")
    fig.layout.annotations[1].text = text


def update_fibre_figure(fig, prop: neuron.Propagation, table: dict[float, float]) -> None:
    data = _fibre_data(prop, table)
    fig.data[1].x, fig.data[1].y = data["point_x"], data["point_y"]
    fig.data[3].x, fig.data[3].y = data["t"], data["v1"]
    fig.data[4].x, fig.data[4].y = data["t"], data["v2"]
    _set_electrode_title(fig, prop)
    fig.layout.meta = dict(alt_text=fibre_summary(prop))


# ---------------------------------------------------------------------------------------------
# 2. Signal travel time
# ---------------------------------------------------------------------------------------------


def travel_summary(rows: list[dict], path_length_m: float, selected: str) -> str:
    row = next(r for r in rows if r["key"] == selected)
    if row["measured"]:
        timing = f"between {row['fastest_ms'] / 1000:.2g} s and {row['slowest_ms'] / 1000:.2g} s"
        speed = f"{row['low_m_per_s']:g}–{row['high_m_per_s']:g} m/s, measured in rats"
    else:
        timing = f"{row['fastest_ms'] / 1000:.2g} s"
        speed = f"{row['low_m_per_s']:.2g} m/s, model, not a measurement"
    return (f"Over your assumed path of {path_length_m:.2f} m, '{row['label']}' ({speed}) brings a signal from "
            f"gut to brainstem in {timing}.")


def _travel_title(rows: list[dict], path_length_m: float) -> str:
    slowest = max(r["slowest_ms"] for r in rows) / 1000
    fastest = min(r["fastest_ms"] for r in rows) / 1000
    return f"Over {path_length_m:.2f} m, slow vagal fibres need {fastest:.2g}–{slowest:.2g} s, not an instant"


def _travel_traces(rows: list[dict], selected: str) -> list[dict]:
    traces = []
    for r in rows:
        chosen = r["key"] == selected
        colour = OKABE_ITO["vermillion"] if chosen else (OKABE_ITO["blue"] if r["measured"] else OKABE_ITO["grey"])
        traces.append(dict(
            x=[r["fastest_ms"] / 1000, r["slowest_ms"] / 1000], y=[wrap_text(r["label"], 24)] * 2,
            line=dict(color=colour, width=14 if chosen else 8),
            marker=dict(color=colour, size=16 if chosen else 12,
                        symbol="line-ns-open" if r["measured"] else "diamond"),
        ))
    return traces


def travel_time_figure(rows: list[dict], path_length_m: float, selected: str) -> go.Figure:
    fig = go.Figure()
    for r, t in zip(rows, _travel_traces(rows, selected)):
        fig.add_trace(go.Scatter(x=t["x"], y=t["y"], mode="lines+markers", line=t["line"], marker=t["marker"],
                                 showlegend=False, name=r["label"],
                                 hovertemplate=f"{r['label']}: %{{x:.2f}} s<extra></extra>"))
    fig.update_xaxes(title_text="arrival at the brainstem (s)", rangemode="tozero")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_layout(**base_layout(_travel_title(rows, path_length_m),
                                    travel_summary(rows, path_length_m, selected), height=330))
    fig.update_layout(margin=dict(l=20, r=30, t=60, b=60))
    return fig


def update_travel_time_figure(fig, rows: list[dict], path_length_m: float, selected: str) -> None:
    for trace, t in zip(fig.data, _travel_traces(rows, selected)):
        trace.x, trace.line, trace.marker = t["x"], t["line"], t["marker"]
    fig.layout.title.update(title_layout(_travel_title(rows, path_length_m)))
    fig.layout.meta = dict(alt_text=travel_summary(rows, path_length_m, selected))


# ---------------------------------------------------------------------------------------------
# 3. Routes map
# ---------------------------------------------------------------------------------------------

SPECIES_COLOURS = {"rodent": OKABE_ITO["vermillion"], "human": OKABE_ITO["blue"],
                   "in vitro": OKABE_ITO["green"], "review": OKABE_ITO["grey"]}
DIRECTION_SYMBOLS = {"effect": "triangle-up", "null": "circle-open", "mechanism": "diamond", "against": "x"}
DIRECTION_SHORT = {"effect": "effect via route", "null": "no effect", "mechanism": "mechanism only",
                   "against": "route not needed"}
_ROUTE_Y = {route: len(vm.ROUTES) - i for i, route in enumerate(vm.ROUTES)}
#: Tier labels as shown on the ladder's axis (line breaks keep them legible at notebook width).
TIER_LABELS = {"review": "review", "in vitro": "in vitro", "animal": "animal",
               "human observational": "human<br>observ.", "human uncontrolled trial": "human<br>uncontr.",
               "human RCT": "human<br>RCT", "meta-analysis": "meta-<br>analysis"}


def routes_summary(route: str, species_filter: str) -> str:
    studies = vm.studies_for(route, species_filter)
    who = {"all": "", "rodent": " in rodents", "human": " in humans"}[species_filter]
    if not studies:
        return f"{vm.ROUTES[route]}: no study{who} in this lesson."
    parts = [f"{s.study} ({s.species}; {s.tier}; {vm.DIRECTIONS[s.direction]})" for s in studies]
    return f"{vm.ROUTES[route]}, key studies{who}: " + "; ".join(parts) + "."


def _route_lines(route: str) -> list[dict]:
    return [dict(width=7 if r == route else 2, color=OKABE_ITO["blue"] if r == route else "#BBBBBB")
            for r in vm.ROUTES]


def study_label(study: str) -> str:
    """A study's label on the ladder's axis: what it tested goes on a second line (narrower margin)."""
    return study.replace(" (", "<br>(", 1)


def study_label_margin_px(font_px: int = 14) -> int:
    """Left margin that fits every study's label (about 0.6 em a character, plus the tick's gap).
    The same for every route: plotly's automargin then has nothing to push, so a route change
    draws the figure once, and the ladder does not jump sideways (it moved by up to 198 px)."""
    longest = max(len(part) for s in vm.load_route_studies() for part in study_label(s.study).split("<br>"))
    return round(0.6 * font_px * longest) + 12


def _study_points(route: str, species_filter: str) -> dict:
    studies = vm.studies_for(route, species_filter)
    return dict(
        x=[TIER_LABELS[s.tier] for s in studies], y=[study_label(s.study) for s in studies],
        colour=[SPECIES_COLOURS.get(s.species_group, OKABE_ITO["grey"]) for s in studies],
        symbol=[DIRECTION_SYMBOLS[s.direction] for s in studies],
        hover=[f"{s.study}: {s.species}, n = {s.n}<br>{vm.DIRECTIONS[s.direction]}<br>{s.finding} [{s.source}]"
               for s in studies],
    )


def _routes_title(route: str, species_filter: str) -> str:
    """Always two lines (the route, then what the ladder shows): the figure keeps its top margin
    from route to route, so a click redraws it once instead of laying it out again."""
    if species_filter == "human" and not vm.studies_for(route, "human"):
        return f"{vm.ROUTES[route]}:<br>no human study here (the translation gap)"
    return f"{vm.ROUTES[route]}:<br>who showed what, in which species"


def routes_figure(route: str = "vagal", species_filter: str = "all") -> go.Figure:
    fig = make_subplots(rows=2, cols=1, row_heights=[0.42, 0.58], vertical_spacing=0.16,
                        subplot_titles=("Routes from gut to brain", "Key studies on the evidence ladder"))
    for r, line in zip(vm.ROUTES, _route_lines(route)):
        y = _ROUTE_Y[r]
        fig.add_trace(go.Scatter(x=[0.12, 0.88], y=[y, y], mode="lines+markers", line=line,
                                 marker=dict(symbol=["circle", "arrow-right"], size=[6, 14], color=line["color"]),
                                 name=vm.ROUTES[r], showlegend=False,
                                 hovertemplate=f"{vm.ROUTES[r]}: {vm.ROUTE_NOTES[r]}<extra></extra>"),
                      row=1, col=1)
        fig.add_annotation(x=0.5, y=y + 0.42, text=vm.ROUTES[r], showarrow=False, xref="x", yref="y",
                           font=dict(size=12))
    fig.add_annotation(x=0.03, y=3, text="<b>Gut</b>", showarrow=False, xref="x", yref="y", font=dict(size=14))
    fig.add_annotation(x=0.97, y=3, text="<b>Brain</b>", showarrow=False, xref="x", yref="y", font=dict(size=14))
    pts = _study_points(route, species_filter)
    fig.add_trace(go.Scatter(x=pts["x"], y=pts["y"], mode="markers", showlegend=False, name="studies",
                             marker=dict(color=pts["colour"], symbol=pts["symbol"], size=16,
                                         line=dict(color="black", width=1)),
                             hovertext=pts["hover"], hoverinfo="text"), row=2, col=1)
    # legend stand-ins (species colour, direction symbol)
    for label, colour in (("rodent", SPECIES_COLOURS["rodent"]), ("human", SPECIES_COLOURS["human"]),
                          ("in vitro", SPECIES_COLOURS["in vitro"]), ("review", SPECIES_COLOURS["review"])):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label,
                                 marker=dict(color=colour, size=11, symbol="square")), row=2, col=1)
    for direction, symbol in DIRECTION_SYMBOLS.items():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=DIRECTION_SHORT[direction],
                                 marker=dict(color="#555555", size=11, symbol=symbol)), row=2, col=1)
    fig.update_xaxes(visible=False, range=[-0.02, 1.02], row=1, col=1)
    fig.update_yaxes(visible=False, range=[0.5, len(vm.ROUTES) + 0.7], row=1, col=1)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[TIER_LABELS[t] for t in vm.TIER_ORDER],
                     range=[-0.5, len(vm.TIER_ORDER) - 0.5], title_text="evidence tier (weaker → stronger)",
                     tickangle=0, tickfont=dict(size=11), row=2, col=1)
    fig.update_yaxes(automargin=True, type="category", row=2, col=1)
    fig.update_layout(**base_layout(_routes_title(route, species_filter), routes_summary(route, species_filter),
                                    height=820, legend=legend_at_foot(font=dict(size=12))))
    fig.update_layout(margin=dict(l=study_label_margin_px(), r=20, t=title_height(fig.layout.title.text) + 30,
                                  b=190))
    _set_empty_note(fig, route, species_filter)
    return fig


def _set_empty_note(fig, route: str, species_filter: str) -> None:
    empty = not vm.studies_for(route, species_filter)
    who = {"all": "", "rodent": "rodent ", "human": "human "}[species_filter]
    notes = [a for a in fig.layout.annotations if a.name == "empty-note"]
    text = f"No {who}study of this route in this lesson" if empty else ""
    if notes:
        notes[0].text = text
        notes[0].visible = empty
    else:
        fig.add_annotation(text=text, visible=empty, name="empty-note", xref="x2 domain", yref="y2 domain",
                           x=0.5, y=0.5, showarrow=False, font=dict(size=15, color=OKABE_ITO["vermillion"]))


def update_routes_figure(fig, route: str, species_filter: str) -> None:
    for trace, line in zip(fig.data[:len(vm.ROUTES)], _route_lines(route)):
        if trace.line.width != line["width"]:  # only the routes that change: plotly's setters are slow
            trace.line = line
            trace.marker.color = line["color"]
    pts = _study_points(route, species_filter)
    studies = fig.data[len(vm.ROUTES)]
    studies.x, studies.y, studies.hovertext = pts["x"], pts["y"], pts["hover"]
    studies.marker.color, studies.marker.symbol = pts["colour"], pts["symbol"]
    title = title_layout(_routes_title(route, species_filter))
    fig.layout.title.update(title)
    # as built (inside batch_update the figure still has the old title): room for a longer one
    fig.layout.margin.t = title_height(title["text"]) + 30
    _set_empty_note(fig, route, species_filter)
    fig.layout.meta = dict(alt_text=routes_summary(route, species_filter))


# ---------------------------------------------------------------------------------------------
# 4. Mouse → human: Bravo 2011 vs Kelly 2017
# ---------------------------------------------------------------------------------------------

RESULT_STYLE = {
    "reduced": ("triangle-down", OKABE_ITO["vermillion"]),
    "changed": ("diamond", OKABE_ITO["orange"]),
    "no_effect": ("circle-open", OKABE_ITO["blue"]),
    "not_reported": ("x-thin-open", OKABE_ITO["grey"]),
    "needed": ("square", OKABE_ITO["purple"]),
    "not_tested": ("x-thin-open", OKABE_ITO["grey"]),
}
COLUMNS = ("Mice:<br>Bravo 2011<br>(n not verified)", "Healthy men:<br>Kelly 2017<br>(n = 29)")


def translation_summary(view: str) -> str:
    rows = vm.translation_table(view)
    parts = [f"{vm.OUTCOMES[o]}: mice {vm.RESULTS[m.result]}, men {vm.RESULTS[h.result]}" for o, m, h in rows]
    return ("Bravo 2011 (mice, L. rhamnosus JB-1) vs Kelly 2017 (29 healthy men, same strain, placebo-controlled "
            "crossover). " + "; ".join(parts) + ".")


def _translation_points(view: str) -> dict:
    rows = vm.translation_table(view)
    xs, ys, symbols, colours, texts, hovers = [], [], [], [], [], []
    for outcome, mouse, human in rows:
        for column, r in zip(COLUMNS, (mouse, human)):
            symbol, colour = RESULT_STYLE[r.result]
            xs.append(column)
            ys.append(vm.OUTCOMES[outcome])
            symbols.append(symbol)
            colours.append(colour)
            texts.append(wrap_text(vm.RESULTS[r.result], 16))
            hovers.append(f"{vm.OUTCOMES[outcome]} — {r.species}: {vm.RESULTS[r.result]}<br>measured: {r.measured}"
                          f"<br>[{r.source}], {r.where}")
    return dict(x=xs, y=ys, symbol=symbols, colour=colours, text=texts, hover=hovers)


def translation_figure(view: str = "all") -> go.Figure:
    pts = _translation_points(view)
    fig = go.Figure(go.Scatter(
        x=pts["x"], y=pts["y"], mode="markers+text", text=pts["text"], textposition="middle right",
        marker=dict(symbol=pts["symbol"], color=pts["colour"], size=18, line=dict(width=2, color=pts["colour"])),
        hovertext=pts["hover"], hoverinfo="text", showlegend=False, cliponaxis=False, textfont=dict(size=13)))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(COLUMNS), side="top",
                     range=[-0.4, 1.75], tickangle=0)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(reversed(list(vm.OUTCOMES.values()))),
                     automargin=True)
    fig.update_layout(**base_layout("None of the effects JB-1 had in mice appeared in healthy men",
                                    translation_summary(view), height=500))
    # the column headings (x tick labels, on top) sit under the title
    fig.update_layout(margin=dict(l=20, r=20, t=title_height(fig.layout.title.text) + 70, b=30))
    return fig


def update_translation_figure(fig, view: str) -> None:
    pts = _translation_points(view)
    trace = fig.data[0]
    trace.x, trace.y, trace.text, trace.hovertext = pts["x"], pts["y"], pts["text"], pts["hover"]
    trace.marker.symbol, trace.marker.color = pts["symbol"], pts["colour"]
    trace.marker.line.color = pts["colour"]
    fig.layout.meta = dict(alt_text=translation_summary(view))
