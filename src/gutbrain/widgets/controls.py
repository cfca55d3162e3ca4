"""Accessible controls.

ipywidgets' sliders draw their handle with noUiSlider and give it no accessible name, so a
screen-reader user hears only "slider". ``LabelledSlider`` is a native ``<input type=range>``
with a real ``<label>`` and a spoken value (``aria-valuetext``), keyboard-operable by the
browser itself (arrow keys, Page Up/Down, Home/End; JupyterLab's shortcuts are suppressed
on it). It has the same ``value`` trait and ``observe(names="value")`` contract as an
ipywidgets slider.
"""
from __future__ import annotations

import math

import anywidget
import traitlets

from gutbrain.figures.style import text_alternative_html
from gutbrain.widgets.responsive import fit_to_notebook

_ESM = r"""
function render({ model, el }) {
  const id = "gb-slider-" + Math.random().toString(36).slice(2);
  const wrap = document.createElement("div");
  wrap.className = "gutbrain-slider";
  wrap.style.cssText = "display:flex;align-items:center;gap:0.6em;margin:2px 0;font-size:var(--jp-widgets-font-size,13px)";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.style.cssText = "width:14em;flex:none";
  const input = document.createElement("input");
  input.type = "range";
  input.id = id;
  // JupyterLab's command-mode shortcuts would otherwise take the arrow keys.
  input.setAttribute("data-lm-suppress-shortcuts", "true");
  input.style.cssText = "width:16em";
  const out = document.createElement("output");
  out.htmlFor = id;
  out.style.cssText = "min-width:5em;font-variant-numeric:tabular-nums";
  const log = () => model.get("scale") === "log";
  const toPosition = (v) => (log() ? Math.log10(v) : v);
  const fromPosition = (p) => (log() ? Math.pow(10, p) : p);
  const text = (v) => v.toFixed(model.get("decimals")) + (model.get("unit") ? " " + model.get("unit") : "");
  function draw() {
    label.textContent = model.get("label");
    input.min = toPosition(model.get("min"));
    input.max = toPosition(model.get("max"));
    input.step = model.get("step");
    input.value = toPosition(model.get("value"));
    input.title = model.get("description");
    out.textContent = text(model.get("value"));
    input.setAttribute("aria-valuetext", text(model.get("value")));
  }
  input.addEventListener("input", () => {
    const v = fromPosition(parseFloat(input.value));
    model.set("value", v);
    model.save_changes();
    out.textContent = text(v);
    input.setAttribute("aria-valuetext", text(v));
  });
  model.on("change", draw);
  draw();
  wrap.append(label, input, out);
  el.append(wrap);
}
export default { render };
"""


class LabelledSlider(anywidget.AnyWidget):
    """A labelled range slider; ``scale="log"`` steps in powers of ten (``step`` in decades)."""

    _esm = _ESM
    value = traitlets.Float().tag(sync=True)
    min = traitlets.Float().tag(sync=True)
    max = traitlets.Float().tag(sync=True)
    step = traitlets.Float().tag(sync=True)
    scale = traitlets.Unicode("linear").tag(sync=True)
    label = traitlets.Unicode().tag(sync=True)
    unit = traitlets.Unicode("").tag(sync=True)
    decimals = traitlets.Int(1).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)  # longer help, shown as a tooltip

    def __init__(self, *, label: str, value: float, min: float, max: float, step: float,
                 scale: str = "linear", **kwargs):
        if scale not in ("linear", "log"):
            raise ValueError(f"scale must be 'linear' or 'log', got {scale!r}")
        if not (min < max) or (scale == "log" and min <= 0):
            raise ValueError(f"slider {label!r}: need 0 < min < max for a log scale, min < max otherwise")
        super().__init__(label=label, value=value, min=min, max=max, step=step, scale=scale, **kwargs)

    @traitlets.validate("value")
    def _clamp(self, proposal):
        value = proposal["value"]
        if math.isnan(value):
            raise traitlets.TraitError(f"slider {self.label!r}: value must be a number")
        return max(self.min, min(self.max, value)) if self.max > self.min else value


_CHOICE_ESM = r"""
function render({ model, el }) {
  const name = "gb-choice-" + Math.random().toString(36).slice(2);
  const fieldset = document.createElement("fieldset");
  fieldset.className = "gutbrain-choice";
  fieldset.style.cssText = "border:0;margin:0;padding:0";
  const legend = document.createElement("legend");
  legend.style.cssText = "font-weight:600;padding:0;margin-bottom:2px";
  fieldset.append(legend);
  const inputs = [];
  function draw() {
    legend.textContent = model.get("legend");
    for (const old of fieldset.querySelectorAll("label")) old.remove();
    inputs.length = 0;
    for (const [text, value] of model.get("options")) {
      const label = document.createElement("label");
      label.style.cssText = "display:flex;gap:0.5em;align-items:flex-start;margin:3px 0;line-height:1.35;cursor:pointer";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = name;
      input.value = value;
      input.checked = model.get("value") === value;
      // JupyterLab's command-mode shortcuts would otherwise take the arrow keys.
      input.setAttribute("data-lm-suppress-shortcuts", "true");
      input.addEventListener("change", () => {
        if (!input.checked) return;
        model.set("value", value);
        model.save_changes();
        // ipywidgets holds a model's next state update until the kernel has finished the last one,
        // but sends other widgets' messages at once: a Check pressed right after an arrow key would
        // reach Python before the new choice. A message of our own is never held back.
        model.send({ type: "choose", value: value });
      });
      const span = document.createElement("span");
      span.textContent = text;
      label.append(input, span);
      fieldset.append(label);
      inputs.push(input);
    }
  }
  model.on("change:options", draw);
  model.on("change:legend", draw);
  model.on("change:value", () => { for (const i of inputs) i.checked = i.value === model.get("value"); });
  draw();
  el.append(fieldset);
}
export default { render };
"""


class ChoiceGroup(anywidget.AnyWidget):
    """One choice among options: native radio buttons in a ``<fieldset>`` with a ``<legend>``.

    Unlike ipywidgets' RadioButtons, the arrow keys move the choice inside JupyterLab, and a
    long option wraps instead of spilling over the next one. ``value`` is the chosen option's
    value, or None before a choice is made.
    """

    _esm = _CHOICE_ESM
    options = traitlets.List(traitlets.Tuple(traitlets.Unicode(), traitlets.Unicode())).tag(sync=True)
    value = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    legend = traitlets.Unicode("Answer").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_msg(self._on_choose)

    def _on_choose(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("type") == "choose":
            try:
                self.value = content.get("value")
            except traitlets.TraitError:
                pass  # not one of the options (a stale page): keep the choice Python has

    @traitlets.validate("value")
    def _known_option(self, proposal):
        value = proposal["value"]
        if value is not None and value not in {v for _, v in self.options}:
            raise traitlets.TraitError(f"{value!r} is not one of the options")
        return value


def status_html(text: str) -> str:
    """A figure's text summary as a polite live region, read out when it changes."""
    return text_alternative_html(text, role="status", aria_live="polite")


class Explorer:
    """Base of the lessons' interactive diagrams: displays its ``widget``."""

    widget: "ipywidgets.VBox"

    def _ipython_display_(self):
        from IPython.display import display

        display(fit_to_notebook(self.widget))
