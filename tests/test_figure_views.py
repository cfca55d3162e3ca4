"""Views a figure switches to in the browser (issue 19: every control redraws in 100 ms).

``gutbrain.widgets.views`` turns a figure's precomputed views into plotly updates; a
``CourseFigure`` made by ``switch_in_browser`` carries them, and its loader applies one the moment
a control changes, then leaves Python's own update of that view undrawn. Here: the updates, the
explorers that use them (Python's update must then change nothing on screen, or the figure is
drawn twice), and the loader in Node with a stand-in plotly.
"""
from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import plotly.graph_objects as go
import pytest
from plotly.basedatatypes import Undefined
from plotly.utils import PlotlyJSONEncoder

from gutbrain import plotly_bundle
from gutbrain.widgets import inflammation, psychobiotics, serotonin, vagus
from gutbrain.widgets.controls import ChoiceGroup
from gutbrain.widgets.figure import MAX_VIEWS, CourseFigure, choices, loader_js
from gutbrain.widgets.views import UNCHANGED, VIEW_EDIT_ID, view_key, view_updates

# --------------------------------------------------------------------------------------------
# The updates
# --------------------------------------------------------------------------------------------


def _apply(state: dict, update: dict) -> dict:
    """What plotly does with an update message, on a figure's JSON (dotted paths, None removes)."""
    state = json.loads(json.dumps(state))

    def put(node, path, value):
        *parents, last = path.split(".")
        for name in parents:
            node = node.setdefault(name, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value

    for path, values in update["style_data"].items():
        for i, value in zip(update["style_traces"], values):
            if value != UNCHANGED:
                put(state["data"][i], path, value)
    for path, value in update["layout_data"].items():
        put(state["layout"], path, value)
    return state


def _pruned(node):
    if isinstance(node, dict):
        node = {k: _pruned(v) for k, v in node.items()}
        return {k: v for k, v in node.items() if v not in (None, {}, [])}
    return [_pruned(v) for v in node] if isinstance(node, list) else node


STATES = {
    view_key(["a"]): {"data": [{"type": "bar", "y": [1, 2], "marker": {"color": "red"}},
                               {"type": "scatter", "x": [0], "name": "fixed"}],
                      "layout": {"title": {"text": "A"}, "shapes": [{"x0": 1}], "height": 300}},
    view_key(["b"]): {"data": [{"type": "bar", "y": [2, 1]},
                               {"type": "scatter", "x": [0], "name": "fixed"}],
                      "layout": {"title": {"text": "B"}, "height": 300}},
}


def test_an_update_turns_any_view_into_its_own():
    updates = view_updates(STATES)
    for start in STATES.values():
        for key, target in STATES.items():
            assert _pruned(_apply(start, updates[key])) == _pruned(target)


def test_an_update_carries_only_what_differs_between_views():
    update = view_updates(STATES)[view_key(["b"])]
    assert update["style_data"] == {"marker.color": [None, UNCHANGED], "y": [[2, 1], UNCHANGED]}
    assert update["layout_data"] == {"shapes": None, "title.text": "B"}
    assert update["style_traces"] == [0, 1]
    assert update["trace_edit_id"] == update["layout_edit_id"] == VIEW_EDIT_ID


def test_views_of_different_heights_keep_following_the_notebook_s_width():
    """plotly's relayout of the height turns autosize off and fixes the width: a switched figure
    stopped following the notebook's width (lesson 1's microbiome views are 420 and 300 px high)."""
    states = {key: {**state, "layout": {**state["layout"], "height": 300 + 100 * n}}
              for n, (key, state) in enumerate(STATES.items())}
    for update in view_updates(states).values():
        assert update["layout_data"]["autosize"] is True and update["layout_data"]["width"] is None


def test_python_s_own_height_change_keeps_following_the_notebook_s_width():
    fig = CourseFigure(go.Figure(go.Bar(y=[1]), layout=dict(height=300)))
    sent = []
    fig.observe(lambda change: sent.append(change["new"]), names=["_py2js_update", "_py2js_relayout"])
    with fig.batch_update():
        fig.layout.height = 420
    fig.layout.height = 500
    layouts = [m.get("layout_data") or m.get("relayout_data") for m in sent if m]
    assert layouts == [{"height": 420, "autosize": True, "width": None},
                       {"height": 500, "autosize": True, "width": None}]


def test_an_update_keeps_the_axes_types_and_ranges():
    """A restyle of x or y makes plotly forget the axis type (a category axis whose trace a view
    empties came back numeric: lesson 2, "Humans only"); a relayout of the type autoranges the axis
    (lesson 2's translation figure lost the room its range leaves for text)."""
    states = {key: {**state, "layout": {**state["layout"], "yaxis2": {"type": "category"},
                                        "xaxis": {"type": "category", "range": [-0.5, 1.8]}}}
              for key, state in STATES.items()}
    for update in view_updates(states).values():
        assert update["layout_data"]["yaxis2.type"] == "category"
        assert "yaxis2.range" not in update["layout_data"]  # plotly autoranges it, as it was
        assert update["layout_data"]["xaxis.type"] == "category"
        assert update["layout_data"]["xaxis.range"] == [-0.5, 1.8]
        assert update["layout_data"]["xaxis.autorange"] is False


def test_views_with_different_traces_are_refused():
    states = {**STATES, view_key(["c"]): {"data": [{"type": "bar"}], "layout": {}}}
    with pytest.raises(ValueError, match="same traces"):
        view_updates(states)


def test_a_property_that_is_a_value_in_one_view_and_an_object_in_another_is_refused():
    states = {"1": {"data": [], "layout": {"xaxis": {"range": [0, 1]}}},
              "2": {"data": [], "layout": {"xaxis": {"range": {"oops": 1}}}}}
    with pytest.raises(ValueError, match="range"):
        view_updates(states)


def test_the_key_is_written_as_javascript_writes_it():
    """The loader looks a view up by JSON.stringify of the controls' values."""
    assert view_key(["vagal", "all"]) == '["vagal","all"]'
    assert view_key(["µ", True, None]) == '["µ",true,null]'


# --------------------------------------------------------------------------------------------
# A figure with views
# --------------------------------------------------------------------------------------------


def _choice(values, value):
    return ChoiceGroup(options=[(v, v) for v in values], value=value)


def _toy_figure():
    colour, size = _choice(["red", "blue"], "red"), _choice(["1", "2", "3"], "1")
    fig = CourseFigure(go.Figure(go.Bar(y=[1, 2], marker_color="red")))

    def draw(c, s):
        fig.data[0].marker.color = c
        fig.data[0].y = [int(s), 2]
        fig.layout.title.text = f"{c} {s}"

    draw("red", "1")
    return fig, colour, size, draw


def test_switch_in_browser_draws_every_combination_and_sends_nothing():
    fig, colour, size, draw = _toy_figure()
    sent = []
    fig.observe(lambda change: sent.append(change["new"]), names=["_py2js_update", "_py2js_restyle",
                                                                   "_py2js_relayout"])
    before = fig.to_plotly_json()
    fig.switch_in_browser([colour, size], draw)
    assert not [m for m in sent if m], "precomputing the views must not redraw the learner's figure"
    assert len(fig._views) == 6
    assert fig._views[view_key(["blue", "3"])]["layout_data"] == {"title.text": "blue 3"}
    assert fig._views[view_key(["blue", "3"])]["style_data"]["y"] == [[3, 2]]
    assert fig.to_plotly_json() == before
    assert fig._view_controls == [colour, size]
    # and after it, Python's updates are sent as before
    with fig.batch_update():
        draw("blue", "2")
    assert [m for m in sent if m], "Python's own updates must still reach the browser"


def test_an_update_that_does_not_redraw_what_its_views_change_is_refused():
    fig, colour, size, draw = _toy_figure()

    def partial(c, s):  # sets the title only for blue: coming back to red leaves it
        if c == "blue":
            fig.layout.title.text = "blue"

    with pytest.raises(RuntimeError, match="did not give the figure back"):
        fig.switch_in_browser([colour], lambda c: partial(c, "1"))


def test_too_many_views_are_refused():
    fig = CourseFigure(go.Figure(go.Bar(y=[1])))
    many = _choice([str(i) for i in range(MAX_VIEWS + 1)], "0")
    with pytest.raises(ValueError, match="views"):
        fig.switch_in_browser([many], lambda v: None)


# --------------------------------------------------------------------------------------------
# The explorers that switch in the browser: Python's update of a view then changes nothing
# --------------------------------------------------------------------------------------------

EXPLORERS = {
    "lesson 1 pathway (tissue)": lambda: serotonin.PathwayExplorer(),
    "lesson 1 microbiome (comparison)": lambda: serotonin.MicrobiomeExplorer(),
    "lesson 2 routes (route x species)": lambda: vagus.RoutesExplorer(),
    "lesson 2 translation (view)": lambda: vagus.TranslationExplorer(),
    "lesson 3 meta-analysis lab (one click away)": lambda: psychobiotics.MetaAnalysisLab(),
    "lesson 4 blood-brain (study)": lambda: inflammation.BloodBrainExplorer(),
}
#: Views drawn one click away are drawn again after every click (0.15 s for the lab): from there,
#: and from the view one click away that the last control but one leads to (the lab: a trial left
#: out, which the other dataset does not have).


def _at(node, path):
    """The value at a path as plotly writes it: "marker.color", "annotations.9.text", "shapes[0].x0"."""
    for name in re.findall(r"[^.[\]]+", path):
        if isinstance(node, list):
            node = node[int(name)] if name.isdigit() and int(name) < len(node) else None
        else:
            node = node.get(name) if isinstance(node, dict) else None
    return node


def _same(a, b) -> bool:
    """Equal as plotly draws them: no shapes = ``[]`` = absent."""
    def plain(v):
        v = _pruned(json.loads(json.dumps(v, cls=PlotlyJSONEncoder)))
        return None if v in ([], {}) else v
    return plain(a) == plain(b)


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_python_s_update_of_a_view_changes_nothing_the_browser_drew(name):
    """For every view and every click away from it (one control changed): the browser applies the
    new view's update to the old view; Python's own update (what plotly's view would otherwise draw
    again) must find every value already there, and Python's figure must be the view drawn."""
    explorer = EXPLORERS[name]()
    fig = explorer.figure
    controls = fig._view_controls
    assert controls and fig._views, f"{name} should switch its views in the browser"
    sent = []
    fig.observe(lambda change: sent.append(change["new"]), names="_py2js_update")
    every_view = len(fig._views) == math.prod(len(choices(c)) for c in controls)
    keys = [json.loads(key) for key in fig._views]
    starts = keys if every_view else [keys[0], keys[-2]]
    for start in starts:
        _set(controls, start)
        start = [c.value for c in controls]  # a dataset offers its own trials to leave out
        for i, control in enumerate(controls):
            for value in choices(control):
                if value == start[i]:
                    continue
                _set(controls, start)
                target = [*start[:i], value, *start[i + 1:]]
                shown = _apply(_json(fig), fig._views[view_key(target)])
                sent.clear()
                control.value = value
                messages = [m for m in sent if m]
                assert len(messages) == 1, (name, start, target)
                for path, values in messages[0]["style_data"].items():
                    for trace, v in zip(messages[0]["style_traces"], values):
                        if v is not Undefined:
                            assert _same(_at(shown["data"][trace], path), v), (name, start, target, trace, path)
                for path, v in messages[0]["layout_data"].items():
                    assert _same(_at(shown["layout"], path), v), (name, start, target, path)
                assert _same(_as_plotly_reads(shown), _as_plotly_reads(_json(fig))), (name, start, target)


def _as_plotly_reads(state: dict) -> dict:
    """An axis given a range has autorange off, said or not."""
    state = json.loads(json.dumps(state))
    for name, axis in state["layout"].items():
        if re.match(r"^[xy]axis\d*$", name) and "range" in axis and axis.get("autorange") is False:
            del axis["autorange"]
    return state


def _json(fig) -> dict:
    state = json.loads(fig.to_json())
    return {"data": state["data"], "layout": state["layout"]}


def _set(controls, values) -> None:
    for control, value in zip(controls, values):
        control.value = value


# --------------------------------------------------------------------------------------------
# The loader, in Node: a stand-in plotly that draws into a stand-in element
# --------------------------------------------------------------------------------------------

NODE_HARNESS = r"""
const events = [];
class Model {
  constructor(values) { this.values = values || {}; this.listeners = []; this.sets = []; }
  get(k) { return this.values[k] === undefined ? null : this.values[k]; }
  set(k, v) { this.sets.push(k); this.values[k] = v; }
  on(ev, cb) { this.listeners.push([ev, cb]); }
  off(ev, cb) { this.listeners = this.listeners.filter(([e, c]) => !(e === ev && c === cb)); }
  send(k, v) { this.values[k] = v; for (const [e, cb] of this.listeners.slice()) if (e === "change:" + k) cb(); }
  save_changes() {}
};
const put = (node, path, value) => {
  const parts = path.split("."); const last = parts.pop();
  for (const p of parts) node = node[p] = node[p] || {};
  if (value === null) delete node[last]; else if (value !== undefined) node[last] = value;
};
// A stand-in for plotly's bundle: its view draws the model into el.data / el.layout and answers
// every update with its deltas, as plotly's does.
let release;
const fakeBundle = { default: () => ({
  initialize({ model }) {
    // plotly's model applies an update to its own copy of the figure, which a new view draws.
    model.on("change:_py2js_update", () => {
      const m = model.get("_py2js_update"); if (!m) return;
      const data = model.get("_widget_data"), layout = model.get("_widget_layout");
      for (const [path, values] of Object.entries(m.style_data)) m.style_traces.forEach((t, j) => put(data[t], path, values[j] === "_undefined_" ? undefined : values[j]));
      for (const [path, value] of Object.entries(m.layout_data)) put(layout, path, value);
      events.push(["model", m.layout_data["title.text"]]);
    });
  },
  render({ model, el }) {
    el.data = JSON.parse(JSON.stringify(model.get("_widget_data")));
    el.layout = JSON.parse(JSON.stringify(model.get("_widget_layout")));
    events.push(["render"]);
    model.on("change:_py2js_update", () => {
      const m = model.get("_py2js_update"); if (!m) return;
      for (const [path, values] of Object.entries(m.style_data)) m.style_traces.forEach((t, j) => put(el.data[t], path, values[j] === "_undefined_" ? undefined : values[j]));
      for (const [path, value] of Object.entries(m.layout_data)) put(el.layout, path, value);
      events.push(["draw", m.layout_data["title.text"]]);
      model.set("_js2py_traceDeltas", { trace_deltas: [], trace_edit_id: m.trace_edit_id });
    });
    return () => events.push(["removed"]);
  },
}) };
const el = { children: [], attributes: {}, replaceChildren(...c) { this.children = c; }, setAttribute(k, v) { this.attributes[k] = v; } };
globalThis.document = {
  getElementById: () => ({ textContent: JSON.stringify({ baseUrl: "/" }) }),
  createElement: (tag) => ({ tag, style: {}, setAttribute(k, v) { this[k] = v; }, remove() { el.children = el.children.filter((c) => c !== this); } }),
};
globalThis.window = { location: { href: "http://127.0.0.1:8888/lab" } };
const loader = await import(process.argv[2]);
globalThis["__gutbrainPlotlyBundle:" + BUNDLE_PATH] = new Promise((r) => { release = () => r(fakeBundle); });
const control = new Model({ value: "a" });
const model = new Model({ _widget_data: [{ type: "bar", y: [1] }], _widget_layout: { title: { text: "A" } },
                          _views: VIEWS, _view_controls: ["IPY_MODEL_c1"] });
model.widget_manager = { get_model: async (id) => { events.push(["get_model", id]); return control; } };
const tick = () => new Promise((r) => setTimeout(r, 10));
const widget = loader.default();
widget.initialize({ model });
await tick();
// A choice before plotly's bundle has come: kept, and given to plotly's model first.
control.send("value", "b");
const cleanup = widget.render({ model, el });
release();
await tick();
events.push(["shown", el.layout.title.text, el.data[0].y]);
events.push(["marked", el.attributes["data-gutbrain-views"]]);
// A click: drawn at once, before the kernel answers.
control.send("value", "a");
events.push(["shown", el.layout.title.text, el.data[0].y]);
// The kernel's own update of that view: nothing new, not drawn again (plotly's model still gets it).
model.send("_py2js_update", { style_data: { y: [[1]] }, layout_data: { "title.text": "A" }, style_traces: [0], trace_edit_id: 7, layout_edit_id: 7 });
// A Python update that does change the figure is drawn.
model.send("_py2js_update", { style_data: {}, layout_data: { "title.text": "Python" }, style_traces: [0], trace_edit_id: 8, layout_edit_id: 8 });
events.push(["sets", model.sets.filter((k) => k === "_js2py_traceDeltas").length]);
// A control changed from Python (the kernel sets it): the browser switches too.
control.send("value", "b");
events.push(["shown", el.layout.title.text, el.data[0].y]);
// A value with no view: left to Python.
control.send("value", "zzz");
cleanup();
// The view is gone: nothing draws into it any more.
control.send("value", "a");
console.log(JSON.stringify(events));
"""


def _run(tmp_path: Path) -> list:
    node = shutil.which("node")
    if not node:
        pytest.skip("Node.js is not installed")
    states = {view_key(["a"]): {"data": [{"type": "bar", "y": [1]}], "layout": {"title": {"text": "A"}}},
              view_key(["b"]): {"data": [{"type": "bar", "y": [2]}], "layout": {"title": {"text": "B"}}}}
    module = tmp_path / "loader.mjs"
    module.write_text(loader_js(), encoding="utf-8")
    harness = tmp_path / "harness.mjs"
    harness.write_text(f"const VIEWS = {json.dumps(view_updates(states))};\n"
                       f"const BUNDLE_PATH = {json.dumps(plotly_bundle.bundle_path())};\n"
                       + textwrap.dedent(NODE_HARNESS), encoding="utf-8")
    done = subprocess.run([node, str(harness), module.as_uri()], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_loader_switches_views_at_once_and_does_not_draw_python_s_copy(tmp_path):
    events = _run(tmp_path)
    assert events == [
        ["get_model", "c1"],
        ["model", "B"],  # the choice made before the bundle came, replayed first
        ["render"],
        ["shown", "B", [2]],
        ["marked", "2"],  # the plot says it has two views (tests and the benchmark read it)
        ["model", "A"], ["draw", "A"],  # the click: drawn at once
        ["shown", "A", [1]],
        ["model", "A"],  # the kernel's copy: plotly's model has it, nothing drawn
        ["model", "Python"], ["draw", "Python"],  # a real change from Python is drawn
        ["sets", 1],  # only the answer to Python's own edit goes back to Python
        ["model", "B"], ["draw", "B"],  # a control set from Python switches the view too
        ["shown", "B", [2]],
        ["removed"],
        ["model", "A"],  # after the view is gone, its listeners are too
    ], events
