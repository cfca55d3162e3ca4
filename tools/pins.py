"""Print the exact pins of environment.yml's pip: section as a pip requirements file.

The section's last line, ``- -r requirements.lock``, is not a pin: it makes Binder install
the whole locked environment (tools/lock.py derives the lock from these pins); it is skipped.

This is how local set-up installs the very same pins as Binder without keeping a second
list. It runs before anything is installed, so it parses the file's small, fixed shape
itself instead of importing PyYAML; tests/test_dependencies.py checks that it reads the
file exactly as PyYAML does.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

PIN = re.compile(r"^[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+$")


def pip_pins(environment_yml: str) -> list[str]:
    """Return the `name==version` lines listed under `dependencies: - pip:`."""
    pins: list[str] = []
    in_pip = False
    pip_indent = None
    for raw in environment_yml.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        item = line.strip()
        if item == "- pip:":
            in_pip, pip_indent = True, indent
            continue
        if in_pip:
            if indent <= pip_indent:
                in_pip = False
                continue
            if not item.startswith("- "):
                raise ValueError(f"environment.yml: unexpected line in pip: section: {raw!r}")
            pin = item[2:].strip()
            if pin.startswith("-r "):
                continue  # the lock file (requirements.lock), derived from these pins
            if pin.startswith("-"):
                raise ValueError(f"environment.yml: only pins and `-r requirements.lock` belong in "
                                 f"the pip: section, not {pin!r}")
            if not PIN.match(pin):
                raise ValueError(
                    f"environment.yml: {pin!r} is not pinned exactly (write name==version)"
                )
            pins.append(pin)
    if not pins:
        raise ValueError("environment.yml: found no pins under `- pip:`")
    return pins


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "environment.yml"
    try:
        print("\n".join(pip_pins(path.read_text(encoding="utf-8"))))
    except (OSError, ValueError) as err:
        print(f"tools/pins.py: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
