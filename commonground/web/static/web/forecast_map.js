/* The forecast layer of the map: admin-1 areas coloured by the chance of any death next month.
 *
 * Self-contained: map.js exposes its Leaflet map as #map.commongroundMap; this script reads the
 * current forecast from #forecast-layer[data-url] (commonground/web/forecasts.py) and the offline
 * boundaries from [data-boundaries]. The forecast's month, the age of its data, whether it is
 * stale and how reliable it was in its backtest are shown, with a legend of its shades.
 */
(function () {
  "use strict";

  var holder = document.getElementById("forecast-layer");
  var toggle = document.getElementById("forecast-toggle");
  var statusNode = document.getElementById("forecast-status");
  var mapNode = document.getElementById("map");
  if (!holder || !toggle || !mapNode || !window.L) { return; }
  var layer = null;
  var legend = null;
  var boundaries = null;
  var SHADES = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];

  function country() {
    var field = document.querySelector("#map-filters [name=country]");
    return (field && field.value) || "CAF";
  }

  function shade(p) {
    return SHADES[Math.min(Math.floor(p * SHADES.length), SHADES.length - 1)];
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function removeLegend() {
    if (legend) { legend.remove(); legend = null; }
  }

  /* One row per shade: the range of chances it stands for (0-20 %, 20-40 %, ...). Drawn under
   * the map, beside the layer's switch: on the map it hid the south-western prefectures. */
  function addLegend(answer) {
    removeLegend();
    legend = (function () {
      var box = element("div", "map-legend forecast-legend");
      box.id = "forecast-legend";
      box.appendChild(element("strong", "legend-heading", answer.labels.legend));
      var step = 100 / SHADES.length;
      SHADES.forEach(function (colour, k) {
        var row = element("div", "legend-row");
        var swatch = element("span", "legend-swatch");
        swatch.style.background = colour;
        row.appendChild(swatch);
        row.appendChild(element("span", "", Math.round(k * step) + "–" + Math.round((k + 1) * step) + " %"));
        box.appendChild(row);
      });
      if (answer.is_stale) { box.appendChild(element("div", "legend-stale", answer.labels.stale)); }
      return box;
    })();
    holder.appendChild(legend);
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }

  function draw(answer) {
    var map = mapNode.commongroundMap;
    if (layer) { map.removeLayer(layer); layer = null; }
    removeLegend();
    if (!answer.available) { statusNode.textContent = answer.message; return; }
    var byCode = {};
    answer.units.forEach(function (u) { byCode[u.code] = u; });
    layer = window.L.geoJSON(boundaries, {
      filter: function (f) { return !!byCode[f.properties.code]; },
      style: function (f) {
        return { color: "#444", weight: 1, fillOpacity: 0.7, fillColor: shade(byCode[f.properties.code].p_any_death) };
      },
      onEachFeature: function (f, l) {
        var u = byCode[f.properties.code];
        l.bindTooltip(f.properties.name + " " + u.month + ": " + answer.labels.title + " " +
          Math.round(u.p_any_death * 100) + " %, " + answer.labels.deaths + " " + u.deaths_mean.toFixed(1));
      }
    }).addTo(map);
    addLegend(answer);
    statusNode.textContent = answer.summary.join(" ");
  }

  toggle.addEventListener("change", function () {
    var map = mapNode.commongroundMap;
    if (!toggle.checked) {
      if (layer) { map.removeLayer(layer); layer = null; }
      removeLegend();
      statusNode.textContent = "";
      return;
    }
    var wanted = [getJSON(holder.getAttribute("data-url") + "?country=" + encodeURIComponent(country()) + "&step=1")];
    if (!boundaries) { wanted.push(getJSON(holder.getAttribute("data-boundaries"))); }
    Promise.all(wanted).then(function (answers) {
      if (answers[1]) { boundaries = answers[1]; }
      draw(answers[0]);
    }).catch(function () { statusNode.textContent = "…"; });
  });
})();
