// Draws the site's precomputed diagrams (gutbrain.site.static) with the site's own plotly.js:
// the labelled control applies one precomputed step (visible traces, layout, text alternative).
(function () {
  "use strict";
  // Narrower than this a figure keeps this width and its box scrolls (as in the notebook).
  const MIN_WIDTH_PX = 320;
  function draw(box) {
    const data = JSON.parse(box.querySelector("script.gutbrain-static-data").textContent);
    const plot = box.querySelector(".gutbrain-plot");
    const status = box.querySelector(".gutbrain-static-status");
    // The figure takes the text column's width and keeps the height its builder chose (plotly's own
    // "responsive" mode would also take the box's height, which collapses a figure on resize).
    const width = function () { return Math.max(MIN_WIDTH_PX, Math.round(box.clientWidth)); };
    const layout = Object.assign({}, data.figure.layout, { width: width() });
    const config = { responsive: false, displaylogo: false };
    Plotly.newPlot(plot, data.figure.data, layout, config).then(function () {
      box.setAttribute("data-gb-step", String(data.default));
      box.setAttribute("data-gb-drawn", "1");
      let laidOut = layout.width;
      new ResizeObserver(function () {
        const w = width();
        if (w !== laidOut) { laidOut = w; Plotly.relayout(plot, { width: w }); }
      }).observe(box);
    });
    function show(k) {
      const step = data.steps[k];
      Plotly.update(plot, { visible: step.visible }, step.layout).then(function () {
        box.setAttribute("data-gb-step", String(k));
      });
      status.textContent = step.alt;
      const caption = box.querySelector(".gutbrain-static-caption");
      if (caption) caption.textContent = step.caption;
    }
    const slider = box.querySelector(".gutbrain-static-slider input");
    if (slider) {
      const out = box.querySelector(".gutbrain-static-slider output");
      slider.addEventListener("input", function () {
        const k = Number(slider.value);
        out.textContent = data.steps[k].label;
        slider.setAttribute("aria-valuetext", data.steps[k].label);
        show(k);
      });
    }
    for (const radio of box.querySelectorAll(".gutbrain-static-choice input")) {
      radio.addEventListener("change", function () { if (radio.checked) show(Number(radio.value)); });
    }
  }
  function drawAll() { for (const box of document.querySelectorAll("[data-gb-static]")) draw(box); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
