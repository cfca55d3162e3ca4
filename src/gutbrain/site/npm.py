"""The front-end packages the site serves itself, from the npm registry (``tools/site/``).

``tools/site/package.json`` and its ``package-lock.json`` pin them; ``ensure`` runs ``npm ci`` there
when one is missing or another version. Each user (``plotly_js``, ``icons``) falls back to what the
Python wheels ship, and says so, when npm cannot provide its package.
"""
from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from pathlib import Path

from gutbrain.data import REPO_ROOT

TOOLS = REPO_ROOT / "tools" / "site"
MODULES = TOOLS / "node_modules"


def pinned() -> dict[str, str]:
    """{package: version} from tools/site/package.json."""
    return json.loads((TOOLS / "package.json").read_text(encoding="utf-8"))["dependencies"]


def installed_version(package: str) -> str | None:
    try:
        return json.loads((MODULES / package / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


def _up_to_date() -> bool:
    return all(installed_version(name) == version for name, version in pinned().items())


def ensure() -> str:
    """Install the pinned packages unless they are there; '' when they are, else why not.
    Two builds at once (``make site`` beside the tests) take turns: ``npm ci`` empties node_modules first."""
    if _up_to_date():
        return ""
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed"
    with open(TOOLS / ".npm-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _up_to_date():  # the other build installed them meanwhile
            return ""
        run = subprocess.run([npm, "ci", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--loglevel=error"],
                             capture_output=True, text=True)
    return "" if run.returncode == 0 else f"npm ci failed: {run.stderr.strip()[-300:]}"


def package_dir(package: str) -> Path:
    return MODULES / package
