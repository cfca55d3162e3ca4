"""A diagram without a kernel: the same figure builders, precomputed over the main control.

``precompute(build, steps, ...)`` calls ``build(value)`` for every value the control can take
on the site and merges the figures into one: the union of their traces (a trace common to
several steps is stored once) plus, per step, which traces are visible, the layout keys that
change and the text alternative. ``static_html`` renders it with a native, labelled control; the
site's ``gutbrain-site.js`` applies a step with ``Plotly.update``. Pure: no widgets, no kernel.
"""
from __future__ import annotations

import html
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import plotly.graph_objects as go

PRECOMPUTED = "Precomputed; launch to run the model."
#: Layout keys the page decides: the figure takes the width of the page's text column.
_PAGE_KEYS = ("width", "autosize")


@dataclass(frozen=True)
class Step:
    label: str
    visible: list[Any]
    layout: dict[str, Any]
    alt: str
    caption: str = ""


@dataclass(frozen=True)
class StaticFigure:
    """One figure as the site shows it. ``steps`` is empty for a figure without a control."""

    figure: dict[str, Any]
    steps: tuple[Step, ...] = ()
    control: str = ""
    kind: str = "slider"  # or "choice"
    default: int = 0
    #: What launching the lesson adds (the controls that are not precomputed).
    launch_adds: str = ""
    intro: str = ""
    extra_html: list[str] = field(default_factory=list)

    @property
    def alt(self) -> str:
        return self.steps[self.default].alt if self.steps else self.figure["layout"].get("meta", {}).get("alt_text", "")


def _figure_json(fig: go.Figure) -> dict[str, Any]:
    return json.loads(fig.to_json())


def _alt(layout: dict) -> str:
    return (layout.get("meta") or {}).get("alt_text", "")


def _page_layout(layout: dict) -> dict:
    out = {k: v for k, v in layout.items() if k not in _PAGE_KEYS}
    out["autosize"] = True
    return out


def still(fig: go.Figure, *, launch_adds: str = "", intro: str = "") -> StaticFigure:
    """A figure with nothing to precompute (its widget has no control, or none worth moving)."""
    spec = _figure_json(fig)
    return StaticFigure({"data": spec["data"], "layout": _page_layout(spec["layout"])},
                        launch_adds=launch_adds, intro=intro)


def precompute(build: Callable[[Any], go.Figure], steps: Sequence[tuple[str, Any]], *, control: str,
               default: Any, kind: str = "slider", launch_adds: str = "", intro: str = "",
               caption: Callable[[Any], str] | None = None) -> StaticFigure:
    """Merge ``build(value)`` for each ``(label, value)`` of ``steps`` into one client-side figure.

    ``default`` is the value shown first (it must be one of the steps); ``kind`` is "slider" for
    an ordered numeric control, "choice" for options. ``caption(value)``, if given, is a sentence
    shown under the figure for that step (what the live widget's status line says)."""
    if kind not in ("slider", "choice"):
        raise ValueError(f"kind must be 'slider' or 'choice', got {kind!r}")
    values = [v for _, v in steps]
    if not steps:
        raise ValueError(f"{control!r}: no steps to precompute")
    if default not in values:
        raise ValueError(f"{control!r}: the default {default!r} is not one of the precomputed steps")
    specs = [_figure_json(build(v)) for v in values]
    traces: list[dict] = []
    index: dict[str, int] = {}
    shown: list[dict[int, Any]] = []
    for spec in specs:
        visible: dict[int, Any] = {}
        for trace in spec["data"]:
            own = trace.get("visible", True)
            body = {k: v for k, v in trace.items() if k != "visible"}
            key = json.dumps(body, sort_keys=True)
            if key not in index:
                index[key] = len(traces)
                traces.append(body)
            visible[index[key]] = own
        shown.append(visible)
    layouts = [_page_layout(s["layout"]) for s in specs]
    keys = sorted({k for layout in layouts for k in layout})
    changing = [k for k in keys if len({json.dumps(layout.get(k), sort_keys=True) for layout in layouts}) > 1]
    step_objs = tuple(
        Step(label=label, visible=[vis.get(i, False) for i in range(len(traces))],
             layout={k: layout.get(k) for k in changing}, alt=_alt(layout),
             caption=caption(value) if caption else "")
        for (label, value), vis, layout in zip(steps, shown, layouts)
    )
    first = values.index(default)
    data = [dict(t, visible=step_objs[first].visible[i]) for i, t in enumerate(traces)]
    return StaticFigure({"data": data, "layout": layouts[first]}, step_objs, control, kind, first,
                        launch_adds, intro)


def grid(lo: float, hi: float, n: int, *, log: bool = False, include: Sequence[float] = (),
         decimals: int = 2) -> list[float]:
    """``n`` values from ``lo`` to ``hi`` (evenly, or evenly in log10), plus ``include``, sorted."""
    import numpy as np

    points = np.logspace(np.log10(lo), np.log10(hi), n) if log else np.linspace(lo, hi, n)
    return sorted({round(float(x), decimals) for x in points} | {round(float(x), decimals) for x in include})


def _script_json(value: Any) -> str:
    """JSON safe inside <script type="application/json">."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


_PAYLOAD = re.compile(r'<script type="application/json" class="gutbrain-static-data">(.*?)</script>', re.S)


def payloads(page_html: str) -> list[dict[str, Any]]:
    """The data of every figure ``static_html`` wrote into a page (figure, default, steps)."""
    return [json.loads(blob.replace("<\\/", "</")) for blob in _PAYLOAD.findall(page_html)]


def _control_html(fig: StaticFigure, uid: str) -> str:
    if not fig.steps:
        return ""
    name = html.escape(fig.control)
    if fig.kind == "slider":
        first = fig.steps[fig.default].label
        return (f'<div class="gutbrain-static-slider"><label for="{uid}-in">{name}</label>'
                f'<input type="range" id="{uid}-in" min="0" max="{len(fig.steps) - 1}" step="1" '
                f'value="{fig.default}" aria-valuetext="{html.escape(first)}">'
                f'<output for="{uid}-in">{html.escape(first)}</output></div>')
    radios = "".join(
        f'<label><input type="radio" name="{uid}-choice" value="{k}"{" checked" if k == fig.default else ""}>'
        f"<span>{html.escape(s.label)}</span></label>"
        for k, s in enumerate(fig.steps))
    return f'<fieldset class="gutbrain-static-choice"><legend>{name}</legend>{radios}</fieldset>'


def static_html(fig: StaticFigure) -> str:
    """The figure, its control, its text alternative (updated with the control) and what
    launching the lesson adds. Drawn by the site's gutbrain-site.js with the site's plotly.js."""
    uid = "gb-" + uuid.uuid4().hex[:10]
    note = ""
    if fig.steps or fig.launch_adds:
        note = (f'<p class="gutbrain-precomputed"><b>{PRECOMPUTED if fig.steps else "A still picture."}</b>'
                + (f" {html.escape(fig.launch_adds)}" if fig.launch_adds else "") + "</p>")
    payload = {"figure": fig.figure, "default": fig.default,
               "steps": [{"label": s.label, "visible": s.visible, "layout": s.layout, "alt": s.alt,
                          "caption": s.caption}
                         for s in fig.steps]}
    return (f'<div class="gutbrain-static" id="{uid}" data-gb-static>'
            + (f"<p><small>{fig.intro}</small></p>" if fig.intro else "")
            + note + _control_html(fig, uid)
            + f'<div class="gutbrain-plot"></div>'
            + f'<p class="gutbrain-static-status" role="status" aria-live="polite">{html.escape(fig.alt)}</p>'
            + (f'<p class="gutbrain-static-caption">{html.escape(fig.steps[fig.default].caption)}</p>'
               if fig.steps and fig.steps[fig.default].caption else "")
            + "".join(fig.extra_html)
            + f'<script type="application/json" class="gutbrain-static-data">{_script_json(payload)}</script>'
            + "</div>")
