"""The course website (issue 23), built as ``make site`` builds it and opened offline in Chromium.

One build per session (unchanged lessons come from the execution cache ``make site`` uses);
the pages are served from 127.0.0.1 and every request elsewhere is blocked and reported.
Screenshots: tests/artifacts/site/ (each lesson's top; a diagram before and after its control
moves); page weights: tests/artifacts/site/weights.json.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import json
import sys
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "browser"))
import labdriver as lab  # noqa: E402
import legibility  # noqa: E402

# One site build (the session fixture `site`) for every test here: on one xdist worker.
pytestmark = [pytest.mark.browser, pytest.mark.notebook, pytest.mark.xdist_group("site")]

ARTIFACTS = REPO / "tests" / "artifacts" / "site"
LESSON_PAGES = sorted(p.stem for p in (REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
#: A lesson page's own HTML (plotly.js aside) stays small: figures are data, not bundles.
MAX_PAGE_HTML_BYTES = 1_500_000
#: Generous: the machine may be busy (waits for readiness, never a timing assertion).
LOAD_TIMEOUT_MS = 180_000


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    from gutbrain.site.build import build

    out = tmp_path_factory.mktemp("site")
    seconds = build(out, stage_dir=tmp_path_factory.mktemp("site-src"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "build.json").write_text(json.dumps({"build_seconds": round(seconds, 1)}))
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def served(site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# Debian's Chromium and axe-core are tests/browser/conftest.py's fixtures: one browser per worker,
# shared with the JupyterLab tests (a second Playwright in the same process cannot start).


class Visit:
    """One page opened as a reader opens it, with what it asked for and what it logged."""

    def __init__(self, browser, base: str, path: str):
        self.page = browser.new_page()
        self.base = base
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.urls: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(f"{base}/{path}", wait_until="load", timeout=LOAD_TIMEOUT_MS)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base + "/") or url.startswith("data:"):
            self.urls.append(url)
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def wait_for_figures(self) -> int:
        n = self.page.locator("[data-gb-static]").count()
        if n:
            self.page.wait_for_function(
                "n => document.querySelectorAll('[data-gb-static][data-gb-drawn]').length === n", arg=n,
                timeout=LOAD_TIMEOUT_MS, polling=100)
        return n

    def close(self):
        self.page.close()


def _pages(site: Path) -> list[str]:
    """The site's pages (the theme's ``_static/*.html`` are template fragments, not pages)."""
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "_static")


FIGURES_DRAWN_JS = """() => Array.from(document.querySelectorAll('[data-gb-static] .gutbrain-plot')).map(gd => {
  const svg = gd.querySelector('svg.main-svg');
  const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const shown = (gd._fullData || []).filter(t => t.visible === true).length;
  const marks = gd.querySelectorAll('.trace, .point, .bars path, .heatmaplayer image').length;
  return {title: ((gd._fullLayout || {}).title || {}).text || '', width: r.width, height: r.height, shown, marks};
})"""

SIGNATURE_JS = """box => {
  const gd = box.querySelector('.gutbrain-plot');
  return [box.getAttribute('data-gb-step'), gd.querySelector('svg.main-svg').innerHTML.length,
          (gd._fullLayout.title || {}).text, box.querySelector('.gutbrain-static-status').textContent].join('|');
}"""


#: The pages axe-core checks: the home page, the references, the ledger and every lesson.
AXE_PAGES = ("index.html", "references.html", "ledger.html", *(f"lessons/{x}.html" for x in LESSON_PAGES))


@dataclass
class SiteReading:
    """What one reading of the site in Chromium found, per check. Every page is opened once and
    every check that needs a browser reads that visit: a lesson page with plotly costs Chromium
    several CPU-seconds to load, and four checks each loading every page made this group the
    suite's longest (docs/site.md, "Tests")."""
    loading: list[str] = field(default_factory=list)
    weights: dict = field(default_factory=dict)
    accessibility: list[str] = field(default_factory=list)
    legibility: list[str] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)
    controls_moved: int = 0


@pytest.fixture(scope="module")
def reading(site, served, chromium, axe_js) -> SiteReading:
    found = SiteReading()
    lesson_paths = {f"lessons/{x}.html": x for x in LESSON_PAGES}
    for path in _pages(site):
        v = Visit(chromium, served, path)
        try:
            _check_loading(v, site, path, found)
            if path in AXE_PAGES:
                found.accessibility += _axe_problems(v, axe_js, path)
            if path in lesson_paths:
                found.legibility += _legibility_problems(v, lesson_paths[path])
                _check_controls(v, lesson_paths[path], found)  # last: it moves the controls
        finally:
            v.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "weights.json").write_text(json.dumps(found.weights, indent=1))
    return found


def _check_loading(v: Visit, site: Path, path: str, found: SiteReading) -> None:
    """No console error, no request leaving the site, plotly.js at most once, every figure drawn
    with something in it; the page's weight."""
    n = v.wait_for_figures()
    problems = found.loading
    for k, fig in enumerate(v.page.evaluate(FIGURES_DRAWN_JS)):
        if not (fig["width"] > 100 and fig["height"] > 100 and fig["shown"] > 0 and fig["marks"] > 0):
            problems.append(f"{path}: figure {k + 1} ({fig['title'][:50]!r}) is not drawn: {fig}")
    if v.errors:
        problems.append(f"{path}: console errors: {v.errors[:3]}")
    if v.outside:
        problems.append(f"{path}: requests leaving the site: {sorted(set(v.outside))[:5]}")
    plotly = [u for u in v.urls if "plotly" in u and u.endswith(".js")]
    if len(plotly) > 1:
        problems.append(f"{path}: plotly.js requested {len(plotly)} times")
    files = {site / unquote(urlparse(u).path).lstrip("/") for u in set(v.urls)}
    loaded = [f for f in ({f / "index.html" if f.is_dir() else f for f in files}) if f.is_file()]
    html_bytes = (site / path).stat().st_size
    found.weights[path] = {"figures": n, "html_bytes": html_bytes,
                           "total_bytes": sum(f.stat().st_size for f in loaded),
                           # what a host that compresses (GitHub Pages, nginx with gzip on) sends
                           "total_gzip_bytes": sum(len(gzip.compress(f.read_bytes(), 6)) for f in loaded),
                           "plotly_js_bytes": sum(f.stat().st_size for f in loaded if "plotly" in f.name)}
    if html_bytes > MAX_PAGE_HTML_BYTES:
        problems.append(f"{path}: the page's HTML is {html_bytes / 1e6:.1f} MB (> {MAX_PAGE_HTML_BYTES / 1e6} MB)")


def _axe_problems(v: Visit, axe_js: Path, path: str) -> list[str]:
    v.page.add_script_tag(path=str(axe_js))
    violations = v.page.evaluate(
        """async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations
             .map(x => ({id: x.id, impact: x.impact, help: x.help, helpUrl: x.helpUrl,
                         nodes: x.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                                   summary: n.failureSummary}))}))""")
    bad = [x for x in violations if x["impact"] in lab.FAILING_IMPACTS]
    return [f"{path}:\n{lab.format_violations(bad)}"] if bad else []


#: Browser windows the site is read in (issue 23): the theme's narrow layout and a wide one.
SITE_WIDTHS = (900, 1400)
SITE_LEGIBILITY_JS = legibility.LEGIBILITY_JS.replace(".jp-OutputArea .js-plotly-plot", ".gutbrain-plot.js-plotly-plot")
SITE_FIGURES = ".gutbrain-plot.js-plotly-plot"


def _resize(page, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("() => window.dispatchEvent(new Event('resize'))")
    legibility.settle(page, figures=SITE_FIGURES)  # plotly redraws after a resize


def _legibility_problems(v: Visit, lesson: str) -> list[str]:
    problems = []
    if not v.page.locator("[data-gb-static]").count():
        return problems
    for width in SITE_WIDTHS:
        _resize(v.page, width, legibility.HEIGHT)
        for fig in v.page.evaluate(SITE_LEGIBILITY_JS, [legibility.OVERLAP_PX, legibility.CLIP_TOLERANCE_PX]):
            for p in fig["problems"]:
                problems.append(f"{lesson} @ {width}px, figure {fig['index'] + 1} ({fig['title'][:40]!r}): {p}")
    return problems


def _check_controls(v: Visit, lesson: str, found: SiteReading) -> None:
    """Every client-side slider and option changes what its figure draws; the first diagram is
    photographed before and after."""
    _resize(v.page, 1280, 900)
    errors_before = len(v.errors)
    v.page.screenshot(path=str(ARTIFACTS / f"{lesson}-top.png"))
    boxes = v.page.locator("[data-gb-static]")
    shot = False
    for b in range(boxes.count()):
        box = boxes.nth(b)
        slider = box.locator(".gutbrain-static-slider input")
        radios = box.locator(".gutbrain-static-choice input")
        actions = []
        if slider.count():
            actions.append(("slider → End", lambda s=slider: (s.focus(), s.press("End"))))
            actions.append(("slider → Home", lambda s=slider: (s.focus(), s.press("Home"))))
        for k in range(radios.count()):
            if not radios.nth(k).is_checked():
                actions.append((f"option {k + 1}", lambda r=radios.nth(k): r.check()))
        for name, act in actions:
            before = box.evaluate(SIGNATURE_JS)
            if not shot:
                box.scroll_into_view_if_needed()
                box.screenshot(path=str(ARTIFACTS / f"{lesson}-diagram-before.png"))
            act()
            try:
                v.page.wait_for_function(f"([box, before]) => ({SIGNATURE_JS})(box) !== before",
                                         arg=[box.element_handle(), before], timeout=LOAD_TIMEOUT_MS,
                                         polling=50)
                found.controls_moved += 1
            except Exception:
                found.controls.append(f"{lesson}: diagram {b + 1}, {name}: the figure did not change")
            if not shot:
                box.screenshot(path=str(ARTIFACTS / f"{lesson}-diagram-after.png"))
                shot = True
    if len(v.errors) > errors_before:
        found.controls.append(f"{lesson}: console errors while moving controls: {v.errors[errors_before:][:3]}")


def test_every_page_loads_offline_without_errors(reading):
    """Every page: no console error, no request leaving the site, plotly.js at most once, every
    figure drawn with something in it; page weights recorded (tests/artifacts/site/weights.json)."""
    for lesson in LESSON_PAGES:
        assert f"lessons/{lesson}.html" in reading.weights, f"lesson {lesson} has no page"
    assert not reading.loading, "\n".join(reading.loading)


def test_every_control_changes_its_figure(reading):
    """Every client-side slider and option changes what its figure draws; the first diagram of
    each lesson is photographed before and after."""
    assert reading.controls_moved > 0, "no client-side control found on any lesson page"
    assert not reading.controls, "\n".join(reading.controls)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "link", "script", "img"):
                self.hrefs.append(a[key])


def test_internal_links_resolve(site):
    """Every relative link, script, stylesheet and image of every page exists, anchors included."""
    parsed = {}
    for path in _pages(site):
        p = _Links()
        p.feed((site / path).read_text(encoding="utf-8"))
        parsed[path] = p
    broken = []
    for path, p in parsed.items():
        for href in p.hrefs:
            url = urlparse(href)
            if url.scheme or href.startswith("//") or href.startswith("mailto:"):
                continue
            target = (site / path).parent / unquote(url.path) if url.path else site / path
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{path}: {href} (no such file)")
            elif url.fragment and target.suffix == ".html":
                rel = str(target.relative_to(site.resolve()))
                if rel in parsed and url.fragment not in parsed[rel].ids:
                    broken.append(f"{path}: {href} (no such anchor)")
    assert not broken, "\n".join(broken[:40])


def test_lesson_pages_offer_launch_and_run_locally(site):
    from gutbrain.site.build import binder_base

    base, repo, ref = binder_base()
    for lesson in LESSON_PAGES:
        text = (site / "lessons" / f"{lesson}.html").read_text(encoding="utf-8")
        assert f'{base}?urlpath=lab/tree/lessons/{lesson}.ipynb' in text, f"{lesson}: no Binder link"
        assert "make lab" in text, f"{lesson}: no run-locally instructions"
        assert "Education, not medical advice" in text


def test_pages_are_accessible(reading):
    """axe-core finds no serious or critical violation on the home page and every lesson page."""
    assert not reading.accessibility, "\n".join(reading.accessibility)


def test_figures_are_legible(reading):
    """The course's legibility check (tests/browser/legibility.py) on every site figure at 900 and
    1400 px: no overlapping or cut text, titles, axis titles with units, a text alternative shown."""
    assert SITE_LEGIBILITY_JS != legibility.LEGIBILITY_JS, "legibility.LEGIBILITY_JS changed its figure selector"
    assert not reading.legibility, "\n".join(reading.legibility)
