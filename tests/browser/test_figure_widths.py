"""Every lesson figure is legible at 570, 822 and 1322 px of notebook width (see static_figures.py):
the figure builders' own layout, checked without JupyterLab.

At 570 px (a 900 px window with the file browser open) the figures in ``TOO_WIDE_AT_570`` (none
now) may still lose text: the test fails if any other figure has a problem there, and also once
one of these is fixed, so that the list only shrinks."""
from __future__ import annotations

import pytest

import static_figures

pytestmark = pytest.mark.browser

TOO_WIDE_AT_570: set[str] = set()


@pytest.fixture(scope="module")
def results(chromium):
    page = chromium.new_page()
    try:
        yield static_figures.check(page)
    finally:
        page.close()


@pytest.mark.parametrize("notebook_px", list(static_figures.OUTPUT_WIDTHS))
def test_every_figure_fits_a_notebook_this_wide(results, notebook_px):
    shown = [r for r in results if r.notebook_px == notebook_px]
    assert len(shown) >= 18, f"only {len(shown)} figures were drawn"
    known = TOO_WIDE_AT_570 if notebook_px == 570 else set()
    problems = [f"{r.name}: {p}" for r in shown if r.name not in known for p in r.problems]
    assert not problems, (f"{len(problems)} legibility problems at {notebook_px} px of notebook width "
                          f"(screenshots: {static_figures.FIGURES_DIR}):\n" + "\n".join(f"  - {p}" for p in problems))
    fixed = sorted(known - {r.name for r in shown if r.problems})
    assert not fixed, f"now legible at {notebook_px} px: remove {fixed} from TOO_WIDE_AT_570"
