// Draws the signalen dashboard charts from the JSON the page embeds (no inline script: CSP).
(function () {
  "use strict";
  var source = document.getElementById("signalen-chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var blue = "#154273";
  var common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { display: false } },
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
  };

  function draw(id, type, series) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    new Chart(canvas, {
      type: type,
      data: {
        labels: series.labels,
        datasets: [{
          label: series.label,
          data: series.values,
          backgroundColor: blue,
          borderColor: blue,
          spanGaps: true,
        }],
      },
      options: common,
    });
  }

  draw("chart-categories", "bar", data.categories);
  draw("chart-status", "bar", data.status);
  draw("chart-months", "bar", data.months);
  draw("chart-pickup", "line", data.pickup);
})();
