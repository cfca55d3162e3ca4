"""Lesson 4 benchmarks: measured and reported as medians, never asserted.

    .venv/bin/python benchmarks/bench_lesson04.py            # all
    .venv/bin/python benchmarks/bench_lesson04.py callbacks  # widget callbacks only

Reports: one immune-activation model recompute (a new IDO1 value), the IDO1 slider callback
(recompute + FigureWidget update in batch_update), the TDO2 slider callback (recompute + a new
16-point IDO1 sweep + update), the effect-size and blood-vs-brain callbacks, and the lesson's
Run All after kernel start. Target for a slider callback: median <= 16 ms (one frame at 60 Hz).
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LESSON = REPO / "lessons" / "04_inflammation_kynurenine.ipynb"


def summarise(name: str, seconds: list[float], unit: str = "ms") -> None:
    scale = 1000.0 if unit == "ms" else 1.0
    q = statistics.quantiles([s * scale for s in seconds], n=4)
    print(f"{name:<52} median {statistics.median(seconds) * scale:8.3f} {unit}"
          f"   IQR {q[0]:.3f}–{q[2]:.3f} {unit}   (n={len(seconds)})")


def _slider_times(slider, values) -> list[float]:
    times = []
    for value in values:
        start = time.perf_counter()
        slider.value = value  # observe -> model -> batch_update of the FigureWidget
        times.append(time.perf_counter() - start)
    return times


def bench_model(repeats: int = 200) -> None:
    from gutbrain.models import tryptophan as trp

    trp.steady_state()  # load the SBML once, as the lesson does
    times = []
    for i in range(repeats):
        fold = 1.0 + 999.0 * (i + 0.5) / repeats  # a new IDO1 value each time (no cache hit)
        start = time.perf_counter()
        trp.steady_state(5.0, {"IDO1": fold, "TDO2": 1.0})
        times.append(time.perf_counter() - start)
    summarise("model recompute (IDO1 fold -> steady state)", times)


def bench_callbacks(repeats: int = 120) -> None:
    from gutbrain.widgets.inflammation import BloodBrainExplorer, EffectSizeExplorer
    from gutbrain.widgets.kynurenine import ImmuneActivationExplorer

    explorer = ImmuneActivationExplorer()
    # distinct values, as a learner dragging the slider produces (the model cache does not help)
    ido = [10 ** (3 * (i + 0.37) / repeats) for i in range(repeats)]
    summarise("IDO1 slider callback (recompute + batch_update)", _slider_times(explorer.ido1_slider, ido))
    tdo = [10 ** (-1 + 2 * (i + 0.41) / repeats) for i in range(repeats)]
    summarise("TDO2 slider callback (recompute + sweep + update)", _slider_times(explorer.tdo2_slider, tdo))

    effect = EffectSizeExplorer()
    summarise("effect-size slider callback", _slider_times(effect.slider, [2 * i / repeats for i in range(repeats)]))

    bb = BloodBrainExplorer()
    choices = [v for _, v in bb.control.options]
    summarise("blood-vs-brain study choice callback",
              _slider_times(bb.control, [choices[(i + 1) % len(choices)] for i in range(repeats)]))


def bench_run_all(repeats: int = 3) -> None:
    import nbformat
    from nbclient import NotebookClient

    times = []
    for _ in range(repeats):
        nb = nbformat.read(LESSON, as_version=4)
        client = NotebookClient(nb, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(LESSON.parent)}})
        with client.setup_kernel():
            start = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            times.append(time.perf_counter() - start)
    summarise(f"{LESSON.name} Run All after kernel start", times, unit="s")


if __name__ == "__main__":
    benches = {"model": bench_model, "callbacks": bench_callbacks, "runall": bench_run_all}
    for name in sys.argv[1:] or list(benches):
        benches[name]()
