/* Draw every chart of the page from its JSON spec (bank/charts.py). A canvas names its
   spec: <canvas data-chart="id-of-json-script">. Slices and bars with links navigate to
   them on click (the list below filters); the same links are in the page as plain links. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var big = { small: 12, medium: 14, large: 17, huge: 20 };
  Chart.defaults.font.size = big[document.documentElement.dataset.font] || 14;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  // A doughnut's legend sits beside it where there is room and under it on a phone, where
  // beside it the legend was cut off; a label longer than the legend's width ends in "…"
  // (the table next to the chart has every name in full).
  var SIDE_LEGEND_MIN_WIDTH = 480;
  function legendPosition(width) { return width < SIDE_LEGEND_MIN_WIDTH ? "bottom" : "right"; }
  function fittedLabels(chart) {
    var legend = chart.options.plugins.legend;
    var items = Chart.overrides.doughnut.plugins.legend.labels.generateLabels(chart);
    var font = Chart.helpers.toFont(legend.labels.font);
    var room = (legend.position === "bottom" ? chart.width : chart.width / 2) -
      (legend.labels.boxWidth || font.size) - font.size - 3 * (legend.labels.padding || 10);
    var ctx = chart.ctx;
    ctx.save();
    ctx.font = font.string;
    items.forEach(function (item) {
      var text = String(item.text);
      if (ctx.measureText(text).width <= room) { return; }
      while (text.length > 1 && ctx.measureText(text + "…").width > room) { text = text.slice(0, -1); }
      item.text = text + "…";
    });
    ctx.restore();
    return items;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var links = spec.links || [];
    var config = {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "top" } },
        onClick: function (event, elements) {
          if (elements.length && links[elements[0].index]) {
            window.location.href = links[elements[0].index];
          }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length && links.length ? "pointer" : "default";
        }
      }
    };
    if (spec.type === "doughnut") {
      config.options.plugins.legend.position = legendPosition(canvas.parentElement.clientWidth);
      config.options.plugins.legend.labels = { generateLabels: fittedLabels };
      config.options.onResize = function (chart, size) {
        chart.options.plugins.legend.position = legendPosition(size.width);
      };
    }
    if (spec.type === "doughnut" && links.length) {
      // Clicking a legend entry filters too, instead of hiding the slice.
      config.options.plugins.legend.onClick = function (event, item) {
        if (links[item.index]) { window.location.href = links[item.index]; }
      };
    }
    if (spec.unit) {
      config.options.scales = { y: { title: { display: true, text: spec.unit } } };
    }
    canvas.chart = new Chart(canvas, config);
    canvas.dataset.drawn = "true";
  });
})();
