"""Grading benchmark (measured, never asserted). Run standalone:

    .venv/bin/python benchmarks/bench_grading.py [--n 100] [--repeats 1]

Prints medians: per-submission autograde time within a batch, wall time for N submissions
serial (plain nbgrader, one at a time) and parallel on 1..all cores, the speed-up per added
core, and peak memory (RSS of this process plus the largest child: workers and kernels).
Works in a temporary course dir built from quiz00's correct/wrong corpus submissions.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from gutbrain.instructor.grading import _cpu_count, grade_class  # noqa: E402

QUIZ = "quiz00_orientation"
CASES = ["correct", "wrong_b", "wrong_c", "blank", "item1_only", "syntax_error", "correct_b2"]


def course(tmp: Path, n: int) -> Path:
    root = tmp / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    for i in range(n):
        case = CASES[i % len(CASES)]
        shutil.copytree(REPO / "tests" / "submissions" / case, root / "submitted" / f"s{i:03d}")
    return root


def run(n: int, jobs: int | None, serial: bool) -> tuple[float, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = course(Path(tmp), n)
        t0 = time.perf_counter()
        results = grade_class(root, jobs=jobs, serial=serial, write_summary=False, log=lambda *a: None)
        wall = time.perf_counter() - t0
        bad = [r.student for r in results if r.status != "graded"]
        if bad:
            print(f"  warning: not graded: {bad}")
        return wall, [r.seconds for r in results]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--repeats", type=int, default=1)
    args = p.parse_args()
    cores = _cpu_count()
    print(f"{args.n} submissions of {QUIZ}, {cores} core(s), {args.repeats} repeat(s)")
    serial = [run(args.n, 1, True) for _ in range(args.repeats)]
    s_wall = statistics.median(w for w, _ in serial)
    per = statistics.median(x for _, xs in serial for x in xs)
    print(f"serial (plain nbgrader):   {s_wall:7.1f} s  ({args.n / s_wall:.2f} submissions/s); "
          f"median autograde per submission {per:.2f} s")
    previous = s_wall
    for jobs in range(1, cores + 1):
        par = [run(args.n, jobs, False) for _ in range(args.repeats)]
        wall = statistics.median(w for w, _ in par)
        per_p = statistics.median(x for _, xs in par for x in xs)
        print(f"parallel, {jobs} worker(s):    {wall:7.1f} s  speed-up over serial {s_wall / wall:.2f}x, "
              f"over {jobs - 1 if jobs > 1 else 'serial'} {previous / wall:.2f}x; "
              f"median autograde per submission {per_p:.2f} s")
        previous = wall
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: grading process {me:.0f} MB; largest child process (worker or kernel) {kids:.0f} MB")


if __name__ == "__main__":
    main()
