// Draws the site's precomputed diagrams (gutbrain.site.static) with the site's own plotly.js:
// the labelled control applies one precomputed step (visible traces, layout, text alternative).
(function () {
  "use strict";
  function draw(box) {
    const data = JSON.parse(box.querySelector("script.gutbrain-static-data").textContent);
    const plot = box.querySelector(".gutbrain-plot");
    const status = box.querySelector(".gutbrain-static-status");
    const config = { responsive: true, displaylogo: false };
    Plotly.newPlot(plot, data.figure.data, data.figure.layout, config).then(function () {
      box.setAttribute("data-gb-step", String(data.default));
      box.setAttribute("data-gb-drawn", "1");
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
