"""Grading against the host, identity on collect, the release and the opt-out (issue 21).

The hostile corpus (tests/submissions/, kinds ``host``, ``malformed``, ``render``) is graded in
the one batch of test_instructor_grading.py, as whoever runs the tests. Here: what only the host
can see (the sandbox's host uid, capabilities and environment), the same host attacks graded
again as an ordinary user when the tests run as root, collect's identity checks, the release of
every quiz's hidden-text guard, and the pure parts (wall clock, terminal text, markdown).
"""
from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from gutbrain.instructor import sandbox
from quiz_cases import require_sandbox

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "submissions"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
QUIZ = "quiz00_orientation"
QUIZ1 = "quiz01_serotonin"
sys.path.insert(0, str(CORPUS))
from build_corpus import GRADER_SECRET  # noqa: E402

pytestmark = pytest.mark.grading


def _status(pid: int) -> dict:
    text = Path(f"/proc/{pid}/status").read_text()
    return {k: v.strip() for k, v in (line.split(":", 1) for line in text.splitlines() if ":" in line)}


# ---------------------------------------------------------------- never host root inside

def test_student_code_runs_as_an_unprivileged_host_uid_with_no_capabilities_and_no_environment(monkeypatch):
    require_sandbox()
    monkeypatch.setenv(GRADER_SECRET, "a stand-in for JUPYTERHUB_API_TOKEN")
    argv = sandbox.bwrap_command() + [sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(30)"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={}, cwd="/",
                            start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == b"ready", proc.stderr.read()
        statuses = {pid: _status(pid) for pid in sandbox.process_tree(proc.pid)}
        student = [s for s in statuses.values() if s["Name"].startswith("python")]
        assert student, statuses
        for st in statuses.values():  # host view: real, effective, saved and file-system uid
            assert "0" not in st["Uid"].split(), st
        for st in student:
            assert int(st["CapEff"], 16) == int(st["CapPrm"], 16) == int(st["CapBnd"], 16) == 0
            assert st["NoNewPrivs"] == "1"
        for pid in statuses:  # bubblewrap's own processes (pid 1 inside) carry no environment at all
            env = Path(f"/proc/{pid}/environ").read_bytes()
            assert GRADER_SECRET.encode() not in env
            if statuses[pid]["Name"] == "bwrap":
                assert env == b""
        if os.geteuid() == 0:  # one host uid per concurrent sandbox: its process limit is its own
            assert all(int(st["Uid"].split()[0]) >= sandbox.SANDBOX_UID_BASE for st in student)
    finally:
        sandbox._kill(proc)
        proc.stdout.close()
        proc.stderr.close()


def test_every_writable_filesystem_inside_is_sized_and_the_rest_read_only():
    require_sandbox()
    script = ("import os\n"
              "for line in open('/proc/self/mounts'):\n"
              "    dev, where, kind, opts = line.split()[:4]\n"
              "    print(where, kind, 'ro' if 'ro' in opts.split(',') else 'rw', os.statvfs(where).f_blocks *"
              " os.statvfs(where).f_frsize)\n")
    run = subprocess.run(sandbox.bwrap_command() + [sys.executable, "-c", script], capture_output=True, text=True,
                         env={}, cwd="/", timeout=120)
    assert run.returncode == 0, run.stderr
    writable = {}
    for line in run.stdout.splitlines():
        where, kind, mode, size = line.split()
        if mode == "rw" and not (kind == "devtmpfs" and where in sandbox.DEVICES):  # device nodes store nothing
            writable[where] = (kind, int(size))
        if where.startswith("/proc") or where in ("/", "/dev"):
            assert mode == "ro", line
    assert writable and all(kind == "tmpfs" for kind, _ in writable.values()), writable
    assert sum(size for _, size in writable.values()) <= 512 * 1024 ** 2, writable


def test_memory_is_counted_for_the_whole_process_tree():
    code = "import os, time\nb = b'x' * (64 * 2 ** 20)\nos.fork()\nb2 = b'y' * (64 * 2 ** 20)\ntime.sleep(30)"
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        import time
        for _ in range(100):
            time.sleep(0.1)
            if len(sandbox.process_tree(proc.pid)) == 2 and sandbox.tree_memory_bytes(proc.pid) > 180 * 2 ** 20:
                break
        used = sandbox.tree_memory_bytes(proc.pid)
        assert 180 * 2 ** 20 < used < 400 * 2 ** 20  # 64 MB shared (counted once) + 2 x 64 MB own + Python
    finally:
        sandbox._kill(proc)


# ---------------------------------------------------------------- the same attacks as an ordinary user

HOST_CASES = ["correct", "host_kernel_write", "host_fork_bomb", "host_environment", "host_disk_fill",
              "host_memory_children"]

_AS_USER = r'''
set -e
uid=$1; shift
n=$1; shift
while [ "$n" -gt 0 ]; do  # a folder an ordinary user cannot enter (/root): bind it back under an open tmpfs
  blocked=$1; keep=$2; stage=$3; shift 3
  mount --bind "$blocked" "$stage"
  mount -t tmpfs -o mode=755 tmpfs "$blocked"
  mkdir -p "$blocked/$keep"
  mount --bind "$stage/$keep" "$blocked/$keep"
  n=$((n - 1))
done
exec setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all --bounding-set=-all "$@"
'''


def _blocked_paths(stage_root: Path) -> list[str]:
    """(blocked ancestor, the path below it to keep, a stage) for every root the grader needs."""
    out = []
    needed = {str(p) for p in sandbox._python_roots()} | {str(sandbox._package_root()), str(REPO)}
    for i, path in enumerate(sorted(needed)):
        if sandbox._others_can_enter(path):
            continue
        p = Path(path)
        blocked = next(a for a in [*reversed(p.parents), p] if not a.stat().st_mode & 0o001)
        stage = stage_root / str(i)
        stage.mkdir()
        out += [str(blocked), str(p.relative_to(blocked)), str(stage)]
    return out


@pytest.mark.skipif(os.geteuid() != 0, reason="run as an ordinary user, the main batch already is this test")
def test_host_attacks_are_contained_when_an_ordinary_user_grades():
    require_sandbox()
    uid = 2_100_000_000 + os.getpid() % 1000  # a throwaway account: no passwd entry, no home, no groups
    work = Path(tempfile.mkdtemp(prefix="gutbrain-grading-user-"))
    try:
        os.chmod(work, 0o755)
        root = work / "quizzes"
        shutil.copytree(REPO / "quizzes" / "source", root / "source")
        for case in HOST_CASES:
            shutil.copytree(CORPUS / case, root / "submitted" / case)
        stage_root = work / "stage"
        stage_root.mkdir()
        blocked = _blocked_paths(stage_root)
        for path in [work, *work.rglob("*")]:
            os.lchown(path, uid, uid)
        cmd = ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", _AS_USER, "sh", str(uid),
               str(len(blocked) // 3), *blocked, sys.executable, "-m", "gutbrain.instructor", "--course-root",
               str(root), "grade", "--timeout", "10", "--wall", "90", "--jobs", "2", "--memory-gb", "0.75"]
        env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(work), "LANG": "C.UTF-8",
               GRADER_SECRET: "a stand-in for JUPYTERHUB_API_TOKEN"}
        run = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(work), timeout=900)
        assert run.returncode == 3, run.stdout + run.stderr  # the memory case is listed as not graded
        summary = json.loads((root / "reports" / "grading_summary.json").read_text())[QUIZ]
        for case in HOST_CASES:
            exp, got = EXPECTED[case], summary[case]
            if case == "host_fork_bomb" and got["status"] == "grading_failed":
                # contained either way; seen under a load average of ~25: killed at the wall clock
                assert "wall-clock" in got["error"], got["error"]
                continue
            assert got["status"] == exp["status"], (case, got["error"])
            assert exp.get("error", "") in (got["error"] or ""), case
            if exp["status"] == "graded":
                assert got["score"] == exp["score"], case
                text = (root / "autograded" / case / QUIZ / f"{QUIZ}.ipynb").read_text()
                for needle in exp.get("feedback", {}).get("contains", []):
                    assert needle in text, (case, needle)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- limits per submission

def test_the_wall_clock_is_per_submission_and_minutes_by_default():
    from gutbrain.instructor.grading import DEFAULT_WALL_SECONDS, wall_clock
    assert DEFAULT_WALL_SECONDS <= 15 * 60
    assert wall_clock(3, 10) == (3 + 10) * 10 + 60
    assert wall_clock(3000, 60) == wall_clock(20, 60) == DEFAULT_WALL_SECONDS  # a classmate's cells change nothing
    assert wall_clock(3, 10, cap=30) == 30


def test_a_runner_that_never_finishes_is_ended_at_the_wall_clock(monkeypatch):
    """Whatever the student's code does to the cell timer, the grader ends the sandbox at its wall clock."""
    monkeypatch.setattr(sandbox, "runner_argv", lambda: [sys.executable, "-c", "import time; time.sleep(120)"])
    out = sandbox.run_job({"notebook": {}, "checks": [], "cell_timeout": 1}, False, wall_seconds=3)
    assert not out.ok and "wall-clock limit of 3 s" in out.error
    assert out.seconds < 60


def test_a_stopped_submission_is_ended_long_before_its_wall_clock(monkeypatch):
    code = "import os, signal; os.kill(os.getpid(), signal.SIGSTOP)"
    monkeypatch.setattr(sandbox, "runner_argv", lambda: [sys.executable, "-c", code])
    out = sandbox.run_job({"notebook": {}, "checks": [], "cell_timeout": 1}, False, wall_seconds=600)
    assert not out.ok and "stopped itself (SIGSTOP)" in out.error and "wall-clock" not in out.error
    assert out.seconds < 300  # the grace is 5 s; the wall clock would be 600


def test_a_malformed_notebook_is_named_with_its_reason():
    from gutbrain.instructor.submission import SubmissionError, validate_notebook
    from gutbrain.instructor.tamper import read_notebook
    good = nbformat.read(CORPUS / "correct" / QUIZ / f"{QUIZ}.ipynb", as_version=4)
    validate_notebook(good, "x.ipynb")
    for case in ("meta_grade_id_list", "meta_nbgrader_string", "meta_source_number", "meta_points_lots"):
        nb = read_notebook(CORPUS / case / QUIZ / f"{QUIZ}.ipynb")  # as the grader reads it
        with pytest.raises(SubmissionError, match=EXPECTED[case]["error"]):
            validate_notebook(nb, f"{QUIZ}.ipynb")
    from gutbrain.instructor import static
    assert static.parse("x = " + "+".join(["1"] * 60_000)) is None  # too deep for the compiler: no crash


# ---------------------------------------------------------------- nothing of the grader reaches the student

def test_markdown_keeps_safe_links_only_and_loads_nothing():
    from gutbrain.instructor.sanitise import sanitize_markdown
    out = sanitize_markdown("[ok](https://example.org/a) [bad](javascript:alert(1)) <javascript:alert(2)> "
                            "[v](vbscript:x) [d](data:text/html,x) ![i](http://tracker.invalid/p.png) "
                            "<img src='http://tracker.invalid/q.png'> <a href='javascript:x'>raw</a> **bold**")
    assert 'href="https://example.org/a"' in out and "noopener" in out
    for bad in ('href="javascript', 'href="vbscript', 'href="data:', "<img", 'src="', "<a href='javascript"):
        assert bad not in out, bad
    assert "tracker.invalid/p.png" in out  # the address is shown as text, not loaded


def test_what_reaches_the_instructors_terminal_has_no_escape_sequences():
    from gutbrain.instructor.grading import FAILED, Result, format_summary
    from gutbrain.instructor.sanitise import terminal_safe
    evil = "mallory\x1b]0;owned\x07\x1b[2J\x9b31m\u202e"
    text = format_summary([Result(evil, QUIZ, status=FAILED, error="boom \x1b[31mred",
                                  flags=[{"kind": "edited", "cell": "c\x1b[1A", "detail": "d\x08"}])])
    assert "mallory" in text and "red" in text
    assert not any(ord(ch) < 32 and ch not in "\n\t" or 0x7f <= ord(ch) <= 0x9f or ch == "\u202e" for ch in text)
    assert terminal_safe("a\tb\nc") == "a\tb\nc"


# ---------------------------------------------------------------- identity on the exchange route

def _inbound_folder(inbound: Path, student: str, when: str, notebook: bytes, suffix: str) -> Path:
    folder = inbound / f"{student}+{QUIZ}+2026-11-{when} 10:00:00.000000 UTC+{suffix}"
    folder.mkdir(parents=True)
    (folder / f"{QUIZ}.ipynb").write_bytes(notebook)
    (folder / "timestamp.txt").write_text(f"2026-11-{when} 10:00:00.000000 UTC")
    return folder


@pytest.mark.dates_are_data("exchange folder names")
def test_collect_refuses_folders_not_owned_by_their_student_and_any_symlink(tmp_path):
    from gutbrain.instructor.exchange import collect
    root = tmp_path / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    exchange = tmp_path / "exchange"
    inbound = exchange / "gf-test" / "inbound"
    inbound.mkdir(parents=True)
    me = pwd.getpwuid(os.geteuid()).pw_name
    right = (CORPUS / "correct" / QUIZ / f"{QUIZ}.ipynb").read_bytes()
    blank = (CORPUS / "blank" / QUIZ / f"{QUIZ}.ipynb").read_bytes()
    _inbound_folder(inbound, me, "20", right, "own")
    link = _inbound_folder(inbound, me, "21", b"", "link")  # later: would win if collected
    (link / f"{QUIZ}.ipynb").unlink()
    (link / f"{QUIZ}.ipynb").symlink_to(root / "source" / QUIZ / f"{QUIZ}.ipynb")
    fifo = _inbound_folder(inbound, me, "22", blank, "fifo")
    os.mkfifo(fifo / "pipe")
    (inbound / f"{me}+{QUIZ}+2026-11-23 10:00:00.000000 UTC+dir").symlink_to(link, target_is_directory=True)
    refused = {f"{me}+{QUIZ}+2026-11-{d} 10:00:00.000000 UTC+{s}": why
               for d, s, why in (("21", "link", "symbolic link"), ("22", "fifo", "not a regular file"),
                                 ("23", "dir", "symbolic link"))}
    if os.geteuid() == 0:  # a classmate's folder made by another account, named for the victim, later
        victim, other = pwd.getpwnam("daemon"), pwd.getpwnam("bin")
        for folder, owner in ((_inbound_folder(inbound, "daemon", "20", right, "v"), victim),
                              (_inbound_folder(inbound, "daemon", "24", blank, "x"), other)):
            for path in [folder, *folder.iterdir()]:
                os.lchown(path, owner.pw_uid, owner.pw_gid)
        refused[f"daemon+{QUIZ}+2026-11-24 10:00:00.000000 UTC+x"] = "owned by 'bin'"
    else:
        _inbound_folder(inbound, "nobody", "24", blank, "x")
        refused[f"nobody+{QUIZ}+2026-11-24 10:00:00.000000 UTC+x"] = f"owned by {me!r}"
    report = collect(root, QUIZ, exchange_root=exchange, course_id="gf-test")
    why = dict(report.refused)
    assert set(why) == set(refused), why
    for name, reason in refused.items():
        assert reason in why[name], (name, why[name])
    assert (root / "submitted" / me / QUIZ / f"{QUIZ}.ipynb").read_bytes() == right
    if os.geteuid() == 0:
        assert (root / "submitted" / "daemon" / QUIZ / f"{QUIZ}.ipynb").read_bytes() == right
    else:
        assert not (root / "submitted" / "nobody").exists()


# ---------------------------------------------------------------- the release and the opt-out

def test_release_of_quiz1_passes_and_the_guard_still_catches_hidden_text(tmp_path):
    from gutbrain.instructor.exchange import release
    root = tmp_path / "quizzes"
    shutil.copytree(REPO / "quizzes" / "source", root / "source")
    assert release(root, [QUIZ1]) == [QUIZ1]  # its q6 check's inputs (1000000.0) are visible, not hidden
    path = root / "source" / QUIZ1 / f"{QUIZ1}.ipynb"
    nb = nbformat.read(path, as_version=4)
    hidden = next(line for c in nb.cells for line in c.source.split("\n") if "substrates = np.array" in line)
    nb.cells[0].metadata["note"] = hidden.strip()  # metadata is released as it is
    nbformat.write(nb, path)
    with pytest.raises(RuntimeError, match="hidden-test text"):
        release(root, [QUIZ1])


def test_the_opt_out_grades_unsandboxed_as_the_guide_says(monkeypatch, capsys):
    from gutbrain.instructor.sandbox import resolve_mode
    monkeypatch.setattr(sandbox, "status", lambda: (True, "bubblewrap works"))
    monkeypatch.delenv("GUTBRAIN_UNSANDBOXED", raising=False)
    assert resolve_mode(None) is True
    monkeypatch.setenv("GUTBRAIN_UNSANDBOXED", "1")
    assert resolve_mode(None) is False
    assert "WITHOUT a sandbox" in capsys.readouterr().err
    assert resolve_mode(True) is True  # an explicit request for the sandbox wins
    guide = (REPO / "docs" / "instructor_guide.md").read_text()
    assert "GUTBRAIN_UNSANDBOXED=1 make grade" in guide


def test_the_memory_budget_must_be_positive(capsys, tmp_path):
    from gutbrain.instructor.__main__ import main
    for bad in ("0", "-1", "lots"):
        with pytest.raises(SystemExit) as exc:
            main(["--course-root", str(tmp_path), "grade", "--memory-gb", bad])
        assert exc.value.code == 2
        assert "--memory-gb" in capsys.readouterr().err


def test_the_runner_does_not_import_nbgrader():
    """The runner starts once per submission: nbgrader (about 1.2 s to import) has no job there."""
    code = "import sys, gutbrain.instructor.sandbox_run; print(sorted(m for m in sys.modules if m.startswith('nbgrader')))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]", run.stdout


def test_the_runner_runs_a_notebook_without_nbformat():
    """nbformat's schema validator (0.16 s to import) has no job in the shell engine either: the
    runner executes the cells, fills in their outputs and reads the answers with plain data."""
    job = {"notebook": {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# Quiz"},
        {"cell_type": "code", "id": "a", "metadata": {}, "source": "x = 6 * 7\nprint('hi')\nx",
         "outputs": [], "execution_count": None},
        {"cell_type": "code", "id": "b", "metadata": {}, "source": "1 / 0", "outputs": [],
         "execution_count": None}]},
        "checks": [{"id": "x", "spec": {"kind": "value", "name": "x"}}]}
    code = ("import sys, json; from gutbrain.instructor.sandbox_run import run; "
            f"r = run(json.loads({json.dumps(json.dumps(job))})); "
            "print(json.dumps([r, sorted(m for m in sys.modules if m.split('.')[0] in ('nbformat', 'jsonschema'))]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result, imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert imported == [], f"the runner imported {imported}"
    assert result["status"] == "ok"
    assert result["outputs"][0] == []
    stdout, shown = result["outputs"][1]
    assert stdout["output_type"] == "stream" and stdout["text"].startswith("hi\n")
    assert shown == {"output_type": "execute_result", "data": {"text/plain": "42"}}
    assert [o["ename"] for o in result["outputs"][2] if o["output_type"] == "error"] == ["ZeroDivisionError"]
    assert result["execution_counts"] == [None, 1, 2]
    assert result["answers"]["x"]["ok"] is True and result["answers"]["x"].get("value") == 42, result["answers"]
