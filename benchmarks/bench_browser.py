"""Browser benchmarks: measured and reported (median, 95th percentile), never asserted.

    .venv/bin/python benchmarks/bench_browser.py                 # every lesson
    .venv/bin/python benchmarks/bench_browser.py --lessons 02_vagus_nerve --steps 6
    .venv/bin/python benchmarks/bench_browser.py --suite         # also the browser suite's wall time

In JupyterLab + headless Chromium (tests/browser/labdriver.py), per lesson (lessons/[0-9][0-9]_*.ipynb,
by glob, so a new lesson is measured with no new code):

1. **Run All → every cell done and every figure drawn**: Run -> Run All Cells on a fresh page
   with the kernel started, until the kernel is idle, and until every plotly figure has drawn
   its traces and no widget is loading (``--repeat`` times). Then the same on a **throttled**
   page (``--throttled-repeat`` times): Chromium's network emulated as a Binder-like link
   (20 Mbit/s down, 5 Mbit/s up, 40 ms round trip, DevTools ``Network.emulateNetworkConditions``)
   with the browser cache emptied first, as on a learner's first visit.
   **Bytes over the kernel websocket**: every frame the page receives over
   ``/api/kernels/<id>/channels`` from opening the notebook until every figure is drawn
   (``Network.webSocketFrameReceived`` payload sizes, tests/browser/wire.py): total MB and the
   largest single message. Goal (issue 19): <= 1 MB per lesson, Run All <= 5 s (<= 8 s throttled).
2. **Input → the figure's new data in the page**, for every control of every interactive diagram
   (``.gutbrain-explorer``): the clock starts in the page at the input event (``keydown`` for a
   key step, ``pointerdown`` for a click, the ``change`` event for a dropdown) and stops when a
   figure of that diagram has redrawn with new data (plotly's ``plotly_afterplot`` event, or the
   figure's data seen changed). Reported apart, **last redraw**: the last redraw that followed it
   (none for 300 ms after): an update that reaches a figure as several messages draws several
   times, and the learner sees the whole new view only at the last. Sliders: ``--steps`` arrow-key
   steps each; then a mouse **drag** across the slider: how many redraws followed the drag, and
   how long after the release the figure settled (its last redraw). Radio buttons, toggle
   buttons, dropdowns: each option chosen in turn, ``--rounds`` times; checkboxes: ticked and
   unticked, ``--rounds`` times each.
   Goal (issue 16): median <= 100 ms on a 2-core machine.

Results are printed and written to benchmarks/results/browser.json (git-ignored).
Needs what the browser tests need (Chromium, Playwright): `make test` installs them.
"""
from __future__ import annotations

import argparse
import signal
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

import labdriver as lab  # noqa: E402
import wire  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "browser.json"

#: In-page stopwatch: arm() starts listening; the first input event starts the clock; the first
#: redraw of one of the diagram's figures with new data stops it. Also counts redraws (drags).
BENCH_JS = r"""
window.gbBench = {
  snap(gds) {
    const pick = (a) => (a && a.length !== undefined) ? [a.length, a[0], a[a.length >> 1], a[a.length - 1]] : a;
    return gds.map(gd => [
      (gd.data || []).map(t => [pick(t.x), pick(t.y), pick(t.text), pick(t.base), t.marker && pick(t.marker.color),
                                pick(t.hovertext), pick(t.z)]),
      // A control may change only a shape (lesson 4's study radio moves a highlight box).
      ((gd.layout && gd.layout.shapes) || []).map(sh => [sh.x0, sh.x1, sh.y0, sh.y1]),
    ]);
  },
  arm(explorer, events) {
    const gds = Array.from(explorer.querySelectorAll('.js-plotly-plot'));
    const state = {t0: null, first: null, redraws: [], pre: 0, before: JSON.stringify(this.snap(gds)), done: false};
    this.state = state;
    const changed = () => JSON.stringify(this.snap(gds)) !== state.before;
    const onDraw = () => {
      if (state.done) return;
      if (state.t0 === null) { state.pre += 1; return; }
      const t = performance.now() - state.t0;
      state.redraws.push(t);
      if (state.first === null && changed()) state.first = t;
    };
    state.handlers = gds.map(gd => { const h = () => onDraw(); gd.on && gd.on('plotly_afterplot', h); return [gd, h]; });
    const start = () => {
      if (state.t0 !== null) return;
      state.t0 = performance.now();
      // A figure may change without plotly_afterplot (e.g. a relayout only): poll too.
      const poll = () => {
        if (state.done) return;
        if (state.first === null && changed()) state.first = performance.now() - state.t0;
        if (state.first === null && performance.now() - state.t0 < 15000) setTimeout(poll, 16);
      };
      setTimeout(poll, 16);
    };
    state.start = start;
    for (const ev of events) document.addEventListener(ev, start, {capture: true, once: true});
    state.events = events;
  },
  startNow() { this.state.start(); },
  result() {
    const s = this.state;
    return {first: s.first, redraws: s.redraws, pre: s.pre, t0: s.t0,
            now: s.t0 === null ? null : performance.now() - s.t0};
  },
  disarm() {
    const s = this.state; if (!s) return;
    s.done = true;
    for (const ev of s.events) document.removeEventListener(ev, s.start, {capture: true});
    for (const [gd, h] of s.handlers) gd.removeListener && gd.removeListener('plotly_afterplot', h);
  },
};
"""

CONTROLS = ("input[type=range], .noUi-handle, select, .widget-toggle-button, input[type=radio], "
            "input[type=checkbox]")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return math.nan
    k = (len(s) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def line(name: str, values: list[float], unit: str = "ms") -> str:
    if not values:
        return f"{name:<70} (no measurement)"
    return (f"{name:<70} median {statistics.median(values):8.1f} {unit}   p95 {pct(values, 0.95):8.1f} {unit}"
            f"   (n={len(values)})")


def _wait_result(page, timeout_s: float = 5.0, quiet_ms: float = 300.0) -> dict:
    """Until a figure shows new data, then until the figures have not redrawn for ``quiet_ms``
    (an update sent as several messages redraws several times: its last redraw is when the
    learner sees the whole new view)."""
    deadline = time.monotonic() + timeout_s
    r = page.evaluate("() => window.gbBench.result()")
    while time.monotonic() < deadline:
        if r["first"] is not None and r["now"] - max([r["first"], *r["redraws"]]) >= quiet_ms:
            break
        time.sleep(0.03)
        r = page.evaluate("() => window.gbBench.result()")
    return r


def _record(r: dict, first: list[float], last: list[float]) -> None:
    """The input -> the first redraw with new data, and -> the last redraw that followed it."""
    if r["first"] is not None:
        first.append(r["first"])
        last.append(max([r["first"], *r["redraws"]]))


def _describe(control) -> str:
    return control.evaluate("""el => {
        const lab = el.closest('.gutbrain-slider, .widget-slider, .widget-hslider, .widget-inline-hbox, label, .widget-toggle-buttons, .gutbrain-choice');
        const label = (el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent)
                       || (lab && lab.textContent) || el.textContent || el.tagName).trim().replace(/\\s+/g, ' ');
        return label.slice(0, 40);
    }""")


def measure_controls(page, steps: int, rounds: int = 3) -> dict:
    """Every control of every interactive diagram on the page: key steps, drags, choices."""
    out = {}
    explorers = page.locator(".jp-OutputArea .gutbrain-explorer")
    for e in range(explorers.count()):
        explorer = explorers.nth(e)
        controls = explorer.locator(CONTROLS)
        seen_groups = set()
        for c in range(controls.count()):
            control = controls.nth(c)
            if not control.is_visible():
                continue
            kind = control.evaluate("""el => el.matches('input[type=range]') ? 'range'
                : el.matches('.noUi-handle') ? 'handle' : el.tagName === 'SELECT' ? 'select'
                : el.matches('input[type=radio]') ? 'radio' : el.matches('input[type=checkbox]') ? 'checkbox'
                : 'toggle'""")
            if kind in ("radio", "toggle"):
                group = control.evaluate("el => el.name || (el.closest('.widget-toggle-buttons') ? 'tb' : '')")
                key = (kind, group)
                if key in seen_groups:
                    continue
                seen_groups.add(key)
            name = f"diagram {e + 1}: {kind} '{_describe(control)}'"
            try:
                _measure_one(page, explorer, control, kind, name, steps, rounds, out)
            except Exception as err:  # a control that cannot be measured is reported, not fatal
                print(f"    {name}: not measured ({type(err).__name__}: {str(err)[:120]})", flush=True)
    return out


def _measure_one(page, explorer, control, kind, name, steps, rounds, out) -> None:
    control.scroll_into_view_if_needed()
    if kind in ("range", "handle"):
        out[f"{name} (key step)"], out[f"{name} (key step, last redraw)"] = _key_steps(
            page, explorer, control, kind, steps)
        drag = _drag(page, explorer, control)
        if drag:
            out[f"{name} (drag: settle after release)"] = [drag["settle_ms"]]
            out[f"{name} (drag: redraws during drag)"] = [drag["redraws"]]
    elif kind == "select":
        out[name], out[f"{name} (last redraw)"] = _select_options(page, explorer, control, rounds)
    elif kind == "checkbox":
        out[name], out[f"{name} (last redraw)"] = _tick(page, explorer, control, rounds)
    else:
        out[name], out[f"{name} (last redraw)"] = _choose_options(page, explorer, control, kind, rounds)


def _key_steps(page, explorer, control, kind, steps) -> tuple[list[float], list[float]]:
    times, last = [], []
    control.focus()
    for _ in range(steps):
        if kind == "range":
            now, top = control.evaluate("el => [Number(el.value), Number(el.max)]")
        else:
            now = float(control.get_attribute("aria-valuenow") or 0)
            top = float(control.get_attribute("aria-valuemax") or 0)
        key = "ArrowLeft" if now >= top else "ArrowRight"
        explorer.evaluate("(el) => window.gbBench.arm(el, ['keydown'])")
        page.keyboard.press(key)
        r = _wait_result(page)
        page.evaluate("() => window.gbBench.disarm()")
        _record(r, times, last)
        page.wait_for_timeout(150)
    return times, last


def _drag(page, explorer, control) -> dict | None:
    box = control.bounding_box()
    if not box:
        return None
    y = box["y"] + box["height"] / 2
    x0 = box["x"] + (box["width"] * 0.2 if box["width"] > 40 else box["width"] / 2)
    span = max(120.0, box["width"] * 0.6) if box["width"] > 40 else 120.0
    explorer.evaluate("(el) => window.gbBench.arm(el, ['pointerup'])")
    page.mouse.move(x0, y)
    page.mouse.down()
    moves = 12
    for i in range(1, moves + 1):
        page.mouse.move(x0 + span * i / moves, y)
        page.wait_for_timeout(40)
    # The stopwatch starts at the release: redraws during the drag are counted apart ("pre").
    page.mouse.up()
    page.wait_for_timeout(1500)
    r = page.evaluate("() => window.gbBench.result()")
    page.evaluate("() => window.gbBench.disarm()")
    return {"settle_ms": max(r["redraws"]) if r["redraws"] else 0.0, "redraws": float(r["pre"])}


def _select_options(page, explorer, control, rounds: int) -> tuple[list[float], list[float]]:
    times, last = [], []
    n = control.evaluate("s => s.options.length")
    for i in (list(range(1, n)) + [0]) * rounds:
        explorer.evaluate("(el) => window.gbBench.arm(el, [])")
        control.evaluate("""(s, i) => { window.gbBench.startNow(); s.selectedIndex = i;
                              s.dispatchEvent(new Event('change', {bubbles: true})); }""", i)
        r = _wait_result(page)
        page.evaluate("() => window.gbBench.disarm()")
        _record(r, times, last)
        page.wait_for_timeout(150)
    return times, last


def _click(page, explorer, element, times: list[float], last: list[float]) -> None:
    """One click on ``element``, timed from the pointer going down to the figure's redraws."""
    explorer.evaluate("(el) => window.gbBench.arm(el, ['pointerdown'])")
    element.click()
    r = _wait_result(page)
    page.evaluate("() => window.gbBench.disarm()")
    _record(r, times, last)
    page.wait_for_timeout(150)


def _tick(page, explorer, control, rounds: int) -> tuple[list[float], list[float]]:
    """A checkbox ticked and unticked, ``rounds`` times each."""
    times, last = [], []
    for _ in range(2 * rounds):
        _click(page, explorer, control, times, last)
    return times, last


def _choose_options(page, explorer, control, kind, rounds: int) -> tuple[list[float], list[float]]:
    times, last = [], []
    if kind == "radio":
        group = control.evaluate("el => el.name")
        options = explorer.locator(f'input[type=radio][name="{group}"]')
    else:
        options = control.locator("xpath=ancestor::*[contains(@class,'widget-toggle-buttons')][1]").locator(
            ".widget-toggle-button")
    n = options.count()
    order = ([k for k in range(n)] + [0]) * rounds
    for k in order:
        option = options.nth(k)
        active = option.evaluate("el => el.matches('input') ? el.checked : el.classList.contains('mod-active')")
        if not active:
            _click(page, explorer, option, times, last)
    return times, last


def _run_all_once(context, server, path: Path, throttled: bool) -> dict:
    """Open the lesson on a fresh page, Run All, wait for every figure; seconds and bytes."""
    page = context.new_page()
    lab.install_page_helpers(page)
    page.add_init_script(BENCH_JS)
    counter = wire.WireCounter(page)
    out: dict = {"page": page}
    if throttled:
        counter.clear_cache()
        counter.throttle()
    opening = time.perf_counter()
    lab.open_notebook(page, server, f"lessons/{path.name}")
    # Plotly's bundle is evaluated as the lesson opens (the course's JupyterLab extension): its
    # cost is here, before Run All, where a learner reads while the kernel starts.
    out["open_s"] = time.perf_counter() - opening
    gave_up: list[str] = []
    page.on("pageerror", lambda err: gave_up.append(str(err)) if lab.ANYWIDGET_GAVE_UP in str(err) else None)
    start = time.perf_counter()
    # One Run All, timed as a learner sees it (lab.run_all would add its 2.5 s watch for anywidget
    # giving up, and repeat the run if it did: here that run is reported, not repeated).
    lab._run_all_once(page, lab.RUN_ALL_MS)
    out["to_idle_s"] = time.perf_counter() - start
    try:
        lab.wait_for_figures(page, timeout_ms=120_000)
        out["to_figures_s"] = time.perf_counter() - start
    except Exception as err:
        print(f"  {path.stem}: figures not all drawn within 120 s after Run All "
              f"({type(err).__name__})", flush=True)
    if gave_up:
        print(f"  {path.stem}: anywidget gave up on {len(gave_up)} widget(s) in this run", flush=True)
    out["figures"] = len(lab.figures(page))
    out["errors"] = len(lab.error_outputs(page))
    out["kernel_mb"] = counter.kernel_bytes() / 1e6
    out["largest_mb"] = counter.kernel_largest() / 1e6
    return out


def bench_lessons(lessons: list[Path], repeat: int, steps: int, throttled_repeat: int = 1, rounds: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    results: dict = {"run_all": {}, "controls": {}}
    with tempfile.TemporaryDirectory(prefix="gutbrain-bench-") as tmp, \
            lab.lab_server(Path(tmp), build_quizzes=False) as server, sync_playwright() as pw:
        context = lab.launch_chromium(pw, Path(tmp) / "profile")
        context.set_default_timeout(30_000)
        try:
            for path in lessons:
                row = {"open_s": [], "to_idle_s": [], "to_figures_s": [], "kernel_mb": [], "largest_mb": [],
                       "throttled_to_figures_s": [], "throttled_kernel_mb": []}
                runs = [False] * repeat + [True] * throttled_repeat
                for i, throttled in enumerate(runs):
                    page = None
                    try:
                        r = _run_all_once(context, server, path, throttled)
                        page = r.pop("page")
                        if throttled:
                            if "to_figures_s" in r:
                                row["throttled_to_figures_s"].append(r["to_figures_s"])
                            row["throttled_kernel_mb"].append(r["kernel_mb"])
                        else:
                            row["open_s"].append(r["open_s"])
                            row["to_idle_s"].append(r["to_idle_s"])
                            if "to_figures_s" in r:
                                row["to_figures_s"].append(r["to_figures_s"])
                            row["kernel_mb"].append(r["kernel_mb"])
                            row["largest_mb"].append(r["largest_mb"])
                        row.setdefault("figures_drawn", []).append(r["figures"])
                        if r["errors"]:
                            results.setdefault("problems", []).append(f"{path.stem}: {r['errors']} error outputs")
                        if "to_figures_s" not in r:
                            results.setdefault("problems", []).append(f"{path.stem}: figures not drawn")
                        if i == 0 and steps:
                            controls = measure_controls(page, steps, rounds)
                            results["controls"][path.stem] = controls
                            for name, values in controls.items():
                                unit = "" if "redraws" in name else "ms"
                                print(line(f"  {path.stem} {name}", values, unit or "  "), flush=True)
                    except Exception as err:  # measured, never asserted: say it and go on
                        print(f"  {path.stem}: run {i + 1} failed: {type(err).__name__}: {str(err)[:200]}",
                              flush=True)
                        results.setdefault("problems", []).append(f"{path.stem}: {type(err).__name__}")
                    finally:
                        if page is not None:
                            page.close()
                        lab.shutdown_kernels(server)
                results["run_all"][path.stem] = row
                print(f"  {path.stem}: figures drawn per run: {row.get('figures_drawn')}")
                print(line(f"  {path.stem}: MB received over the kernel websocket", row["kernel_mb"], "MB"))
                print(line(f"  {path.stem}: largest single message", row["largest_mb"], "MB"))
                print(line(f"  {path.stem}: open -> kernel idle (plotly evaluated meanwhile)", row["open_s"], "s"))
                print(line(f"  {path.stem}: Run All -> every cell done (kernel idle)", row["to_idle_s"], "s"))
                print(line(f"  {path.stem}: Run All -> every figure drawn", row["to_figures_s"], "s"))
                print(line(f"  {path.stem}: Run All -> every figure drawn, throttled, cold cache",
                           row["throttled_to_figures_s"], "s"), flush=True)
        finally:
            context.close()
    return results


def bench_suite(repeat: int) -> list[float]:
    wall = []
    for i in range(repeat):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", "tests/browser", "-q", "-p", "no:cacheprovider"],
                              cwd=REPO, capture_output=True, text=True)
        wall.append(time.perf_counter() - start)
        print(f"  browser suite run {i + 1}: {wall[-1]:.1f} s, {done.stdout.strip().splitlines()[-1:]}", flush=True)
    return wall


def summary(results: dict) -> None:
    def pooled(kind: str, last: bool) -> list[float]:
        """Every measurement of one kind of input, to the first or to the last redraw."""
        return [v for c in results["controls"].values() for name, vs in c.items()
                if _kind(name) == kind and ("last redraw" in name) == last for v in vs]

    print("All lessons:")
    print(f"  load average at the end: {os.getloadavg()}")
    for problem in results.get("problems", []):
        print(f"  problem: {problem}")
    print(line("  every slider key step -> new figure data", pooled("key step", last=False)))
    print(line("  every slider key step -> last redraw", pooled("key step", last=True)))
    print(line("  every radio/toggle/dropdown choice -> new figure data", pooled("choice", last=False)))
    print(line("  every radio/toggle/dropdown choice -> last redraw", pooled("choice", last=True)))
    print(line("  slider drag: release -> figure settled", pooled("drag settle", last=False)))


def _kind(name: str) -> str:
    """What a measurement's name (from ``measure_controls``) measured."""
    if "drag" in name:
        return "drag settle" if "settle" in name else "drag redraws"
    return "key step" if "key step" in name else "choice"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", nargs="*", help="lesson stems (default: every lesson)")
    parser.add_argument("--repeat", type=int, default=3, help="Run All repetitions per lesson")
    parser.add_argument("--throttled-repeat", type=int, default=2,
                        help="Run All repetitions per lesson on a throttled link, cold cache")
    parser.add_argument("--steps", type=int, default=8, help="arrow-key steps per slider (0: no controls)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times through every option of each radio group, toggle group and dropdown")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the results (JSON)")
    parser.add_argument("--suite", action="store_true", help="also time the whole browser suite")
    args = parser.parse_args()
    # Stopped with SIGTERM (e.g. `kill`): unwind, so the JupyterLab server and Chromium stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    problem = lab.chromium_problem()
    if problem:
        raise SystemExit(problem)
    lessons = [p for p in lab.LESSONS if not args.lessons or p.stem in args.lessons]
    print("Per lesson, in JupyterLab + headless Chromium (median, 95th percentile):", flush=True)
    results = bench_lessons(lessons, args.repeat, args.steps, args.throttled_repeat, args.rounds)
    summary(results)
    if args.suite:
        results["suite_s"] = bench_suite(args.repeat)
        print(line("whole browser suite", results["suite_s"], "s"))
    results["load_average_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
