"""The key of a quiz: its source solution run once in a sandbox, cached by the source's hash."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat

from . import sandbox
from .cells import _nbg
from .checks import compare, hidden_message, quiz_checks
from .compose import key_notebook
from .course import source_notebooks

RUNNER_VERSION = "1"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compute_key(root: Path, quiz: str, sandboxed: bool, cell_timeout: int, wall: float) -> dict:
    """{notebook: {grade_id: {"spec", "want", "points", "message"}}}, cached in <root>/.gutbrain-keys/."""
    key: dict = {}
    for path in source_notebooks(root, quiz):
        raw = path.read_bytes()
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        checks = quiz_checks(nb)
        cache = Path(root) / ".gutbrain-keys" / f"{quiz}-{path.stem}-{_sha(raw + RUNNER_VERSION.encode())[:20]}.json"
        if cache.is_file():
            try:
                key[path.stem] = json.loads(cache.read_text())
                continue
            except ValueError:
                pass
        items = {}
        if checks:
            job = {"notebook": key_notebook(nb), "cell_timeout": cell_timeout,
                   "checks": [{"id": gid, "spec": spec} for gid, spec in checks.items()]}
            res = sandbox.run_job(job, sandboxed, wall)
            if not res.ok or res.data.get("status") != "ok":
                raise RuntimeError(f"{quiz}: running the source solution failed: "
                                   f"{res.error or res.data.get('error')} {res.stderr[-300:]}")
            for gid, spec in checks.items():
                want = res.data["answers"].get(gid)
                ok, why = compare(spec, want, want) if isinstance(want, dict) and want.get("ok") else (False, None)
                if not ok:
                    raise RuntimeError(f"{quiz}: the source solution gives no usable key for {gid}: "
                                       f"{(want or {}).get('error') or why or 'not comparable'}")
                items[gid] = {"spec": spec, "want": want}
        for cell in nb.cells:
            gid = _nbg(cell).get("grade_id")
            if gid in items:
                items[gid]["points"] = float(_nbg(cell).get("points", 0))
                items[gid]["message"] = hidden_message(cell.source)
        key[path.stem] = items
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(items))
    return key
