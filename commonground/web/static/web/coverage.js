/* Common Ground coverage page: admin-1 areas coloured by their coverage gap (Leaflet, offline).
 *
 * Reads <script id="coverage-map-data"> (commonground/web/analysis_views.py::coverage_map) and
 * the committed admin-1 boundaries. The ranked table on the page gives the same figures for
 * keyboard and screen-reader users; clicking an area opens its page. The legend is drawn under
 * the map (#coverage-legend), so that it hides no area.
 */
(function () {
  "use strict";

  var node = document.getElementById("coverage-map");
  var source = document.getElementById("coverage-map-data");
  if (!node || !source || !window.L) { return; }
  var L = window.L;
  var config = JSON.parse(source.textContent);
  var labels = config.labels;
  var PALETTE = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];

  function colour(gap) {
    if (!config.max_gap || gap <= 0) { return "#f0f0f0"; }
    var index = Math.min(PALETTE.length - 1, Math.floor((gap / config.max_gap) * (PALETTE.length - 1) + 0.5));
    return PALETTE[index];
  }

  function risk(unit) {
    return config.basis === "forecast"
      ? (100 * unit.risk).toFixed(1) + " %"
      : String(Math.round(unit.risk)) + " " + labels.events;
  }

  /* The legend: one row per shade, with the range of gaps it stands for (colour() rounds the
   * gap's share of the largest gap to the nearest of the palette's steps). */
  function drawLegend() {
    var holder = document.getElementById("coverage-legend");
    if (!holder) { return; }
    var digits = config.basis === "forecast" ? 2 : 1;
    var steps = PALETTE.length - 1;
    var box = document.createElement("div");
    box.className = "map-legend";
    var title = document.createElement("strong");
    title.textContent = labels.legend;
    box.appendChild(title);
    function row(fill, text) {
      var line = document.createElement("div");
      line.className = "legend-row";
      var swatch = document.createElement("span");
      swatch.className = "legend-swatch";
      swatch.style.background = fill;
      line.appendChild(swatch);
      var words = document.createElement("span");
      words.textContent = text;
      line.appendChild(words);
      box.appendChild(line);
    }
    row("#f0f0f0", labels.no_gap);
    if (config.max_gap > 0) {
      PALETTE.forEach(function (fill, k) {
        var low = k === 0 ? 0 : ((k - 0.5) / steps) * config.max_gap;
        var high = k === steps ? config.max_gap : ((k + 0.5) / steps) * config.max_gap;
        row(fill, low.toFixed(digits) + "–" + high.toFixed(digits));
      });
    }
    row("#ffffff", labels.no_data);
    holder.textContent = "";
    holder.appendChild(box);
  }
  drawLegend();

  var map = L.map(node, { zoomSnap: 0.25, zoomControl: true, attributionControl: false, scrollWheelZoom: false });
  fetch(config.admin1, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        filter: function (feature) { return feature.properties.country === config.country; },
        style: function (feature) {
          var unit = config.units[feature.properties.code];
          return { color: "#4a5568", weight: 1, fillOpacity: 0.8, fillColor: unit ? colour(unit.gap) : "#ffffff" };
        },
        onEachFeature: function (feature, shape) {
          var unit = config.units[feature.properties.code];
          var text = feature.properties.name + ": " + (unit
            ? labels.rank + " " + unit.rank + " · " + labels.risk + " " + risk(unit) + " · " +
              labels.protection + ": " + unit.protection + " · " + labels.peacebuilding + ": " + unit.peacebuilding
            : labels.no_data);
          shape.bindTooltip(text, { sticky: true });
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
      var bounds = layer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds.pad(0.05)); }
      node.setAttribute("data-loaded", "1");
    })
    .catch(function () { node.setAttribute("data-loaded", "failed"); });
})();
