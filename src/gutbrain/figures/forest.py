"""Forest plots and funnel plots: the figures of a meta-analysis (lessons 3 and 4).

Pure builders: rows of estimates in, plotly Figure out; no ipywidgets. The ``update_*``
functions change an existing figure (or ``go.FigureWidget``) in place, so a widget calls them
inside ``batch_update()``; a figure keeps the same traces whatever the rows, which keeps a
redraw cheap.

Stable API (lesson 4 reuses it; keep these signatures):

    forest_plot(rows, *, pooled=None, title, x_title, null_value=0.0, favours=None,
                alt_text=None, log_x=False, x_range=None, show_values=True,
                value_format="{:.2f}", group_title="") -> go.Figure
    update_forest_plot(fig, rows, *, pooled=None, title=None, alt_text=None, ...same keywords)
    funnel_plot(estimates, standard_errors, *, labels=None, pooled=None, title, x_title,
                y_title="standard error", excluded=None, egger=None, alt_text=None) -> go.Figure
    update_funnel_plot(fig, estimates, standard_errors, *, ...same keywords)

A row is a ``ForestRow``, a dict or any object with attributes ``label``, ``estimate``,
``ci_low``, ``ci_high`` and optionally ``weight`` (any scale; shown as % of the total and as
marker area), ``group`` (colour + marker symbol, legend), ``note`` (hover text), and for a
pooled row ``pi_low``/``pi_high`` (prediction interval, drawn as a thin line through the
diamond).
"""
from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from plotly.basedatatypes import Undefined

from gutbrain.figures.style import OKABE_ITO, base_layout, legend_at_foot, title_height, title_layout

#: Colours and symbols for groups, in order of first appearance; colour is never the only cue.
GROUP_COLOURS = [OKABE_ITO[c] for c in ("blue", "vermillion", "green", "orange", "purple", "sky")]
GROUP_SYMBOLS = ["square", "circle", "diamond", "triangle-up", "x", "star"]
MAX_GROUPS = len(GROUP_COLOURS)
POOLED_COLOUR = "#222222"
CI_COLOUR = "#555555"
ROW_HEIGHT_PX = 28

# Trace positions in a forest figure (fixed, so updates can address them).
_CI, _POINTS, _DIAMONDS, _POOLED_HOVER, _PI, _VALUES, _LEGEND0 = range(7)
_LABELS = _LEGEND0 + 6  # the row labels, a text trace on its own hidden axis (last trace)
LABEL_WRAP = 16  # characters per line of a row label (its column is 27% of a figure 490 px wide)
FAVOURS_SHIFT_PX = -58  # the "favours" line, under the tick labels and the axis title


@dataclass(frozen=True)
class ForestRow:
    """One line of a forest plot: an estimate with its confidence interval."""

    label: str
    estimate: float
    ci_low: float
    ci_high: float
    weight: float | None = None
    group: str | None = None
    note: str = ""
    pi_low: float | None = None
    pi_high: float | None = None

    def __post_init__(self):
        for name in ("estimate", "ci_low", "ci_high"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"forest row {self.label!r}: {name} must be a finite number")
        if not self.ci_low <= self.estimate <= self.ci_high:
            raise ValueError(f"forest row {self.label!r}: need ci_low <= estimate <= ci_high, got "
                             f"{self.ci_low} <= {self.estimate} <= {self.ci_high}")
        if self.weight is not None and self.weight < 0:
            raise ValueError(f"forest row {self.label!r}: weight must be >= 0")


_FIELDS = ("label", "estimate", "ci_low", "ci_high", "weight", "group", "note", "pi_low", "pi_high")


def as_forest_row(row: Any) -> ForestRow:
    """A ``ForestRow`` from a ForestRow, a mapping, or an object with the same attributes."""
    if isinstance(row, ForestRow):
        return row
    get = row.get if isinstance(row, Mapping) else (lambda name, default=None: getattr(row, name, default))
    values = {name: get(name, None) for name in _FIELDS}
    missing = [n for n in ("label", "estimate", "ci_low", "ci_high") if values[n] is None]
    if missing:
        raise ValueError(f"forest row {row!r} lacks {', '.join(missing)}")
    return ForestRow(
        label=str(values["label"]), estimate=float(values["estimate"]),
        ci_low=float(values["ci_low"]), ci_high=float(values["ci_high"]),
        weight=None if values["weight"] is None else float(values["weight"]),
        group=None if values["group"] in (None, "") else str(values["group"]),
        note=str(values["note"] or ""),
        pi_low=None if values["pi_low"] is None else float(values["pi_low"]),
        pi_high=None if values["pi_high"] is None else float(values["pi_high"]),
    )


def _rows(rows: Iterable[Any] | None) -> list[ForestRow]:
    if rows is None:
        return []
    if isinstance(rows, (ForestRow, Mapping)) or hasattr(rows, "estimate"):
        return [as_forest_row(rows)]
    return [as_forest_row(r) for r in rows]


def _fmt(value: float, value_format: str) -> str:
    return value_format.format(value).replace("-", "−")


def _interval_text(row: ForestRow, value_format: str) -> str:
    return (f"{_fmt(row.estimate, value_format)} [{_fmt(row.ci_low, value_format)}, "
            f"{_fmt(row.ci_high, value_format)}]")


def wrap_label(text: str, width: int = LABEL_WRAP) -> str:
    """A row label broken into lines of at most ``width`` characters (HTML line breaks)."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "<br>".join(html.escape(x) for x in lines)


def default_forest_alt_text(rows: Sequence[ForestRow], pooled: Sequence[ForestRow], *, x_title: str,
                            null_value: float, value_format: str = "{:.2f}") -> str:
    """A text alternative listing every row and pooled estimate with its interval."""
    parts = [f"Forest plot of {len(rows)} estimate{'s' if len(rows) != 1 else ''} ({x_title}); "
             f"the line of no effect is at {value_format.format(null_value)}."]
    crossing = sum(1 for r in rows if r.ci_low <= null_value <= r.ci_high)
    if rows:
        parts.append(f"{crossing} of {len(rows)} intervals include no effect.")
        parts.append("Rows: " + "; ".join(f"{r.label} {_interval_text(r, value_format)}" for r in rows) + ".")
    for p in pooled:
        parts.append(f"{p.label}: {_interval_text(p, value_format)}.")
    return " ".join(parts)


def _forest_spec(rows: Sequence[Any], *, pooled, null_value: float, log_x: bool,
                 show_values: bool, value_format: str) -> dict:
    """Plain data for every trace (no plotly objects): what ``forest_plot`` draws."""
    trial = _rows(rows)
    pooled_rows = _rows(pooled)
    n_trial, n_pooled = len(trial), len(pooled_rows)
    gap = 1 if (n_trial and n_pooled) else 0
    total = n_trial + gap + n_pooled
    # y runs from the top (first row) down; the first row has the largest y
    y_trial = [float(total - i) for i in range(n_trial)]
    y_pooled = [float(n_pooled - i) for i in range(n_pooled)]

    groups: list[str] = []
    for r in trial:
        if r.group is not None and r.group not in groups:
            groups.append(r.group)
    if len(groups) > MAX_GROUPS:
        raise ValueError(f"a forest plot shows at most {MAX_GROUPS} groups, got {len(groups)}")
    gi = {g: i for i, g in enumerate(groups)}

    weights = [r.weight for r in trial]
    has_weights = bool(trial) and all(w is not None for w in weights)
    total_w = sum(weights) if has_weights else 0.0
    if has_weights and total_w > 0:
        share = [w / total_w for w in weights]
        biggest = max(share) or 1.0
        sizes = [7 + 15 * math.sqrt(s / biggest) for s in share]
    else:
        share = [None] * n_trial
        sizes = [10.0] * n_trial

    ci_x: list[float | None] = []
    ci_y: list[float | None] = []
    for r, y in zip(trial, y_trial):
        ci_x += [r.ci_low, r.ci_high, None]
        ci_y += [y, y, None]

    hover = []
    for r, s in zip(trial, share):
        text = f"<b>{html.escape(r.label)}</b><br>{_interval_text(r, value_format)}"
        if s is not None:
            text += f"<br>weight {100 * s:.1f}%"
        if r.group:
            text += f"<br>{html.escape(r.group)}"
        if r.note:
            text += f"<br>{html.escape(r.note)}"
        hover.append(text)

    dia_x: list[float | None] = []
    dia_y: list[float | None] = []
    pi_x: list[float | None] = []
    pi_y: list[float | None] = []
    half = 0.32
    for p, y in zip(pooled_rows, y_pooled):
        dia_x += [p.ci_low, p.estimate, p.ci_high, p.estimate, p.ci_low, None]
        dia_y += [y, y + half, y, y - half, y, None]
        if p.pi_low is not None and p.pi_high is not None:
            pi_x += [p.pi_low, p.pi_high, None]
            pi_y += [y, y, None]
    pooled_hover = [f"<b>{html.escape(p.label)}</b><br>{_interval_text(p, value_format)}"
                    + (f"<br>prediction interval {_fmt(p.pi_low, value_format)} to {_fmt(p.pi_high, value_format)}"
                       if p.pi_low is not None and p.pi_high is not None else "")
                    + (f"<br>{html.escape(p.note)}" if p.note else "")
                    for p in pooled_rows]

    value_text = [_interval_text(r, value_format) + (f"  {100 * s:.0f}%" if s is not None else "")
                  for r, s in zip(trial, share)]
    value_text += [_interval_text(p, value_format) for p in pooled_rows]

    lows = [r.ci_low for r in trial + pooled_rows] + [p.pi_low for p in pooled_rows if p.pi_low is not None]
    highs = [r.ci_high for r in trial + pooled_rows] + [p.pi_high for p in pooled_rows if p.pi_high is not None]
    if log_x:
        lo = min(lows + [null_value], default=null_value)
        hi = max(highs + [null_value], default=null_value)
        lo, hi = math.log10(lo), math.log10(hi)
        pad = 0.06 * (hi - lo or 1.0)
        x_range = [lo - pad, hi + pad]
    else:
        lo = min(lows + [null_value], default=null_value - 1)
        hi = max(highs + [null_value], default=null_value + 1)
        pad = 0.06 * (hi - lo or 1.0)
        x_range = [lo - pad, hi + pad]

    label_text = ([wrap_label(r.label) for r in trial]
                  + [f"<b>{wrap_label(p.label)}</b>" for p in pooled_rows])
    lines = max([t.count("<br>") + 1 for t in label_text], default=1)
    row_px = ROW_HEIGHT_PX + 14 * (lines - 1)
    return dict(
        label_text=label_text, label_y=y_trial + y_pooled,
        y_trial=y_trial, y_pooled=y_pooled, total=total,
        labels=[r.label for r in trial], pooled_labels=[p.label for p in pooled_rows],
        ci_x=ci_x, ci_y=ci_y, est=[r.estimate for r in trial], sizes=sizes,
        colours=[GROUP_COLOURS[gi[r.group]] if r.group in gi else OKABE_ITO["blue"] for r in trial],
        symbols=[GROUP_SYMBOLS[gi[r.group]] if r.group in gi else "square" for r in trial],
        hover=hover, dia_x=dia_x, dia_y=dia_y, pi_x=pi_x, pi_y=pi_y,
        pooled_est=[p.estimate for p in pooled_rows], pooled_hover=pooled_hover,
        value_text=value_text if show_values else [], value_y=(y_trial + y_pooled) if show_values else [],
        groups=groups, x_range=x_range, trial=trial, pooled=pooled_rows,
        height=max(280, 170 + row_px * max(total, 1)),
    )


def _favours_annotations(favours: tuple[str, str] | None, null_value: float, log_x: bool) -> list[dict]:
    """The two "favours" texts on one line under the axis, running outwards from the line of no
    effect: they never meet, however narrow the figure is."""
    if not favours:
        return []
    left, right = favours
    x = math.log10(null_value) if log_x else null_value
    common = dict(name="favours", xref="x", yref="paper", x=x, y=0.0, yshift=FAVOURS_SHIFT_PX, yanchor="top",
                  showarrow=False, font=dict(size=12, color="#444"))
    return [dict(text=f"← {html.escape(left)}", xanchor="right", xshift=-4, **common),
            dict(text=f"{html.escape(right)} →", xanchor="left", xshift=4, **common)]


def forest_plot(rows: Iterable[Any], *, pooled: Any = None, title: str, x_title: str,
                null_value: float = 0.0, favours: tuple[str, str] | None = None,
                alt_text: str | None = None, log_x: bool = False,
                x_range: tuple[float, float] | None = None, show_values: bool = True,
                value_format: str = "{:.2f}", group_title: str = "") -> go.Figure:
    """A forest plot: one row per estimate (square sized by weight, line = CI), pooled diamonds below.

    rows: ForestRow / dicts / objects with label, estimate, ci_low, ci_high [, weight, group, note].
    pooled: one row or a list of rows drawn as diamonds under the others (e.g. fixed and random
        effects, or one per subgroup), optionally with pi_low/pi_high (prediction interval).
    title: the message of the figure, e.g. "Ten small trials, one small pooled effect".
    x_title: the effect measure with its unit or scale, e.g. "SMD (Hedges' g), probiotic − placebo".
    null_value: the value of no effect (0 for differences, 1 for ratios), drawn as a dashed line.
    favours: (left, right) texts under the axis, e.g. ("favours probiotic", "favours placebo").
    alt_text: the figure's text alternative; by default every row and pooled estimate is listed.
    log_x: a log axis (ratio measures; give null_value=1). x_range in data units (log10 if log_x).
    show_values: a right-hand column "estimate [low, high]  weight%".
    group_title: legend title when rows carry groups.
    """
    spec = _forest_spec(list(rows), pooled=pooled, null_value=null_value, log_x=log_x,
                        show_values=show_values, value_format=value_format)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=spec["ci_x"], y=spec["ci_y"], mode="lines", name="95% CI",
                             line=dict(color=CI_COLOUR, width=2), hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(
        x=spec["est"], y=spec["y_trial"], mode="markers", name="estimate",
        marker=dict(size=spec["sizes"], color=spec["colours"], symbol=spec["symbols"],
                    line=dict(color="#222", width=1)),
        hovertext=spec["hover"], hoverinfo="text", showlegend=False))
    fig.add_trace(go.Scatter(x=spec["dia_x"], y=spec["dia_y"], mode="lines", fill="toself",
                             fillcolor=POOLED_COLOUR, line=dict(color=POOLED_COLOUR, width=1),
                             name="pooled", hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(x=spec["pooled_est"], y=spec["y_pooled"], mode="markers",
                             marker=dict(size=14, opacity=0), hovertext=spec["pooled_hover"],
                             hoverinfo="text", name="pooled estimate", showlegend=False))
    fig.add_trace(go.Scatter(x=spec["pi_x"], y=spec["pi_y"], mode="lines", name="prediction interval",
                             line=dict(color=POOLED_COLOUR, width=1.5, dash="dot"), hoverinfo="skip",
                             showlegend=False))
    fig.add_trace(go.Scatter(x=[0.0] * len(spec["value_text"]), y=spec["value_y"], mode="text",
                             text=spec["value_text"], textposition="middle right", xaxis="x2",
                             textfont=dict(size=11, color="#333"), hoverinfo="skip", showlegend=False,
                             name="values", cliponaxis=False))
    for i in range(MAX_GROUPS):
        name = spec["groups"][i] if i < len(spec["groups"]) else ""
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=name, visible=True if name else False,
            marker=dict(size=11, color=GROUP_COLOURS[i], symbol=GROUP_SYMBOLS[i], line=dict(color="#222", width=1)),
            showlegend=bool(name), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=[1.0] * len(spec["label_text"]), y=spec["label_y"], mode="text",
                             text=spec["label_text"], textposition="middle left", xaxis="x3",
                             textfont=dict(size=12, color="#222"), hoverinfo="skip", showlegend=False,
                             name="labels", cliponaxis=False))
    fig.update_layout(**base_layout(
        title, alt_text if alt_text is not None else default_forest_alt_text(
            spec["trial"], spec["pooled"], x_title=x_title, null_value=null_value, value_format=value_format),
        height=spec["height"], showlegend=True,
        legend=dict(title=dict(text=group_title), orientation="h", x=0.0, y=1.0, yanchor="bottom",
                    xanchor="left"),
        hovermode="closest",
    ))
    # the legend (row groups) sits between the title and the plot
    fig.update_layout(margin=dict(l=10, r=10, t=max(100, title_height(fig.layout.title.text) + 40), b=110))
    fig.update_xaxes(title_text=x_title, domain=[0.28, 0.64] if show_values else [0.28, 1.0],
                     type="log" if log_x else "linear", zeroline=False,
                     range=list(x_range) if x_range is not None else spec["x_range"], ticks="outside")
    fig.update_layout(xaxis2=dict(domain=[0.655, 1.0], range=[0, 1], visible=False, fixedrange=True,
                                  anchor="y"),
                      xaxis3=dict(domain=[0.0, 0.27], range=[0, 1], visible=False, fixedrange=True,
                                  anchor="y"))
    # Row labels are a text trace (xaxis3), not tick labels: they wrap, and the y axis needs no title.
    # ticktext is kept (hidden) so code that reads the row labels from the axis still works.
    fig.update_yaxes(tickvals=spec["y_trial"] + spec["y_pooled"], showticklabels=False,
                     ticktext=[html.escape(t) for t in spec["labels"]]
                     + [f"<b>{html.escape(t)}</b>" for t in spec["pooled_labels"]],
                     range=[0.3, spec["total"] + 0.7], showline=False, ticks="",
                     showgrid=False, zeroline=False, fixedrange=True)
    fig.update_layout(annotations=_favours_annotations(favours, null_value, log_x))
    fig.add_shape(type="line", xref="x", yref="paper", x0=null_value, x1=null_value, y0=0, y1=1,
                  line=dict(color="#777", width=1, dash="dash"), layer="below", name="no effect")
    return fig


def update_forest_plot(fig: go.Figure, rows: Iterable[Any], *, pooled: Any = None, title: str | None = None,
                       x_title: str | None = None, null_value: float | None = None,
                       alt_text: str | None = None, log_x: bool = False,
                       x_range: tuple[float, float] | None = None, show_values: bool = True,
                       value_format: str = "{:.2f}", keep_height: bool = False) -> None:
    """Redraw ``fig`` (made by ``forest_plot``) with new rows/pooled rows, in place.

    ``null_value`` and ``x_title`` default to the figure's current ones. With ``keep_height``
    the figure keeps its height (no jump while a learner drags a control)."""
    if null_value is None:
        null_value = fig.layout.shapes[0].x0
    x_title = x_title if x_title is not None else fig.layout.xaxis.title.text
    spec = _forest_spec(list(rows), pooled=pooled, null_value=null_value, log_x=log_x,
                        show_values=show_values, value_format=value_format)
    traces: dict[int, dict[str, Any]] = {
        _CI: {"x": spec["ci_x"], "y": spec["ci_y"]},
        _POINTS: {"x": spec["est"], "y": spec["y_trial"], "hovertext": spec["hover"], "marker.size": spec["sizes"],
                  "marker.color": spec["colours"], "marker.symbol": spec["symbols"]},
        _DIAMONDS: {"x": spec["dia_x"], "y": spec["dia_y"]},
        _POOLED_HOVER: {"x": spec["pooled_est"], "y": spec["y_pooled"], "hovertext": spec["pooled_hover"]},
        _PI: {"x": spec["pi_x"], "y": spec["pi_y"]},
        _VALUES: {"text": spec["value_text"], "x": [0.0] * len(spec["value_text"]), "y": spec["value_y"]},
        _LABELS: {"text": spec["label_text"], "x": [1.0] * len(spec["label_text"]), "y": spec["label_y"]},
    }
    legend = fig.data[_LEGEND0:_LEGEND0 + MAX_GROUPS]
    names = [spec["groups"][i] if i < len(spec["groups"]) else "" for i in range(MAX_GROUPS)]
    if [t.name or "" for t in legend] != names:
        for i, name in enumerate(names):
            traces[_LEGEND0 + i] = {"name": name, "visible": bool(name), "showlegend": bool(name)}
    relayout = {
        "yaxis.tickvals": spec["y_trial"] + spec["y_pooled"],
        "yaxis.ticktext": [html.escape(t) for t in spec["labels"]]
        + [f"<b>{html.escape(t)}</b>" for t in spec["pooled_labels"]],
        "yaxis.range": [0.3, spec["total"] + 0.7],
        "xaxis.range": list(x_range) if x_range is not None else spec["x_range"],
        "xaxis.title.text": x_title, "shapes[0].x0": null_value, "shapes[0].x1": null_value,
        **{f"annotations[{i}].x": math.log10(null_value) if log_x else null_value
           for i, note in enumerate(fig.layout.annotations) if note.name == "favours"},
        "meta": dict(alt_text=alt_text if alt_text is not None else default_forest_alt_text(
            spec["trial"], spec["pooled"], x_title=x_title, null_value=null_value, value_format=value_format)),
    }
    if not keep_height:
        relayout["height"] = spec["height"]
    if title is not None:
        relayout["title.text"] = title
    update_in_one_message(fig, traces, relayout)


def update_in_one_message(fig: go.Figure, traces: Mapping[int, Mapping[str, Any]],
                          layout: Mapping[str, Any]) -> None:
    """Change traces (index -> {property path: value}) and the layout ({path: value}) with one
    ``plotly_update``. A FigureWidget then sends one message and the browser redraws once:
    ``plotly_restyle``/``plotly_relayout`` each send their own message, even inside
    ``batch_update``, and plotly.js redraws after each (a forest plot took six redraws)."""
    indexes = sorted(traces)
    paths = sorted({path for edits in traces.values() for path in edits})
    restyle = {path: [traces[i].get(path, Undefined) for i in indexes] for path in paths}
    fig.plotly_update(restyle_data=restyle, relayout_data=dict(layout), trace_indexes=indexes)

# ---------------------------------------------------------------------------------------------
# Funnel plot
# ---------------------------------------------------------------------------------------------

# Trace positions in a funnel figure.
_F_FUNNEL, _F_POOLED, _F_KEPT, _F_EXCLUDED, _F_EGGER = range(5)


def _funnel_spec(estimates: Sequence[float], standard_errors: Sequence[float], *, labels, pooled,
                 excluded, egger, y_max) -> dict:
    est = [float(e) for e in estimates]
    se = [float(s) for s in standard_errors]
    if len(est) != len(se):
        raise ValueError("estimates and standard_errors must have the same length")
    if any(not (s > 0) for s in se):
        raise ValueError("standard errors must be positive")
    labels = list(labels) if labels is not None else [f"study {i + 1}" for i in range(len(est))]
    out = set(excluded or ())
    top = y_max if y_max is not None else (max(se) * 1.1 if se else 1.0)
    centre = pooled if pooled is not None else 0.0
    funnel_x = [centre - 1.96 * top, centre, centre + 1.96 * top] if pooled is not None else []
    funnel_y = [top, 0.0, top] if pooled is not None else []
    kept = [i for i in range(len(est)) if i not in out and labels[i] not in out]
    dropped = [i for i in range(len(est)) if i not in kept]

    def hover(i):
        return f"<b>{html.escape(str(labels[i]))}</b><br>estimate {est[i]:.2f}, SE {se[i]:.3f}"

    egger_x: list[float] = []
    egger_y: list[float] = []
    if egger is not None:
        # Egger's regression: estimate/SE = intercept + slope * (1/SE), i.e.
        # estimate = slope + intercept * SE: a straight line in this funnel's coordinates.
        intercept, slope = egger
        egger_y = [0.0, top]
        egger_x = [slope + intercept * y for y in egger_y]
    return dict(
        funnel_x=funnel_x, funnel_y=funnel_y,
        pooled_x=[pooled, pooled] if pooled is not None else [], pooled_y=[0.0, top] if pooled is not None else [],
        kept_x=[est[i] for i in kept], kept_y=[se[i] for i in kept], kept_hover=[hover(i) for i in kept],
        out_x=[est[i] for i in dropped], out_y=[se[i] for i in dropped],
        out_hover=[hover(i) + "<br>(left out)" for i in dropped],
        egger_x=egger_x, egger_y=egger_y, top=top, n_kept=len(kept), n_out=len(dropped),
    )


def default_funnel_alt_text(spec: dict, x_title: str, pooled: float | None) -> str:
    text = (f"Funnel plot: {spec['n_kept']} studies, each a point at its estimate ({x_title}) and "
            "its standard error (larger error lower down).")
    if pooled is not None:
        text += f" The pooled estimate {pooled:.2f} is the vertical line, with its 95% funnel."
    if spec["n_out"]:
        text += f" {spec['n_out']} studies left out are drawn hollow."
    if spec["egger_x"]:
        text += " The dotted line is Egger's regression line; the more it leans, the more small studies differ."
    return text


def funnel_plot(estimates: Sequence[float], standard_errors: Sequence[float], *,
                labels: Sequence[str] | None = None, pooled: float | None = None, title: str,
                x_title: str, y_title: str = "standard error", excluded: Iterable[int | str] | None = None,
                egger: tuple[float, float] | None = None, alt_text: str | None = None,
                y_max: float | None = None) -> go.Figure:
    """Estimate against standard error (small studies at the bottom; y axis reversed).

    pooled: the pooled estimate (vertical line and the pseudo-95% funnel ±1.96·SE around it).
    excluded: indices or labels of studies drawn hollow as "left out".
    egger: (intercept, slope) of Egger's regression (standard normal deviate on precision),
        drawn as the line estimate = slope + intercept·SE.
    """
    spec = _funnel_spec(estimates, standard_errors, labels=labels, pooled=pooled, excluded=excluded,
                        egger=egger, y_max=y_max)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=spec["funnel_x"], y=spec["funnel_y"], mode="lines", name="95% funnel",
                             line=dict(color=OKABE_ITO["grey"], dash="dash", width=1.5), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=spec["pooled_x"], y=spec["pooled_y"], mode="lines", name="pooled estimate",
                             line=dict(color=POOLED_COLOUR, width=2), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=spec["kept_x"], y=spec["kept_y"], mode="markers", name="study",
                             marker=dict(size=11, color=OKABE_ITO["blue"], symbol="circle",
                                         line=dict(color="#222", width=1)),
                             hovertext=spec["kept_hover"], hoverinfo="text"))
    fig.add_trace(go.Scatter(x=spec["out_x"], y=spec["out_y"], mode="markers", name="left out",
                             marker=dict(size=11, color=OKABE_ITO["vermillion"], symbol="circle-open",
                                         line=dict(width=2)),
                             hovertext=spec["out_hover"], hoverinfo="text"))
    fig.add_trace(go.Scatter(x=spec["egger_x"], y=spec["egger_y"], mode="lines", name="Egger line",
                             line=dict(color=OKABE_ITO["vermillion"], dash="dot", width=2), hoverinfo="skip"))
    fig.update_layout(**base_layout(
        title, alt_text if alt_text is not None else default_funnel_alt_text(spec, x_title, pooled),
        height=500, legend=legend_at_foot(),
    ))
    fig.update_layout(margin=dict(l=80, r=20, b=160))
    fig.update_xaxes(title_text=x_title, zeroline=False)
    fig.update_yaxes(title_text=y_title, range=[spec["top"], 0.0], zeroline=False)
    return fig


def update_funnel_plot(fig: go.Figure, estimates: Sequence[float], standard_errors: Sequence[float], *,
                       labels: Sequence[str] | None = None, pooled: float | None = None,
                       title: str | None = None, excluded: Iterable[int | str] | None = None,
                       egger: tuple[float, float] | None = None, alt_text: str | None = None,
                       y_max: float | None = None) -> None:
    """Redraw ``fig`` (made by ``funnel_plot``) in place."""
    spec = _funnel_spec(estimates, standard_errors, labels=labels, pooled=pooled, excluded=excluded,
                        egger=egger, y_max=y_max)
    d = fig.data
    d[_F_FUNNEL].update(x=spec["funnel_x"], y=spec["funnel_y"])
    d[_F_POOLED].update(x=spec["pooled_x"], y=spec["pooled_y"])
    d[_F_KEPT].update(x=spec["kept_x"], y=spec["kept_y"], hovertext=spec["kept_hover"])
    d[_F_EXCLUDED].update(x=spec["out_x"], y=spec["out_y"], hovertext=spec["out_hover"])
    d[_F_EGGER].update(x=spec["egger_x"], y=spec["egger_y"])
    fig.layout.yaxis.range = [spec["top"], 0.0]
    if title is not None:
        fig.layout.title.update(title_layout(title))
    fig.layout.meta = dict(alt_text=alt_text if alt_text is not None else
                           default_funnel_alt_text(spec, fig.layout.xaxis.title.text or "", pooled))
