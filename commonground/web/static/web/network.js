/* Common Ground actor pages: the actor's own network (plotly.js from an installed package).
 *
 * Reads <script id="network-chart-data"> (commonground/web/analysis_views.py::ego_chart): the
 * actor at the centre, the actors it fought and the civilians it attacked on a circle, with
 * their event counts. Clicking another actor opens its page; the tables on the page give the
 * same figures for keyboard and screen-reader users.
 */
(function () {
  "use strict";

  function draw() {
    var node = document.getElementById("network-chart");
    var source = document.getElementById("network-chart-data");
    if (!node || !source || !window.Plotly) { return; }
    var data = JSON.parse(source.textContent);
    var max = Math.max.apply(null, data.nodes.map(function (n) { return n.events; }));
    var colour = { fight: "#1f5f8b", civilians: "#d95f02" };
    var traces = data.nodes.map(function (n) {
      return {
        type: "scatter", mode: "lines", x: [0, n.x], y: [0, n.y], hoverinfo: "skip", showlegend: false,
        line: { width: 1 + 7 * n.events / max, color: colour[n.kind] || "#718096" }
      };
    });
    traces.push({
      type: "scatter", mode: "markers+text", showlegend: false,
      x: [0].concat(data.nodes.map(function (n) { return n.x; })),
      y: [0].concat(data.nodes.map(function (n) { return n.y; })),
      text: [data.actor].concat(data.nodes.map(function (n) { return n.name; })),
      customdata: [null].concat(data.nodes.map(function (n) { return n.url; })),
      hovertext: [data.actor].concat(data.nodes.map(function (n) {
        var text = n.kind === "civilians" ? data.labels.attacked : data.labels.fought;
        return text.replace("{actor}", data.actor).replace("{other}", n.name)
          .replace("{events}", n.events.toLocaleString(document.documentElement.lang || undefined));
      })),
      hoverinfo: "text",
      textposition: "top center",
      marker: {
        size: [22].concat(data.nodes.map(function (n) { return 10 + 14 * n.events / max; })),
        color: ["#2d3748"].concat(data.nodes.map(function (n) { return colour[n.kind] || "#718096"; }))
      }
    });
    var layout = {
      height: 460, margin: { l: 10, r: 10, t: 20, b: 10 }, hovermode: "closest",
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif", size: 11 },
      xaxis: { visible: false, range: [-1.6, 1.6], fixedrange: true },
      yaxis: { visible: false, range: [-1.3, 1.3], fixedrange: true, scaleanchor: "x" }
    };
    window.Plotly.newPlot(node, traces, layout, { displaylogo: false, responsive: true, displayModeBar: false });
    node.on("plotly_click", function (event) {
      var url = event.points && event.points[0] && event.points[0].customdata;
      if (url) { window.location.href = url; }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
