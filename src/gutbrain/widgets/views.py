"""Views a figure switches to in the browser, without waiting for the kernel.

A click on a radio button used to travel to the kernel, which worked out the figure's new state
and sent plotly the difference: a round trip before the figure could redraw. When a figure's
controls are a few radio groups, every state the figure can be in is known in advance.
``view_updates`` turns those states into one ``Plotly.update`` message each: the properties that
differ between the views, set to that view's values (``None`` removes a property). The figure's
loader (``gutbrain.widgets.figure``) applies the message the moment a control changes; the
kernel still updates its own copy of the figure, and the loader does not draw that update again
when it changes nothing on screen.

A view's key is the controls' values as JSON (``view_key``), written the same way in Python and
in the browser (``JSON.stringify``).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

#: The edit id of a message made here: plotly's Python side waits for the deltas of its own edits
#: only, and the loader does not send the deltas of these.
VIEW_EDIT_ID = "gutbrain-view"
#: plotly's word for "leave this trace's property as it is" in a restyle (``plotly.serializers``).
UNCHANGED = "_undefined_"
#: An axis's type, with its range: sent with every view (``keeping_axis_types``).
AXIS_TYPE = re.compile(r"^([xy]axis\d*)\.type$")


# plotly.js relayout quirks: an update must name these itself, or plotly changes them.

def keeping_autosize(layout_data: Mapping[str, Any], layout: Mapping[str, Any]) -> dict[str, Any]:
    """A relayout of the height turns autosize off and fixes the width at what it is now: the figure
    stops following the notebook's width. Unless the same relayout names autosize and width (for a
    figure that sets no width of its own)."""
    if "height" not in layout_data or "width" in layout_data or layout.get("width") or layout.get("autosize") is False:
        return dict(layout_data)
    return {**layout_data, "autosize": True, "width": None}


def keeping_axis_types(layout_data: Mapping[str, Any], layout_leaves: Mapping[str, Any]) -> dict[str, Any]:
    """A restyle of x or y makes plotly forget the type of the restyled traces' axes (a category axis
    whose trace a view empties came back numeric), and a relayout of the type autoranges the axis
    unless the same relayout names autorange: so the type is sent with its range and autorange, as
    the figure has them (a range given without autorange means autorange off)."""
    out = dict(layout_data)
    for path, value in layout_leaves.items():
        if match := AXIS_TYPE.match(path):
            axis = match[1]
            out[path] = value
            if f"{axis}.range" in layout_leaves:
                out[f"{axis}.range"] = layout_leaves[f"{axis}.range"]
                out[f"{axis}.autorange"] = layout_leaves.get(f"{axis}.autorange", False)
            elif f"{axis}.autorange" in layout_leaves:
                out[f"{axis}.autorange"] = layout_leaves[f"{axis}.autorange"]
    return out


def view_key(values: Iterable[Any]) -> str:
    """The controls' values as ``JSON.stringify`` writes them (no spaces, non-ASCII kept)."""
    return json.dumps(list(values), separators=(",", ":"), ensure_ascii=False)


def _leaves(node: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"marker": {"color": "red"}}`` -> ``{"marker.color": "red"}``. Lists are values (a
    restyle or relayout replaces them whole); an empty object sets nothing and is left out."""
    out: dict[str, Any] = {}
    for name, value in node.items():
        path = prefix + name
        if isinstance(value, Mapping):
            out.update(_leaves(value, path + "."))
        else:
            out[path] = value
    return out


def _varying(leaves_per_view: list[dict[str, Any]]) -> list[str]:
    """The paths whose value (or presence) is not the same in every view."""
    paths = sorted({path for leaves in leaves_per_view for path in leaves})
    varying = [p for p in paths if len({json.dumps(v.get(p), sort_keys=True) for v in leaves_per_view}) > 1]
    for path in varying:
        if any(other.startswith(path + ".") for other in paths):
            raise ValueError(f"{path!r} is a value in one view and holds other properties in another: "
                             "these views cannot be switched by setting properties")
    return varying


def view_updates(states: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """View key -> the ``Plotly.update`` message (plotly's ``_py2js_update`` form) that turns the
    figure, in any of these views, into that view.

    ``states`` maps a view key to the figure's JSON in that view (``{"data": [...], "layout":
    {...}}``, plain lists). Every view must have the same number of traces: a view that adds or
    removes one cannot be reached by setting properties."""
    if not states:
        return {}
    counts = {key: len(state.get("data", [])) for key, state in states.items()}
    if len(set(counts.values())) > 1:
        raise ValueError(f"every view must have the same traces; trace counts per view: {counts}")
    keys = list(states)
    n_traces = counts[keys[0]]
    traces = {key: [_leaves(trace) for trace in states[key].get("data", [])] for key in keys}
    layouts = {key: _leaves(states[key].get("layout", {})) for key in keys}
    varying_in_trace = [set(_varying([traces[k][i] for k in keys])) for i in range(n_traces)]
    trace_paths = sorted(set().union(*varying_in_trace))
    layout_paths = _varying([layouts[k] for k in keys])

    def relayout(key: str) -> dict[str, Any]:
        data = {path: layouts[key].get(path) for path in layout_paths}
        return keeping_axis_types(keeping_autosize(data, states[key].get("layout", {})), layouts[key])

    return {
        key: {
            "style_data": {path: [trace.get(path) if path in varying_in_trace[i] else UNCHANGED
                                  for i, trace in enumerate(traces[key])] for path in trace_paths},
            "layout_data": relayout(key),
            "style_traces": list(range(n_traces)),
            "trace_edit_id": VIEW_EDIT_ID,
            "layout_edit_id": VIEW_EDIT_ID,
            "source_view_id": None,
        }
        for key in keys
    }
