/* The forecast layer of the map: admin-1 areas coloured by the chance of any death next month.
 *
 * Self-contained: map.js exposes its Leaflet map as #map.commongroundMap; this script reads the
 * current forecast from #forecast-layer[data-url] (commonground/web/forecasts.py) and the offline
 * boundaries from [data-boundaries]. The forecast's age, and whether it is stale, are shown.
 */
(function () {
  "use strict";

  var holder = document.getElementById("forecast-layer");
  var toggle = document.getElementById("forecast-toggle");
  var statusNode = document.getElementById("forecast-status");
  var mapNode = document.getElementById("map");
  if (!holder || !toggle || !mapNode || !window.L) { return; }
  var layer = null;
  var boundaries = null;
  var SHADES = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];

  function country() {
    var field = document.querySelector("#map-filters [name=country]");
    return (field && field.value) || "CAF";
  }

  function shade(p) {
    return SHADES[Math.min(Math.floor(p * SHADES.length), SHADES.length - 1)];
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }

  function draw(answer) {
    var map = mapNode.commongroundMap;
    if (layer) { map.removeLayer(layer); layer = null; }
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
    statusNode.textContent = answer.model + ", " + answer.data_cut +
      (answer.is_stale ? " — " + answer.labels.stale + ": " + answer.stale_reason : "");
  }

  toggle.addEventListener("change", function () {
    var map = mapNode.commongroundMap;
    if (!toggle.checked) {
      if (layer) { map.removeLayer(layer); layer = null; }
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
