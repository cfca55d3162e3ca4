"""Lesson 3 callback timings (meta-analysis lab, funnel, effect size). Measured, not asserted.

    .venv/bin/python benchmarks/bench_lesson03.py

Target: a lab callback (pool with statsmodels + redraw the forest in a FigureWidget inside
batch_update) with a median of at most 16 ms for up to 50 trials. The 50-trial runs use a
SYNTHETIC set of effects generated here for timing only (never shown in the lesson); the
shipped-trial runs drive the real widgets.
"""
from __future__ import annotations

import statistics
import time

import numpy as np
import plotly.graph_objects as go

from gutbrain.figures import psychobiotics as figs
from gutbrain.models import meta_analysis as ma


def median_ms(fn, repeat: int = 60) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1e3)
    q = statistics.quantiles(times, n=4)
    return statistics.median(times), q[2]


def synthetic_effects(k: int, seed: int = 3) -> list[ma.Effect]:
    rng = np.random.default_rng(seed)
    se = rng.uniform(0.08, 0.5, k)
    est = rng.normal(-0.2, 0.15, k) - 0.8 * (se - 0.08)
    groups = ["a", "b", "c"]
    return [ma.Effect(f"synthetic {i + 1}", float(e), float(s), 2000 + i % 25, groups[i % 3], 60, key=f"s{i}")
            for i, (e, s) in enumerate(zip(est, se))]


def bench_lab(k: int) -> None:
    effects = synthetic_effects(k)
    fig = go.FigureWidget(figs.lab_figure(figs.lab_view(effects=effects)))
    methods = list(ma.METHODS)

    def callback(i=0):
        view = figs.lab_view(method=methods[i % 3], subgroup="none", leave_out=f"s{i % k}", effects=effects)
        with fig.batch_update():
            figs.update_lab_figure(fig, view)

    med, q3 = median_ms(callback)
    print(f"lab callback, {k:2d} synthetic trials (pool + forest redraw)   median {med:6.2f} ms  (Q3 {q3:.2f})")

    def cumulative(i=0):
        view = figs.lab_view(method=methods[i % 3], cumulative=True, effects=effects)
        with fig.batch_update():
            figs.update_lab_figure(fig, view)

    med, q3 = median_ms(cumulative, repeat=30)
    print(f"lab cumulative view, {k:2d} synthetic trials ({k} pools)        median {med:6.2f} ms  (Q3 {q3:.2f})")


def bench_widgets() -> None:
    from gutbrain.widgets.psychobiotics import EffectSizeExplorer, FunnelExplorer, MetaAnalysisLab

    lab = MetaAnalysisLab()
    methods = list(ma.METHODS)
    med, q3 = median_ms(lambda i=0: setattr(lab.method, "value", methods[i % 3]))
    print(f"MetaAnalysisLab method change (shipped trials)      median {med:6.2f} ms  (Q3 {q3:.2f})")
    funnel = FunnelExplorer()
    med, q3 = median_ms(lambda i=0: setattr(funnel.drop, "value", float(i % 3)))
    print(f"FunnelExplorer slider (Egger + redraw)              median {med:6.2f} ms  (Q3 {q3:.2f})")
    es = EffectSizeExplorer()
    med, q3 = median_ms(lambda i=0: setattr(es.d, "value", -1.0 + (i % 20) / 20))
    print(f"EffectSizeExplorer slider                           median {med:6.2f} ms  (Q3 {q3:.2f})")


if __name__ == "__main__":
    for k in (5, 20, 50):
        bench_lab(k)
    bench_widgets()
