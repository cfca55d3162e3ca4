"""``CourseFigure``: a plotly ``FigureWidget`` that does not send plotly.js with every figure.

A plain ``go.FigureWidget`` (plotly 6+, an anywidget) sends plotly's whole widget bundle (~5 MB)
over the kernel websocket as its ``_esm`` state, once per figure. ``CourseFigure`` sends a loader
of about 4 kB instead: it imports the bundle from the Jupyter server
(``gutbrain.plotly_bundle``, at a versioned URL the browser caches) and hands plotly's own
``initialize``/``render`` the model. Everything else is plotly's FigureWidget: the same
``batch_update`` diffs, look and events.

The loader's ``initialize`` and ``render`` return at once (anywidget gives a model 2 s to
initialise, which a 5 MB module parsed under load can miss): the figure draws when the bundle
arrives, and messages from Python that arrive before it are replayed in order. If the bundle
cannot load (the course's server extension is not enabled, or a static copy of a notebook), the
figure says so and how to open the course, instead of staying blank.
"""
from __future__ import annotations

import plotly.graph_objects as go

from gutbrain.plotly_bundle import bundle_path

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

export default () => {
  let ready;
  return {
    initialize({ model }) {
      // Python's messages that arrive before the bundle: kept, then replayed to plotly's model.
      const early = [];
      const keep = PY2JS.map((name) => {
        const cb = () => { const v = model.get(name); if (v !== null && v !== undefined) early.push([name, v]); };
        model.on("change:" + name, cb);
        return [name, cb];
      });
      ready = loadBundle().then((bundle) => {
        keep.forEach(([name, cb]) => model.off("change:" + name, cb));
        const replaying = new Map();
        const handlers = [];
        const proxy = new Proxy(model, {
          get(target, prop) {
            if (prop === "get") return (k) => (replaying.has(k) ? replaying.get(k) : target.get(k));
            if (prop === "on") return (ev, cb, ctx) => { handlers.push([ev, cb]); return target.on(ev, cb, ctx); };
            const v = Reflect.get(target, prop);
            return typeof v === "function" ? v.bind(target) : v;
          },
        });
        const widget = bundle.default();
        widget.initialize({ model: proxy });
        for (const [name, value] of early) {
          replaying.set(name, value);
          for (const [ev, cb] of handlers) if (ev === "change:" + name) cb();
          replaying.delete(name);
        }
        return { widget, proxy };
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
      ready.then(({ widget, proxy }) => {
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
          cleanup = widget.render({ model: proxy, el });
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


def loader_js(path: str | None = None) -> str:
    """The loader module for a bundle at ``path`` (default: this plotly's versioned path)."""
    import json

    return (LOADER_JS.replace("__BUNDLE_PATH__", path or bundle_path())
            .replace("__PY2JS__", json.dumps(list(PY2JS)))
            .replace("__PROBLEM_TEXT__", PROBLEM_TEXT.replace('"', r"\"")))


class CourseFigure(go.FigureWidget):
    """A plotly FigureWidget whose browser code is the loader above, not plotly's 5 MB bundle."""

    _esm = loader_js()
