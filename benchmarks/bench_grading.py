"""Grading benchmark (measured, never asserted). Run standalone:

    .venv/bin/python benchmarks/bench_grading.py [--n 60] [--jobs 2] [--repeats 3]

Grades N ordinary submissions of quiz00 (honest corpus cases: right, wrong, blank, partial)
on ``--jobs`` cores, sandboxed (bubblewrap) and unsandboxed (the same runner as a plain
subprocess, what GUTBRAIN_UNSANDBOXED=1 does) in the same run, alternating, and prints the
median wall times, their ratio (goal: sandboxed <= 1.2x unsandboxed), whether every score is
identical, and the sandbox's start-up cost per submission (bwrap + interpreter start, and an
empty job, sandboxed minus unsandboxed). The key is computed once before timing (cached).
The load average (1/5/15 min) is printed before and after: the timings mean nothing without it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from gutbrain.instructor import sandbox  # noqa: E402
from gutbrain.instructor.grading import grade_class  # noqa: E402

QUIZ = "quiz00_orientation"
CASES = ["correct", "wrong_b", "wrong_c", "blank", "item1_only", "correct_b2", "item2_only", "wrong_c2"]


def course(tmp: Path, n: int) -> Path:
    root = tmp / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    for i in range(n):
        shutil.copytree(REPO / "tests" / "submissions" / CASES[i % len(CASES)], root / "submitted" / f"s{i:03d}")
    return root


def grade(root: Path, sandboxed: bool, jobs: int) -> tuple[float, dict, list[float]]:
    for sub in ("autograded", "reports"):
        shutil.rmtree(root / sub, ignore_errors=True)
    t0 = time.perf_counter()
    results = grade_class(root, jobs=jobs, sandboxed=sandboxed, write_summary=False, log=lambda *a: None)
    wall = time.perf_counter() - t0
    return wall, {r.student: (r.status, r.score, tuple(sorted(r.items.items()))) for r in results}, \
        [r.seconds for r in results]


def startup(repeats: int) -> dict:
    """Median seconds: interpreter start and an empty job, in and out of the sandbox."""
    def timed(argv, stdin=None):
        t0 = time.perf_counter()
        subprocess.run(argv, input=stdin, capture_output=True, check=True)
        return time.perf_counter() - t0
    out = {}
    out["python -c pass (plain)"] = statistics.median(timed([sys.executable, "-c", "pass"]) for _ in range(repeats))
    out["python -c pass (bwrap)"] = statistics.median(
        timed(sandbox.bwrap_command() + [sys.executable, "-c", "pass"]) for _ in range(repeats))
    import nbformat
    job = {"notebook": nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
           "checks": [{"id": "x", "spec": {"kind": "value", "name": "x"}}], "cell_timeout": 30}
    out["empty job (plain)"] = statistics.median(sandbox.run_job(job, False, 120).seconds for _ in range(repeats))
    out["empty job (bwrap)"] = statistics.median(sandbox.run_job(job, True, 120).seconds for _ in range(repeats))
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=60)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    ok, why = sandbox.status()
    if not ok:
        print(f"no sandbox here ({why}): nothing to compare")
        return
    print(f"{args.n} submissions of {QUIZ} on {args.jobs} worker(s), {args.repeats} repeat(s), alternating")
    print("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        root = course(Path(tmp), args.n)
        grade_class(root, students=["s000"], sandboxed=True, write_summary=False, log=lambda *a: None)  # key
        walls: dict[bool, list[float]] = {True: [], False: []}
        per: dict[bool, list[float]] = {True: [], False: []}
        scores: dict[bool, list[dict]] = {True: [], False: []}
        for _ in range(args.repeats):
            for mode in (True, False):
                wall, got, secs = grade(root, mode, args.jobs)
                walls[mode].append(wall)
                per[mode] += secs
                scores[mode].append(got)
    med = {m: statistics.median(w) for m, w in walls.items()}
    for mode, label in ((True, "sandboxed (bwrap)"), (False, "unsandboxed")):
        print(f"{label:<20} median wall {med[mode]:7.1f} s  ({args.n / med[mode]:.2f} submissions/s); "
              f"median per submission {statistics.median(per[mode]):.2f} s; runs: "
              + ", ".join(f"{w:.1f}" for w in walls[mode]))
    print(f"ratio sandboxed / unsandboxed: {med[True] / med[False]:.2f}x (goal <= 1.2x)")
    all_scores = scores[True] + scores[False]
    same = all(s == all_scores[0] for s in all_scores)
    graded = sum(v[0] == "graded" for v in all_scores[0].values())
    print(f"scores identical over all {len(all_scores)} runs: {same} ({graded}/{args.n} graded)")
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    s = startup(max(5, args.repeats))
    for k, v in s.items():
        print(f"  {k:<24} {v * 1000:7.0f} ms")
    print(f"sandbox start-up cost per submission: {(s['empty job (bwrap)'] - s['empty job (plain)']) * 1000:.0f} ms "
          f"(bwrap alone: {(s['python -c pass (bwrap)'] - s['python -c pass (plain)']) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
