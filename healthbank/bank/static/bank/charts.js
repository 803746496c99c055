/* Draw every chart of the page from its JSON spec (bank/charts.py). A canvas names its
   spec: <canvas data-chart="id-of-json-script">. Slices and bars with links navigate to
   them on click (the list below filters); the same links are in the page as plain links. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var big = { small: 12, medium: 14, large: 17, huge: 20 };
  Chart.defaults.font.size = big[document.documentElement.dataset.font] || 14;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

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
        plugins: { legend: { position: spec.type === "doughnut" ? "right" : "top" } },
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
