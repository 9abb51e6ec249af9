/* Common Ground forecast fan chart (plotly.js from the plotly wheel, no CDN).
 *
 * Reads <script id="forecast-data"> written by commonground/web/forecasts.py: months, the
 * 5/25/50/75/95 % quantiles and the mean of the forecast deaths, and the words to show.
 */
(function () {
  "use strict";

  function draw() {
    var node = document.getElementById("forecast-chart");
    var source = document.getElementById("forecast-data");
    if (!node || !source || !window.Plotly) { return; }
    var data = JSON.parse(source.textContent);
    var labels = data.labels;
    function band(low, high, name, colour) {
      return [
        { x: data.months, y: low, type: "scatter", mode: "lines", line: { width: 0 },
          hoverinfo: "skip", showlegend: false },
        { x: data.months, y: high, type: "scatter", mode: "lines", line: { width: 0 },
          fill: "tonexty", fillcolor: colour, name: name, hoverinfo: "skip" }
      ];
    }
    var traces = band(data.q05, data.q95, labels.band90, "rgba(217,95,2,0.18)")
      .concat(band(data.q25, data.q75, labels.band50, "rgba(217,95,2,0.38)"))
      .concat([
        { x: data.months, y: data.q50, type: "scatter", mode: "lines+markers", name: labels.median,
          line: { color: "#a04000" } },
        { x: data.months, y: data.mean, type: "scatter", mode: "lines", name: labels.mean,
          line: { color: "#1f5f8b", dash: "dot" } }
      ]);
    var layout = {
      height: 320, margin: { l: 56, r: 12, t: 8, b: 40 },
      legend: { orientation: "h", x: 0, y: 1.15 },
      xaxis: { type: "category" },
      yaxis: { title: { text: labels.deaths }, rangemode: "tozero" }
    };
    window.Plotly.newPlot(node, traces, layout, { displaylogo: false, responsive: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
