"""Every lesson figure (lessons 0-5, as each lesson first shows it), drawn by plotly.js in Chromium
in a box as wide as a notebook's output at 570, 822 and 1322 px of notebook width, and checked with
the same legibility rules as the lessons (``legibility.LEGIBILITY_JS``).

This checks the figure builders themselves: no JupyterLab, no kernel, no widget transport, so
it does not depend on how (or whether, under load) a FigureWidget reaches the page. The figures
are drawn with plotly's ``responsive`` config and no width, as ``gutbrain.widgets.responsive``
shows them in a lesson.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import legibility

#: Output width (px) of a notebook 570 / 822 / 1322 px wide: the notebook less JupyterLab's
#: prompt column and padding (about 80 px).
OUTPUT_WIDTHS = {570: 490, 822: 742, 1322: 1242}
FIGURES_DIR = legibility.FIGURES_DIR / "static"


def lesson_figures() -> list[tuple[str, object]]:
    """(name, plotly Figure) for every figure lessons 0-5 show, built as the lessons build them."""
    from gutbrain.widgets import inflammation as infl
    from gutbrain.widgets import kynurenine, ledger, psychobiotics, serotonin, tryptophan, vagus
    from gutbrain.widgets.progress import ProgressMap
    from gutbrain.widgets.responsive import _figures_in

    makers = {
        "00 tryptophan budget": tryptophan.TryptophanExplorer,
        "00 progress": ProgressMap,
        "01 pathway": serotonin.PathwayExplorer, "01 microbiome": serotonin.MicrobiomeExplorer,
        "01 distribution": lambda: serotonin.serotonin_distribution(),
        "02 fibres": vagus.FibreExplorer, "02 travel time": vagus.TravelTimeExplorer,
        "02 routes": vagus.RoutesExplorer, "02 translation": vagus.TranslationExplorer,
        "03 meta-analysis lab": psychobiotics.MetaAnalysisLab, "03 funnel": psychobiotics.FunnelExplorer,
        "03 meta-analyses": psychobiotics.MetaForest, "03 effect size": psychobiotics.EffectSizeExplorer,
        "04 blood and brain": infl.BloodBrainExplorer, "04 cytokines": infl.cytokine_forest,
        "04 overlap": infl.EffectSizeExplorer, "04 treatment": infl.treatment_forest,
        "04 immune activation": kynurenine.ImmuneActivationExplorer,
        "05 scorecards": ledger.scorecards_view, "05 contradictions": ledger.contradictions_view,
    }
    out = []
    for name, make in makers.items():
        shown = make()
        figures = shown.figures if hasattr(shown, "figures") else _figures_in(getattr(shown, "widget", shown))
        for i, fig in enumerate(figures):
            out.append((name if len(figures) == 1 else f"{name} {i + 1}", fig))
    return out


def page_html(figures: list[tuple[str, object]], output_px: int) -> str:
    """One JupyterLab-like cell per figure (the checks look for .jp-OutputArea and .jp-Cell)."""
    cells = []
    for i, (name, fig) in enumerate(figures):
        spec = json.loads(fig.to_json())
        alt = (spec.get("layout", {}).get("meta") or {}).get("alt_text", "")
        cells.append(
            f'<div class="jp-Cell" style="width:{output_px}px;margin:0 0 24px 0"><div class="jp-OutputArea">'
            f'<div id="fig{i}"></div><p>{html.escape(alt)}</p></div></div>'
            f"<script>Plotly.newPlot('fig{i}', {json.dumps(spec.get('data', []))}, "
            f"{json.dumps(spec.get('layout', {}))}, {{responsive: true}});</script>")
    return "<!doctype html><meta charset=utf-8><body style='font-family:sans-serif'>" + "".join(cells)


@dataclass
class StaticResult:
    notebook_px: int
    name: str
    problems: list[str]
    screenshot: Path | None


def check(page, widths=tuple(OUTPUT_WIDTHS), screenshots: bool = True) -> list[StaticResult]:
    import plotly

    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    figures = lesson_figures()
    results = []
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    for notebook_px in widths:
        output_px = OUTPUT_WIDTHS[notebook_px]
        html_path = FIGURES_DIR / f"page-{notebook_px}.html"
        html_path.write_text(page_html(figures, output_px).replace(
            "<body", f"<script src='{plotly_js.as_uri()}'></script><body", 1), encoding="utf-8")
        page.set_viewport_size({"width": output_px + 60, "height": 900})
        page.goto(html_path.as_uri(), wait_until="commit", timeout=120_000)
        page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot').length >= {len(figures)}",
                               timeout=180_000, polling=100)
        page.wait_for_timeout(1000)
        found = page.evaluate(legibility.LEGIBILITY_JS, [legibility.OVERLAP_PX, legibility.CLIP_TOLERANCE_PX])
        for (name, _), fig in zip(figures, found):
            shot = None
            if screenshots:
                shot = FIGURES_DIR / f"{name.replace(' ', '_')}-{notebook_px}.png"
                page.locator(f'[data-gbtest-figure="{fig["index"]}"]').screenshot(path=str(shot))
            results.append(StaticResult(notebook_px, name, fig["problems"], shot))
    return results
