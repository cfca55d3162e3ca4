"""The front-end packages the site serves itself, from the npm registry (``tools/site/``).

``tools/site/package.json`` and its ``package-lock.json`` pin them; ``ensure`` runs ``npm ci`` there
when one is missing or another version. Each user (``plotly_js``, ``icons``) falls back to what the
Python wheels ship, and says so, when npm cannot provide its package.
"""
from __future__ import annotations

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


def ensure() -> str:
    """Install the pinned packages unless they are there; '' when they are, else why not."""
    if all(installed_version(name) == version for name, version in pinned().items()):
        return ""
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed"
    run = subprocess.run([npm, "ci", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--loglevel=error"],
                         capture_output=True, text=True)
    return "" if run.returncode == 0 else f"npm ci failed: {run.stderr.strip()[-300:]}"


def package_dir(package: str) -> Path:
    return MODULES / package
