/* Common Ground mandate pages: tasks per resolution and troops per year (plotly.js), and the
 * deployment locations of a year (Leaflet on the offline country outlines). Both libraries come
 * from installed packages. Data comes from <script type="application/json"> nodes written by
 * commonground/mandates/views.py; each part is skipped when its node or library is absent.
 */
(function () {
  "use strict";

  var FONT = { family: "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif", size: 12 };
  var CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] };
  var TIER_COLOURS = ["#d95f02", "#1f5f8b", "#9aa5b1"];

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function drawTasks() {
    var node = document.getElementById("tasks-chart");
    var data = readJSON("tasks-chart-data");
    if (!node || !data || !window.Plotly) { return; }
    var traces = data.tiers.map(function (tier, i) {
      return {
        type: "bar", name: tier.name, x: data.resolutions, y: tier.counts,
        marker: { color: TIER_COLOURS[i % TIER_COLOURS.length] },
        hovertemplate: "%{x}: %{y}<extra>" + tier.name + "</extra>"
      };
    });
    window.Plotly.newPlot(node, traces, {
      barmode: "stack", height: 340, font: FONT, margin: { l: 56, r: 12, t: 8, b: 48 },
      legend: { orientation: "h", x: 0, y: 1.12 },
      xaxis: { type: "category", title: { text: data.labels.x } },
      yaxis: { title: { text: data.labels.y }, fixedrange: true, rangemode: "tozero" }
    }, CONFIG).then(function () { node.setAttribute("data-loaded", "1"); });
  }

  function drawTroops() {
    var node = document.getElementById("troops-chart");
    var data = readJSON("troops-chart-data");
    if (!node || !data || !window.Plotly) { return; }
    window.Plotly.newPlot(node, [{
      type: "bar", x: data.years, y: data.troops, name: data.label, marker: { color: "#1f5f8b" },
      hovertemplate: "%{x}: %{y}<extra></extra>"
    }], {
      height: 300, font: FONT, margin: { l: 64, r: 12, t: 8, b: 32 },
      xaxis: { type: "category" },
      yaxis: { title: { text: data.label }, fixedrange: true, rangemode: "tozero" }
    }, CONFIG).then(function () { node.setAttribute("data-loaded", "1"); });
  }

  function drawMap() {
    var node = document.getElementById("deployment-map");
    var config = readJSON("deployment-map-config");
    if (!node || !config || !window.L) { return; }
    var L = window.L;
    var map = L.map(node, { zoomControl: true, attributionControl: false, scrollWheelZoom: false });
    var points = L.featureGroup(config.points.map(function (p) {
      var radius = p.troops ? Math.max(4, Math.sqrt(p.troops) / 2) : 4;
      return L.circleMarker([p.lat, p.lon], {
        radius: radius, color: "#1f5f8b", weight: 1, fillColor: p.troops === null ? "#ffffff" : "#1f5f8b",
        fillOpacity: 0.5
      }).bindTooltip(p.name + (p.troops === null ? "" : ": " + p.troops));
    }));
    fetch(config.countries, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (collection) {
        L.geoJSON(collection, {
          style: { color: "#4a5568", weight: 1, fillColor: "#edf2f7", fillOpacity: 0.6 },
          interactive: false
        }).addTo(map);
        points.addTo(map);
        var bounds = points.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds.pad(0.3)); } else { map.setView([0, 20], 3); }
        node.setAttribute("data-loaded", "1");
      })
      .catch(function () { node.setAttribute("data-loaded", "failed"); });
  }

  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    });
  }

  /* Need against deployment: admin-1 areas shaded by one-sided events, outlined red where no
   * needed unit is; the locations with a needed unit as circles. */
  function drawNeedMap() {
    var node = document.getElementById("need-map");
    var config = readJSON("need-map-config");
    if (!node || !config || !window.L) { return; }
    var L = window.L;
    var map = L.map(node, { zoomControl: true, attributionControl: false, scrollWheelZoom: false });
    var top = Math.max(1, config.max_events);
    var districts = config.level === "admin2";
    Promise.all([fetchJSON(config.countries), fetchJSON(config.admin1)]).then(function (parts) {
      var areas = L.geoJSON(parts[1], {
        filter: function (f) { return f.properties.country === config.country; },
        style: function (f) {
          /* At admin-2 no boundaries ship: prefectures are drawn plain, the sub-prefectures as
           * circles at their centres below. */
          if (districts) { return { color: "#4a5568", weight: 1, fillColor: "#ffffff", fillOpacity: 0.05 }; }
          var a = config.areas[f.properties.code] || { events: 0, covered: true };
          return {
            color: a.covered ? "#4a5568" : "#c53030", weight: a.covered ? 1 : 2.5,
            fillColor: "#b83280", fillOpacity: 0.08 + 0.72 * (a.events / top)
          };
        },
        onEachFeature: function (f, layer) {
          if (districts) { layer.bindTooltip(f.properties.name); return; }
          var a = config.areas[f.properties.code] || { events: 0, covered: true };
          layer.bindTooltip(f.properties.name + ": " + a.events + " " + config.labels.events +
            (a.covered ? "" : " · " + config.labels.none));
        }
      });
      var bounds = areas.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds.pad(0.05)); } else { map.setView([0, 20], 3); }
      L.geoJSON(parts[0], {
        style: { color: "#4a5568", weight: 1, fillColor: "#edf2f7", fillOpacity: 0.6 }, interactive: false
      }).addTo(map);
      areas.addTo(map);
      (config.districts || []).forEach(function (d) {
        L.circleMarker([d.lat, d.lon], {
          radius: 6 + 18 * Math.sqrt(d.events / top), color: d.covered ? "#4a5568" : "#c53030",
          weight: d.covered ? 1 : 2.5, fillColor: "#b83280", fillOpacity: 0.15 + 0.6 * (d.events / top)
        }).bindTooltip(d.name + ": " + d.events + " " + config.labels.events +
          (d.covered ? "" : " · " + config.labels.none)).addTo(map);
      });
      config.points.forEach(function (p) {
        L.circleMarker([p.lat, p.lon], { radius: 5, color: "#1f5f8b", weight: 1, fillColor: "#1f5f8b", fillOpacity: 0.8 })
          .bindTooltip(p.name + ": " + p.capabilities).addTo(map);
      });
      node.setAttribute("data-loaded", "1");
    }).catch(function (error) {
      node.setAttribute("data-loaded", "failed");
      node.setAttribute("data-error", String(error));
    });
  }

  function drawScores() {
    var node = document.getElementById("scores-chart");
    var data = readJSON("scores-chart-data");
    if (!node || !data || !window.Plotly) { return; }
    var traces = data.series.map(function (series, i) {
      return {
        type: "scatter", mode: "lines+markers", name: series.name, x: data.periods, y: series.values,
        line: { width: i === 0 ? 4 : 1.5, shape: "hv" }, connectgaps: false,
        hovertemplate: "%{x}: %{y:.2f}<extra>" + series.name + "</extra>"
      };
    });
    window.Plotly.newPlot(node, traces, {
      height: 380, font: FONT, margin: { l: 56, r: 12, t: 8, b: 48 },
      legend: { orientation: "h", x: 0, y: -0.2 },
      xaxis: { type: "category", title: { text: data.labels.x } },
      yaxis: { title: { text: data.labels.y }, range: [0, 3.05], fixedrange: true }
    }, CONFIG).then(function () { node.setAttribute("data-loaded", "1"); });
  }

  drawTasks();
  drawTroops();
  drawScores();
  drawMap();
  drawNeedMap();
})();
