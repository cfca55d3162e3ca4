"""The course's JupyterLab extension imports plotly's widget bundle as a lesson opens (issue 19).

Left to a lesson's first figure, the bundle's 1-2 s of evaluation fell among the lesson's other
widgets during Run All, and anywidget (2 s per widget) gave up on some. The extension is a
JupyterLab prebuilt extension written by hand
(``jupyter-config/data/labextensions/gutbrain-plotly-preload``); here its JavaScript runs in Node
with a stand-in JupyterLab and bundle. ``tests/browser/test_views.py`` checks it in JupyterLab.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from gutbrain import plotly_bundle

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "jupyter-config" / "data"
EXTENSION = DATA / "labextensions" / "gutbrain-plotly-preload"


def test_jupyterlab_finds_the_extension_on_the_path_the_launchers_set():
    from jupyterlab_server.config import get_federated_extensions

    found = get_federated_extensions([str(DATA / "labextensions")])["gutbrain-plotly-preload"]
    build = found["jupyterlab"]["_build"]
    assert (EXTENSION / build["load"]).is_file() and build["extension"] == "./extension"
    data_path = 'JUPYTER_PATH="$(CURDIR)/jupyter-config/data'
    assert (REPO / "Makefile").read_text().count(data_path) == 2, "make lab and make instructor set it"
    out = subprocess.run(["bash", str(REPO / "start"), "sh", "-c", 'echo "$JUPYTER_PATH"'],
                         env={"PATH": os.environ["PATH"]}, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(DATA), "Binder's and JupyterHub's start hook sets it"


# A stand-in JupyterLab: the page config, a shell whose current widget changes, and the bundle as
# a file under a base URL (Node imports file: URLs as the browser imports http: ones).
NODE_HARNESS = r"""
import { pathToFileURL } from "node:url";
const [entry, base, mode] = process.argv.slice(2);
const config = mode === "no-server-extension" ? { baseUrl: base } : { baseUrl: base, gutbrainPlotlyBundle: BUNDLE_PATH };
globalThis.document = { getElementById: (id) => (id === "jupyter-config-data" ? { textContent: JSON.stringify(config) } : null) };
globalThis.window = globalThis;
window.location = { href: pathToFileURL(base + "lab/tree/lessons/01_serotonin_synthesis.ipynb").href };
const warned = [];
console.warn = (...args) => warned.push(String(args[0]));
await import(entry);

const container = window._JUPYTERLAB["gutbrain-plotly-preload"];
await container.init({});
const plugin = (await container.get("./extension"))().default;
const panel = (path) => ({ hasClass: (c) => c === "jp-NotebookPanel", context: { path } });
const listeners = [];
const shell = {
  currentWidget: panel("quizzes/release/quiz01/quiz01.ipynb"),
  currentChanged: {
    connect: (f) => listeners.push(f),
    disconnect: (f) => listeners.splice(listeners.indexOf(f), 1),
  },
};
plugin.activate({ shell, restored: Promise.resolve() });
const key = "__gutbrainPlotlyBundle:" + BUNDLE_PATH;
const settle = () => new Promise((r) => setTimeout(r, 600));
await settle();
const report = { id: plugin.id, autoStart: plugin.autoStart, afterQuiz: key in globalThis };
shell.currentWidget = panel("lessons/01_serotonin_synthesis.ipynb");
for (const f of listeners.slice()) f(shell, {});
await settle();
report.afterLesson = key in globalThis;
report.bundle = key in globalThis ? (await globalThis[key]).default() : null;
report.listening = listeners.length;
report.warned = warned;
console.log(JSON.stringify(report));
"""


def _run(tmp_path: Path, mode: str) -> dict:
    node = shutil.which("node")
    if not node:
        pytest.skip("Node.js is not installed")
    base = tmp_path / "user" / "learner-1a2b"
    if mode == "served":
        bundle = base / plotly_bundle.bundle_path()
        bundle.parent.mkdir(parents=True)
        bundle.write_text('export default () => "plotly, imported";\n', encoding="utf-8")
    harness = tmp_path / "harness.mjs"
    harness.write_text(f"const BUNDLE_PATH = {json.dumps(plotly_bundle.bundle_path())};\n"
                       + textwrap.dedent(NODE_HARNESS), encoding="utf-8")
    entry = (EXTENSION / "static" / "remoteEntry.js").as_uri()
    done = subprocess.run([node, str(harness), entry, f"{base}/", mode],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_lesson_opening_imports_the_bundle_and_a_quiz_does_not(tmp_path):
    report = _run(tmp_path, "served")
    assert report["id"] == "gutbrain-plotly-preload:plugin" and report["autoStart"] is True
    assert report["afterQuiz"] is False, "a quiz has no figures: it should not pay for plotly"
    assert report["afterLesson"] is True
    assert report["bundle"] == "plotly, imported"
    assert report["listening"] == 0, "once imported, it stops watching the shell"
    assert report["warned"] == []


def test_a_failed_import_is_left_for_the_figures_to_try_again(tmp_path):
    report = _run(tmp_path, "missing")
    assert report["afterLesson"] is False, "a failed preload must not stand as the figures' answer"
    assert len(report["warned"]) == 1 and "figures will retry" in report["warned"][0]


def test_without_the_server_extension_nothing_is_imported(tmp_path):
    report = _run(tmp_path, "no-server-extension")
    assert report["afterLesson"] is False and report["warned"] == []
