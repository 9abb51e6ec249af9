/* Tap the map on the public report form: an optional exact point on the offline base map.
 *
 * Progressive: without this script (or without Leaflet) the latitude and longitude fields stay as
 * they are and the form works. With it, a map appears above them; a tap fills both fields and a
 * second tap moves the point. The server works the district out from the point (voices/places.py).
 * Nothing leaves the page: the base map is this server's country outlines and admin-1 boundaries.
 */
(function () {
  "use strict";

  function start() {
    var configNode = document.getElementById("voices-tap-map-config");
    var latField = document.querySelector(".voices-latitude input");
    var lonField = document.querySelector(".voices-longitude input");
    if (!configNode || !latField || !lonField || typeof window.L === "undefined") { return; }
    var config = JSON.parse(configNode.textContent);
    var L = window.L;

    var box = document.createElement("div");
    box.className = "voices-field voices-tap-map";
    var hint = document.createElement("p");
    hint.textContent = config.labels.hint;
    var mapNode = document.createElement("div");
    mapNode.className = "voices-map";
    mapNode.setAttribute("role", "region");
    mapNode.setAttribute("aria-label", config.labels.map);
    var status = document.createElement("p");
    status.setAttribute("aria-live", "polite");
    var clear = document.createElement("button");
    clear.type = "button";
    clear.textContent = config.labels.clear;
    clear.hidden = true;
    box.appendChild(hint);
    box.appendChild(mapNode);
    box.appendChild(status);
    box.appendChild(clear);
    var latBox = latField.closest(".voices-field");
    latBox.parentNode.insertBefore(box, latBox);

    var map = L.map(mapNode, { zoomSnap: 0.5, minZoom: 3, maxZoom: 16 });
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 18, attribution: new URL(config.tiles).host }).addTo(map);
    }
    map.setView([6.6, 20.9], 5);
    var marker = null;

    function show(lat, lon) {
      if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon]).addTo(map); }
      status.textContent = config.labels.chosen + " (" + lat + ", " + lon + ")";
      clear.hidden = false;
    }

    map.on("click", function (event) {
      var lat = Math.round(event.latlng.lat * 1e5) / 1e5;
      var lon = Math.round(L.Util.wrapNum(event.latlng.lng, [-180, 180], true) * 1e5) / 1e5;
      latField.value = lat;
      lonField.value = lon;
      show(lat, lon);
    });
    clear.addEventListener("click", function () {
      latField.value = "";
      lonField.value = "";
      if (marker) { map.removeLayer(marker); marker = null; }
      status.textContent = "";
      clear.hidden = true;
    });

    /* The countries the form's district list names (codes start with the ISO3 code). */
    var countries = {};
    document.querySelectorAll(".voices-area option").forEach(function (option) {
      if (option.value) { countries[option.value.split(".")[0]] = true; }
    });

    function getJSON(url) {
      return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
    }
    Promise.all([getJSON(config.countries), getJSON(config.admin1)]).then(function (answers) {
      var style = { color: "#777", weight: 1, fillColor: "#f6f3ec", fillOpacity: config.tiles ? 0 : 1 };
      L.geoJSON(answers[0], { style: style, interactive: false }).addTo(map);
      var shown = L.geoJSON(answers[1], {
        style: { color: "#555", weight: 1, fillOpacity: 0 },
        interactive: false,
        filter: function (f) { return !Object.keys(countries).length || countries[f.properties.country]; }
      }).addTo(map);
      if (shown.getLayers().length) { map.fitBounds(shown.getBounds()); }
      if (latField.value && lonField.value) { show(Number(latField.value), Number(lonField.value)); }
    }).catch(function () { /* the fields below still work */ });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
