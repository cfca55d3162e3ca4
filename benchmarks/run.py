"""Foundation benchmarks: measured and reported as medians, never asserted.

    make bench            # or: .venv/bin/python benchmarks/run.py

Prints the median (and interquartile range) of: one model recompute, one slider callback
(recompute + FigureWidget update in batch_update), and 00_start_here Run All after kernel
start. Other benchmark scripts in this folder (bench_*.py) run standalone.
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


def bench_start_here(repeats: int = 5) -> None:
    import nbformat
    from nbclient import NotebookClient

    path = REPO / "lessons" / "00_start_here.ipynb"
    times = []
    for _ in range(repeats):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        with client.setup_kernel():
            start = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            times.append(time.perf_counter() - start)
    summarise("00_start_here Run All after kernel start", times, unit="s")


if __name__ == "__main__":
    which = sys.argv[1:] or ["model", "slider", "start_here"]
    for name in which:
        {"model": bench_model, "slider": bench_slider_callback, "start_here": bench_start_here}[name]()
