"""Foundation benchmarks: measured and reported as medians, never asserted.

    make bench            # or: .venv/bin/python benchmarks/run.py

Prints the median (and interquartile range) of: one model recompute, one slider callback
(recompute + FigureWidget update in batch_update), lesson 1's widget callbacks, and every
lesson's Run All after kernel start. Other benchmark scripts in this folder (bench_*.py) run standalone.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def summarise(name: str, seconds: list[float], unit: str = "ms") -> None:
    scale = 1000.0 if unit == "ms" else 1.0
    q = statistics.quantiles([s * scale for s in seconds], n=4)
    print(f"{name:<48} median {statistics.median(seconds) * scale:8.3f} {unit}"
          f"   IQR {q[0]:.3f}–{q[2]:.3f} {unit}   (n={len(seconds)})")


def bench_model(repeats: int = 200) -> None:
    from gutbrain.models.tryptophan import steady_state

    steady_state()  # load the SBML once, as a lesson does
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        steady_state(2.0 + (i % 50), {"TPH1": 0.5 + (i % 7) / 3, "IDO1": 1 + (i % 5)})
        times.append(time.perf_counter() - start)
    summarise("model recompute (params -> steady state)", times)


def bench_slider_callback(repeats: int = 200) -> None:
    from gutbrain.widgets.tryptophan import TryptophanExplorer

    explorer = TryptophanExplorer()
    slider = explorer.enzyme_sliders["TDO2"]
    times = []
    for i in range(repeats):
        value = 0.1 + (i % 40) / 4
        start = time.perf_counter()
        slider.value = value  # observe -> model -> batch_update of the FigureWidget
        times.append(time.perf_counter() - start)
    summarise("slider callback (recompute + batch_update)", times)


def bench_lesson1_callbacks(repeats: int = 100) -> None:
    from gutbrain.models.serotonin import COMPARISONS, TISSUES
    from gutbrain.widgets.serotonin import MicrobiomeExplorer, PathwayExplorer

    for explorer, choices in ((PathwayExplorer(), list(TISSUES)), (MicrobiomeExplorer(), list(COMPARISONS))):
        times = []
        for i in range(repeats):
            value = choices[(i + 1) % len(choices)]
            start = time.perf_counter()
            explorer.control.value = value
            times.append(time.perf_counter() - start)
        summarise(f"{type(explorer).__name__} callback", times)


def bench_lessons_run_all(repeats: int = 3) -> None:
    """Run All of every lesson, timed from after kernel start (kernel start-up excluded)."""
    import nbformat
    from nbclient import NotebookClient

    for path in sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb")):
        times = []
        for _ in range(repeats):
            nb = nbformat.read(path, as_version=4)
            client = NotebookClient(nb, timeout=180, kernel_name="python3",
                                    resources={"metadata": {"path": str(path.parent)}})
            with client.setup_kernel():
                start = time.perf_counter()
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
                times.append(time.perf_counter() - start)
        summarise(f"{path.name} Run All after kernel start", times, unit="s")


if __name__ == "__main__":
    benches = {"model": bench_model, "slider": bench_slider_callback,
               "lesson1": bench_lesson1_callbacks, "lessons": bench_lessons_run_all}
    for name in sys.argv[1:] or list(benches):
        benches[name]()
