"""A learner's memory footprint (measured, never asserted): what deploy/values.yaml requests.

    .venv/bin/python benchmarks/bench_footprint.py [--repeats 3] [--json deploy/footprint.json]

For every lesson: a fresh kernel runs the whole notebook (Run All, as nbclient does it, from
lessons/), then its memory is read: RSS (what the node's memory accounting charges, shared
libraries counted in full, so an upper bound) and USS (pages only this kernel holds). Then the
Jupyter server alone (the learner's view, `make lab`'s configuration) after start-up and after
serving JupyterLab's page and its API. Medians over ``--repeats`` runs. From these:

- one lesson at a time: the server + the largest kernel (a learner who closes what they finish);
- every lesson open: the server + every kernel (a learner who never shuts a kernel down; the
  idle culler stops the whole server after an hour).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
MiB = 1024 ** 2


def lesson_paths() -> list[Path]:
    return sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))


def _memory(pid: int) -> dict[str, float]:
    info = psutil.Process(pid).memory_full_info()
    return {"rss_MiB": info.rss / MiB, "uss_MiB": info.uss / MiB}


def kernel_after_run_all(path: Path) -> dict[str, float]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        pid = client.km.provisioner.process.pid
        return _memory(pid)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_footprint() -> dict[str, float]:
    """The learner's Jupyter server (no kernel) after start-up and after serving the Lab page."""
    port, token = _free_port(), "bench"
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(REPO / "jupyter-config" / "learner"),
               JUPYTER_PATH=str(REPO / "jupyter-config" / "data"))
    with tempfile.TemporaryDirectory() as runtime:
        env["JUPYTER_RUNTIME_DIR"] = runtime
        proc = subprocess.Popen([str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
                                 f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
                                 f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={REPO}",
                                 *(["--allow-root"] if os.geteuid() == 0 else [])],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(240):
                try:
                    urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                raise RuntimeError("the Jupyter server did not answer within 2 minutes")
            started = _memory(proc.pid)
            for page in ("/lab/tree/lessons/00_start_here.ipynb", "/api/kernelspecs", "/lab/api/settings",
                         "/api/contents/lessons", "/api/contents/lessons/03_psychobiotics.ipynb"):
                urllib.request.urlopen(f"{base}{page}?token={token}", timeout=60).read()
            served = _memory(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return {"started_rss_MiB": started["rss_MiB"], "rss_MiB": served["rss_MiB"], "uss_MiB": served["uss_MiB"]}


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 1) for k in runs[0]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--json", type=Path, default=None, help="also write the medians here")
    args = p.parse_args(argv)
    lessons = {}
    for path in lesson_paths():
        lessons[path.stem] = median_of([kernel_after_run_all(path) for _ in range(args.repeats)])
        print(f"{path.stem:<36} kernel after Run All: RSS {lessons[path.stem]['rss_MiB']:7.1f} MiB   "
              f"USS {lessons[path.stem]['uss_MiB']:7.1f} MiB", flush=True)
    server = median_of([server_footprint() for _ in range(args.repeats)])
    print(f"{'Jupyter server (learner view)':<36} RSS {server['rss_MiB']:7.1f} MiB   USS {server['uss_MiB']:7.1f} MiB"
          f"   (just started: RSS {server['started_rss_MiB']:.1f} MiB)")
    largest = max(v["rss_MiB"] for v in lessons.values())
    learner = {"one_lesson_at_a_time_MiB": round(server["rss_MiB"] + largest, 1),
               "every_lesson_open_MiB": round(server["rss_MiB"] + sum(v["rss_MiB"] for v in lessons.values()), 1)}
    print(f"a learner, one lesson at a time (server + largest kernel): {learner['one_lesson_at_a_time_MiB']:.0f} MiB")
    print(f"a learner, every lesson open (server + every kernel):      {learner['every_lesson_open_MiB']:.0f} MiB")
    load = os.getloadavg()
    print(f"load average while measuring: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; repeats {args.repeats}")
    if args.json:
        args.json.write_text(json.dumps({"repeats": args.repeats, "load_average": [round(x, 2) for x in load],
                                         "python": sys.version.split()[0], "lessons": lessons,
                                         "server": server, "learner": learner}, indent=1) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
