"""The theme's icons from FontAwesome's CSS and web fonts, not its 1.56 MB script.

pydata-sphinx-theme draws its icons (search, menu, light/dark switch, previous/next) with
FontAwesome's SVG-and-JavaScript bundle, ``_static/scripts/fontawesome.js``, 1.56 MB on every page,
more than plotly.js's cartesian bundle. The same icons come from the same FontAwesome version's CSS
(58 kB) and the one web font a page uses (the solid one, 115 kB): the theme's markup
(``<i class="fa-solid fa-bars">``) is what that CSS styles. ``use_webfont`` swaps the script for the
CSS on every page; without npm it leaves the theme's script, saying so.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Callable

from gutbrain.site import npm

PACKAGE = "@fortawesome/fontawesome-free"
STYLESHEETS = ("fontawesome.min.css", "solid.min.css", "regular.min.css", "brands.min.css")
_THEME_SCRIPT = re.compile(r'<script defer src="(?P<prefix>[^"]*?)_static/scripts/fontawesome\.js(?:\?[^"]*)?"></script>')
_THEME_VERSION = re.compile(r"Font Awesome Free (\d+\.\d+\.\d+)")


def theme_version() -> str | None:
    """The FontAwesome version pydata-sphinx-theme bundles (from its script's licence file)."""
    import pydata_sphinx_theme

    notice = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "scripts" / \
        "fontawesome.js.LICENSE.txt"
    try:
        found = _THEME_VERSION.search(notice.read_text(encoding="utf-8"))
    except OSError:
        return None
    return found.group(1) if found else None


def stylesheet_links(page_html: str) -> str:
    """A page with the theme's FontAwesome script replaced by links to the site's FontAwesome CSS."""
    def links(match: re.Match) -> str:
        prefix = match.group("prefix")
        return "".join(f'<link rel="stylesheet" href="{prefix}_static/fontawesome/css/{name}" />' for name in STYLESHEETS)

    return _THEME_SCRIPT.sub(links, page_html)


def use_webfont(html_dir: Path, log: Callable[[str], None] = print) -> int:
    """Serve the icons as CSS and web fonts on every page of ``html_dir``; the pages changed."""
    problem = npm.ensure()
    source = npm.package_dir(PACKAGE)
    if not problem and npm.installed_version(PACKAGE) != theme_version():
        problem = (f"{PACKAGE} in tools/site/package.json is {npm.installed_version(PACKAGE)}, the theme's "
                   f"FontAwesome is {theme_version()}")
    if problem:
        log(f"Site pages keep the theme's 1.56 MB FontAwesome script for their icons ({problem}).")
        return 0
    target = html_dir / "_static" / "fontawesome"
    (target / "css").mkdir(parents=True, exist_ok=True)
    for name in STYLESHEETS:
        shutil.copy(source / "css" / name, target / "css" / name)
    shutil.copytree(source / "webfonts", target / "webfonts", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.ttf"))
    shutil.copy(source / "LICENSE.txt", target / "LICENSE.txt")
    changed = 0
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        swapped = stylesheet_links(text)
        if swapped != text:
            page.write_text(swapped, encoding="utf-8")
            changed += 1
    for leftover in (html_dir / "_static" / "scripts").glob("fontawesome.js*"):
        leftover.unlink()
    return changed
