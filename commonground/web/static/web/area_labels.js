/* Names of the admin-1 areas on the offline maps (issue 10 §6).
 *
 * From the committed boundaries (mapdata/admin1.geojson): each area's name is placed at the
 * centroid of its largest ring, in a pane of its own above the coloured areas and below the
 * markers, and takes no clicks or hovers. Nothing is fetched: no tiles, no place-name service.
 * Used by map.js, coverage.js and pages.js as window.commongroundAreaLabels(L, map, features).
 */
(function () {
  "use strict";

  function ringArea(ring) {
    var sum = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      sum += (ring[j][0] * ring[i][1]) - (ring[i][0] * ring[j][1]);
    }
    return sum / 2;
  }

  function largestRing(geometry) {
    if (!geometry) { return null; }
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    var best = null;
    polygons.forEach(function (polygon) {
      if (polygon[0] && (!best || Math.abs(ringArea(polygon[0])) > Math.abs(ringArea(best)))) { best = polygon[0]; }
    });
    return best;
  }

  function centroid(ring) {
    var area = ringArea(ring);
    if (!area) { return ring[0]; }
    var x = 0;
    var y = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var cross = (ring[j][0] * ring[i][1]) - (ring[i][0] * ring[j][1]);
      x += (ring[j][0] + ring[i][0]) * cross;
      y += (ring[j][1] + ring[i][1]) * cross;
    }
    return [x / (6 * area), y / (6 * area)];
  }

  window.commongroundAreaLabels = function (L, map, features) {
    if (!map.getPane("area-labels")) {
      var pane = map.createPane("area-labels");
      pane.style.zIndex = 450;
      pane.style.pointerEvents = "none";
    }
    var group = L.layerGroup();
    features.forEach(function (feature) {
      var ring = largestRing(feature.geometry);
      if (!ring || !feature.properties || !feature.properties.name) { return; }
      var point = centroid(ring);
      var text = document.createElement("span");
      text.textContent = feature.properties.name;
      group.addLayer(L.marker([point[1], point[0]], {
        pane: "area-labels",
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: "area-label", html: text, iconSize: [0, 0] })
      }));
    });
    return group.addTo(map);
  };
})();
