// Gut Feelings: import plotly's widget code when a lesson opens, not when its first figure does.
//
// Importing plotly's widget bundle (~5 MB of JavaScript, served by the server extension
// gutbrain.plotly_bundle) blocks the page's main thread for 1-2 s while it is evaluated. Left to
// the first figure of a Run All, that block falls among the lesson's other widgets, and anywidget
// gives each widget model only 2 s to load and initialise: a widget caught behind it gave up
// ("[anywidget] Failed to initialize model") and its figure stayed blank, even at normal load.
// Imported while the learner reads the lesson (and its kernel starts), it is done before any
// figure needs it; a figure that comes first imports the same URL and shares the one evaluation.
//
// A JupyterLab prebuilt extension written by hand, so there is nothing to build: the module
// federation container JupyterLab loads (`init`, `get`) with one plugin and no shared modules.
// Found through JUPYTER_PATH (`start`, `make lab`, `make instructor`); see jupyter-config/README.md.
(function () {
  "use strict";
  const NAME = "gutbrain-plotly-preload";
  // Page config set by the server extension: the bundle's path under the server's base URL.
  const CONFIG_KEY = "gutbrainPlotlyBundle";

  function pageConfig() {
    const el = document.getElementById("jupyter-config-data");
    return el ? JSON.parse(el.textContent || "{}") : {};
  }

  // The same promise the figures' loader (gutbrain.widgets.figure) looks for.
  function importBundle() {
    const config = pageConfig();
    const path = config[CONFIG_KEY];
    if (!path) return null;  // the server does not serve the bundle: each figure says so
    const key = "__gutbrainPlotlyBundle:" + path;
    if (!globalThis[key]) {
      const base = (config.baseUrl || "/").replace(/\/?$/, "/");
      const loading = import(new URL(base + path, window.location.href).href);
      globalThis[key] = loading;
      // A failed preload is not the figures' answer: they try again themselves.
      loading.catch((error) => {
        if (globalThis[key] === loading) delete globalThis[key];
        console.warn("[gutbrain] preloading plotly's widget bundle failed; figures will retry:", error);
      });
    }
    return globalThis[key];
  }

  // Only the lessons have figures: a quiz or any other notebook does not pay for plotly.
  function isLesson(widget) {
    return Boolean(widget && widget.hasClass("jp-NotebookPanel") && widget.context
                   && /(^|\/)lessons\/[^/]+\.ipynb$/.test(widget.context.path));
  }

  const plugin = {
    id: NAME + ":plugin",
    description: "Imports plotly's widget bundle when a lesson opens, before its figures need it.",
    autoStart: true,
    activate(app) {
      let started = false;
      const onCurrentChanged = () => {
        const widget = app.shell.currentWidget;
        if (started || !isLesson(widget)) return;
        started = true;
        app.shell.currentChanged.disconnect(onCurrentChanged);
        // At once, not when the page is idle: the lesson's kernel is only starting, and the sooner
        // the bundle is evaluated the less likely it overlaps a Run All.
        importBundle();
      };
      app.restored.then(() => {
        if (!app.shell.currentChanged) return;  // not JupyterLab's shell: figures load it themselves
        app.shell.currentChanged.connect(onCurrentChanged);
        onCurrentChanged();
      });
    },
  };

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[NAME] = {
    init: () => Promise.resolve(),  // no shared modules to offer or take
    get: (module) => module === "./extension"
      ? Promise.resolve(() => ({ __esModule: true, default: plugin }))
      : Promise.reject(new Error(NAME + " has no module " + module)),
  };
})();
