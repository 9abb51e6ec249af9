/* The parallel-forces atlas: a world map of host countries shaded by the number of forces and a
 * timeline of the forces by purpose. Leaflet and plotly.js come from installed Python packages;
 * the country outlines from /map/countries.geojson (countryinfo). The filtered data is embedded
 * in the page as <script id="atlas-config"> (see commonground/web/atlas.py); server text goes in
 * with textContent only.
 */
(function () {
  "use strict";

  var configNode = document.getElementById("atlas-config");
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  // Legend colours come as data-colour: the Content-Security-Policy forbids style attributes.
  document.querySelectorAll(".swatch[data-colour]").forEach(function (swatch) {
    swatch.style.background = swatch.getAttribute("data-colour");
  });
  var labels = config.labels;
  var PALETTE = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

  var byCode = {};
  var maxCount = 0;
  config.countries.forEach(function (country) {
    byCode[country.code] = country;
    maxCount = Math.max(maxCount, country.count);
  });

  function colourFor(count) {
    if (!count) { return "#f3f5f7"; }
    if (maxCount <= 1) { return PALETTE[2]; }
    var step = Math.min(PALETTE.length - 1, Math.floor((count - 1) / maxCount * PALETTE.length));
    return PALETTE[step];
  }

  function element(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function showCountry(country) {
    var box = document.getElementById("atlas-country");
    if (!box) { return; }
    box.textContent = "";
    box.appendChild(element("h3", country.name + " — " + country.count + " " + labels.force_count));
    var list = element("ul");
    country.forces.forEach(function (force) {
      var item = element("li");
      var link = element("a", force.name + " (" + force.years + ")");
      link.href = "#atlas-table";
      link.addEventListener("click", function (event) {
        var row = document.querySelector('tr[data-force="' + force.slug + '"]');
        if (row) {
          event.preventDefault();
          row.scrollIntoView({ block: "center" });
          row.style.outline = "3px solid #f2b705";
          window.setTimeout(function () { row.style.outline = ""; }, 2500);
        }
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  // --- The map ----------------------------------------------------------------------------------

  function drawMap() {
    var mapNode = document.getElementById("atlas-map");
    var statusNode = document.getElementById("atlas-map-status");
    if (!mapNode || !window.L) { return; }
    var L = window.L;
    var map = L.map(mapNode, { zoomSnap: 0.25, minZoom: 1, maxZoom: 8, worldCopyJump: true });
    map.attributionControl.setPrefix("Leaflet");
    map.attributionControl.addAttribution("countryinfo");
    map.setView([15, 10], 1.75);
    fetch(config.urls.countries, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (outlines) {
        var layer = L.geoJSON(outlines, {
          style: function (feature) {
            var country = byCode[feature.properties.iso_a3];
            return {
              color: "#8a949e", weight: 0.6, fillOpacity: country ? 0.9 : 0.5,
              fillColor: colourFor(country ? country.count : 0)
            };
          },
          onEachFeature: function (feature, shape) {
            var country = byCode[feature.properties.iso_a3];
            var name = country ? country.name : feature.properties.name;
            var count = country ? country.count : 0;
            shape.bindTooltip(name + ": " + count + " " + labels.force_count, { sticky: true });
            if (country) {
              shape.on("click", function () { showCountry(country); });
            }
          }
        }).addTo(map);
        var shaded = layer.getLayers().filter(function (shape) {
          return byCode[shape.feature.properties.iso_a3];
        });
        if (shaded.length) {
          map.fitBounds(L.featureGroup(shaded).getBounds(), { padding: [10, 10], maxZoom: 4 });
        }
        if (statusNode) {
          statusNode.textContent = config.countries.length ? "" : labels.no_forces;
        }
      })
      .catch(function () {
        if (statusNode) { statusNode.textContent = labels.failed; }
      });

    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "atlas-map-legend");
      box.appendChild(element("strong", labels.legend));
      var seen = {};
      for (var n = 1; n <= maxCount; n += 1) {
        var colour = colourFor(n);
        if (seen[colour]) { seen[colour].hi = n; continue; }
        seen[colour] = { lo: n, hi: n, colour: colour };
      }
      Object.keys(seen).forEach(function (key) {
        var step = seen[key];
        var line = element("div");
        var swatch = element("span");
        swatch.className = "swatch";
        swatch.style.background = step.colour;
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(step.lo === step.hi ? String(step.lo) : step.lo + "–" + step.hi));
        box.appendChild(line);
      });
      return box;
    };
    if (maxCount) { legend.addTo(map); }
  }

  // --- The timeline -----------------------------------------------------------------------------

  function drawTimeline() {
    var node = document.getElementById("atlas-timeline");
    if (!node || !window.Plotly) { return; }
    var data = config.timeline;
    if (!data.order.length) { node.textContent = labels.no_forces; return; }
    var traces = data.traces.map(function (trace) {
      return {
        type: "bar", orientation: "h", name: trace.name,
        y: trace.names, x: trace.lengths, base: trace.starts,
        marker: { color: trace.colour }, text: trace.texts,
        hovertemplate: "%{text}<extra></extra>", textposition: "none"
      };
    });
    var height = Math.max(260, data.order.length * 16 + 120);
    node.style.height = height + "px";
    window.Plotly.react(node, traces, {
      barmode: "overlay", bargap: 0.25, height: height,
      margin: { l: 260, r: 20, t: 10, b: 40 },
      xaxis: { title: { text: labels.year }, dtick: 5, range: [1985, data.this_year + 1] },
      yaxis: {
        categoryorder: "array", categoryarray: data.order.slice().reverse(),
        automargin: true, tickfont: { size: 10 }
      },
      legend: { orientation: "h", y: 1.02, yanchor: "bottom" },
      showlegend: false
    }, { displaylogo: false, responsive: true });
  }

  function start() { drawMap(); drawTimeline(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
