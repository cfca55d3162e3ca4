"""Can a learner read every figure? Checks run in the page, on what Chromium actually drew.

Used by tests/browser/test_browser_lessons.py (``test_figures_are_legible``) and by the
standalone ``tools/check_figures.py`` (any lesson, one command), so both check the same
thing. For every plotly figure in a lesson's outputs, at each viewport (a 900 px window with JupyterLab's file browser open, which
leaves the notebook about 570 px; 900 px and 1400 px windows with the side panels closed):

- no two text elements overlap (bounding boxes of the SVG text Chromium drew: title, tick
  labels, axis titles, annotations, legend entries, text on traces);
- no text is clipped: every text lies inside the figure; text on a trace that is clipped to
  its plot area lies inside it; legend entries lie inside the legend's box;
- the figure has a visible title; every numeric or date axis that shows tick labels has a title
  (a category axis is labelled by its tick labels), and a numeric axis names its unit (in
  parentheses or after a comma: "Concentration (µM)", "Rate, µM/s");
  tick labels do not use SI prefixes ("100µ" on a µM axis);
- the figure has a text alternative (layout.meta.alt_text, at least 20 characters), and it is
  shown in the figure's cell (beside the plot or in its role=status summary).

And every widget label and button in the outputs is shown in full (not cut or ellipsised:
scrollWidth <= clientWidth); and the text around the figures reads well: no table is wider than
the notebook (no sideways scrolling), table cells of words are not right-aligned, a text
alternative, status line or self-check explanation is at reading size and single-spaced, and a
link looks like a link. A screenshot of every figure at every viewport is saved as
tests/artifacts/figures/<lesson>/<n>-<viewport>.png, with a contact sheet
tests/artifacts/figures/index.html showing them all with their problems.
"""
from __future__ import annotations

import html
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import labdriver as lab

@dataclass(frozen=True)
class Viewport:
    """A browser window ``width`` px wide, with JupyterLab's file browser open or all side panels closed."""

    width: int
    file_browser: bool = False

    @property
    def name(self) -> str:
        return f"{self.width}+files" if self.file_browser else str(self.width)

    @classmethod
    def parse(cls, text: str | int | Viewport) -> Viewport:
        """``900``, ``"900"`` or ``"900+files"`` (file browser open)."""
        if isinstance(text, Viewport):
            return text
        spec = str(text).strip()
        files = spec.endswith("+files")
        number = spec.removesuffix("+files")
        if not number.isdigit() or not 300 <= int(number) <= 4000:
            raise ValueError(f"a viewport is a width in px (300-4000), optionally with +files: got {text!r}")
        return cls(int(number), files)


#: The notebook is about 570, 822 and 1322 px wide in these.
VIEWPORTS = (Viewport(900, file_browser=True), Viewport(900), Viewport(1400))
WIDTHS = tuple(v.name for v in VIEWPORTS)
HEIGHT = 900
DEFAULT_VIEWPORT = {"width": 1280, "height": 900}
FIGURES_DIR = lab.ARTIFACTS / "figures"
#: Two boxes overlap when they share more than this many pixels in both directions.
OVERLAP_PX = 2.0
#: Text may stick out of its container by this much (anti-aliasing, rounding).
CLIP_TOLERANCE_PX = 1.5

LEGIBILITY_JS = r"""
([overlapPx, clipTol]) => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const boxOf = (r) => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
  const inside = (a, b, tol) => a.left >= b.left - tol && a.top >= b.top - tol
                                && a.right <= b.right + tol && a.bottom <= b.bottom + tol;
  const kindOf = (t) => {
    if (t.closest('.gtitle, .g-gtitle')) return 'title';
    const g = t.closest('[class*="title"]');
    if (g && /\bg-[xy]\d*title\b/.test(g.getAttribute('class') || '')) return 'axis title';
    if (t.closest('.xtick, .ytick, [class*="tick"]')) return 'tick label';
    if (t.closest('.annotation')) return 'annotation';
    if (t.closest('.legend')) return 'legend';
    if (t.closest('.trace, .textpoint')) return 'trace text';
    return 'text';
  };
  const figures = Array.from(document.querySelectorAll('.jp-OutputArea .js-plotly-plot'));
  return figures.map((gd, index) => {
    const problems = [];
    const svg = gd.querySelector('svg.main-svg');
    const fl = gd._fullLayout || {};
    const layout = gd.layout || {};
    const t = layout.title;
    const title = norm(t ? (typeof t === 'string' ? t : t.text) : '');
    const drawn = svg ? boxOf(svg.getBoundingClientRect()) : null;
    // What the page really shows of the figure: its SVG cut by every ancestor that hides overflow
    // (the output area, the notebook panel): text beyond it is cut off for the learner.
    let outer = drawn;
    for (let a = svg && svg.parentElement; outer && a && a !== document.body; a = a.parentElement) {
      const st = getComputedStyle(a);
      if (st.overflowX !== 'visible' || st.overflowY !== 'visible') {
        const r = a.getBoundingClientRect();
        outer = {left: Math.max(outer.left, st.overflowX !== 'visible' ? r.left : -1e9),
                 right: Math.min(outer.right, st.overflowX !== 'visible' ? r.right : 1e9),
                 top: Math.max(outer.top, st.overflowY !== 'visible' ? r.top : -1e9),
                 bottom: Math.min(outer.bottom, st.overflowY !== 'visible' ? r.bottom : 1e9)};
      }
      if (a.classList.contains('jp-OutputArea')) break;
    }
    if (!outer || outer.right - outer.left < 1) {
      return {index, title, problems: ['the figure is not drawn'], texts: 0, overlaps: 0};
    }
    // Plot areas of the subplots, in page coordinates.
    const plots = {};
    for (const [name, p] of Object.entries(fl._plots || {})) {
      const xa = p.xaxis, ya = p.yaxis;
      if (!xa || !ya) continue;
      plots[name] = {left: drawn.left + xa._offset, right: drawn.left + xa._offset + xa._length,
                     top: drawn.top + ya._offset, bottom: drawn.top + ya._offset + ya._length};
    }
    const legendBg = gd.querySelector('.legend rect.bg');
    const legendBox = legendBg ? boxOf(legendBg.getBoundingClientRect()) : null;
    const texts = [];
    for (const el of gd.querySelectorAll('svg.main-svg text')) {
      if (el.closest('.hoverlayer, .modebar')) continue;
      const s = norm(el.textContent);
      if (!s || !el.getClientRects().length) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || cs.display === 'none') continue;
      let hidden = false;
      for (let a = el; a && a !== gd; a = a.parentElement) {
        const st = getComputedStyle(a);
        if (st.display === 'none' || Number(st.opacity) === 0) { hidden = true; break; }
      }
      if (hidden) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      texts.push({el, s, kind: kindOf(el), box: boxOf(r)});
    }
    // Clipping.
    for (const x of texts) {
      const what = `${x.kind} "${x.s.slice(0, 50)}"`;
      if (!inside(x.box, outer, clipTol)) {
        problems.push(`${what} is cut off by the ${inside(x.box, drawn, clipTol) ? "notebook's edge (the figure is wider than the notebook)" : "figure's edge"}`);
        continue;
      }
      if (x.kind === 'trace text') {
        const traceEl = x.el.closest('.trace');
        const d = traceEl && traceEl.__data__;
        const trace = d && d[0] && d[0].trace;
        const sub = x.el.closest('.subplot');
        const key = sub ? Array.from(sub.classList).find(c => c !== 'subplot') : null;
        if (trace && trace.cliponaxis !== false && key && plots[key] && !inside(x.box, plots[key], clipTol)) {
          problems.push(`${what} is cut off by the plot area (cliponaxis)`);
        }
      }
      if (x.kind === 'legend' && legendBox && !inside(x.box, legendBox, clipTol)) {
        problems.push(`${what} is cut off by the legend's box`);
      }
    }
    // Overlaps.
    let overlaps = 0;
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i].box, b = texts[j].box;
      const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (dx > overlapPx && dy > overlapPx) {
        overlaps += 1;
        problems.push(`${texts[i].kind} "${texts[i].s.slice(0, 40)}" overlaps ${texts[j].kind} "${texts[j].s.slice(0, 40)}"`);
      }
    }
    // Title, axes, units, tick labels.
    const shownTitle = norm((gd.querySelector('.gtitle') || {}).textContent);
    if (!title || !shownTitle) problems.push('the figure has no visible title');
    for (const [name, ax] of Object.entries(fl)) {
      if (!/^[xy]axis\d*$/.test(name) || !ax || ax.visible === false || ax.showticklabels === false) continue;
      let axTitle = norm(ax.title && ax.title.text);
      if (/^Click to enter .* title$/.test(axTitle)) axTitle = '';  // plotly's placeholder: no title
      // A category axis is labelled by its tick labels; a numeric or date axis needs a title.
      if (!axTitle) { if (ax.type !== 'category' && ax.type !== 'multicategory') problems.push(`${name} has no title`); continue; }
      if (['linear', 'log'].includes(ax.type) && !(/\(.+\)/.test(axTitle) || /,\s*\S/.test(axTitle) || axTitle.includes('%'))) {
        problems.push(`${name} "${axTitle.slice(0, 50)}" names no unit (write "Quantity (unit)" or "Quantity, unit")`);
      }
      if (['linear', 'log'].includes(ax.type)) {
        const letter = name[0];
        const sel = `.${letter}tick text`;
        const ticks = Array.from(gd.querySelectorAll(sel)).map(e => norm(e.textContent));
        const si = ticks.filter(v => /^[−-]?[\d.]+\s*[µunpmkMGT]$/.test(v));
        if (si.length) problems.push(`${name} tick labels use SI prefixes (${si.slice(0, 3).join(', ')}); set tickformat or exponentformat`);
      }
    }
    // Text alternative, and shown in the figure's cell.
    const alt = norm(layout.meta && layout.meta.alt_text);
    if (alt.length < 20) {
      problems.push('no text alternative in layout.meta.alt_text (at least 20 characters)');
    } else {
      const cell = gd.closest('.jp-Cell') || gd.closest('.jp-OutputArea') || document.body;
      const shown = norm(cell.innerText);
      if (!shown.includes(alt.slice(0, 60))) {
        problems.push('the text alternative is not shown beside the figure (nor in its role=status summary)');
      }
    }
    gd.setAttribute('data-gbtest-figure', String(index));
    return {index, title, problems, texts: texts.length, overlaps,
            width: Math.round(drawn.right - drawn.left), height: Math.round(drawn.bottom - drawn.top),
            wider_than_shown: Math.round(drawn.right - outer.right)};
  });
}
"""

WIDGET_LABELS_JS = r"""
() => {
  const sel = ['.widget-label', '.widget-label-basic', '.widget-toggle-button', '.jupyter-button',
               '.widget-button', 'label', 'legend', '.widget-readout', 'button'].join(', ');
  const out = [];
  const seen = new Set();
  for (const area of document.querySelectorAll('.jp-OutputArea')) {
    for (const el of area.querySelectorAll(sel)) {
      if (seen.has(el) || el.closest('.js-plotly-plot')) continue;
      seen.add(el);
      const text = (el.textContent || '').replace(/\s+/g, ' ').trim();
      if (!text || text === '\u200b' || !el.getClientRects().length) continue;
      const cs = getComputedStyle(el);
      if (cs.display === 'none' || cs.visibility === 'hidden') continue;
      const cut = el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
      const cutHigh = el.scrollHeight > el.clientHeight + 2 && el.clientHeight > 0 && cs.overflowY !== 'visible';
      if (cut || cutHigh) {
        out.push(`widget label "${text.slice(0, 60)}" is cut off (${cut ? 'width' : 'height'}: ` +
                 `${cut ? el.scrollWidth + ' > ' + el.clientWidth : el.scrollHeight + ' > ' + el.clientHeight} px` +
                 `${cs.textOverflow === 'ellipsis' ? ', shown with …' : ''})`);
      }
    }
  }
  return out;
}
"""


#: Text below this size (px) or with a taller line (× font size) is hard to read in a paragraph.
MIN_TEXT_PX = 13.5
MAX_LINE_HEIGHT = 1.7

OUTPUT_TEXT_JS = r"""
([minPx, maxLine]) => {
  const out = [];
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const shown = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
  for (const area of document.querySelectorAll('.jp-OutputArea')) {
    // Tables: as wide as the notebook at most; words read from the left.
    for (const table of area.querySelectorAll('table')) {
      if (!shown(table)) continue;
      const name = norm((table.querySelector('caption') || table.querySelector('th') || table).textContent).slice(0, 50);
      const box = table.getBoundingClientRect();
      const output = table.closest('.jp-OutputArea-output') || area;
      const room = output.getBoundingClientRect();
      let scroller = null;
      for (let a = table.parentElement; a && a !== output.parentElement; a = a.parentElement) {
        if (a.scrollWidth > a.clientWidth + 1 && getComputedStyle(a).overflowX !== 'visible') { scroller = a; break; }
      }
      if (box.right > room.right + 1 || scroller) {
        out.push(`table "${name}" is wider than the notebook (${Math.round(box.width)} px in ` +
                 `${Math.round(room.width)} px${scroller ? ': it scrolls sideways' : ''})`);
      }
      for (const cell of table.querySelectorAll('td, th')) {
        const text = norm(cell.textContent);
        const words = text.replace(/[\d.,:%±×\-−\[\]()\/]+/g, ' ').trim().split(/\s+/).filter(w => /[A-Za-z]{2,}/.test(w));
        const align = getComputedStyle(cell).textAlign;
        if (words.length >= 2 && (align === 'right' || align === 'end')) {
          out.push(`table "${name}": text cell "${text.slice(0, 40)}" is right-aligned`);
          break;
        }
      }
    }
    // Paragraphs that explain a figure or an answer: reading size, single-spaced.
    for (const el of area.querySelectorAll('.gutbrain-alt-text, [role=status], .gutbrain-next-step')) {
      const text = norm(el.textContent);
      if (!shown(el) || text.length < 20) continue;
      const cs = getComputedStyle(el);
      const size = parseFloat(cs.fontSize);
      const line = cs.lineHeight === 'normal' ? 1.2 * size : parseFloat(cs.lineHeight);
      const spans = Array.from(el.querySelectorAll('*')).map(c => getComputedStyle(c))
        .filter(c => parseFloat(c.fontSize) < minPx && c.display !== 'none');
      if (size < minPx || spans.length) {
        out.push(`text "${text.slice(0, 40)}" is small (${spans.length ? parseFloat(spans[0].fontSize) : size} px; ` +
                 `at least ${minPx} px reads well)`);
      }
      if (line / size > maxLine) {
        out.push(`text "${text.slice(0, 40)}" is double-spaced (line height ${Math.round(line)} px for ` +
                 `${size} px text)`);
      }
    }
    // Links: a colour of their own or an underline.
    for (const a of area.querySelectorAll('a[href]')) {
      if (!shown(a) || !norm(a.textContent) || a.closest('.js-plotly-plot')) continue;
      const cs = getComputedStyle(a);
      const parent = getComputedStyle(a.parentElement);
      if (cs.color === parent.color && !cs.textDecorationLine.includes('underline')) {
        out.push(`link "${norm(a.textContent).slice(0, 40)}" does not look like a link (same colour as its text, no underline)`);
      }
    }
  }
  return Array.from(new Set(out));
}
"""


@dataclass
class FigureResult:
    lesson: str
    #: The viewport's name: "900+files" (file browser open), "900", "1400".
    width: str
    index: int
    title: str
    problems: list[str]
    texts: int
    overlaps: int
    screenshot: Path | None = None
    #: The explorer option chosen to show this view ("" for the figure as the lesson first shows it).
    view: str = ""


@dataclass
class LessonResult:
    lesson: str
    figures: list[FigureResult] = field(default_factory=list)
    widget_problems: dict[str, list[str]] = field(default_factory=dict)
    #: Tables, paragraphs and links around the figures, per viewport.
    text_problems: dict[str, list[str]] = field(default_factory=dict)
    #: The notebook's width in px at each viewport.
    notebook_px: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        """One line per problem of a figure at a width; a problem seen in several views of an
        interactive diagram is listed once, with the views it was seen in."""
        return self.problems_except_figures_at()

    def problems_except_figures_at(self, *viewports: str) -> list[str]:
        """``problems``, less those of the figures at ``viewports`` (their text and widgets still count)."""
        grouped: dict[tuple[str, int, str], list[FigureResult]] = {}
        for f in self.figures:
            if f.width in viewports:
                continue
            for p in f.problems:
                grouped.setdefault((f.width, f.index, p), []).append(f)
        out = []
        for (width, index, p), figs in grouped.items():
            views = [f.view for f in figs if f.view]
            where = ""
            if views and len(views) == len(figs):
                where = f" [only in view{'s' if len(views) > 1 else ''}: {'; '.join(views)}]"
            elif views:
                where = f" [also in {len(views)} other view{'s' if len(views) > 1 else ''}]"
            out.append(f"{self.lesson} @ {self.where(width)}, figure {index + 1}{where} ({figs[0].title[:50]!r}): {p}")
        out += [f"{self.lesson} @ {self.where(w)}: {p}" for w, ps in self.widget_problems.items() for p in ps]
        out += [f"{self.lesson} @ {self.where(w)}: {p}" for w, ps in self.text_problems.items() for p in ps]
        return out

    def where(self, viewport: str) -> str:
        """"900+files" -> "900 px window, file browser open (notebook 566 px)"."""
        v = Viewport.parse(viewport)
        px = self.notebook_px.get(viewport)
        return (f"{v.width} px window{', file browser open' if v.file_browser else ''}"
                + (f" (notebook {px} px)" if px else ""))


#: Resolves when no figure has changed size or redrawn (plotly_afterplot) for ``quietMs``.
_SETTLE_JS = """async ([figures, quietMs, timeoutMs]) => {
  const plots = Array.from(document.querySelectorAll(figures));
  const sizes = () => JSON.stringify(Array.from(document.querySelectorAll(figures + ' .main-svg'))
    .map(s => { const r = s.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; }));
  let draws = 0;
  const onDraw = () => { draws += 1; };
  plots.forEach(gd => gd.on && gd.on('plotly_afterplot', onDraw));
  try {
    const start = performance.now();
    let last = [sizes(), draws], since = start;
    while (performance.now() - start < timeoutMs) {
      await new Promise(resolve => setTimeout(resolve, 20));
      const now = [sizes(), draws];
      if (now[0] !== last[0] || now[1] !== last[1]) { last = now; since = performance.now(); }
      else if (performance.now() - since >= quietMs) return true;
    }
    return false;
  } finally {
    plots.forEach(gd => gd.removeListener && gd.removeListener('plotly_afterplot', onDraw));
  }
}"""


def settle(page, timeout_s: float = 8.0, quiet_s: float = 0.6,
           figures: str = ".jp-OutputArea .js-plotly-plot") -> None:
    """Wait until no figure has changed size or redrawn for ``quiet_s`` (plotly lays a figure out
    again after a resize; a view's update redraws it). Timed in the page, so a quiet figure costs
    ``quiet_s`` and not a round of polls from here."""
    page.evaluate(_SETTLE_JS, [figures, quiet_s * 1000, timeout_s * 1000])


def collapse_side_panels(page) -> None:
    """Close JupyterLab's left and right side panels (file browser etc.), as a learner reading a
    lesson on a small screen does: the notebook then has the window's width."""
    for side in ("left", "right"):
        tab = page.locator(f".jp-SideBar.jp-mod-{side} .lm-TabBar-tab.lm-mod-current")
        if tab.count():
            tab.first.click()
    page.wait_for_timeout(300)


def show_file_browser(page) -> None:
    """Open JupyterLab's file browser in the left side panel, as a learner does to find a lesson."""
    tab = page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="filebrowser"]')
    if tab.count() and "lm-mod-current" not in (tab.first.get_attribute("class") or ""):
        tab.first.click()
    page.wait_for_timeout(300)


def notebook_width(page) -> int:
    """The width in px of the notebook the learner reads (0 if none is shown)."""
    return int(page.evaluate("""() => { const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
        return nb ? nb.getBoundingClientRect().width : 0; }"""))


def _figures_not_ready(page, timeout_ms: int = 60_000) -> set[int]:
    """Wait for every figure to draw; return the indices of those that did not."""
    try:
        lab.wait_for_figures(page, timeout_ms=timeout_ms)
        return set()
    except Exception:
        return {f["index"] for f in lab.figures(page)
                if not (f["traces"] > 0 and f["drawn"] > 0 and f["width"] > 0 and f["height"] > 0)}


def check_page(page, lesson: str, viewports=VIEWPORTS, screenshots: bool = True,
               every_view_shot: bool = True) -> LessonResult:
    """Check every figure, widget label, table and paragraph of the lesson shown in ``page`` at each
    viewport (``Viewport``s, or names like "900+files" / 1400); the other views of interactive
    figures are checked at the narrowest one with the side panels closed. ``every_view_shot``
    False: those other views are photographed only when they have a problem (a test run)."""
    viewports = [Viewport.parse(v) for v in viewports]
    # Other views of the interactive figures: at the narrowest window with the side panels closed.
    views_at = min((v for v in viewports if not v.file_browser), key=lambda v: v.width, default=viewports[0])
    result = LessonResult(lesson)
    folder = FIGURES_DIR / lesson
    if screenshots:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
    try:
        for viewport in viewports:
            collapse_side_panels(page)
            if viewport.file_browser:
                show_file_browser(page)
            page.set_viewport_size({"width": viewport.width, "height": HEIGHT})
            # JupyterLab relayouts on the window's resize event; plotly then redraws.
            page.evaluate("() => window.dispatchEvent(new Event('resize'))")
            settle(page)
            name = viewport.name
            result.notebook_px[name] = notebook_width(page)
            not_ready = _figures_not_ready(page)
            figs = page.evaluate(LEGIBILITY_JS, [OVERLAP_PX, CLIP_TOLERANCE_PX])
            for fig in figs:
                if fig["index"] in not_ready:
                    fig["problems"].append("the figure did not draw its traces within 60 s "
                                           "(no data, or a widget still loading)")
            result.widget_problems[name] = page.evaluate(WIDGET_LABELS_JS)
            result.text_problems[name] = page.evaluate(OUTPUT_TEXT_JS, [MIN_TEXT_PX, MAX_LINE_HEIGHT])
            for fig in figs:
                shot = None
                if screenshots:
                    shot = folder / f"{fig['index'] + 1}-{name}.png"
                    try:
                        page.locator(f'[data-gbtest-figure="{fig["index"]}"]').screenshot(
                            path=str(shot), timeout=15_000)
                    except Exception as err:  # keep checking; say why there is no picture
                        fig["problems"].append(f"(no screenshot: {type(err).__name__})")
                        shot = None
                result.figures.append(FigureResult(lesson, name, fig["index"], fig["title"], fig["problems"],
                                                   fig["texts"], fig["overlaps"], shot))
            if viewport == views_at:
                _check_views(page, result, lesson, name, folder if screenshots else None, every_view_shot)
    finally:
        collapse_side_panels(page)
        page.set_viewport_size(DEFAULT_VIEWPORT)
    return result


VIEW_OPTIONS = "input[type=radio], .widget-toggle-button"


def _check_views(page, result: LessonResult, lesson: str, width: str, folder: Path | None,
                 every_view_shot: bool = True) -> None:
    """An interactive diagram with radio buttons or toggle buttons shows other views of its
    figures: choose each option in turn, check the figures again, then restore the first choice."""
    explorers = page.locator(".jp-OutputArea .gutbrain-explorer")
    for e in range(explorers.count()):
        explorer = explorers.nth(e)
        options = explorer.locator(VIEW_OPTIONS)
        n = options.count()
        if not n:
            continue
        chosen = [options.nth(k).evaluate(
            "el => el.matches('input') ? el.checked : el.classList.contains('mod-active')") for k in range(n)]
        original = chosen.index(True) if True in chosen else None
        figure_ids = {int(v) for v in explorer.locator(".js-plotly-plot").evaluate_all(
            "els => els.map(el => el.getAttribute('data-gbtest-figure'))") if v is not None}
        for k in range(n):
            # Choosing one option may change the others (a dataset offers its own trials).
            if chosen[k] or k >= options.count():
                continue
            option = options.nth(k)
            label = option.evaluate("el => (el.closest('label') || el).textContent.trim()")[:40]
            before = lab.explorer_state(explorer)
            option.scroll_into_view_if_needed()
            idles = lab.kernel_idles(page)
            option.click()
            _wait_for_view(page, explorer, before, idles)
            settle(page, timeout_s=3.0, quiet_s=0.15)  # no window resize here: a redraw only
            figs = page.evaluate(LEGIBILITY_JS, [OVERLAP_PX, CLIP_TOLERANCE_PX])
            for fig in figs:
                if fig["index"] not in figure_ids:
                    continue
                shot = None
                if folder is not None and (every_view_shot or fig["problems"]):
                    shot = folder / f"{fig['index'] + 1}-{width}-view{k + 1}.png"
                    try:
                        page.locator(f'[data-gbtest-figure="{fig["index"]}"]').screenshot(
                            path=str(shot), timeout=15_000)
                    except Exception:
                        shot = None
                result.figures.append(FigureResult(lesson, width, fig["index"], fig["title"], fig["problems"],
                                                   fig["texts"], fig["overlaps"], shot, view=label))
        if original is not None and original < options.count():
            before, idles = lab.explorer_state(explorer), lab.kernel_idles(page)
            options.nth(original).click()
            _wait_for_view(page, explorer, before, idles)
            settle(page, timeout_s=3.0, quiet_s=0.15)


def _wait_for_view(page, explorer, before: dict, idles_before: int) -> None:
    """Until the chosen view is drawn: the kernel has run the widget's callback, and the figures
    show new data. A view may legitimately leave the figures as they were (then half a second
    for the update's messages, not the 3 s a fixed wait on the figure took)."""
    lab.wait_for_kernel_to_handle(page, idles_before)
    try:
        lab.wait_for_state_change(explorer, before, timeout_ms=500)
    except Exception:
        pass


def write_index(results: list[LessonResult], path: Path | None = None) -> Path:
    """The contact sheet: every figure of every checked lesson at every width, with its problems.

    Lessons checked earlier (their own ``summary.json``) stay on the sheet; a lesson checked now
    replaces its entry."""
    path = path or FIGURES_DIR / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    for r in results:
        summary = [{"width": f.width, "view": f.view, "index": f.index, "title": f.title, "problems": f.problems,
                    "texts": f.texts, "overlaps": f.overlaps,
                    "screenshot": f.screenshot.name if f.screenshot else None} for f in r.figures]
        (FIGURES_DIR / r.lesson).mkdir(parents=True, exist_ok=True)
        _write_atomically(FIGURES_DIR / r.lesson / "summary.json", json.dumps(
            {"lesson": r.lesson, "figures": summary, "widget_problems": r.widget_problems,
             "text_problems": r.text_problems, "notebook_px": r.notebook_px,
             "checked_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}, indent=1))
    rows = []
    for summary_file in sorted(FIGURES_DIR.glob("*/summary.json")):
        data = json.loads(summary_file.read_text())
        lesson = data["lesson"]
        figs: dict[int, list[dict]] = {}
        for f in data["figures"]:
            figs.setdefault(f["index"], []).append(f)
        n_problems = sum(len(f["problems"]) for f in data["figures"])
        n_overlaps = sum(f["overlaps"] for f in data["figures"])
        widget = [p for ps in data["widget_problems"].values() for p in ps]
        widget += [p for ps in data.get("text_problems", {}).values() for p in ps]
        rows.append(f"<h2>{html.escape(lesson)} <small>({len(figs)} figures; {n_overlaps} overlaps; "
                    f"{n_problems} figure problems; {len(widget)} widget-label and text problems; checked "
                    f"{html.escape(data.get('checked_at', ''))})</small></h2>")
        if widget:
            rows.append("<ul class=bad>" + "".join(f"<li>{html.escape(p)}</li>" for p in widget) + "</ul>")
        for index in sorted(figs):
            cells = []
            order = {name: i for i, name in enumerate(WIDTHS)}
            for f in sorted(figs[index], key=lambda f: (f.get("view", "") != "", order.get(str(f["width"]), 99))):
                img = (f'<a href="{lesson}/{f["screenshot"]}"><img src="{lesson}/{f["screenshot"]}" '
                       f'alt="figure {index + 1} at viewport {f["width"]}"></a>' if f["screenshot"] else "(no screenshot)")
                probs = ("<ul class=bad>" + "".join(f"<li>{html.escape(p)}</li>" for p in f["problems"]) + "</ul>"
                         if f["problems"] else "<p class=ok>no problems</p>")
                view = f" — view: {html.escape(f['view'])}" if f.get("view") else ""
                notebook = data.get("notebook_px", {}).get(str(f["width"]))
                cells.append(f"<td><div class=w>viewport {f['width']}"
                             f"{f' (notebook {notebook} px)' if notebook else ''}{view}</div>{img}{probs}</td>")
            title = html.escape(figs[index][0]["title"] or "(no title)")
            rows.append(f"<h3>Figure {index + 1}: {title}</h3><div class=row><table><tr>{''.join(cells)}</tr></table></div>")
    _write_atomically(path,
        "<!doctype html><meta charset=utf-8><title>Gut Feelings: every figure</title>"
        "<style>body{font:14px system-ui,sans-serif;margin:1em 2em}td{vertical-align:top;padding:4px 12px 12px 0}"
        "img{max-width:640px;border:1px solid #ccc}.bad{color:#8a1c1c}.ok{color:#1b5e20}.w{color:#555}.row{overflow-x:auto}</style>"
        "<h1>Every figure, as Chromium drew it</h1><p>Made by tests/browser/legibility.py "
        "(browser tests and tools/check_figures.py). Click a picture for full size.</p>"
        + "".join(rows))
    return path


def _write_atomically(path: Path, text: str) -> None:
    """Parallel test workers check lessons at the same time: never let one read a half-written file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
