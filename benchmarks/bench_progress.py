"""Progress store and course map timings. Measured, not asserted; prints medians.

    .venv/bin/python benchmarks/bench_progress.py

- record one answer (targets ≤ 5 ms): ``ProgressStore.record`` into a store that already holds
  100 and 1,000 answers (lock, read-if-changed, atomic write with fsync);
- load the course map with 1,000 recorded answers (target ≤ 200 ms): a fresh store object
  (nothing cached) reads the file, the per-lesson progress is computed and the plotly figure
  built; and the whole ``ProgressMap`` widget (FigureWidget included);
- the review queue over 1,000 answers.
Runs in a temporary data dir; never touches the learner's progress.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="gutbrain-bench-"))
    os.environ["GUTBRAIN_DATA_DIR"] = str(tmp / "data")
    from gutbrain.course import lessons
    from gutbrain.figures.progress import course_progress_figure
    from gutbrain.progress.scheduler import card_states, review_queue
    from gutbrain.progress.store import ProgressStore, default_store, empty_store, new_attempt
    from gutbrain.progress.summary import course_progress, course_questions
    from gutbrain.widgets.progress import ProgressMap

    course = lessons()
    questions = course_questions(course)
    keys = [k for ks in questions.values() for k in ks] or ["00_start_here/q"]
    start = datetime(2026, 9, 1, 9, tzinfo=timezone.utc)

    def filled(n: int) -> ProgressStore:
        store = ProgressStore(tmp / f"store{n}")
        data = empty_store(start)
        data["attempts"] = [new_attempt(keys[i % len(keys)], "an answer", i % 3 != 0,
                                        at=start + timedelta(hours=7 * i)) for i in range(n)]
        with store.locked():
            store._write(data)
        return store

    print(f"progress benchmarks ({len(course)} lessons, {len(keys)} questions; median of runs)")
    for n in (100, 1000):
        store = filled(n)
        ms = median_ms(lambda: store.record(keys[0], "b", True), repeat=200)
        print(f"  record one answer, store of {n:>5} answers: {ms:7.2f} ms   (target ≤ 5 ms)")

    big = filled(1000)
    os.environ["GUTBRAIN_DATA_DIR"] = str(big.directory)
    now = datetime(2026, 11, 22, 9, tzinfo=timezone.utc)

    def course_map() -> None:
        attempts = ProgressStore(big.directory).load()["attempts"]  # fresh object: no cache
        course_progress_figure(course_progress(lessons(), questions, attempts, now))

    print(f"  course map data + figure, 1000 answers:   {median_ms(course_map, 30):7.2f} ms   (target ≤ 200 ms)")

    def course_map_widget() -> None:
        default_store()._cache = None
        ProgressMap(now=now)

    print(f"  ProgressMap widget, 1000 answers:         {median_ms(course_map_widget, 15):7.2f} ms   (target ≤ 200 ms)")
    attempts = big.load()["attempts"]
    ms = median_ms(lambda: review_queue(card_states(attempts, now, keys), keys, now), 30)
    print(f"  review queue, 1000 answers:               {ms:7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
