// Draws the dashboard's charts with Chart.js (vendored, see vendor/).
// Each <canvas data-chart="ID"> reads its data from the
// <script type="application/json" id="ID"> beside it: the server writes
// that JSON with |tojson, so no learner text is ever run as script.
"use strict";

(function () {
  const PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0ea5e9", "#84cc16"];

  function readSpec(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // An axis hint from charts.py: {min, max, position, title, integer}.
  function scalesFor(spec) {
    const scales = {};
    const axes = spec.axes || {};
    for (const [name, hint] of Object.entries(axes)) {
      const { integer, title, ...axis } = hint;
      const scale = { beginAtZero: true, ...axis };
      // Whole things (answers, problems) get whole-number ticks only: never 0.2, 0.4, ...
      if (integer) scale.ticks = { precision: 0 };
      if (title) scale.title = { display: true, text: title };
      scales[name] = scale;
    }
    return scales;
  }

  function colour(datasets) {
    datasets.forEach((dataset, index) => {
      const colourOf = PALETTE[index % PALETTE.length];
      dataset.backgroundColor = dataset.backgroundColor || colourOf + "99";
      dataset.borderColor = dataset.borderColor || colourOf;
      // One day of data is one bar: keep it a bar, not a wall; a lone point stays visible.
      dataset.maxBarThickness = 48;
      dataset.pointRadius = 4;
    });
    return datasets;
  }

  function draw(canvas) {
    const spec = readSpec(canvas.dataset.chart);
    if (!spec || typeof window.Chart !== "function") {
      return;
    }
    canvas.chart = new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.data.labels, datasets: colour(spec.data.datasets) },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scalesFor(spec),
        plugins: { legend: { display: spec.data.datasets.length > 1 } },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
