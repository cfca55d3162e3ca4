"""``CourseFigure``: a plotly ``FigureWidget`` that does not send plotly.js with every figure.

A plain ``go.FigureWidget`` (plotly 6+, an anywidget) sends plotly's whole widget bundle (~5 MB)
over the kernel websocket as its ``_esm`` state, once per figure. ``CourseFigure`` sends a loader
of about 8 kB instead: it imports the bundle from the Jupyter server
(``gutbrain.plotly_bundle``, at a versioned URL the browser caches) and hands plotly's own
``initialize``/``render`` the model. Everything else is plotly's FigureWidget: the same
``batch_update`` diffs, look and events.

The loader's ``initialize`` and ``render`` return at once (anywidget gives a model 2 s to
initialise, which a 5 MB module parsed under load can miss): the figure draws when the bundle
arrives, and messages from Python that arrive before it are replayed in order. If the bundle
cannot load (the course's server extension is not enabled, or a static copy of a notebook), the
figure says so and how to open the course, instead of staying blank.

A figure whose controls are a few radio groups can switch views in the browser
(``CourseFigure.switch_in_browser``, ``gutbrain.widgets.views``): the loader applies the chosen
view's update as the control changes, without waiting for the kernel, and does not draw Python's
own update again when it changes nothing on screen.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import re
from collections.abc import Callable, Sequence

import ipywidgets as w
import plotly.graph_objects as go
import traitlets

from gutbrain.plotly_bundle import bundle_path
from gutbrain.widgets.views import VIEW_EDIT_ID, keeping_autosize, view_key, view_updates

#: Views are sent with the figure, before any is chosen: a few dozen at most.
MAX_VIEWS = 24

#: The messages plotly's Python side sends; the loader keeps those that arrive before the bundle.
PY2JS = ("_py2js_addTraces", "_py2js_deleteTraces", "_py2js_moveTraces", "_py2js_restyle",
         "_py2js_relayout", "_py2js_update", "_py2js_animate", "_py2js_removeLayoutProps",
         "_py2js_removeTraceProps")

PROBLEM_TEXT = ("This figure could not load plotly from the Jupyter server. Open the course as its "
                "README says (make lab, or the Binder link), which serves plotly to the page; "
                "the text below the figure describes what it shows.")

LOADER_JS = r"""
const BUNDLE_PATH = "__BUNDLE_PATH__";
const PY2JS = __PY2JS__;
const PROBLEM_TEXT = "__PROBLEM_TEXT__";
const CACHE_KEY = "__gutbrainPlotlyBundle:" + BUNDLE_PATH;
const VIEW_EDIT_ID = "__VIEW_EDIT_ID__";

// The bundle's URL: the server's base URL (JupyterLab's page config; "/user/<name>/" on Binder and
// JupyterHub) + the versioned path. No JupyterLab page config (a static copy): no server to ask.
function bundleUrl() {
  const config = document.getElementById("jupyter-config-data");
  if (!config) throw new Error("not in a Jupyter page (no #jupyter-config-data)");
  const base = (JSON.parse(config.textContent).baseUrl || "/").replace(/\/?$/, "/");
  return new URL(base + BUNDLE_PATH, window.location.href).href;
}

// One import per page: every figure shares it (and the browser caches the file across pages).
function loadBundle() {
  if (!globalThis[CACHE_KEY]) {
    globalThis[CACHE_KEY] = new Promise((resolve) => resolve(bundleUrl())).then((url) => import(url));
  }
  return globalThis[CACHE_KEY];
}

function showProblem(el, error) {
  const p = document.createElement("p");
  p.className = "gutbrain-figure-problem";
  p.setAttribute("role", "alert");
  p.style.cssText = "border-left:4px solid #b35806;padding:0.4em 0.8em;margin:0.5em 0";
  p.textContent = PROBLEM_TEXT;
  el.replaceChildren(p);
  console.error("[gutbrain] plotly's widget bundle did not load:", error);
}

// plotly's numpy arrays as they travel ({buffer, dtype, shape}) -> typed arrays, as plotly reads them.
const TYPED = { int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, uint16: Uint16Array,
                uint32: Uint32Array, float32: Float32Array, float64: Float64Array };
function plain(v) {
  if (v && typeof v === "object" && TYPED[v.dtype] && v.shape && (v.buffer || v.value)) {
    const view = v.buffer || v.value;
    const T = TYPED[v.dtype];
    return new T(view.buffer || view, view.byteOffset || 0, (view.byteLength || 0) / T.BYTES_PER_ELEMENT);
  }
  return v;
}

function same(a, b) {
  a = plain(a); b = plain(b);
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== "object" || typeof b !== "object") return false;
  const listA = Array.isArray(a) || ArrayBuffer.isView(a), listB = Array.isArray(b) || ArrayBuffer.isView(b);
  if (listA || listB) {
    if (!(listA && listB) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (!same(a[k], b[k])) return false;
  return true;
}

// The value at a plotly attribute path ("marker.color", "annotations[2].text").
function at(node, path) {
  for (const part of path.split(".")) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    node = node == null ? undefined : node[m[1]];
    for (const i of m[2].match(/\d+/g) || []) node = node == null ? undefined : node[Number(i)];
  }
  return node;
}

// Whether plotly's update message would change nothing in the figure drawn in gd: the browser
// has already switched it to that view (gutbrain.widgets.views), and Python's own update follows.
function alreadyShown(gd, msg) {
  if (!msg || !gd || !Array.isArray(gd.data) || !gd.layout) return false;
  const traces = msg.style_traces == null ? gd.data.map((_, i) => i) : [].concat(msg.style_traces);
  for (const [path, values] of Object.entries(msg.style_data || {})) {
    if (!Array.isArray(values) || values.length !== traces.length) return false;
    for (let j = 0; j < traces.length; j++) {
      if (values[j] === "_undefined_") continue;
      if (!gd.data[traces[j]] || !same(at(gd.data[traces[j]], path), values[j])) return false;
    }
  }
  for (const [path, value] of Object.entries(msg.layout_data || {})) if (!same(at(gd.layout, path), value)) return false;
  return true;
}

// The controls whose values pick one of the figure's precomputed views (_view_controls, _views):
// when one changes, by a click here or from Python, that view's update is applied at once.
function followControls(model, apply) {
  let following = [];
  let generation = 0;
  const follow = async () => {
    const mine = ++generation;
    for (const [control, cb] of following) control.off("change:value", cb);
    following = [];
    const refs = model.get("_view_controls") || [];
    if (!refs.length || !model.widget_manager) return;
    const controls = await Promise.all(
      refs.map((ref) => model.widget_manager.get_model(String(ref).replace(/^IPY_MODEL_/, ""))));
    if (mine !== generation) return;
    const onChange = () => {
      const update = (model.get("_views") || {})[JSON.stringify(controls.map((c) => c.get("value")))];
      if (update) apply(structuredClone(update));
    };
    for (const control of controls) {
      control.on("change:value", onChange);
      following.push([control, onChange]);
    }
  };
  const start = () => follow().catch((error) => console.warn(
    "[gutbrain] a figure cannot follow its controls; it redraws when the kernel answers instead:", error));
  model.on("change:_view_controls", start);
  start();
}

export default () => {
  let ready;
  return {
    initialize({ model }) {
      // Updates for plotly that come before its bundle (Python's, and views chosen in the browser):
      // kept, then handed to plotly's model in the order they came.
      const early = [];
      let deliver = (name, value) => early.push([name, value]);
      const keep = PY2JS.map((name) => {
        const cb = () => { const v = model.get(name); if (v !== null && v !== undefined) early.push([name, v]); };
        model.on("change:" + name, cb);
        return [name, cb];
      });
      followControls(model, (update) => deliver("_py2js_update", update));
      ready = loadBundle().then((bundle) => {
        keep.forEach(([name, cb]) => model.off("change:" + name, cb));
        const replaying = new Map();
        const handlers = [];  // [event, callback] as registered through the proxy
        let drawing = null;  // while plotly draws a view: its element and the handlers it registers
        const proxy = new Proxy(model, {
          get(target, prop) {
            if (prop === "get") return (k) => (replaying.has(k) ? replaying.get(k) : target.get(k));
            if (prop === "on") {
              return (ev, cb, ctx) => {
                let registered = cb;
                if (drawing && ev === "change:_py2js_update") {
                  // Python's update of a view the browser has already switched to: nothing to draw.
                  const gd = drawing.el;
                  registered = (...args) => {
                    if (!replaying.has("_py2js_update") && alreadyShown(gd, target.get("_py2js_update"))) return;
                    return cb.apply(ctx, args);
                  };
                }
                const entry = [ev, registered];
                handlers.push(entry);
                if (drawing) drawing.handlers.push(entry);
                return target.on(ev, registered, ctx);
              };
            }
            if (prop === "set") {
              // plotly answers an update with what it computed (autoranges...), for Python to keep;
              // Python waits for the answers to its own edits only.
              return (k, v, ...rest) => {
                if (v && (v.trace_edit_id === VIEW_EDIT_ID || v.layout_edit_id === VIEW_EDIT_ID)) return undefined;
                return target.set(k, v, ...rest);
              };
            }
            const v = Reflect.get(target, prop);
            return typeof v === "function" ? v.bind(target) : v;
          },
        });
        const dispatch = (name, value) => {
          replaying.set(name, value);
          try {
            for (const [ev, cb] of handlers.slice()) if (ev === "change:" + name) cb();
          } finally {
            replaying.delete(name);
          }
        };
        const widget = bundle.default();
        widget.initialize({ model: proxy });
        for (const [name, value] of early) dispatch(name, value);
        deliver = dispatch;
        // plotly's view never removes its listeners: drop those of a view that is gone.
        const renderView = (el) => {
          const mine = [];
          drawing = { el, handlers: mine };
          let remove;
          try {
            remove = widget.render({ model: proxy, el });
          } finally {
            drawing = null;
          }
          return () => {
            for (const entry of mine) {
              const i = handlers.indexOf(entry);
              if (i >= 0) handlers.splice(i, 1);
              model.off(entry[0], entry[1]);
            }
            if (typeof remove === "function") remove();
          };
        };
        return { renderView, proxy };
      });
      ready.catch(() => {});  // shown by render
    },
    render({ el }) {
      let removed = false;
      let cleanup = null;
      let stopListening = null;
      const pending = document.createElement("div");
      pending.className = "gutbrain-figure-pending";
      pending.style.cssText = "min-height:360px";
      el.replaceChildren(pending);
      ready.then(({ renderView, proxy }) => {
        if (removed) return;
        // plotly's view reads the figure's data and layout once, when it draws; later it follows
        // plotly's own messages (addTraces, restyle, ...) but not a change of the whole data or
        // layout, which Python sends just after the model opens. A figure was seen drawn with
        // neither, blank for good, in a test-suite run under heavy load (cause not proven): so
        // wait for them, and draw again if one arrives after a draw that lacked it.
        const traces = () => (proxy.get("_widget_data") || []).length;
        const layoutKeys = () => Object.keys(proxy.get("_widget_layout") || {}).length;
        let drawnWith = null;  // what the last draw had
        let soon = null;  // a draw to come
        const draw = () => {
          if (removed) return;
          if (typeof cleanup === "function") cleanup();
          pending.remove();
          soon = null;
          drawnWith = { traces: traces(), layoutKeys: layoutKeys() };
          cleanup = renderView(el);
          // How many views this figure switches in the browser (tests and benchmarks read it).
          const views = Object.keys(proxy.get("_views") || {}).length;
          if (views) el.setAttribute("data-gutbrain-views", String(views));
        };
        const onState = () => {
          if (removed) return;
          const late = drawnWith === null ? traces() || layoutKeys()
            : (!drawnWith.traces && traces()) || (!drawnWith.layoutKeys && layoutKeys());
          if (!late) return;
          if (soon === null) console.warn("[gutbrain] a figure's data arrived after its view: drawing it now");
          clearTimeout(soon);  // the layout and the data come as two messages: draw once, after both
          soon = setTimeout(draw, 100);
        };
        proxy.on("change:_widget_data", onState);
        proxy.on("change:_widget_layout", onState);
        stopListening = () => {
          clearTimeout(soon);
          proxy.off("change:_widget_data", onState);
          proxy.off("change:_widget_layout", onState);
        };
        if (traces() || layoutKeys()) draw();
        else setTimeout(() => { if (drawnWith === null) draw(); }, 5000);  // an empty figure, for good
      }, (error) => { if (!removed) showProblem(el, error); });
      return () => {
        removed = true;
        if (stopListening) stopListening();
        if (typeof cleanup === "function") cleanup();
      };
    },
  };
};
"""


def _without_comments(js: str) -> str:
    """Every figure sends its loader: without the comments and indentation it is a third smaller."""
    lines = (re.sub(r"\s{2,}// .*$", "", line).strip() for line in js.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def loader_js(path: str | None = None) -> str:
    """The loader module for a bundle at ``path`` (default: this plotly's versioned path)."""
    js = (LOADER_JS.replace("__BUNDLE_PATH__", path or bundle_path())
          .replace("__PY2JS__", json.dumps(list(PY2JS)))
          .replace("__VIEW_EDIT_ID__", VIEW_EDIT_ID)
          .replace("__PROBLEM_TEXT__", PROBLEM_TEXT.replace('"', r"\"")))
    return _without_comments(js)


def choices(control: w.ValueWidget) -> list:
    """The values a control can take: a radio group's options, or a checkbox's False and True."""
    if hasattr(control, "options"):
        return [value for _, value in control.options]
    if isinstance(control.value, bool):
        return [False, True]
    raise TypeError(f"{type(control).__name__} has no options: its views cannot be drawn in advance")


def _pruned(node):
    """A figure's JSON without empty values (no shapes = ``[]`` = absent)."""
    if isinstance(node, dict):
        node = {k: _pruned(v) for k, v in node.items()}
        return {k: v for k, v in node.items() if v not in (None, [], {})}
    if isinstance(node, list):
        return [_pruned(v) for v in node]
    return node


class CourseFigure(go.FigureWidget):
    """A plotly FigureWidget whose browser code is the loader above, not plotly's 5 MB bundle."""

    _esm = loader_js()
    #: View key (the controls' values, ``views.view_key``) -> the update that draws that view.
    _views = traitlets.Dict().tag(sync=True)
    #: The controls whose values pick the view, in the order of the key.
    _view_controls = traitlets.List(traitlets.Instance(w.Widget)).tag(sync=True, **w.widget_serialization)
    _holding = False

    def switch_in_browser(self, controls: Sequence[w.ValueWidget], draw: Callable[..., None], *,
                          one_click_away: bool = False) -> None:
        """Let the browser redraw this figure the moment one of ``controls`` changes, without a
        round trip to the kernel. ``controls`` are radio groups (an ``options`` list of
        ``(label, value)``) or checkboxes; ``draw(*values)`` is the explorer's own update for those
        values. It is run here for every combination of options, nothing sent, and the figure is
        left as it was. The explorer keeps updating the figure from Python as before: that keeps
        Python's copy right, and the browser does not draw it twice.

        ``one_click_away``: only the views one change away from the controls' current values (for
        controls with too many combinations); the explorer calls this again after every change."""
        current = tuple(c.value for c in controls)
        if one_click_away:
            combos = [current, *(current[:i] + (value,) + current[i + 1:]
                                 for i, c in enumerate(controls) for value in choices(c) if value != current[i])]
        else:
            combos = list(itertools.product(*[choices(c) for c in controls]))
        if len(combos) > MAX_VIEWS:
            raise ValueError(f"{len(combos)} combinations of these controls' options: more than the "
                             f"{MAX_VIEWS} views worth sending with a figure")
        before = self._state()
        states = {}
        with self._held():
            for values in combos:
                with self.batch_update():
                    draw(*values)
                states[view_key(values)] = self._state()
            with self.batch_update():
                draw(*current)
        if _pruned(self._state()) != _pruned(before):
            raise RuntimeError("drawing the controls' current values again did not give the figure back as it "
                               "was: its update does not redraw everything its views change")
        self._views = view_updates(states)
        self._view_controls = list(controls)

    def _state(self) -> dict:
        state = json.loads(self.to_json())
        return {"data": state.get("data", []), "layout": state.get("layout", {})}

    @contextlib.contextmanager
    def _held(self):
        """Edits change Python's copy of the figure only; nothing is sent to the browser."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    def _send_update_msg(self, restyle_data, relayout_data, *args, **kwargs):
        if not self._holding:
            super()._send_update_msg(restyle_data, keeping_autosize(relayout_data, self._layout), *args, **kwargs)

    def _send_restyle_msg(self, *args, **kwargs):
        if not self._holding:
            super()._send_restyle_msg(*args, **kwargs)

    def _send_relayout_msg(self, layout_data, *args, **kwargs):
        if not self._holding:
            super()._send_relayout_msg(keeping_autosize(layout_data, self._layout), *args, **kwargs)
