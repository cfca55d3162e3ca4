"""The plotly.js the site's pages load, served from the site itself.

plotly's cartesian partial bundle (``plotly.js-cartesian-dist-min`` from the npm registry, pinned in
``tools/site/package-lock.json``) holds every trace type the lessons draw (scatter, bar, heatmap) in
1.5 MB instead of the full bundle's 4.8 MB. It must be the same plotly.js version as the plotly
wheel's, which the figures are built for. Without npm, or on a version mismatch, the site uses the
wheel's full bundle and says so: heavier pages, the same figures.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Callable

from gutbrain.site import npm
from gutbrain.site.static import payloads

PACKAGE = "plotly.js-cartesian-dist-min"
PARTIAL = npm.package_dir(PACKAGE) / "plotly-cartesian.min.js"
_VERSION = re.compile(rb"plotly\.js (?:\([^)]*\) )?v(\d+\.\d+\.\d+)")


def bundle_version(path: Path) -> str | None:
    """The plotly.js version in a bundle's licence header ('4.1.1'), or None."""
    try:
        with path.open("rb") as fh:
            found = _VERSION.search(fh.read(400))
    except OSError:
        return None
    return found.group(1).decode() if found else None


def wheel_bundle() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def site_plotly_js(log: Callable[[str], None] = print) -> Path:
    """The bundle to copy to the site's ``_static/plotly.min.js``."""
    full = wheel_bundle()
    wanted = bundle_version(full)
    if bundle_version(PARTIAL) != wanted:
        problem = npm.ensure()
        if not problem and bundle_version(PARTIAL) != wanted:
            problem = (f"{PACKAGE} in tools/site/package.json is plotly.js {bundle_version(PARTIAL)}, the plotly "
                       f"wheel's is {wanted}: pin the same version there and run `npm install --package-lock-only`")
        if problem:
            log(f"Site pages carry plotly.js's full bundle ({full.stat().st_size / 1e6:.1f} MB) instead of its "
                f"cartesian bundle ({problem}).")
            return full
    return PARTIAL


_TRACE_MODULE = re.compile(rb'moduleType:"trace",name:"([a-z0-9]+)"')


def bundle_trace_types(path: Path) -> set[str]:
    """The trace types a plotly.js bundle registers (read from its modules' declarations)."""
    return {m.decode() for m in _TRACE_MODULE.findall(path.read_bytes())}


def page_trace_types(page_html: str) -> set[str]:
    """The trace types a site page draws (its figures' data, as gutbrain.site.static writes it)."""
    return {trace.get("type", "scatter") for payload in payloads(page_html) for trace in payload["figure"]["data"]}


def cover_every_trace_type(html_dir: Path, log: Callable[[str], None] = print) -> set[str]:
    """If a page draws a trace type the site's bundle lacks, serve the full bundle instead; the
    types that were missing (empty when the bundle covers every page)."""
    served = html_dir / "_static" / "plotly.min.js"
    if not served.exists():
        return set()
    used = set().union(*(page_trace_types(p.read_text(encoding="utf-8")) for p in html_dir.rglob("*.html")))
    missing = used - bundle_trace_types(served)
    if missing:
        shutil.copy(wheel_bundle(), served)
        log(f"Site pages draw {', '.join(sorted(missing))}, which plotly.js's cartesian bundle lacks: they "
            "carry the full bundle instead.")
    return missing
