// Draws the programme dashboard's charts from the JSON the page embeds (no inline script: CSP).
// Each chart's numbers are also in the table next to it, its text alternative.
(function () {
  "use strict";
  var source = document.getElementById("programme-chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  // Dark enough against white for WCAG's 3:1 for graphics, and told apart by more than hue.
  var colours = ["#154273", "#39870c", "#a90061", "#e17000", "#5b4b8a", "#007bc7", "#6b4120", "#333333"];

  function draw(chart) {
    var canvas = document.getElementById(chart.id);
    if (!canvas) {
      return;
    }
    var valueAxis = {
      beginAtZero: true,
      stacked: chart.stacked,
      ticks: chart.percent
        ? { callback: function (value) { return value + "%"; } }
        : { precision: 0 },
    };
    var labelAxis = { stacked: chart.stacked };
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (dataset, i) {
          var colour = colours[i % colours.length];
          return { label: dataset.label, data: dataset.values, backgroundColor: colour, borderColor: colour };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: chart.horizontal ? "y" : "x",
        plugins: { legend: { display: chart.datasets.length > 1 } },
        scales: chart.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      },
    });
  }

  JSON.parse(source.textContent).forEach(draw);
})();
