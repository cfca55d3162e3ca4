"""Drive the course in a real JupyterLab, in Debian's headless Chromium, with Playwright.

Used by the browser tests (tests/browser/) and by benchmarks/bench_browser.py, so both measure
the same thing. Nothing here writes into the repository: the server serves a temporary copy
of the course (lessons/, quizzes/, nbgrader_config.py) from a temporary HOME.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
QUIZ_IDS = sorted(p.name for p in (REPO / "quizzes" / "source").glob("*") if p.is_dir()
                  and not p.name.startswith("."))
CHROMIUM = os.environ.get("GUTBRAIN_CHROMIUM", "/usr/bin/chromium")
AXE_JS = REPO / "tools" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "tests" / "artifacts"

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-dev-shm-usage",
]
INSTALL_HINT = ("Install it with `bash tools/ensure_chromium.sh` (as root; it runs "
                "apt-get install chromium and npm ci in tools/browser/), or `make test`.")

#: Lab settings for the tests: no news or update-check pop-ups over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False, "fetchNews": "false", "doNotDisturbMode": True,
    },
    # Start the notebook's own kernel without asking; attach every cell to the page (no
    # virtual scrolling), so that outputs below the fold are rendered and can be checked.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "autoStartDefaultKernel": True, "windowingMode": "none",
    },
}

# Timeouts (ms). Generous: the machine has two cores and runs the kernel and Chromium together.
LAB_READY_MS = 60_000
RUN_ALL_MS = 180_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium is not installed at {CHROMIUM}. {INSTALL_HINT}"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return ("Playwright for Python is not installed. Install the test extra: "
                '.venv/bin/pip install -r requirements-test.lock')
    return None


def axe_problem() -> str | None:
    if not AXE_JS.is_file():
        return f"axe-core is not installed ({AXE_JS.relative_to(REPO)} is missing). {INSTALL_HINT}"
    return None


# --------------------------------------------------------------------------------------------
# The course copy and the JupyterLab server
# --------------------------------------------------------------------------------------------

def make_course_copy(root: Path, build_quizzes: bool = True) -> Path:
    """Copy what a learner and an instructor open into ``root``; build the quizzes' releases there."""
    _copy_course(root)
    if build_quizzes:
        _finish_quiz_build(_start_quiz_build(root))
    return root


def _copy_course(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    shutil.copytree(REPO / "lessons", root / "lessons", ignore=ignore)
    shutil.copytree(REPO / "quizzes" / "source", root / "quizzes" / "source", ignore=ignore)
    # The repository's config computes every path from its own location, so a copy at the
    # root of the course copy points nbgrader at the copy's quizzes/ (and exchange).
    shutil.copy2(REPO / "nbgrader_config.py", root / "nbgrader_config.py")


#: A folder shared by every server of a test run (all xdist workers): the quizzes' student
#: versions are built there once per content of the quiz sources, then copied into each course
#: copy (the browser tests' conftest sets it; unset, every server builds its own).
QUIZ_BUILD_CACHE_ENV = "GUTBRAIN_QUIZ_BUILD_CACHE"


def _quiz_build_key() -> str:
    """What the build depends on: the quiz sources, the nbgrader config and the build tool."""
    digest = hashlib.sha256()
    files = sorted(p for p in (REPO / "quizzes" / "source").rglob("*")
                   if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts)
    for path in [*files, REPO / "nbgrader_config.py", REPO / "tools" / "build_quizzes.py"]:
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _copy_cached_quiz_build(root: Path, cache_dir: Path) -> None:
    """Build the quizzes once into ``cache_dir`` (under a lock: workers wait for the first one);
    copy the result (releases, gradebook) into the course copy ``root``."""
    import fcntl

    cache_dir.mkdir(parents=True, exist_ok=True)
    built = cache_dir / _quiz_build_key()
    with (cache_dir / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / "done").exists():
            shutil.rmtree(built, ignore_errors=True)
            _copy_course(built)
            _finish_quiz_build(_start_quiz_build(built))
            (built / "done").touch()
    shutil.copytree(built / "quizzes", root / "quizzes", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("source"))


def _start_quiz_build(root: Path) -> subprocess.Popen | None:
    """Run tools/build_quizzes.py on the copy (in the background: it takes seconds)."""
    if not QUIZ_IDS:
        return None
    return subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
         "from build_quizzes import build_all; sys.exit(1 if build_all(Path(sys.argv[2])) else 0)",
         str(REPO / "tools"), str(root / "quizzes")],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=_child_env(root.parent))


def _finish_quiz_build(proc: subprocess.Popen | None, timeout_s: float = 180.0) -> None:
    if proc is None:
        return
    try:
        output, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"tools/build_quizzes.py took more than {timeout_s:.0f} s") from None
    if proc.returncode != 0:
        raise RuntimeError(f"tools/build_quizzes.py failed on the course copy:\n{output[-4000:]}")


def _child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "HOME": str(home / "home"),
        "XDG_DATA_HOME": str(home / "home" / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / "home" / ".config"),
        "XDG_CACHE_HOME": str(home / "home" / ".cache"),
        "JUPYTER_CONFIG_DIR": str(home / "home" / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "home" / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab-workspaces"),
        "GUTBRAIN_ASSETS": str(REPO / "assets"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
        # nbgrader runs `alembic` (and kernels run `python`) from the PATH: use the venv's.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    })
    env.pop("JUPYTER_DATA_DIR", None)
    for name in ("home", "home/.jupyter", "home/runtime", "lab-settings", "lab-workspaces"):
        (home / name).mkdir(parents=True, exist_ok=True)
    return env


@dataclass
class LabServer:
    url: str
    token: str
    root: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    def lab_url(self, path: str = "") -> str:
        """URL of JupyterLab showing ``path`` alone: a new, empty workspace for every page, so
        that no tab of an earlier page (whose kernel may be gone) is restored and made active."""
        workspace = f"gbtest-{secrets.token_hex(4)}"
        where = f"/tree/{path}" if path else ""
        return f"{self.url}lab/workspaces/{workspace}{where}?reset&token={self.token}"

    def api(self, path: str, attempts: int = 5) -> object:
        """GET a server API as JSON. A 5xx answer is asked again, up to ``attempts`` times: while a
        kernel starts, jupyter_server lists it before it has a ``last_activity``, and a listing of
        kernels or sessions in that window fails with 500 (jupyter-server/enterprise_gateway#1395;
        it failed one CI run)."""
        req = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"token {self.token}"})
        for attempt in range(1, attempts + 1):
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    return json.loads(resp.read().decode())
            except urllib.error.HTTPError as error:
                if error.code < 500 or attempt == attempts:
                    raise
                time.sleep(0.2 * attempt)

    def progress_dir(self) -> Path:
        """The learner's progress folder for this server's kernels (as gutbrain.progress.store.data_dir)."""
        override = os.environ.get("GUTBRAIN_DATA_DIR")
        return Path(override) if override else self.root.parent / "home" / ".local" / "share" / "gut-feelings"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


@contextmanager
def lab_server(base: Path, timeout_s: float = 90.0, build_quizzes: bool = True,
               view: str | None = None) -> Iterator[LabServer]:
    """A JupyterLab on 127.0.0.1:<free port> serving a course copy in ``base``; always stopped.

    The copy holds lessons/, quizzes/source/ (with the student versions built into
    quizzes/release/ unless ``build_quizzes`` is false) and nbgrader_config.py; the server's
    working directory is the copy, so nbgrader (Validate, formgrader) uses the copy's config.

    ``view`` ("learner" or "instructor") starts it as `make lab` / `make instructor` do, with
    the repository's jupyter-config/<view>/ on JUPYTER_CONFIG_PATH and without the tests' own
    notification settings (so the test sees what that configuration alone does). Without
    ``view`` every extension is on (the quiz tests use Validate and formgrader)."""
    root = base / "course"
    _copy_course(root)
    cache = os.environ.get(QUIZ_BUILD_CACHE_ENV)
    build = _start_quiz_build(root) if build_quizzes and not cache else None
    env = _child_env(base)
    env["GUTBRAIN_LESSONS"] = str(root / "lessons")
    env["JUPYTER_PATH"] = str(REPO / "jupyter-config" / "data")  # as `start` and `make lab` set it
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"])
    lab_settings = dict(LAB_SETTINGS)
    if view is not None:
        env["JUPYTER_CONFIG_PATH"] = str(REPO / "jupyter-config" / view)
        lab_settings.pop("@jupyterlab/apputils-extension/notification.jupyterlab-settings")
    else:
        # Both views enable the course's server extension (plotly served once per page): so does this one.
        conf_d = Path(env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.d"
        conf_d.mkdir(parents=True, exist_ok=True)
        (conf_d / "gutbrain.json").write_text(json.dumps(
            {"ServerApp": {"jpserver_extensions": {"gutbrain.plotly_bundle": True}}}), encoding="utf-8")
    for rel, values in lab_settings.items():
        target = settings / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={env['JUPYTERLAB_WORKSPACES_DIR']}",
    ]
    if view is None:
        cmd += ["--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")
    log_path = base / "jupyterlab.log"
    log = log_path.open("w", encoding="utf-8")
    # Started in its own process group, so stopping it also stops the kernels it started.
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    server = LabServer(url=f"http://127.0.0.1:{port}/", token=token, root=root,
                       log_path=log_path, process=proc)
    try:
        if build_quizzes and cache:
            _copy_cached_quiz_build(root, Path(cache))
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{server.log_tail()}")
            try:
                server.api("api/status")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer within {timeout_s:.0f} s:\n"
                                       f"{server.log_tail()}") from None
                time.sleep(0.25)
        _finish_quiz_build(build)
        build = None
        yield server
    finally:
        if build is not None and build.poll() is None:
            build.kill()
            build.communicate()
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
    # Kernels were started in the server's process group; make sure none is left.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# --------------------------------------------------------------------------------------------
# Chromium and pages
# --------------------------------------------------------------------------------------------

def launch_chromium(playwright, user_data_dir: Path):
    """A fresh headless Chromium (its own empty profile) as a persistent context."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900}, ignore_default_args=["--enable-automation"],
    )


@dataclass
class Tab:
    """One page of JupyterLab showing one notebook, with its console log."""

    name: str
    page: object
    console: "ConsoleLog"
    path: str = ""
    timings: dict = field(default_factory=dict)


#: Pages open now; a failing test saves all of them (a fixture may fail before it yields).
OPEN_TABS: list[Tab] = []


def close_tab(tab: Tab, server: LabServer) -> None:
    """Close the page and stop its notebook's kernel (a closed page leaves its kernel running).

    Only that notebook's: a session-scoped lesson tab on this worker keeps its live kernel."""
    if tab in OPEN_TABS:
        OPEN_TABS.remove(tab)
    try:
        tab.page.close()
    finally:
        shutdown_kernels(server, tab.path or None)


class ConsoleLog:
    """Everything the page said on its console (and uncaught errors), for failure reports."""

    def __init__(self, page):
        self.lines: list[str] = []
        page.on("console", lambda m: self.lines.append(f"[{m.type}] {m.text}"))
        page.on("pageerror", lambda e: self.lines.append(f"[pageerror] {e}"))

    def text(self) -> str:
        return "\n".join(self.lines)

    def errors(self) -> list[str]:
        return [line for line in self.lines if line.startswith(("[error]", "[pageerror]"))]


#: Helpers installed in every page (``window.gutbrainTest``) before JupyterLab starts.
PAGE_HELPERS_JS = r"""
window.gutbrainTest = {
  // "idle" statuses received from a kernel: one ends every request it handles (a cell, a widget's
  // change), so a test can wait for the kernel to have handled its click (see kernelIdles below).
  kernelIdles: 0,
  kernelIdle() {
    return Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
      .some(e => /\|\s*Idle$/.test(e.textContent.trim()));
  },
  prompts() {
    return Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell'))
      .map(c => ((c.querySelector('.jp-InputArea-prompt') || {}).textContent || '').trim());
  },
  runFinished() {
    return !this.prompts().some(p => p.includes('*')) && this.kernelIdle();
  },
  errorOutputs() {
    return Array.from(document.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
      .map(e => e.innerText).filter(t => /Traceback|Error|Exception/.test(t));
  },
  unexecuted() {
    return Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell'))
      .map((c, i) => [i, ((c.querySelector('.jp-InputArea-prompt') || {}).textContent || ''),
                      ((c.querySelector('.jp-InputArea-editor') || {}).textContent || '')])
      .filter(([i, p, src]) => !/\[\d+\]/.test(p) && src.trim() !== '').map(([i]) => i);
  },
  widgetProblems() {
    return Array.from(document.querySelectorAll('.jp-OutputArea-output'))
      .map(e => e.textContent.trim())
      .filter(t => t.startsWith('Loading widget') || t.startsWith('Error displaying widget')
                   || t.includes('This figure could not load plotly')
                   || t.startsWith('Failed to load model') || t.includes('Open Browser Console for more'))
      .map(t => t.slice(0, 200));
  },
  figures(root) {
    return Array.from((root || document).querySelectorAll('.jp-OutputArea .js-plotly-plot')).map((gd, i) => {
      const svg = gd.querySelector('.main-svg');
      const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
      const t = gd.layout && gd.layout.title;
      const title = t ? (typeof t === 'string' ? t : (t.text || '')) : '';
      return {
        index: i, traces: (gd.data || []).length,
        drawn: gd.querySelectorAll('.main-svg .trace').length,
        width: box.width, height: box.height, title,
        title_shown: (gd.querySelector('.gtitle') || {}).textContent || '',
        alt_text: (gd.layout && gd.layout.meta && gd.layout.meta.alt_text) || '',
        in_explorer: !!gd.closest('.gutbrain-explorer'),
      };
    });
  },
  figuresReady() {
    return !this.widgetProblems().some(t => t.startsWith('Loading widget'))
      && !document.querySelector('.jp-OutputArea .gutbrain-figure-pending')
      && this.figures().every(f => f.traces > 0 && f.drawn > 0 && f.width > 0 && f.height > 0);
  },
  // What an explorer shows: its figures' data and text alternative, and its status line.
  explorerState(el) {
    const figs = Array.from(el.querySelectorAll('.js-plotly-plot')).map(gd => ({
      data: (gd.data || []).map(t => ({x: t.x, y: t.y, text: t.text, base: t.base,
        marker: t.marker && t.marker.color, line: t.line, hovertext: t.hovertext, name: t.name})),
      title: gd.layout && gd.layout.title && gd.layout.title.text,
      alt: gd.layout && gd.layout.meta && gd.layout.meta.alt_text,
    }));
    const status = Array.from(el.querySelectorAll('[role=status]')).map(e => e.textContent.trim());
    return {figures: JSON.stringify(figs), status: status.join(' | ')};
  },
};
(() => {
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  const IDLE = /"execution_state":\s*"idle"/;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (!/\/api\/kernels\/[^/]+\/channels/.test(String(url))) return;
      this.addEventListener('message', (event) => {
        const data = event.data;
        const size = typeof data === 'string' ? data.length : (data.byteLength || 0);
        if (!size || size > 4096) return;  // a status message is small; outputs are not read
        if (IDLE.test(typeof data === 'string' ? data : decoder.decode(data))) window.gutbrainTest.kernelIdles += 1;
      });
    }
  };
})();
"""


def install_page_helpers(page) -> None:
    page.add_init_script(PAGE_HELPERS_JS)


def open_notebook(page, server: LabServer, path: str) -> None:
    """Open ``path`` (relative to the server root) in JupyterLab; wait for its kernel to be idle."""
    page.goto(server.lab_url(path), timeout=LAB_READY_MS)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=LAB_READY_MS)
    page.wait_for_function("() => window.gutbrainTest.kernelIdle()", timeout=LAB_READY_MS, polling=100)


def open_lab(page, server: LabServer) -> None:
    """Load JupyterLab with no notebook open (an empty workspace); wait for its menus."""
    page.goto(server.lab_url(), timeout=LAB_READY_MS)
    page.wait_for_selector(".lm-MenuBar-itemLabel", timeout=LAB_READY_MS)


@contextmanager
def lab_tab(context, server: LabServer, name: str) -> Iterator[Tab]:
    """A page showing JupyterLab with no notebook (``open_in_lab`` opens them in turn); its
    screenshot and console are saved if a test fails while it is open."""
    page = context.new_page()
    install_page_helpers(page)
    tab = Tab(name=name, page=page, console=ConsoleLog(page))
    OPEN_TABS.append(tab)
    try:
        try:
            open_lab(page, server)
        except Exception:
            save_artifacts(page, tab.console, f"open--{name}", server)
            raise
        yield tab
    finally:
        if tab in OPEN_TABS:
            OPEN_TABS.remove(tab)
        page.close()


def open_in_lab(page, path: str) -> None:
    """Open ``path`` in the JupyterLab ``page`` already shows (File -> Open from Path...), as a
    student opens the next quiz; wait for its kernel to be idle. Loading JupyterLab costs about
    5 CPU-seconds of Chromium here, this about 1 (docs/browser_tests.md, "One JupyterLab, many
    notebooks"). Keep one notebook open at a time: the page helpers read the whole page."""
    menu(page, "File", "Open from Path")
    field = page.locator(".jp-Dialog input")
    field.fill(path)
    field.press("Enter")
    name = path.rsplit("/", 1)[-1]
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current", has_text=name).wait_for(timeout=LAB_READY_MS)
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell", timeout=LAB_READY_MS)
    page.wait_for_function("() => window.gutbrainTest.kernelIdle()", timeout=LAB_READY_MS, polling=100)


def close_in_lab(page, server: LabServer, path: str) -> None:
    """Close the notebook ``open_in_lab`` opened without saving it (File -> Close Tab, Discard)
    and stop its kernel; the page stays, ready for the next notebook."""
    try:
        if page.locator(".jp-Dialog").count():  # left open by a failed step: it would block the menu
            page.keyboard.press("Escape")
        menu(page, "File", "Close Tab")
        discard = page.locator(".jp-Dialog .jp-Dialog-button", has_text="Discard")
        tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=path.rsplit("/", 1)[-1])
        deadline = time.monotonic() + 10
        while tab.count() and time.monotonic() < deadline:
            if discard.count():
                discard.first.click()
            page.wait_for_timeout(50)
        assert not tab.count(), f"{path}: its tab did not close"
    finally:
        shutdown_kernels(server, path)


def menu(page, top: str, item: str) -> None:
    """Click a main-menu entry (e.g. Run -> Run All Cells), as a learner would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=top).first.click()
    page.locator(".lm-Menu-content .lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
                 has_text=item).first.click()


def open_formgrader(page, server: LabServer):
    """Open JupyterLab, then Nbgrader -> Formgrader; return formgrader's frame."""
    open_lab(page, server)
    menu(page, "Nbgrader", "Formgrader")
    return page.frame_locator("iframe[src*='formgrader']")


def wait_for_run(page, timeout_ms: int = RUN_ALL_MS) -> None:
    """Wait until no cell is queued or running and the kernel is idle."""
    page.wait_for_function("() => window.gutbrainTest.runFinished()", timeout=timeout_ms, polling=200)


#: What anywidget 0.11 throws when a widget's code has not loaded and initialised within 2 s of the
#: page learning of its model (a fixed limit in anywidget's runtime). On a machine so loaded that
#: the page's main thread stalls for longer, that widget stays blank until the cell runs again.
ANYWIDGET_GAVE_UP = "[anywidget] Failed to initialize model"
#: Every Run All of this process that was repeated because anywidget gave up (page url, how many).
RUN_ALL_REPEATS: list[str] = []


def run_all(page, timeout_ms: int = RUN_ALL_MS, attempts: int = 2,
            before_retry: Callable[[], None] | None = None) -> float:
    """Run -> Run All Cells; return (seconds taken) once every cell ran or execution stopped at an error.

    If anywidget gave up on a widget during the run (``ANYWIDGET_GAVE_UP``: load, not the course),
    Run All once more (``before_retry`` first, e.g. to restart a byte count): new models, a new chance.
    A second failure is left for the tests to see."""
    start = time.perf_counter()
    for attempt in range(1, attempts + 1):
        gave_up: list[str] = []

        def note(error, gave_up=gave_up):
            if ANYWIDGET_GAVE_UP in str(error):
                gave_up.append(str(error))

        page.on("pageerror", note)
        try:
            _run_all_once(page, timeout_ms)
            page.wait_for_timeout(2_500)  # anywidget's limit: a widget that gives up does so now
        finally:
            page.remove_listener("pageerror", note)
        if not gave_up or attempt == attempts:
            break
        RUN_ALL_REPEATS.append(f"{page.url} (anywidget gave up on {len(gave_up)} widget(s))")
        if before_retry is not None:
            before_retry()
    return time.perf_counter() - start


def _run_all_once(page, timeout_ms: int) -> None:
    menu(page, "Run", "Run All Cells")
    # Execution has started once the first code cell is queued or done.
    page.wait_for_function(
        "() => { const p = window.gutbrainTest.prompts(); return !p.length || /\\[(\\*|\\d+)\\]/.test(p[0]); }",
        timeout=30_000, polling=100)
    wait_for_run(page, timeout_ms)


def error_outputs(page) -> list[str]:
    return page.evaluate("() => window.gutbrainTest.errorOutputs()")


def unexecuted_code_cells(page) -> list[int]:
    return page.evaluate("() => window.gutbrainTest.unexecuted()")


def widget_problems(page) -> list[str]:
    return page.evaluate("() => window.gutbrainTest.widgetProblems()")


def figures(page) -> list[dict]:
    return page.evaluate("() => window.gutbrainTest.figures()")


def wait_for_figures(page, timeout_ms: int = 60_000) -> list[dict]:
    """Wait until every plotly figure in the outputs has drawn its traces and no widget is loading."""
    try:
        page.wait_for_function("() => window.gutbrainTest.figuresReady()", timeout=timeout_ms, polling=200)
    except Exception as err:
        state = page.evaluate("""() => ({
            pending: document.querySelectorAll('.jp-OutputArea .gutbrain-figure-pending').length,
            problems: window.gutbrainTest.widgetProblems(),
            unready: window.gutbrainTest.figures().filter(f => !(f.traces > 0 && f.drawn > 0 && f.width > 0 && f.height > 0)),
        })""")
        raise AssertionError(f"figures not drawn within {timeout_ms / 1000:.0f} s: {state}") from err
    return figures(page)


# --------------------------------------------------------------------------------------------
# Interactive diagrams, driven with the keyboard
# --------------------------------------------------------------------------------------------

def explorer_state(explorer) -> dict:
    return explorer.evaluate("el => window.gutbrainTest.explorerState(el)")


MOVABLE = ("input[type=range], .noUi-handle, select, "
           ".widget-toggle-button:not(.mod-active), input[type=radio]:not(:checked)")


def move_first_control_by_keyboard(page, explorer, presses: int = 4) -> str:
    """Focus the explorer's first control and change it with the keyboard only.

    Slider (native range or ipywidgets' noUiSlider): arrow keys; dropdown: Space, arrow, Enter;
    toggle button or radio: Space. Returns what was done (for failure messages)."""
    control = explorer.locator(MOVABLE).first
    if not control.count():
        raise AssertionError("the interactive diagram has no slider, dropdown, toggle button or "
                             "radio button to move")
    kind = control.evaluate("""el => el.matches('input[type=range]') ? 'range'
        : el.matches('.noUi-handle') ? 'handle' : el.tagName === 'SELECT' ? 'select' : 'button'""")
    control.focus()
    if kind in ("range", "handle"):
        if kind == "range":
            now, top = control.evaluate("el => [Number(el.value), Number(el.max)]")
        else:
            now = float(control.get_attribute("aria-valuenow") or 0)
            top = float(control.get_attribute("aria-valuemax") or 0)
        key = "ArrowLeft" if now >= top else "ArrowRight"
        for _ in range(presses):
            page.keyboard.press(key)
        return f"{kind} slider: {key} x{presses}"
    if kind == "select":
        last = control.evaluate("s => s.selectedIndex === s.options.length - 1")
        key = "ArrowUp" if last else "ArrowDown"
        # Space opens the list, an arrow moves, Enter picks. (A bare arrow on a closed <select>
        # never reaches it: JupyterLab's command mode takes ArrowUp/ArrowDown to move between
        # cells -- see docs/browser_tests.md.)
        for press in ("Space", key, "Enter"):
            page.keyboard.press(press)
        return f"dropdown: Space, {key}, Enter"
    page.keyboard.press("Space")
    return f"button {control.inner_text()[:40]!r}: Space"


def kernel_pid(server: LabServer, path: str) -> int:
    """The process id of the kernel of the notebook at ``path`` (found by its connection file)."""
    session = next(s for s in server.api("api/sessions") if s["path"] == path)
    needle = f"kernel-{session['kernel']['id']}.json"
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and needle in (proc / "cmdline").read_bytes().decode(errors="replace"):
                return int(proc.name)
        except OSError:
            continue
    raise AssertionError(f"no process runs the kernel of {path} ({needle})")


@contextmanager
def kernel_stopped(server: LabServer, path: str) -> Iterator[None]:
    """The notebook's kernel frozen (SIGSTOP): whatever the page does meanwhile, Python cannot answer."""
    pid = kernel_pid(server, path)
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def kernel_idles(page) -> int:
    """How many times a kernel has told this page it is idle (each request it handled ends so)."""
    return page.evaluate("() => window.gutbrainTest.kernelIdles")


def wait_for_kernel_to_handle(page, idles_before: int, timeout_ms: int = 60_000) -> None:
    """Until a kernel has finished a request after ``idles_before`` (from ``kernel_idles``, read
    before the click): the widget's change has reached Python and its callback has run."""
    page.wait_for_function("n => window.gutbrainTest.kernelIdles > n", arg=idles_before,
                           timeout=timeout_ms, polling=50)


def wait_for_state_change(explorer, before: dict, timeout_ms: int = 10_000) -> dict:
    """Wait until the explorer's figures (data or text alternative) differ from ``before``."""
    handle = explorer.element_handle()
    handle.evaluate(
        """(el, before) => new Promise((resolve, reject) => {
             const t0 = Date.now();
             const tick = () => {
               const now = window.gutbrainTest.explorerState(el);
               if (now.figures !== before.figures) return resolve(true);
               if (Date.now() - t0 > %d) return reject(new Error('figure data did not change'));
               setTimeout(tick, 30);
             };
             tick();
           })""" % timeout_ms, before)
    return explorer_state(explorer)


# --------------------------------------------------------------------------------------------
# Self-checks
# --------------------------------------------------------------------------------------------

def selfcheck_answers(q) -> tuple[object, object]:
    """(a wrong answer, the right answer) for a gutbrain.selfcheck Question, as a learner enters them."""
    spec = q.spec
    if q.type == "single_choice":
        wrong = next(o["id"] for o in q.options if not o.get("correct"))
        right = next(o["id"] for o in q.options if o.get("correct"))
        return wrong, right
    if q.type == "multiple_choice":
        right = {o["id"] for o in q.options if o.get("correct")}
        wrong_ids = [o["id"] for o in q.options if not o.get("correct")]
        wrong = set(wrong_ids[:1]) if wrong_ids else set(list(right)[:-1])
        return wrong, right
    if q.type == "numeric":
        listed = spec.get("wrong_answers") or []
        wrong = listed[0]["value"] if listed else spec["answer"] + 10 * spec["tolerance"] + 1
        return f"{wrong:g}", f"{spec['answer']:g}"
    listed = spec.get("wrong_answers") or []
    return (listed[0]["text"] if listed else "no idea"), spec["accepted"][0]


def enter_selfcheck_answer(page, box, q, answer) -> None:
    """Set the self-check's input in the browser as a learner would (click/type)."""
    options = {o["id"]: o["text"] for o in q.options}
    # Choices are made with the keyboard (focus, Space): it is how a keyboard user answers, and
    # it does not depend on the layout (see ``overlapping_options`` for that).
    if q.type == "single_choice":
        radio = box.get_by_role("radio", name=options[answer], exact=True)
        radio.focus()
        page.keyboard.press("Space")
        if not radio.is_checked():
            raise AssertionError(f"{q.key}: Space on option {answer!r} did not select it")
    elif q.type == "multiple_choice":
        for oid, text in options.items():
            checkbox = box.get_by_role("checkbox", name=text, exact=True)
            if checkbox.is_checked() != (oid in answer):
                checkbox.focus()
                page.keyboard.press("Space")
            if checkbox.is_checked() != (oid in answer):
                raise AssertionError(f"{q.key}: Space on option {oid!r} did not toggle it")
    else:
        field = box.locator("input[type=text], textarea").first
        field.fill(str(answer))
        field.press("Enter")


def overlapping_options(box) -> list[tuple[str, str]]:
    """Pairs of answer options of a self-check whose boxes overlap on screen (unreadable/unclickable)."""
    return box.evaluate("""el => {
      const labels = Array.from(el.querySelectorAll('.gutbrain-choice label, .widget-radio-box label, .widget-checkbox label'));
      // The box the text really covers: a long option wraps and spills out of a fixed-height label.
      const rects = labels.map(l => { const r = document.createRange(); r.selectNodeContents(l);
                                      return r.getBoundingClientRect(); });
      const out = [];
      for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i], b = rects[j];
        const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (dx > 2 && dy > 2) out.push([labels[i].textContent.slice(0, 60), labels[j].textContent.slice(0, 60)]);
      }
      return out;
    }""")


def check_selfcheck(page, box, expected_label: str, expected_message: str, timeout_ms: int = 15_000) -> str:
    """Press Check; wait for feedback with ``expected_label`` and ``expected_message``; return its text.

    ipywidgets sends a model's change only when its previous message was answered, so a Check
    pressed right after choosing can reach the kernel before the choice does (the kernel then
    grades the previous answer). As a learner would, press Check once more if that happens."""
    feedback = box.locator("[role=status]", has_text=expected_label).first
    button = box.get_by_role("button", name="Check", exact=True)
    button.click()
    try:
        feedback.wait_for(state="visible", timeout=3_000)
    except Exception:
        button.click()
        feedback.wait_for(state="visible", timeout=timeout_ms)
    text = feedback.inner_text()
    if expected_message not in text.replace("\n", " "):
        raise AssertionError(f"feedback {text!r} lacks the expected message {expected_message!r}")
    return text


# --------------------------------------------------------------------------------------------
# Accessibility
# --------------------------------------------------------------------------------------------

#: axe-core checks only the notebook's outputs: what the course renders, not JupyterLab's chrome.
AXE_CONTEXT = {"include": [".jp-OutputArea"]}
FAILING_IMPACTS = ("critical", "serious")


def run_axe(page) -> list[dict]:
    """axe-core's violations in the output areas, each with its rule id, impact and elements."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (context) => {
             const result = await window.axe.run(context, {resultTypes: ['violations']});
             return result.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
               nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                         summary: n.failureSummary}))}));
           }""", AXE_CONTEXT)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:8]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


CONTROLS_SELECTOR = ("button, [role=button], [role=slider], input:not([type=hidden]), select, "
                     "textarea, [role=checkbox], [role=radio], [role=switch]")


def output_controls(page) -> list[dict]:
    """Every visible control in the output areas, tagged with data-gbtest-control=<n>."""
    return page.evaluate(
        """(sel) => Array.from(document.querySelectorAll('.jp-OutputArea'))
             .flatMap(area => Array.from(area.querySelectorAll(sel)))
             .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
             .map((el, i) => {
               el.setAttribute('data-gbtest-control', String(i));
               return {index: i, tag: el.tagName.toLowerCase(), type: el.getAttribute('type') || '',
                       role: el.getAttribute('role') || '', tabindex: el.tabIndex,
                       disabled: !!el.disabled || el.getAttribute('aria-disabled') === 'true',
                       group: el.type === 'radio' ? (el.name || 'radio-' + i) : '',
                       html: el.outerHTML.slice(0, 200)};
             })""", CONTROLS_SELECTOR)


def accessible_name(page, index: int) -> str:
    """The control's accessible name as Chromium's accessibility tree computes it."""
    snapshot = page.locator(f'[data-gbtest-control="{index}"]').aria_snapshot()
    first = snapshot.strip().splitlines()[0] if snapshot.strip() else ""
    # "- slider \"Trp outside (µM)\": 5" -> Trp outside (µM)
    if '"' in first:
        return first.split('"', 1)[1].rsplit('"', 1)[0]
    return ""


def tab_through_outputs(page, first_index: int, presses: int, done=None) -> list[int]:
    """Focus a control, press Tab up to ``presses`` times (or until ``done(seen)``); return the
    control indices that got focus, in order."""
    page.locator(f'[data-gbtest-control="{first_index}"]').focus()
    seen = [first_index]
    for _ in range(presses):
        if done is not None and done(seen):
            break
        page.keyboard.press("Tab")
        current = page.evaluate(
            "() => { const a = document.activeElement; const v = a && a.getAttribute('data-gbtest-control');"
            " return v === null ? -1 : Number(v); }")
        if current >= 0 and current not in seen:
            seen.append(current)
    return seen


# --------------------------------------------------------------------------------------------
# Failure artefacts and server housekeeping
# --------------------------------------------------------------------------------------------

def save_artifacts(page, console: ConsoleLog | None, stem: str, server: LabServer | None = None) -> list[Path]:
    """Screenshot, console log (and the server's log tail) under tests/artifacts/browser/."""
    folder = ARTIFACTS / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    shot = folder / f"{stem}.png"
    try:
        page.screenshot(path=str(shot), full_page=True, timeout=15_000)
        saved.append(shot)
    except Exception as err:  # a crashed page cannot be photographed; the logs still help
        (folder / f"{stem}.screenshot-error.txt").write_text(repr(err), encoding="utf-8")
    log = folder / f"{stem}.console.log"
    log.write_text(console.text() if console else "(no console captured)", encoding="utf-8")
    saved.append(log)
    if server is not None:
        server_log = folder / f"{stem}.jupyterlab.log"
        server_log.write_text(server.log_tail(200_000), encoding="utf-8")
        saved.append(server_log)
    return saved


def shutdown_kernels(server: LabServer, path: str | None = None) -> None:
    """Stop every kernel, or only the kernels of the notebook at ``path`` (relative to the server root).

    A notebook's session is deleted with its kernel: a page that opens the same notebook next
    then starts a new kernel instead of finding a session whose kernel is being shut down (seen
    once: the page stayed "Connecting")."""
    try:
        sessions = server.api("api/sessions")
        kernels = server.api("api/kernels") if path is None else []
    except (urllib.error.URLError, OSError):
        return
    if path is not None:
        sessions = [s for s in sessions if s.get("path", "").lstrip("/") == path.lstrip("/")]
    urls = [f"api/sessions/{s['id']}" for s in sessions]
    in_sessions = {s["kernel"]["id"] for s in sessions if s.get("kernel")}
    urls += [f"api/kernels/{k['id']}" for k in kernels if k["id"] not in in_sessions]
    for url in urls:
        req = urllib.request.Request(f"{server.url}{url}", method="DELETE",
                                     headers={"Authorization": f"token {server.token}"})
        try:
            urllib.request.urlopen(req, timeout=10).close()
        except (urllib.error.URLError, OSError):
            pass
