/* Common Ground area and actor pages: the monthly chart (plotly.js) and a small area map
 * (Leaflet on the offline admin-1 boundaries). Both libraries come from installed packages.
 *
 * The chart reads <script id="chart-data">, the map <script id="area-map-config">; both are
 * written by commonground/web/pages.py. Each part is skipped if its node or library is absent.
 */
(function () {
  "use strict";

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function drawChart() {
    var node = document.getElementById("monthly-chart");
    var data = readJSON("chart-data");
    if (!node || !data || !window.Plotly) { return; }
    var labels = data.labels;
    var other = data.deaths.map(function (d, i) { return d - data.civilian_deaths[i]; });
    var common = { type: "bar", x: data.months, xperiod: "M1", xperiodalignment: "middle" };
    function trace(y, name, colour, axis) {
      return Object.assign({
        y: y, name: name, marker: { color: colour }, yaxis: axis,
        hovertemplate: "%{x|%Y-%m}: %{y}<extra>" + name + "</extra>"
      }, common);
    }
    var traces = [
      trace(data.events, labels.events, "#1f5f8b", "y"),
      trace(data.civilian_deaths, labels.civilian_deaths, "#d95f02", "y2"),
      trace(other, labels.other_deaths, "#9aa5b1", "y2")
    ];
    var layout = {
      barmode: "stack", bargap: 0.1, height: 340,
      margin: { l: 56, r: 12, t: 8, b: 32 },
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif", size: 12 },
      legend: { orientation: "h", x: 0, y: 1.12 },
      xaxis: {
        type: "date", anchor: "y2",
        // Numbers only: plotly.js ships English month names, and the page may be in French.
        tickformatstops: [
          { dtickrange: [null, "M12"], value: "%Y-%m" },
          { dtickrange: ["M12", null], value: "%Y" }
        ]
      },
      yaxis: { domain: [0.55, 1], title: { text: labels.events }, fixedrange: true, rangemode: "tozero" },
      yaxis2: { domain: [0, 0.47], title: { text: labels.deaths }, fixedrange: true, rangemode: "tozero" }
    };
    window.Plotly.newPlot(node, traces, layout, {
      displaylogo: false, responsive: true,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"]
    });
  }

  function drawMap() {
    var node = document.getElementById("area-map");
    var config = readJSON("area-map-config");
    if (!node || !config || !window.L) { return; }
    var L = window.L;
    var map = L.map(node, { zoomControl: true, attributionControl: false, scrollWheelZoom: false });
    fetch(config.admin1, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (collection) {
        var highlighted = null;
        var layer = L.geoJSON(collection, {
          filter: function (feature) { return feature.properties.country === config.country; },
          style: function (feature) {
            var mine = !config.highlight || feature.properties.code === config.highlight;
            return {
              color: "#4a5568", weight: 1, fillOpacity: mine ? 0.55 : 0.08,
              fillColor: mine ? "#d95f02" : "#cbd5e0"
            };
          },
          onEachFeature: function (feature, shape) {
            if (feature.properties.code === config.highlight) { highlighted = shape; }
            shape.bindTooltip(feature.properties.name);
            shape.on("click", function () {
              window.location.href = "/areas/" + encodeURIComponent(feature.properties.code) + "/";
            });
          }
        }).addTo(map);
        if (window.commongroundAreaLabels) {
          window.commongroundAreaLabels(L, map, collection.features.filter(function (f) {
            return f.properties.country === config.country;
          }));
        }
        var bounds = (highlighted || layer).getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds.pad(highlighted ? 0.6 : 0.05)); }
        node.setAttribute("data-loaded", "1");
      })
      .catch(function () { node.setAttribute("data-loaded", "failed"); });
  }

  drawChart();
  drawMap();
})();
