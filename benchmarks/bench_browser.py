"""Browser benchmarks: measured and reported as medians, never asserted.

    .venv/bin/python benchmarks/bench_browser.py [--repeat N] [--no-suite]

1. Per lesson, the time from Run -> Run All Cells to every plotly figure and widget rendered
   in Chromium (and, separately, to the kernel being idle again), each on a fresh page.
2. Per lesson, the wall time of the lesson's browser tests (tests/browser/test_browser_lessons.py,
   from its test reports), and the wall time of the whole browser suite, over N runs of pytest.

Needs what the browser tests need (Chromium, the test extra, axe-core): `make test` installs them.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

import labdriver as lab  # noqa: E402


def summarise(name: str, seconds: list[float]) -> None:
    if len(seconds) >= 2:
        q = statistics.quantiles(seconds, n=4) if len(seconds) >= 3 else [min(seconds), 0, max(seconds)]
        spread = f"   IQR {q[0]:.2f}–{q[2]:.2f} s"
    else:
        spread = ""
    print(f"{name:<58} median {statistics.median(seconds):7.2f} s{spread}   (n={len(seconds)})", flush=True)


def bench_run_all_to_figures(repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    print("Run All -> all figures rendered, per lesson (fresh page, kernel started first):")
    with tempfile.TemporaryDirectory(prefix="gutbrain-bench-") as tmp, \
            lab.lab_server(Path(tmp), build_quizzes=False) as server, sync_playwright() as pw:
        context = lab.launch_chromium(pw, Path(tmp) / "profile")
        try:
            for path in lab.LESSONS:
                to_idle, to_figures = [], []
                for _ in range(repeat):
                    page = context.new_page()
                    lab.install_page_helpers(page)
                    try:
                        lab.open_notebook(page, server, f"lessons/{path.name}")
                        start = time.perf_counter()
                        lab.run_all(page)
                        to_idle.append(time.perf_counter() - start)
                        lab.wait_for_figures(page)
                        to_figures.append(time.perf_counter() - start)
                    finally:
                        page.close()
                        lab.shutdown_kernels(server)
                summarise(f"  {path.stem}: Run All -> kernel idle", to_idle)
                summarise(f"  {path.stem}: Run All -> figures rendered", to_figures)
        finally:
            context.close()


def bench_suite(repeat: int) -> None:
    print("Browser test suite wall time (pytest tests/browser), per lesson and in all:")
    per_lesson: dict[str, list[float]] = defaultdict(list)
    wall: list[float] = []
    with tempfile.TemporaryDirectory(prefix="gutbrain-bench-") as tmp:
        for i in range(repeat):
            report = Path(tmp) / f"run{i}.xml"
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "tests/browser", "-q", "-p", "no:cacheprovider",
                 f"--junitxml={report}"], cwd=REPO, capture_output=True, text=True)
            wall.append(time.perf_counter() - start)
            if done.returncode not in (0, 1):
                print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
                raise SystemExit(f"pytest could not run the browser tests (exit {done.returncode})")
            sums: dict[str, float] = defaultdict(float)
            for case in ET.parse(report).getroot().iter("testcase"):
                name = case.get("name", "")
                if "[" in name and case.get("classname", "").endswith("test_browser_lessons"):
                    sums[name.split("[", 1)[1].rstrip("]")] += float(case.get("time", 0))
            for lesson, seconds in sums.items():
                per_lesson[lesson].append(seconds)
            print(f"  run {i + 1}: {wall[-1]:.1f} s, {done.stdout.strip().splitlines()[-1]}", flush=True)
    for lesson in sorted(per_lesson):
        summarise(f"  {lesson}: its browser tests (incl. Run All)", per_lesson[lesson])
    summarise("  whole browser suite (incl. server start, quizzes)", wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument("--no-suite", action="store_true", help="skip the (slow) whole-suite runs")
    args = parser.parse_args()
    problem = lab.chromium_problem()
    if problem:
        raise SystemExit(problem)
    bench_run_all_to_figures(args.repeat)
    if not args.no_suite:
        bench_suite(args.repeat)


if __name__ == "__main__":
    main()
