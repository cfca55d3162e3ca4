"""Run one notebook and hand back its answers as plain data (runs INSIDE the sandbox).

    python -m gutbrain.instructor.sandbox_run  < job.json  > result.json

The grader (``sandbox.py``) starts this module in a bubblewrap sandbox, one process per
submission, and writes a job on stdin: the notebook to execute (the student's cells put
into the released quiz; hidden tests and solutions are never in it), the per-cell timeout,
the resource limits and what to read back (each autograded item's ``metadata.gutbrain.check``).
It executes the notebook in an IPython shell in this process (engine "shell", the default; engine
"kernel": with nbclient, in a kernel that lives in the same sandbox), then, in
one extra cell per item, converts the named values to JSON with exact-type checks (a float
subclass, a str subclass or an ndarray subclass is refused, never trusted) and calls a
function item on the grader's inputs. It writes one JSON document on stdout.

Nothing here is trusted by the grader: student code shares this sandbox and can tamper with
this process. The grader treats everything it reads back as untrusted data (size-capped,
parsed with ``json``, validated again) that can at most describe the student's own answers.
"""
from __future__ import annotations

import json
import os
import secrets
import sys

#: The runner's exit status when a cell is still running TIMEOUT_CAUGHT_GRACE_SECONDS after its
#: timeout (the student's code caught the stop): the grader reports it at once instead of
#: waiting for its wall clock.
TIMEOUT_CAUGHT_EXIT = 86
TIMEOUT_CAUGHT_GRACE_SECONDS = 5

#: the source of the extraction cells; run in the student's kernel after the notebook
EXTRACT = r'''
def __gutbrain_extract(spec, marker):
    import json as _json, math as _math, signal as _signal
    try:
        import numpy as _np
    except Exception:
        _np = None
    _ns = get_ipython().user_ns
    _scalars = {bool: bool, int: int, float: float, str: str, type(None): lambda v: None}
    _npscalar = ()
    if _np is not None:
        _npscalar = (_np.float64, _np.float32, _np.float16, _np.int64, _np.int32, _np.int16, _np.int8,
                     _np.uint64, _np.uint32, _np.uint16, _np.uint8, _np.bool_)

    def plain(v, depth=0):
        t = type(v)
        if depth > 6:
            raise TypeError("nested too deeply")
        if t in _scalars:
            out = _scalars[t](v)
            if t is str and len(out) > 10000:
                raise TypeError("string too long")
            return out
        if _np is not None and t in _npscalar:
            return bool(v) if t is _np.bool_ else (float(v) if t in _npscalar[:3] else int(v))
        if _np is not None and t is _np.ndarray:
            if v.dtype.kind not in "fiub" or v.size > 100000:
                raise TypeError("array of %s (%d elements) is not a plain numeric array" % (v.dtype, v.size))
            return plain(_np.ndarray.tolist(v), depth + 1)
        if t in (list, tuple):
            if len(v) > 100000:
                raise TypeError("sequence too long")
            return [plain(x, depth + 1) for x in v]
        if t is dict:
            return {plain(k, depth + 1): plain(x, depth + 1) for k, x in v.items() if type(k) is str}
        raise TypeError("a %s is not plain data (use a number, string, list or bool)" % t.__name__)

    def timed(fn, seconds):
        def alarm(*_):
            raise TimeoutError("took longer than %s s" % seconds)
        old = _signal.signal(_signal.SIGALRM, alarm)
        _signal.alarm(seconds)
        try:
            return fn()
        finally:
            _signal.alarm(0)
            _signal.signal(_signal.SIGALRM, old)

    def err(exc):
        return {"ok": False, "error": ("%s: %s" % (type(exc).__name__, exc))[:300]}

    name = spec.get("name")
    out = {}
    try:
        if name not in _ns:
            raise NameError("%s is not defined" % name)
        value = _ns[name]
        if spec.get("kind") == "function":
            if not callable(value):
                raise TypeError("%s is not a function" % name)
            results = []
            for call in spec.get("calls", []):
                args = list(call.get("args", []))
                for i in call.get("array_args", []):
                    args[i] = _np.array(args[i], dtype=float)
                try:
                    results.append({"ok": True, "value": plain(timed(lambda: value(*args), 5))})
                except BaseException as exc:
                    results.append(err(exc))
            out = {"ok": True, "results": results}
        else:
            out = {"ok": True, "value": plain(value)}
    except BaseException as exc:
        out = err(exc)
    text = _json.dumps(out, allow_nan=True)
    print(marker + text + marker, flush=True)

'''


def _limits(limits: dict) -> None:
    import resource
    table = {"as_bytes": resource.RLIMIT_AS, "fsize_bytes": resource.RLIMIT_FSIZE,
             "nproc": resource.RLIMIT_NPROC, "cpu_seconds": resource.RLIMIT_CPU,
             "nofile": resource.RLIMIT_NOFILE}
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for key, which in table.items():
        value = limits.get(key)
        if value:
            try:
                resource.setrlimit(which, (int(value), int(value)))
            except (ValueError, OSError):
                pass


class Node(dict):
    """A notebook, cell or output with attribute access, as nbformat's NotebookNode gives it,
    without importing nbformat here: its schema validator costs 0.16 s of each submission's
    start, and the shell engine needs none of it."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key, value):
        self[key] = value

    @classmethod
    def of(cls, value):
        if isinstance(value, dict):
            return cls({k: cls.of(v) for k, v in value.items()})
        if isinstance(value, list):
            return [cls.of(v) for v in value]
        return value


def _code_cell(source: str) -> Node:
    return Node(cell_type="code", id=secrets.token_hex(4), source=source, metadata=Node(), outputs=[],
                execution_count=None)


def _output(kind: str, **fields) -> Node:
    """An output as nbformat.v4.new_output makes it (rich outputs carry metadata)."""
    extra = {"metadata": Node()} if kind in ("display_data", "execute_result") else {}
    return Node(output_type=kind, **fields, **extra)


class CellTimeout(BaseException):
    """Raised in a cell that ran longer than the per-cell timeout (BaseException: not caught by
    a student's ``except Exception``)."""


def _run_in_shell(nb, cell_timeout: int) -> tuple[str, str | None]:
    """Execute the notebook's code cells in an IPython shell in this process (the "kernel").

    Faster than starting a Jupyter kernel over ZMQ (no second interpreter, no sockets); the
    sandbox around this process is the isolation either way. Outputs go into the cells.
    """
    import signal

    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "NoColor"
    config.InteractiveShell.xmode = "Plain"
    shell = InteractiveShell.instance(config=config)

    stopping = [False]

    def on_alarm(*_):
        if stopping[0]:  # the cell caught the CellTimeout and kept going
            os._exit(TIMEOUT_CAUGHT_EXIT)
        stopping[0] = True
        signal.setitimer(signal.ITIMER_REAL, TIMEOUT_CAUGHT_GRACE_SECONDS)
        raise CellTimeout(f"the cell ran longer than {cell_timeout} s and was stopped")

    signal.signal(signal.SIGALRM, on_alarm)
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        outputs = []
        with capture_output(display=True) as cap:
            stopping[0] = False
            signal.setitimer(signal.ITIMER_REAL, cell_timeout)
            try:
                result = shell.run_cell(cell.source, store_history=True)
            except CellTimeout as exc:  # raised outside the cell's own code
                result = None
                print(f"CellTimeout: {exc}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        if cap.stdout:
            outputs.append(_output("stream", name="stdout", text=cap.stdout))
        if cap.stderr:
            outputs.append(_output("stream", name="stderr", text=cap.stderr))
        for rich in cap.outputs:
            data = {k: v for k, v in (rich.data or {}).items() if isinstance(v, str)}
            outputs.append(_output("display_data", data=data))
        err = None if result is None else (result.error_in_exec or result.error_before_exec)
        if err is not None:
            outputs.append(_output("error", ename=type(err).__name__, evalue=str(err)[:4000],
                                   traceback=[f"{type(err).__name__}: {str(err)[:4000]}"]))
        elif result is not None and result.result is not None:
            try:
                text = repr(result.result)
            except BaseException:  # noqa: BLE001 - a student's __repr__ may raise anything
                text = "(no text form)"
            outputs.append(_output("execute_result", data={"text/plain": text[:100_000]},
                                   execution_count=count))
        cell.outputs, cell.execution_count = outputs, count
    return "ok", None


def run(job: dict) -> dict:
    _limits(job.get("limits", {}))
    nb = Node.of(job["notebook"])
    n_cells = len(nb.cells)
    marker = "\x1e" + secrets.token_hex(12) + "\x1e"
    checks = job.get("checks", [])
    nb.cells.append(_code_cell(EXTRACT))
    for check in checks:
        nb.cells.append(_code_cell(
            f"__gutbrain_extract(__import__('json').loads({json.dumps(check['spec'])!r}), {marker!r})"))
    status, error = "ok", None
    if job.get("engine", "shell") == "shell":
        status, error = _run_in_shell(nb, int(job.get("cell_timeout", 60)))
    else:  # a Jupyter kernel driven by nbclient, inside the same sandbox
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import DeadKernelError
        nb = nbformat.from_dict(nb)
        client = NotebookClient(nb, timeout=int(job.get("cell_timeout", 60)), allow_errors=True,
                                interrupt_on_timeout=True, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": os.getcwd()}}, startup_timeout=60)
        try:
            client.execute()
        except DeadKernelError as exc:
            status, error = "kernel_died", f"the kernel died ({str(exc)[:200]})"
        except Exception as exc:  # noqa: BLE001 - reported to the grader, which decides
            status, error = "failed", f"{type(exc).__name__}: {str(exc)[:300]}"
    answers = {}
    for check, cell in zip(checks, nb.cells[n_cells + 1:]):
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        parts = text.split(marker)
        if len(parts) >= 3:
            try:
                answers[check["id"]] = json.loads(parts[1])
            except ValueError:
                answers[check["id"]] = {"ok": False, "error": "unreadable answer"}
        else:
            errs = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            why = f"{errs[0].get('ename')}: {errs[0].get('evalue')}"[:300] if errs else "no answer read"
            answers[check["id"]] = {"ok": False, "error": why}
    outputs = [_small(cell.get("outputs", [])) if cell.cell_type == "code" else [] for cell in nb.cells[:n_cells]]
    counts = [cell.get("execution_count") if cell.cell_type == "code" else None for cell in nb.cells[:n_cells]]
    return {"status": status, "error": error, "answers": answers, "outputs": outputs, "execution_counts": counts}


def _small(outputs, limit: int = 50_000) -> list:
    """Outputs as the grader will show them (text only), capped so the result stays small."""
    def cap(value):
        text = "".join(value) if isinstance(value, list) else value if isinstance(value, str) else ""
        return text if len(text) <= limit else text[:limit] + "\n... (truncated in the sandbox)\n"
    out = []
    for o in outputs[:200]:
        kind = o.get("output_type")
        if kind == "stream":
            out.append({"output_type": kind, "name": o.get("name"), "text": cap(o.get("text"))})
        elif kind == "error":
            out.append({"output_type": kind, "ename": cap(o.get("ename"))[:200], "evalue": cap(o.get("evalue")),
                        "traceback": [cap(t) for t in (o.get("traceback") or [])[:60]]})
        elif kind in ("execute_result", "display_data"):
            out.append({"output_type": kind, "data": {"text/plain": cap((o.get("data") or {}).get("text/plain"))}})
    return out


def main() -> int:
    job = json.loads(sys.stdin.buffer.read(64 * 1024 * 1024).decode("utf-8"))
    # the kernel inherits our stdout: give it /dev/null so only this process writes the result
    real_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.set_inheritable(real_out, False)
    result = run(job)
    data = json.dumps(result, allow_nan=True).encode("utf-8")
    _write_all(real_out, data)
    os.close(real_out)
    os._exit(0)  # do not wait for threads the student's code may have left running


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


if __name__ == "__main__":
    sys.exit(main())
