"""Fixtures for the browser tests: one JupyterLab server and one Chromium for the session.

The server serves a temporary copy of the course (lessons/, quizzes/ with the student
versions built, nbgrader_config.py), so the tests never leave outputs in committed notebooks.
A notebook opens in a page of its own (``open_tab``), or in turn with others in one JupyterLab
page (``lessons_lab``, labdriver.open_in_lab); its kernel is shut down when it is done.
On a failure, a screenshot, the browser console and the server log are saved under
tests/artifacts/browser/ (see docs/browser_tests.md).
"""
from __future__ import annotations

import os
import re

import pytest

import labdriver as lab
import wire


def _unavailable(problem: str):
    """No browser here: fail in CI (where it must be there), skip on a learner's machine."""
    if os.environ.get("CI"):
        pytest.fail(f"CI is set, but the browser tests cannot run: {problem}", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(scope="session", autouse=True)
def _shared_quiz_build(tmp_path_factory):
    """One build of the quizzes' student versions for every server of the run: the folder is
    beside the workers' own temporary folders, so all xdist workers share it."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    saved = os.environ.get(lab.QUIZ_BUILD_CACHE_ENV)
    os.environ[lab.QUIZ_BUILD_CACHE_ENV] = str(shared / "quiz-build")
    yield
    if saved is None:
        os.environ.pop(lab.QUIZ_BUILD_CACHE_ENV, None)
    else:
        os.environ[lab.QUIZ_BUILD_CACHE_ENV] = saved


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1:<free port> with a token; stopped whatever happens."""
    problem = lab.chromium_problem()
    if problem:
        _unavailable(problem)
    with lab.lab_server(tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.fixture(scope="session")
def axe_js():
    """axe-core's script (installed from npm by tools/ensure_chromium.sh)."""
    problem = lab.axe_problem()
    if problem:
        _unavailable(problem)
    return lab.AXE_JS


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """Debian's Chromium, headless, with a fresh profile, driven by Playwright.
    (It does not start the course's server: tests/browser/test_views.py starts its own.)"""
    problem = lab.chromium_problem()
    if problem:
        _unavailable(problem)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        context = lab.launch_chromium(playwright, tmp_path_factory.mktemp("chromium-profile"))
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()
    finally:
        playwright.stop()


Tab = lab.Tab
OPEN_TABS = lab.OPEN_TABS
close_tab = lab.close_tab


@pytest.fixture(scope="session")
def open_tab(chromium, lab_server):
    """Factory: open a notebook in a new page; the page is closed and kernels stopped by ``close_tab``."""

    def _open(path: str) -> Tab:
        page = chromium.new_page()
        lab.install_page_helpers(page)
        tab = Tab(name=re.sub(r"[^A-Za-z0-9_.-]+", "_", path), page=page,
                  console=lab.ConsoleLog(page), path=path)
        OPEN_TABS.append(tab)
        # Counts what the page receives (tests/browser/wire.py): it must see the kernel websocket open.
        tab.wire = wire.WireCounter(page)
        try:
            lab.open_notebook(page, lab_server, path)
        except Exception:
            lab.save_artifacts(page, tab.console, f"open--{tab.name}", lab_server)
            close_tab(tab, lab_server)
            raise
        return tab

    return _open


@pytest.fixture(scope="session")
def lessons_lab(chromium, lab_server):
    """One JupyterLab page per worker in which the lessons open in turn (``lesson``), as a learner
    opens the next lesson: a JupyterLab page load costs Chromium about 5 CPU-seconds, opening a
    notebook in it about 1 (labdriver.open_in_lab). It counts what its kernels send (wire.py)."""
    with lab.lab_tab(chromium, lab_server, "lessons") as tab:
        tab.wire = wire.WireCounter(tab.page)
        yield tab


@pytest.fixture(scope="session", params=lab.LESSONS, ids=[p.stem for p in lab.LESSONS])
def lesson(request, lessons_lab, lab_server):
    """A lesson opened in JupyterLab with Run -> Run All Cells done (outputs as a learner sees them).

    Session-scoped: every test that uses it, in any module, checks the same Run All (pytest runs
    them together, and tests/conftest.py keeps them on one xdist worker). One lesson is open at a
    time in the worker's ``lessons_lab`` page: pytest ends one parameter before the next begins."""
    path = f"lessons/{request.param.name}"
    tab = Tab(name=re.sub(r"[^A-Za-z0-9_.-]+", "_", path), page=lessons_lab.page,
              console=lessons_lab.console, path=path)
    tab.wire = lessons_lab.wire
    tab.wire.forget()  # the byte budget is this lesson's alone
    try:
        try:
            lab.open_in_lab(tab.page, path)
            # A repeated Run All (anywidget gave up under load) re-sends every widget: the byte
            # budget is judged on the first, the Run All a learner makes.
            def keep_first_run_bytes():
                tab.timings.setdefault("first_run_kernel_bytes", (tab.wire.kernel_bytes(), tab.wire.kernel_largest()))

            repeats = len(lab.RUN_ALL_REPEATS)
            tab.timings["run_all_s"] = lab.run_all(tab.page, before_retry=keep_first_run_bytes)
            tab.timings["run_all_repeats"] = lab.RUN_ALL_REPEATS[repeats:]
        except Exception:
            # Saved now: pytest reports this set-up error after the notebook is closed.
            lab.save_artifacts(tab.page, tab.console, f"setup--{tab.name}", lab_server)
            raise
        yield tab
    finally:
        lab.close_in_lab(tab.page, lab_server, path)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """On a failure, save a screenshot and the console log of every open page."""
    report = yield
    if report.failed and report.when in ("setup", "call") and OPEN_TABS:
        server = item.funcargs.get("lab_server")
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1])
        saved = []
        for tab in list(OPEN_TABS):
            try:
                saved += lab.save_artifacts(tab.page, tab.console, f"{stem}--{tab.name}", server)
            except Exception as err:  # never hide the test's own failure
                saved.append(f"(could not save artefacts of {tab.name}: {err!r})")
        report.sections.append(("browser artefacts", "\n".join(str(p) for p in saved)))
    return report
