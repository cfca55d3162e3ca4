"""Figures that fit the notebook they are in.

A FigureWidget is drawn before JupyterLab puts it on the page, when it has no width yet, so
plotly falls back to a fixed 700 px; and the anywidget FigureWidget never listens for a
resize. ``fit_to_notebook`` turns on plotly's ``responsive`` config for every figure in a box
and adds ``FitFigures``, an invisible widget whose script (once per page) watches each figure's
box: when it changes width (the lesson opens, the file browser opens or closes, the window
resizes), plotly lays the figure out again at the new width, never below ``MIN_WIDTH_PX``.
The figure builders (``gutbrain.figures``) set no width, only a height.
"""
from __future__ import annotations

import anywidget
import ipywidgets as w
import plotly.graph_objects as go
import traitlets

from gutbrain.figures.style import alt_text, text_alternative_html
from gutbrain.widgets.figure import CourseFigure

RESPONSIVE_CONFIG = {"responsive": True}
#: Narrower than this a figure keeps this width (the notebook scrolls) rather than squash its labels.
MIN_WIDTH_PX = 320

_FIT_ESM = r"""
function install(minWidth) {
  if (window.__gutbrainFitFigures) return;
  const laidOut = new WeakMap();  // figure -> the width plotly last laid it out at
  const resize = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const gd = entry.target;
      const width = Math.round(entry.contentRect.width);
      if (!width || laidOut.get(gd) === width || !gd._responsiveChartHandler) continue;
      laidOut.set(gd, width);
      gd._responsiveChartHandler();
    }
  });
  const watch = (root) => {
    const found = root.matches && root.matches('.js-plotly-plot') ? [root] : [];
    for (const gd of found.concat(Array.from(root.querySelectorAll ? root.querySelectorAll('.js-plotly-plot') : []))) {
      if (gd.__gutbrainFit) continue;
      gd.__gutbrainFit = true;
      gd.style.minWidth = minWidth + 'px';
      resize.observe(gd);
    }
  };
  new MutationObserver((records) => {
    for (const r of records) for (const node of r.addedNodes) if (node.nodeType === 1) watch(node);
  }).observe(document.body, {childList: true, subtree: true});
  watch(document.body);
  window.__gutbrainFitFigures = true;
}
function render({ model, el }) {
  el.style.display = 'none';
  install(model.get('min_width_px'));
}
export default { render };
"""


class FitFigures(anywidget.AnyWidget):
    """Invisible: makes every responsive plotly figure on the page follow its box's width."""

    _esm = _FIT_ESM
    min_width_px = traitlets.Int(MIN_WIDTH_PX).tag(sync=True)


def _figures_in(widget) -> list[go.FigureWidget]:
    if isinstance(widget, go.FigureWidget):
        return [widget]
    return [f for child in getattr(widget, "children", ()) for f in _figures_in(child)]


def fit_to_notebook(box: w.Box) -> w.Box:
    """Make every figure in ``box`` (and its sub-boxes) as wide as the notebook; returns ``box``."""
    figures = _figures_in(box)
    for figure in figures:
        figure._config = {**figure._config, **RESPONSIVE_CONFIG}
    if figures and not any(isinstance(c, FitFigures) for c in box.children):
        box.children = (*box.children, FitFigures())
    return box


def figure_with_text(fig: go.Figure) -> w.VBox:
    """A figure without controls, as wide as the notebook, with its text alternative underneath.
    A ``CourseFigure`` too: a plain plotly output would be drawn by JupyterLab's own plotly
    extension, a second copy of plotly.js to load (a 1-2 s stall of the page during Run All)."""
    box = w.VBox([CourseFigure(fig), w.HTML(value=text_alternative_html(alt_text(fig)))])
    box.add_class("gutbrain-figure")
    return fit_to_notebook(box)
