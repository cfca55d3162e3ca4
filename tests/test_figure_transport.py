"""How figures reach the browser (issue 19): plotly.js once per page, not 5 MB per figure.

``CourseFigure`` sends a small loader as its widget code; ``gutbrain.plotly_bundle`` serves
plotly's bundle from the Jupyter server under its base URL, gzipped and cached. The loader's
JavaScript is run here in Node with a stand-in bundle and model (the browser tests run it for
real in JupyterLab).
"""
from __future__ import annotations

import ast
import asyncio
import gzip
import json
import shutil
import subprocess
import textwrap
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import plotly
import plotly.graph_objects as go
import pytest
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from gutbrain import plotly_bundle
from gutbrain.widgets.figure import PROBLEM_TEXT, CourseFigure, loader_js

REPO = Path(__file__).resolve().parents[1]


def _calls_plain_figurewidget(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "FigureWidget"]


def test_nothing_in_src_constructs_a_plain_figurewidget():
    found = {str(p.relative_to(REPO)): lines for p in sorted((REPO / "src").rglob("*.py"))
             if (lines := _calls_plain_figurewidget(ast.parse(p.read_text(encoding="utf-8"))))}
    assert not found, f"use gutbrain.widgets.figure.CourseFigure, not go.FigureWidget: {found}"


def test_the_check_finds_a_plain_figurewidget():
    assert _calls_plain_figurewidget(ast.parse("import plotly.graph_objects as go\nf = go.FigureWidget()"))
    assert _calls_plain_figurewidget(ast.parse("from plotly.graph_objects import FigureWidget\nFigureWidget()"))


def test_a_course_figure_sends_a_loader_not_plotly():
    fig = CourseFigure(go.Figure(go.Scatter(x=[1, 2, 3], y=[2, 1, 3])))
    state = fig.get_state()
    bundle = plotly_bundle.bundle_file().stat().st_size
    assert bundle > 1_000_000, "plotly's bundle should be the big file the loader avoids sending"
    assert len(state["_esm"]) < 10_000
    assert plotly_bundle.bundle_path() in state["_esm"]
    assert len(json.dumps(state, default=str)) < 20_000
    # Still plotly's FigureWidget: the same diff updates.
    sent = []
    fig.observe(lambda change: sent.append(change["new"]), names="_py2js_update")
    with fig.batch_update():
        fig.data[0].y = [3, 2, 1]
    assert [m["style_data"] for m in sent if m] == [{"y": [[3, 2, 1]]}]


def test_the_bundle_path_carries_plotly_s_version():
    assert plotly_bundle.bundle_path() == f"gutbrain/plotly/{plotly.__version__}/widgetbundle.js"


@pytest.mark.parametrize("view", ["learner", "instructor"])
def test_both_views_enable_the_server_extension(view):
    config = json.loads((REPO / "jupyter-config" / view / "jupyter_server_config.json").read_text())
    assert config["ServerApp"]["jpserver_extensions"]["gutbrain.plotly_bundle"] is True


class _FakeServerApp:
    def __init__(self, base_url: str):
        self.web_app = web.Application(base_url=base_url)

        class Log:
            def info(self, *args):
                pass

        self.log = Log()


def test_the_server_extension_names_the_bundle_in_the_page_config():
    """For the course's JupyterLab extension, which imports the bundle as a lesson opens."""
    app = _FakeServerApp("/user/learner-1a2b/")
    plotly_bundle._load_jupyter_server_extension(app)
    page_config = app.web_app.settings["page_config_data"]
    assert page_config[plotly_bundle.PAGE_CONFIG_KEY] == plotly_bundle.bundle_path()


@dataclass
class _Response:
    code: int
    headers: object  # case-insensitive, as HTTP headers are
    body: bytes


@dataclass
class _BundleServer:
    """The extension's handlers in a real tornado server on a free port."""
    base_url: str
    origin: str

    def fetch(self, path: str, headers: dict | None = None, decompress_response: bool = True) -> _Response:
        request = urllib.request.Request(self.origin + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return _Response(reply.status, reply.headers, reply.read())
        except urllib.error.HTTPError as err:  # 304 and 404 are answers too
            return _Response(err.code, err.headers, err.read())


@pytest.fixture(params=["/", "/user/learner-1a2b/"], ids=["local", "hub-prefix"])
def bundle_server(request):
    """Served from a thread with its own event loop: the test's thread may already run one (a
    browser test's Playwright on the same xdist worker), and tornado cannot nest loops."""
    started, box = threading.Event(), {}

    def serve():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        app = _FakeServerApp(request.param)
        plotly_bundle._load_jupyter_server_extension(app)
        sockets = bind_sockets(0, "127.0.0.1")
        server = HTTPServer(app.web_app)
        server.add_sockets(sockets)
        box.update(loop=loop, port=sockets[0].getsockname()[1])
        started.set()
        loop.run_forever()
        server.stop()
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(30), "the test server did not start"
    try:
        yield _BundleServer(request.param, f"http://127.0.0.1:{box['port']}")
    finally:
        box["loop"].call_soon_threadsafe(box["loop"].stop)
        thread.join(10)


def test_the_server_serves_plotly_s_bundle_gzipped_and_cached(bundle_server):
    url = bundle_server.base_url + plotly_bundle.bundle_path()
    response = bundle_server.fetch(url, headers={"Accept-Encoding": "gzip"})
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    raw = plotly_bundle.bundle_file().read_bytes()
    assert gzip.decompress(response.body) == raw
    assert len(response.body) < len(raw) / 2
    plain = bundle_server.fetch(url, headers={"Accept-Encoding": "identity"})
    assert plain.body == raw
    again = bundle_server.fetch(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.code == 304


def test_another_plotly_version_is_not_served(bundle_server):
    response = bundle_server.fetch(bundle_server.base_url + plotly_bundle.bundle_path("0.0.1"))
    assert response.code == 404
    assert f"This server has plotly {plotly.__version__}" in response.body.decode()


# --------------------------------------------------------------------------------------------
# The loader itself, in Node: a stand-in model and bundle record what plotly's code would get.
# --------------------------------------------------------------------------------------------

NODE_HARNESS = r"""
const events = [];
class Model {
  constructor() { this.values = {}; this.listeners = []; }
  get(k) { return this.values[k] === undefined ? null : this.values[k]; }
  on(ev, cb) { this.listeners.push([ev, cb]); }
  off(ev, cb) { this.listeners = this.listeners.filter(([e, c]) => !(e === ev && c === cb)); }
  send(k, v) { this.values[k] = v; for (const [e, cb] of this.listeners.slice()) if (e === "change:" + k) cb(); }
};
// The stand-in for plotly's widget bundle: a model class that applies restyles in order.
let release;
const fakeBundle = { default: () => ({
  initialize({ model }) {
    model.on("change:_py2js_update", () => { const m = model.get("_py2js_update"); if (m) events.push(["update", m.n]); });
  },
  render({ model, el }) { events.push(["render", el.children.length]); return () => events.push(["removed"]); },
}) };
const el = { children: [], replaceChildren(...c) { this.children = c; }, };
globalThis.document = {
  getElementById: (id) => (MODE === "static" ? null : { textContent: JSON.stringify({ baseUrl: "/user/x/" }) }),
  createElement: (tag) => ({ tag, style: {}, setAttribute(k, v) { this[k] = v; }, remove() { el.children = el.children.filter((c) => c !== this); } }),
};
globalThis.window = { location: { href: "https://hub.example.org/user/x/lab/tree/lessons/01.ipynb" } };
const origError = console.error; console.error = () => {};
const loader = await import(process.argv[2]);
if (MODE !== "static") {
  // The bundle arrives only after Python has already sent two restyles.
  globalThis["__gutbrainPlotlyBundle:" + BUNDLE_PATH] = new Promise((r) => { release = () => r(fakeBundle); });
}
const widget = loader.default();
const model = new Model();
if (MODE === "live" || MODE === "static") model.values = { _widget_data: [{ type: "bar" }], _widget_layout: { title: "t" } };
// A figure made empty, its traces to come in plotly's own messages: it has a layout from the start.
if (MODE === "no-traces") model.values = { _widget_data: [], _widget_layout: { title: "t" } };
const warned = [];
console.warn = (...args) => warned.push(args.join(" "));
widget.initialize({ model });
model.send("_py2js_update", { n: 1 }); model.send("_py2js_update", null);
model.send("_py2js_update", { n: 2 }); model.send("_py2js_update", null);
const cleanup = widget.render({ model, el });
events.push(["rendered-sync", el.children.map((c) => c.className)]);
if (release) release();
await new Promise((r) => setTimeout(r, 50));
events.push(["drawn-once-bundle-here", events.filter((e) => e[0] === "render").length]);
if (MODE === "late") {
  // The figure's data and layout arrive after the view was asked to draw (seen under load).
  events.push(["before-state", el.children.map((c) => c.className)]);
  model.send("_widget_layout", { title: "t" });
  model.send("_widget_data", [{ type: "bar" }]);
  await new Promise((r) => setTimeout(r, 200));
  events.push(["warned", warned.length]);
}
model.send("_py2js_update", { n: 3 }); model.send("_py2js_update", null);
events.push(["children", el.children.map((c) => [c.className, c.role, c.textContent])]);
cleanup();
console.log(JSON.stringify(events));
"""


def _run_loader(tmp_path: Path, mode: str) -> list:
    node = shutil.which("node")
    if not node:
        pytest.skip("Node.js is not installed")
    module = tmp_path / "loader.mjs"
    module.write_text(loader_js(), encoding="utf-8")
    harness = tmp_path / "harness.mjs"
    harness.write_text(f"const MODE = {json.dumps(mode)};\nconst BUNDLE_PATH = "
                       f"{json.dumps(plotly_bundle.bundle_path())};\n" + textwrap.dedent(NODE_HARNESS),
                       encoding="utf-8")
    done = subprocess.run([node, str(harness), module.as_uri()], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_loader_returns_at_once_and_replays_early_messages_in_order(tmp_path):
    events = _run_loader(tmp_path, "live")
    assert events[0] == ["rendered-sync", ["gutbrain-figure-pending"]]
    assert events[1:] == [["update", 1], ["update", 2], ["render", 0], ["drawn-once-bundle-here", 1],
                          ["update", 3], ["children", []], ["removed"]]


def test_a_figure_with_a_layout_and_no_traces_yet_is_drawn_at_once(tmp_path):
    """Its traces come later in plotly's own messages: it must not wait for them."""
    events = _run_loader(tmp_path, "no-traces")
    assert ["drawn-once-bundle-here", 1] in events, events


def test_a_figure_whose_data_arrives_after_its_view_is_drawn_once_it_arrives(tmp_path):
    events = _run_loader(tmp_path, "late")
    assert ["drawn-once-bundle-here", 0] in events, events
    assert ["before-state", ["gutbrain-figure-pending"]] in events, events
    renders = [e for e in events if e[0] == "render"]
    assert len(renders) == 1, f"drawn {len(renders)} times: {events}"
    assert events.index(renders[0]) > events.index(["before-state", ["gutbrain-figure-pending"]])
    assert ["warned", 1] in events, "the late data should be said on the console"


def test_without_a_jupyter_server_the_figure_says_how_to_open_the_course(tmp_path):
    events = _run_loader(tmp_path, "static")
    shown = [e for e in events if e[0] == "children"][0][1]
    assert shown == [["gutbrain-figure-problem", "alert", PROBLEM_TEXT]]
    assert not [e for e in events if e[0] in ("render", "update")]
