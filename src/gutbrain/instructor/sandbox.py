"""The grader's side of the sandbox: start one bubblewrap sandbox per submission, read back data.

Each submission is executed by ``python -m gutbrain.instructor.sandbox_run`` inside
``bwrap`` (bubblewrap, the sandbox Flatpak uses). The sandbox sees:

* the Python environment read-only (the venv, the Python it links to, ``/usr`` and the
  system libraries), the ``gutbrain`` package source and the course assets read-only, with
  ``assets/quiz_misconceptions`` (the misconception keys) hidden;
* a private, size-capped tmpfs as its working directory, home and ``/tmp`` (the Jupyter
  runtime dir, the kernel's connection file and the notebook live there);
* nothing else: not the repository, not ``quizzes/`` (source, gradebook, submitted,
  autograded, feedback), not other sandboxes. ``--unshare-all`` gives it no network (the
  kernel talks to nbclient over loopback inside its own network namespace), its own PID
  namespace (it cannot see or signal the grader or classmates; ``--die-with-parent`` and the
  namespace's init take every process it started down with it), ``--new-session`` (no
  terminal injection). Inside, it runs as an unprivileged uid with no capabilities.

The job goes in on stdin, the result comes back on stdout, capped in size; the grader kills
the sandbox after a wall-clock limit that nothing inside can stop (a SIGSTOP or SIGKILL
of the runner only ends that student's grading). Resource limits (address space, file
size, processes, CPU seconds, open files) are set by the runner before any student code
runs; lowering a hard limit cannot be undone without privileges the sandbox does not have.

Without bubblewrap, :func:`status` says why; grading refuses unless the instructor sets
``GUTBRAIN_UNSANDBOXED=1`` (then the same runner runs as a plain subprocess: isolated per
submission and time-limited, but with the instructor's rights: see the guide).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gutbrain.data import assets_dir

UNSANDBOXED_ENV = "GUTBRAIN_UNSANDBOXED"
MAX_RESULT_BYTES = 16 * 1024 * 1024
MAX_STDERR_BYTES = 64 * 1024

#: limits applied inside the sandbox (setrlimit in the runner, inherited by the kernel)
DEFAULT_LIMITS = {"as_bytes": 6 * 1024 ** 3, "fsize_bytes": 64 * 1024 ** 2, "nproc": 256,
                  "cpu_seconds": 600, "nofile": 1024}
WORK_TMPFS_BYTES = 256 * 1024 ** 2


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here; the message says why and what to do."""


@dataclass
class JobResult:
    ok: bool
    data: dict | None
    error: str | None
    seconds: float
    stderr: str = ""


def _python_roots() -> list[Path]:
    """Folders the interpreter needs, read-only: the venv and the Python it was made from."""
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
             Path(sys.executable).resolve().parent.parent}
    return sorted(roots)


def _package_root() -> Path:
    import gutbrain
    return Path(gutbrain.__file__).resolve().parent.parent  # src/ (editable install) or site-packages


def bwrap_command(workdir: str = "/home/student") -> list[str]:
    """The bubblewrap command line (everything but the program to run)."""
    cmd = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
           "--uid", "65534", "--gid", "65534", "--hostname", "gutbrain-sandbox",
           "--proc", "/proc", "--dev", "/dev", "--clearenv",
           # /tmp first: the read-only binds below then stay visible even when the course itself
           # lives under /tmp (a CI clone, a temporary copy).
           "--size", str(64 * 1024 ** 2), "--tmpfs", "/tmp"]
    for path in ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin"):
        p = Path(path)
        if p.is_symlink():
            cmd += ["--symlink", os.readlink(path), path]
        elif p.is_dir():
            cmd += ["--ro-bind", path, path]
    for path in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                 "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/alternatives",
                 "/etc/fonts", "/etc/mime.types"):
        if os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    for root in _python_roots():
        cmd += ["--ro-bind", str(root), str(root)]
    pkg = _package_root()
    cmd += ["--ro-bind", str(pkg), str(pkg)]
    assets = assets_dir().resolve()
    if assets.is_dir():
        cmd += ["--ro-bind", str(assets), str(assets)]
        if (assets / "quiz_misconceptions").is_dir():  # the misconception keys name the right option
            cmd += ["--tmpfs", str(assets / "quiz_misconceptions"), "--remount-ro", str(assets / "quiz_misconceptions")]
    cmd += ["--size", str(WORK_TMPFS_BYTES), "--tmpfs", workdir, "--chdir", workdir]
    env = {"HOME": workdir, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "TMPDIR": "/tmp", "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime", "IPYTHONDIR": "/tmp/ipython",
           "MPLCONFIGDIR": "/tmp/matplotlib", "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
           "JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    if os.environ.get("GUTBRAIN_ASSETS"):
        env["GUTBRAIN_ASSETS"] = str(assets)
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    return cmd


def runner_argv() -> list[str]:
    return [sys.executable, "-m", "gutbrain.instructor.sandbox_run"]


@lru_cache(maxsize=1)
def status() -> tuple[bool, str]:
    """(works, why): bubblewrap is installed and can create its namespaces here."""
    exe = shutil.which("bwrap")
    if exe is None:
        return False, ("bubblewrap (bwrap) is not installed. Install it: `sudo apt-get install bubblewrap` "
                       "(Debian/Ubuntu), `sudo dnf install bubblewrap` (Fedora), or run `make grade` "
                       "as root once so tools/ensure_bwrap.sh installs it.")
    try:
        run = subprocess.run(bwrap_command() + [sys.executable, "-c", "import gutbrain, nbclient, ipykernel"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap could not start: {exc}"
    if run.returncode != 0:
        why = (run.stderr or run.stdout).strip()[-500:]
        return False, (f"bubblewrap is installed but cannot create a sandbox here: {why}. It needs "
                       "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 / "
                       "user.max_user_namespaces > 0; inside Docker: --security-opt seccomp=unconfined "
                       "or run on a VM).")
    return True, "bubblewrap works"


def unsandboxed_allowed() -> bool:
    return os.environ.get(UNSANDBOXED_ENV, "") == "1"


def resolve_mode(sandboxed: bool | None) -> bool:
    """True to sandbox. None: sandbox if possible, else refuse unless GUTBRAIN_UNSANDBOXED=1."""
    if sandboxed is False:
        return False
    ok, why = status()
    if ok:
        return True
    if sandboxed is None and unsandboxed_allowed():
        print(f"WARNING: {UNSANDBOXED_ENV}=1: grading WITHOUT a sandbox ({why}). Student code runs with "
              "your rights and can read the quiz sources, the gradebook and other students' work. "
              "Only do this on a throw-away machine (see docs/instructor_guide.md).", file=sys.stderr)
        return False
    raise SandboxUnavailable(
        f"Refusing to grade: no sandbox for student code. {why}\n"
        f"To grade anyway WITHOUT a sandbox (student code runs with your rights; only on a throw-away "
        f"machine), set {UNSANDBOXED_ENV}=1, e.g. `{UNSANDBOXED_ENV}=1 make grade`.")


def _reader(stream, cap: int, sink: list, over: threading.Event) -> None:
    size = 0
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        size += len(chunk)
        if size > cap:
            over.set()
            break
        sink.append(chunk)
    try:
        stream.close()
    except OSError:
        pass


def run_job(job: dict, sandboxed: bool, wall_seconds: float, limits: dict | None = None) -> JobResult:
    """Run one job in a fresh sandbox (or a plain subprocess) and return its parsed result."""
    job = dict(job, limits=dict(DEFAULT_LIMITS, **(limits or {})))
    payload = json.dumps(job).encode("utf-8")
    tmp = None
    if sandboxed:
        argv = bwrap_command() + runner_argv()
        cwd, env = "/", None
    else:
        tmp = tempfile.mkdtemp(prefix="gutbrain-unsandboxed-")
        # a shell in between, so that os.kill(os.getppid(), ...) does not reach the grader itself
        argv = ["/bin/sh", "-c", '"$@"; exit $?', "sh", *runner_argv()]
        cwd = tmp
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER_"))}
        env.update(HOME=tmp, TMPDIR=tmp, JUPYTER_RUNTIME_DIR=os.path.join(tmp, "rt"), MPLBACKEND="Agg",
                   IPYTHONDIR=os.path.join(tmp, "ipython"), PYTHONDONTWRITEBYTECODE="1",
                   JUPYTER_PLATFORM_DIRS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=cwd, env=env, start_new_session=True)
    out: list[bytes] = []
    err: list[bytes] = []
    too_big = threading.Event()
    err_big = threading.Event()
    readers = [threading.Thread(target=_reader, args=(proc.stdout, MAX_RESULT_BYTES, out, too_big), daemon=True),
               threading.Thread(target=_reader, args=(proc.stderr, MAX_STDERR_BYTES, err, err_big), daemon=True)]
    for r in readers:
        r.start()
    error = None
    try:
        try:
            proc.stdin.write(payload)
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        deadline = t0 + wall_seconds
        while proc.poll() is None:
            if time.perf_counter() > deadline:
                error = f"stopped after the wall-clock limit of {wall_seconds:g} s"
                break
            if too_big.is_set():
                error = f"its result was larger than {MAX_RESULT_BYTES // 1024 ** 2} MB"
                break
            time.sleep(0.05)
    finally:
        _kill(proc)
        for r in readers:
            r.join(5)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.perf_counter() - t0
    stderr = b"".join(err).decode("utf-8", "replace")[-4000:]
    if error is None and too_big.is_set():
        error = f"its result was larger than {MAX_RESULT_BYTES // 1024 ** 2} MB"
    if error is None and proc.returncode != 0:
        error = f"the grading process ended with status {proc.returncode}" + (
            " (killed by a signal: the student's code may have killed it)" if proc.returncode < 0 or
            proc.returncode > 128 else "")
    if error:
        return JobResult(False, None, error, seconds, stderr)
    try:
        data = json.loads(b"".join(out).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return JobResult(False, None, f"unreadable result ({type(exc).__name__})", seconds, stderr)
    if not isinstance(data, dict):
        return JobResult(False, None, "unreadable result (not an object)", seconds, stderr)
    return JobResult(True, data, None, seconds, stderr)


def _kill(proc: subprocess.Popen) -> None:
    """Kill the sandbox's process group; bwrap's --die-with-parent and PID namespace do the rest."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.kill()
        except ProcessLookupError:
            pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        pass
