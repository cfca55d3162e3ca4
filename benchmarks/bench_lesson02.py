"""Lesson 2 benchmarks, measured and printed, never asserted.

    .venv/bin/python benchmarks/bench_lesson02.py          # callbacks + one Run All
    .venv/bin/python benchmarks/bench_lesson02.py --quick  # callbacks only

Reports the median (and IQR) of every lesson-2 control's callback (model/table lookup + FigureWidget
update in batch_update), the cost of building the fibre explorer (one Hodgkin–Huxley run per grid
diameter), one model run at the explorer's settings, and the lesson's Run All after kernel start.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LESSON = REPO / "lessons" / "02_vagus_nerve.ipynb"


def summarise(name: str, seconds: list[float], unit: str = "ms") -> None:
    scale = 1000.0 if unit == "ms" else 1.0
    values = [s * scale for s in seconds]
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    print(f"{name:<44} median {statistics.median(values):9.3f} {unit}   IQR {q[0]:.3f}–{q[2]:.3f} {unit}"
          f"   (n={len(values)})")


def timed(setter, values, repeats: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (process) times of each call: on a shared, loaded machine the CPU time
    is the better estimate of what the callback costs."""
    wall, cpu = [], []
    for i in range(repeats):
        value = values[(i + 1) % len(values)]
        start, start_cpu = time.perf_counter(), time.process_time()
        setter(value)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def bench_model() -> None:
    from gutbrain.models import neuron

    times = []
    for _ in range(5):
        start = time.perf_counter()
        neuron.simulate_propagation(1.0, **neuron.FAST_SETTINGS)
        times.append(time.perf_counter() - start)
    summarise("one HH cable run (fast settings)", times)


def bench_callbacks(repeats: int = 60) -> None:
    from gutbrain.models import vagus as vm
    from gutbrain.widgets import vagus as widgets

    start = time.perf_counter()
    fibre = widgets.FibreExplorer()
    summarise("FibreExplorer build (runs the model grid)", [time.perf_counter() - start], unit="s")
    travel, routes, translation = widgets.TravelTimeExplorer(), widgets.RoutesExplorer(), widgets.TranslationExplorer()
    grid = [0.1, 0.316228, 1.0, 3.162278, 10.0, 100.0, 476.0, 1000.0]
    cases = [
        ("FibreExplorer diameter slider", lambda v: setattr(fibre.slider, "value", v), grid),
        ("TravelTimeExplorer path slider", lambda v: setattr(travel.path, "value", v), [0.1, 0.5, 1.0, 1.5]),
        ("TravelTimeExplorer fibre choice", lambda v: setattr(travel.fibre, "value", v),
         [o[1] for o in travel.fibre.options]),
        ("RoutesExplorer route choice", lambda v: setattr(routes.route, "value", v), list(vm.ROUTES)),
        ("RoutesExplorer species choice", lambda v: setattr(routes.species, "value", v), list(vm.SPECIES_FILTERS)),
        ("TranslationExplorer view choice", lambda v: setattr(translation.view, "value", v),
         list(vm.COMPARISON_VIEWS)),
    ]
    for name, setter, values in cases:
        wall, cpu = timed(setter, values, repeats)
        summarise(f"{name} callback", wall)
        summarise(f"{name} callback (CPU)", cpu)


def bench_run_all(repeats: int = 1) -> None:
    import nbformat
    from nbclient import NotebookClient

    times = []
    for _ in range(repeats):
        nb = nbformat.read(LESSON, as_version=4)
        client = NotebookClient(nb, timeout=180, kernel_name="python3",
                                resources={"metadata": {"path": str(LESSON.parent)}})
        with client.setup_kernel():
            start = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            times.append(time.perf_counter() - start)
    summarise("lesson 2 Run All (after kernel start)", times, unit="s")


if __name__ == "__main__":
    if hasattr(__import__("os"), "getloadavg"):
        print("load average (1, 5, 15 min):", ", ".join(f"{x:.1f}" for x in __import__("os").getloadavg()))
    bench_model()
    bench_callbacks()
    if "--quick" not in sys.argv:
        bench_run_all()
