"""The learner's view (`make lab`, Binder) and the instructor's view (`make instructor`).

Each view is a JupyterLab started as the Makefile starts it: the repository's
jupyter-config/<view>/ on JUPYTER_CONFIG_PATH (page_config.json disables lab plugins,
jupyter_server_config.json the server extensions, hides quiz sources, and serves notebooks
so that opening one does not mark it modified). See docs/browser_tests.md.
"""
from __future__ import annotations

import re
import time

import pytest

import labdriver as lab

pytestmark = pytest.mark.browser

INSTRUCTOR_PLUGINS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:validate-assignment", "@jupyter/nbgrader:menu"]
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"


@pytest.fixture(scope="module", params=["learner", "instructor"])
def view_server(request, tmp_path_factory, chromium):
    with lab.lab_server(tmp_path_factory.mktemp(f"view-{request.param}"), build_quizzes=False,
                        view=request.param) as server:
        server.view = request.param
        yield server


def _open(chromium, server, path):
    page = chromium.new_page()
    lab.install_page_helpers(page)
    console = lab.ConsoleLog(page)
    tab = lab.Tab(name=f"{server.view}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', path)}", page=page,
                  console=console, path=path)
    lab.OPEN_TABS.append(tab)
    lab.open_notebook(page, server, path)
    return tab


def _what_lab_shows(page) -> dict:
    return page.evaluate("""() => ({
        menus: Array.from(document.querySelectorAll('.lm-MenuBar-itemLabel')).map(e => e.textContent.trim()),
        sidebar: Array.from(document.querySelectorAll('.jp-SideBar .lm-TabBar-tab')).map(e => e.title || e.textContent),
        validate: document.querySelectorAll('.jp-NotebookPanel-toolbar .validate-button').length,
        dirty: Array.from(document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty')).map(e => e.textContent.trim()),
        toasts: Array.from(document.querySelectorAll('.Toastify__toast')).map(e => e.textContent.trim()),
        disabled: JSON.parse(document.getElementById('jupyter-config-data').textContent).disabledExtensions || [],
    })""")


def _plotly_preloaded(page) -> dict:
    """What the course's JupyterLab extension did: plotly's widget bundle imported, and no cell run."""
    return page.evaluate("""async () => {
        const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
        const loading = globalThis['__gutbrainPlotlyBundle:' + config.gutbrainPlotlyBundle];
        const bundle = loading ? await loading : null;
        return {
            path: config.gutbrainPlotlyBundle || null,
            imported: Boolean(bundle && typeof bundle.default === 'function'),
            ran: window.gutbrainTest.prompts().filter(p => /\\d/.test(p)),
        };
    }""")


def test_tools_of_each_view(view_server, chromium):
    tab = _open(chromium, view_server, "lessons/00_start_here.ipynb")
    try:
        time.sleep(3)  # time for a news pop-up or a late extension to appear
        seen = _what_lab_shows(tab.page)
        quizzes = {i["name"] for i in view_server.api("api/contents/quizzes")["content"]}
        assert not seen["toasts"], f"{view_server.view} view: pop-up(s) {seen['toasts']}"
        assert NEWS_PLUGIN in seen["disabled"]
        # Issue 19: plotly is imported as a lesson opens, before any figure needs it.
        preload = _plotly_preloaded(tab.page)
        assert preload["path"] and preload["imported"] and not preload["ran"], (
            f"{view_server.view} view: plotly's widget bundle was not imported as the lesson opened: "
            f"{preload} (is jupyter-config/data on JUPYTER_PATH?)")
        if view_server.view == "learner":
            assert "Nbgrader" not in seen["menus"], seen["menus"]
            assert not seen["validate"], "the learner's view shows nbgrader's Validate button"
            assert not [t for t in seen["sidebar"] if "nbgrader" in t.lower() or "assignment" in t.lower()], seen["sidebar"]
            assert set(INSTRUCTOR_PLUGINS) <= set(seen["disabled"])
            assert "source" not in quizzes, "quizzes/source (with the answers) is in the learner's file browser"
            names = {i["name"] for i in view_server.api("api/contents/")["content"]}
            assert "lessons" in names
        else:
            assert "Nbgrader" in seen["menus"], seen["menus"]
            assert seen["validate"] == 1, "the instructor's view has no Validate button"
            assert any("Create Assignment" in t for t in seen["sidebar"]), seen["sidebar"]
            assert not set(INSTRUCTOR_PLUGINS) & set(seen["disabled"])
            assert "source" in quizzes
            lab.menu(tab.page, "Nbgrader", "Formgrader")
            tab.page.locator(".lm-TabBar-tab", has_text="Formgrader").first.wait_for(timeout=30_000)
    finally:
        lab.close_tab(tab, view_server)


def test_lessons_open_unmodified(view_server, chromium):
    """Every lesson (the instructor's view: the first; it uses the same contents manager), opened
    as a learner opens them: the first from its link, the others from the file browser, all in
    one JupyterLab."""
    lessons = [p.name for p in lab.LESSONS] if view_server.view == "learner" else [lab.LESSONS[0].name]
    tab = _open(chromium, view_server, f"lessons/{lessons[0]}")
    try:
        for lesson in lessons[1:]:
            tab.page.locator(".jp-DirListing-item", has_text=lesson).dblclick()
            tab.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=lesson).wait_for(timeout=60_000)
        _wait_for_idle_kernels(view_server, len(lessons))
        time.sleep(1.5)  # the kernel's language_info arrives once the kernel is idle
        dirty = _what_lab_shows(tab.page)["dirty"]
    finally:
        lab.close_tab(tab, view_server)
        lab.shutdown_kernels(view_server)
    modified = [lesson for lesson in lessons if any(lesson in label for label in dirty)]
    assert not modified, f"{view_server.view} view: {modified} open already marked as modified"


def _wait_for_idle_kernels(server, n: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        kernels = server.api("api/kernels")
        if len(kernels) >= n and all(k.get("execution_state") == "idle" for k in kernels):
            return
        assert time.monotonic() < deadline, f"{n} kernels idle expected, the server has {kernels}"
        time.sleep(0.25)
