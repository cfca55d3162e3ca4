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
of the runner only ends that student's grading), and as soon as one of its processes has
stayed stopped for a few seconds (it would otherwise hold its worker until the wall clock).
Resource limits (address space, file size, processes, CPU seconds, open files) are set by
the runner before any student code runs; lowering a hard limit cannot be undone without
privileges the sandbox does not have.

Never host root inside: when the grader runs as root (CI, containers), bubblewrap itself is
started through ``setpriv`` as a dedicated unprivileged host uid (one per concurrent sandbox,
so the process limit binds per sandbox), with no capabilities and ``no_new_privs``; it then
makes its own user namespace as an ordinary user would. ``/proc/sys`` and the other kernel
interfaces are read-only (all of ``/proc`` is remounted read-only), and writing them needs capabilities in
the host's namespace, which nothing inside has. bubblewrap is started with an empty
environment, so its own ``/proc/1/environ`` holds nothing of the grader's.

Memory and disk: every writable filesystem inside is a size-capped tmpfs (``/dev`` and ``/``
are read-only), and the grader adds up the proportional memory (PSS) of every process of the
sandbox a few times a second and kills the whole sandbox when the total passes one budget
per sandbox (:data:`MEMORY_BYTES`), however many processes share it.

Without bubblewrap, :func:`status` says why; grading refuses unless the instructor sets
``GUTBRAIN_UNSANDBOXED=1`` (then the same runner runs as a plain subprocess: isolated per
submission and time-limited, but with the instructor's rights: see the guide).
"""
from __future__ import annotations

import json
import os
import queue
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
from gutbrain.instructor.sandbox_run import TIMEOUT_CAUGHT_EXIT, TIMEOUT_CAUGHT_GRACE_SECONDS

UNSANDBOXED_ENV = "GUTBRAIN_UNSANDBOXED"
MAX_RESULT_BYTES = 16 * 1024 * 1024
MAX_STDERR_BYTES = 64 * 1024

#: limits applied inside the sandbox (setrlimit in the runner, inherited by the kernel)
DEFAULT_LIMITS = {"as_bytes": 6 * 1024 ** 3, "fsize_bytes": 64 * 1024 ** 2, "nproc": 256,
                  "cpu_seconds": 600, "nofile": 1024}
WORK_TMPFS_BYTES = 256 * 1024 ** 2
TMP_TMPFS_BYTES = 64 * 1024 ** 2
SHM_TMPFS_BYTES = 16 * 1024 ** 2
DEV_TMPFS_BYTES = 64 * 1024
#: one memory budget per sandbox (all its processes together), checked by the grader
MEMORY_BYTES = 2 * 1024 ** 3
MEMORY_POLL_SECONDS = 0.2
#: a sandbox with a process stopped (SIGSTOP, or held by a tracer) this long, or a cell timeout if
#: longer, is ended at once rather than at the wall clock
STOP_GRACE_SECONDS = 5.0
#: as root, sandboxes run as host uids from here up (never a real account's uid)
SANDBOX_UID_BASE = 2_000_000_000
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


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


def _as_unprivileged(uid: int) -> list[str]:
    """The prefix that drops root to ``uid`` with no capabilities before bubblewrap starts."""
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
            "--ambient-caps=-all", "--bounding-set=-all", "--no-new-privs"]


def _uid_slots():
    """Host uids for sandboxes started by this process (root only): one per concurrent sandbox."""
    pool: queue.Queue = queue.Queue()
    base = SANDBOX_UID_BASE + (os.getpid() % 1_000_000) * 64
    for slot in range(64):
        pool.put(base + slot)
    return pool


_UIDS = _uid_slots()


def launcher(uid: int | None = None) -> list[str]:
    """``bwrap`` itself, or, as root, ``setpriv ... bwrap`` as the unprivileged ``uid``."""
    if os.geteuid() == 0:
        return _as_unprivileged(SANDBOX_UID_BASE if uid is None else uid) + ["bwrap", "--unshare-user"]
    return ["bwrap"]


def bwrap_command(workdir: str = "/home/student", uid: int | None = None) -> list[str]:
    """The bubblewrap command line (everything but the program to run)."""
    cmd = launcher(uid) + [
           "--unshare-all", "--die-with-parent", "--new-session",
           "--uid", "65534", "--gid", "65534", "--hostname", "gutbrain-sandbox",
           "--proc", "/proc", "--remount-ro", "/proc", "--clearenv",  # /proc/sys, sysrq-trigger... read-only
           "--size", str(DEV_TMPFS_BYTES), "--tmpfs", "/dev"]
    for dev in DEVICES:
        cmd += ["--dev-bind", dev, dev]
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        cmd += ["--symlink", target, f"/dev/{name}"]
    cmd += ["--dir", "/dev/shm", "--remount-ro", "/dev", "--size", str(SHM_TMPFS_BYTES), "--tmpfs", "/dev/shm",
            # /tmp first: the read-only binds below then stay visible even when the course itself
            # lives under /tmp (a CI clone, a temporary copy).
            "--size", str(TMP_TMPFS_BYTES), "--tmpfs", "/tmp"]
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
    cmd += ["--size", str(WORK_TMPFS_BYTES), "--tmpfs", workdir, "--chdir", workdir, "--remount-ro", "/"]
    env = {"HOME": workdir, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "TMPDIR": "/tmp", "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime", "IPYTHONDIR": "/tmp/ipython",
           "MPLCONFIGDIR": "/tmp/matplotlib", "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
           "JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    if os.environ.get("GUTBRAIN_ASSETS"):
        env["GUTBRAIN_ASSETS"] = str(assets)
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    return _stage_unreachable(cmd) if os.geteuid() == 0 else cmd


#: run as root before dropping privileges: bind each unreachable folder onto its stage, then exec
_STAGE_SCRIPT = ('n=$1; shift; while [ "$n" -gt 0 ]; do mount --bind "$1" "$2" || exit 125; shift 2; '
                 'n=$((n - 1)); done; exec env -i "$@"')
_stage_root: list[str] = []


def _others_can_enter(path: str) -> bool:
    """Every folder on the way to ``path`` lets any user through, and ``path`` is readable by all."""
    p = Path(path)
    for part in [*reversed(p.parents), p]:
        try:
            mode = part.stat().st_mode
        except OSError:
            return False
        if not mode & 0o001:
            return False
    return bool(p.stat().st_mode & 0o004)


def _stage(index: int) -> str:
    """An empty, world-enterable mount point (created once per grader process; removed at exit)."""
    if not _stage_root:
        import atexit
        root = tempfile.mkdtemp(prefix="gutbrain-sandbox-stage-")
        os.chmod(root, 0o755)
        _stage_root.append(root)
        atexit.register(shutil.rmtree, root, True)
    path = os.path.join(_stage_root[0], str(index))
    os.makedirs(path, mode=0o755, exist_ok=True)
    return path


def _stage_unreachable(cmd: list[str]) -> list[str]:
    """As root: folders the sandbox's unprivileged uid cannot reach on the host (a Python under
    /root, a repository in a private home) are bind-mounted, as root, in a private mount namespace
    onto world-enterable stages, and bubblewrap binds the stage instead of the original path."""
    staged: list[str] = []
    out = list(cmd)
    for i, arg in enumerate(cmd):
        if arg == "--ro-bind" and not _others_can_enter(cmd[i + 1]) and os.path.isdir(cmd[i + 1]):
            stage = _stage(len(staged) // 2)
            staged += [cmd[i + 1], stage]
            out[i + 1] = stage
    if not staged:
        return out
    return ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", _STAGE_SCRIPT, "sh",
            str(len(staged) // 2), *staged, *out]


def runner_argv() -> list[str]:
    return [sys.executable, "-m", "gutbrain.instructor.sandbox_run"]


@lru_cache(maxsize=1)
def status() -> tuple[bool, str]:
    """(works, why): bubblewrap is installed and can create its namespaces here."""
    exe = shutil.which("bwrap")
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return False, ("grading as root needs `setpriv` (util-linux) to run student code as an unprivileged "
                       "user; install util-linux or grade as an ordinary user.")
    if exe is None:
        return False, ("bubblewrap (bwrap) is not installed. Install it: `sudo apt-get install bubblewrap` "
                       "(Debian/Ubuntu), `sudo dnf install bubblewrap` (Fedora), or run `make grade` "
                       "as root once so tools/ensure_bwrap.sh installs it.")
    try:
        run = subprocess.run(bwrap_command() + [sys.executable, "-c", "import gutbrain, nbclient, ipykernel"],
                             capture_output=True, text=True, timeout=60, env={}, cwd="/")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap could not start: {exc}"
    if run.returncode != 0:
        why = (run.stderr or run.stdout).strip()[-500:]
        return False, (f"bubblewrap is installed but cannot create a sandbox here: {why}. It needs "
                       "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 / "
                       "user.max_user_namespaces > 0; inside Docker: --security-opt seccomp=unconfined "
                       "or run on a VM). As root, the sandbox runs as an unprivileged uid: the virtual "
                       "environment and the repository must be readable by every user (chmod -R o+rX).")
    return True, "bubblewrap works"


def unsandboxed_allowed() -> bool:
    return os.environ.get(UNSANDBOXED_ENV, "") == "1"


def resolve_mode(sandboxed: bool | None) -> bool:
    """True to sandbox. None: GUTBRAIN_UNSANDBOXED=1 opts out (loudly); else sandbox, or refuse."""
    if sandboxed is False:
        return False
    if sandboxed is None and unsandboxed_allowed():
        ok, why = status()
        print(f"WARNING: {UNSANDBOXED_ENV}=1: grading WITHOUT a sandbox (bubblewrap here: {why}). Student code runs with "
              "your rights and can read the quiz sources, the gradebook and other students' work. "
              "Only do this on a throw-away machine (see docs/instructor_guide.md).", file=sys.stderr)
        return False
    ok, why = status()
    if ok:
        return True
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
    uid = None
    if sandboxed:
        uid = _UIDS.get() if os.geteuid() == 0 else None
        argv = bwrap_command(uid=uid) + runner_argv()
        cwd, env = "/", {}  # bubblewrap (the sandbox's pid 1) keeps nothing of the grader's environment
    else:
        tmp = tempfile.mkdtemp(prefix="gutbrain-unsandboxed-")
        # a shell in between, so that os.kill(os.getppid(), ...) does not reach the grader itself
        argv = ["/bin/sh", "-c", '"$@"; exit $?', "sh", *runner_argv()]
        cwd = tmp
        env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8"}
        if os.environ.get("GUTBRAIN_ASSETS"):
            env["GUTBRAIN_ASSETS"] = os.environ["GUTBRAIN_ASSETS"]
        env.update(HOME=tmp, TMPDIR=tmp, JUPYTER_RUNTIME_DIR=os.path.join(tmp, "rt"), MPLBACKEND="Agg",
                   IPYTHONDIR=os.path.join(tmp, "ipython"), PYTHONDONTWRITEBYTECODE="1",
                   JUPYTER_PLATFORM_DIRS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    memory = int(job["limits"].get("memory_bytes") or MEMORY_BYTES)
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
        next_check = t0
        stopped_since = None
        stop_grace = max(STOP_GRACE_SECONDS, float(job.get("cell_timeout") or 0))
        while proc.poll() is None:
            now = time.perf_counter()
            if now > deadline:
                error = f"stopped after the wall-clock limit of {wall_seconds:g} s"
                break
            if too_big.is_set():
                error = f"its result was larger than {MAX_RESULT_BYTES // 1024 ** 2} MB"
                break
            if now >= next_check:
                next_check = now + MEMORY_POLL_SECONDS
                tree = process_tree(proc.pid)
                if sum(_pss_bytes(p) for p in tree) > memory:
                    error = (f"stopped: its processes together used more than the memory budget of "
                             f"{memory / 1024 ** 3:g} GB")
                    break
                # A stopped process never finishes: without this it would hold its worker until the wall clock.
                stopped_since = (stopped_since or now) if any(_is_stopped(p) for p in tree) else None
                if stopped_since is not None and now - stopped_since > stop_grace:
                    error = (f"stopped: a process of the submission stopped itself (SIGSTOP) and was still "
                             f"stopped after {stop_grace:g} s")
                    break
            time.sleep(0.05)
    finally:
        _kill(proc)
        if uid is not None:
            _UIDS.put(uid)
        for r in readers:
            r.join(5)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.perf_counter() - t0
    stderr = b"".join(err).decode("utf-8", "replace")[-4000:]
    if error is None and too_big.is_set():
        error = f"its result was larger than {MAX_RESULT_BYTES // 1024 ** 2} MB"
    if error is None and proc.returncode == TIMEOUT_CAUGHT_EXIT:
        error = (f"stopped: a cell was still running {TIMEOUT_CAUGHT_GRACE_SECONDS} s after its timeout "
                 f"({job.get('cell_timeout')} s): the code caught the stop and kept going")
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


def _stat_fields(pid: int | str) -> list[bytes] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state, ppid, ...), or None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    return stat[stat.rindex(b")") + 2:].split()


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        fields = _stat_fields(name) if name.isdigit() else None
        if fields:
            kids.setdefault(int(fields[1]), []).append(int(name))
    return kids


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process descended from it (a sandbox's processes, seen from the host)."""
    kids = _children()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def _pss_bytes(pid: int) -> int:
    """Proportional set size (shared pages split between their users), else the resident size."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _is_stopped(pid: int) -> bool:
    """The process is stopped by a signal (state T) or by a tracer (t)."""
    fields = _stat_fields(pid)
    return bool(fields) and fields[0] in (b"T", b"t")


def tree_memory_bytes(pid: int) -> int:
    """The memory all processes of one sandbox use together (PSS, bytes)."""
    return sum(_pss_bytes(p) for p in process_tree(pid))


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
