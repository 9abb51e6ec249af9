/* Common Ground maps and timelines.
 *
 * Leaflet (django-leaflet) draws the map on an offline base: country outlines and admin-1
 * boundaries served by this app; Leaflet.markercluster groups the points; plotly.js draws the
 * monthly timeline and its range control. All three come from installed Python packages.
 *
 * Settings come from <script id="map-config"> (see commonground/web/maps.py). On the map page
 * every filter lives in the form #map-filters and in the address bar, so a view is a link; on
 * the overview the filters are in the map's data-query and moving the range reloads the page.
 * Text from the server goes in with textContent, except the popups and summary, which are HTML
 * rendered (and escaped) by Django templates.
 */
(function () {
  "use strict";

  var configNode = document.getElementById("map-config");
  var mapNode = document.getElementById("map");
  if (!configNode || !mapNode || !window.L) {
    return;
  }
  var L = window.L;
  var config = JSON.parse(configNode.textContent);
  var labels = config.labels;
  var form = document.getElementById("map-filters");
  var statusNode = document.getElementById("map-status");
  var timelineNode = document.getElementById("timeline");

  var PALETTE = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];
  // Presence in three groups, drawn as diamonds (events are dots): forces, civilians, other.
  var PRESENCE_GROUPS = {
    UN_mission: "forces", regional_force: "forces", parallel_force: "forces",
    national_forces: "forces", police: "forces", humanitarian: "civilian",
    peacebuilder: "civilian", local_peace_committee: "civilian", other: "other"
  };
  var PRESENCE_COLOURS = { forces: "#1a365d", civilian: "#2f855a", other: "#718096" };
  var DATE_PARAMS = ["date_from", "date_to"];

  // --- State ------------------------------------------------------------------------------------

  var base = { countries: null, admin1: null };
  var layers = { countries: null, admin1: null, points: null, grid: null, presence: null, hotspots: null };
  var legend = null;
  var request = 0;            // ignores answers to requests that a newer one replaced
  var fittedCountry = null;   // the map is refitted only when the country changes
  var dataFitted = false;     // with no country, the map is framed on the data once
  var timelineKey = null;     // the timeline is reloaded only when a filter other than dates changes
  var settingRange = false;   // the timeline's own relayout events while we set its range

  // --- Small helpers ----------------------------------------------------------------------------

  function params() {
    if (form) {
      var data = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (String(value).trim() !== "") { data.append(name, String(value).trim()); }
      });
      return data;
    }
    return new URLSearchParams(mapNode.getAttribute("data-query") || "");
  }

  function view() {
    if (!form) { return mapNode.getAttribute("data-view") || "areas"; }
    var checked = form.querySelector("input[name=view]:checked");
    return checked ? checked.value : "points";
  }

  function showPresence() {
    var box = form && form.querySelector("input[name=presence]");
    return Boolean(box && box.checked);
  }

  // An area page opened from the map is read for the map's period (its dates only).
  function areaAddress(code) {
    var query = params();
    var period = new URLSearchParams();
    DATE_PARAMS.forEach(function (name) {
      if (query.get(name)) { period.set(name, query.get(name)); }
    });
    var text = period.toString();
    return config.urls.area.replace("{code}", encodeURIComponent(code)) + (text ? "?" + text : "");
  }

  function withoutDates(query) {
    var copy = new URLSearchParams(query);
    DATE_PARAMS.forEach(function (name) { copy.delete(name); });
    ["view", "presence", "hotspots"].forEach(function (name) { copy.delete(name); });
    return copy;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status + " " + url); }
        return response.json();
      });
  }

  function getText(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(response.status + " " + url); }
      return response.text();
    });
  }

  function status(text) {
    if (statusNode) { statusNode.textContent = text || ""; }
  }

  function number(value) {
    return Number(value).toLocaleString(document.documentElement.lang || undefined);
  }

  /** Up to five class breaks between 1 and max, rounded to 1, 2 or 5 times a power of ten. */
  function breaks(max) {
    if (max <= 0) { return []; }
    if (max <= 5) {
      var small = [];
      for (var i = 1; i <= max; i++) { small.push(i); }
      return small;
    }
    var found = [1];
    for (var step = 1; step < 5; step++) {
      var raw = Math.pow(max, step / 5);
      var power = Math.pow(10, Math.floor(Math.log10(raw)));
      var nice = [1, 2, 5, 10].map(function (m) { return m * power; })
        .reduce(function (a, b) { return Math.abs(b - raw) < Math.abs(a - raw) ? b : a; });
      if (nice > found[found.length - 1] && nice <= max) { found.push(nice); }
    }
    return found;
  }

  function colourFor(value, classes) {
    var colour = null;
    classes.forEach(function (lower, index) {
      if (value >= lower) { colour = PALETTE[Math.min(index + PALETTE.length - classes.length, PALETTE.length - 1)]; }
    });
    return colour;
  }

  /** A marker's coloured dot, styled through the DOM: the CSP forbids style attributes. */
  function colouredSpan(colour) {
    var span = document.createElement("span");
    span.style.background = colour;
    return span;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // --- The map and its offline base -------------------------------------------------------------

  var map = L.map(mapNode, { zoomSnap: 0.25, minZoom: 2, maxZoom: 14, worldCopyJump: true });
  mapNode.commongroundMap = map;  // extra layers (web/forecast_map.js) draw on the same map
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Natural Earth, countryinfo");
  map.setView([6.6, 20.9], 5.5);
  map.createPane("outlines").style.zIndex = 250;
  map.createPane("areas").style.zIndex = 350;
  map.createPane("cells").style.zIndex = 360;
  map.createPane("hotspots").style.zIndex = 370;
  if (config.tiles) {
    L.tileLayer(config.tiles, { maxZoom: 18, attribution: new URL(config.tiles).host }).addTo(map);
    mapNode.classList.add("with-tiles");
  }

  function selectedCountry() {
    return params().get("country") || "";
  }

  /* The names of the chosen country's admin-1 areas (web/area_labels.js), none for the world. */
  function drawAreaLabels(country) {
    if (layers.labels) { map.removeLayer(layers.labels); layers.labels = null; }
    if (!country || !window.commongroundAreaLabels) { return; }
    layers.labels = window.commongroundAreaLabels(L, map, base.admin1.features.filter(function (f) {
      return f.properties.country === country;
    }));
  }

  function drawCountries() {
    var country = selectedCountry();
    if (layers.countries) { map.removeLayer(layers.countries); }
    layers.countries = L.geoJSON(base.countries, {
      pane: "outlines",
      interactive: false,
      style: function (feature) {
        var chosen = !country || feature.properties.iso_a3 === country;
        return {
          color: "#7a7a7a", weight: chosen && country ? 1.6 : 0.7,
          fillColor: chosen ? "#f6f3ec" : "#e9e6df", fillOpacity: config.tiles ? 0 : 1
        };
      }
    }).addTo(map);
  }

  function fitCountry(force) {
    var country = selectedCountry();
    if (!base.countries || (!force && country === fittedCountry)) { return; }
    fittedCountry = country;
    dataFitted = false;
    if (!country) { return; }
    var bounds = null;
    base.countries.features.forEach(function (feature) {
      if (feature.properties.iso_a3 === country) {
        var b = L.geoJSON(feature).getBounds();
        bounds = bounds ? bounds.extend(b) : b;
      }
    });
    if (bounds) { map.fitBounds(bounds, { padding: [10, 10] }); }
  }

  function loadBase() {
    return Promise.all([getJSON(config.urls.countries), getJSON(config.urls.admin1)])
      .then(function (answers) {
        base.countries = answers[0];
        base.admin1 = answers[1];
        drawCountries();
        fitCountry(true);
      });
  }

  // --- Legend -----------------------------------------------------------------------------------

  var legendParts = { title: "", rows: [] };

  function setLegend(title, rows) {
    legendParts = { title: title, rows: rows };
    drawLegend();
  }

  /* The legend is drawn on the map, except where a node #map-legend-outside waits for it (the
   * overview's small map, where a legend on the map hid the eastern prefectures). */
  function drawLegend() {
    var title = legendParts.title;
    var rows = legendParts.rows;
    var outside = document.getElementById("map-legend-outside");
    if (legend) { map.removeControl(legend); legend = null; }
    if (outside) { outside.textContent = ""; }
    var presenceRows = layers.presence ? ["forces", "civilian", "other"].map(function (group) {
      return { colour: PRESENCE_COLOURS[group], label: labels["presence_" + group], diamond: true };
    }) : [];
    presenceRows = presenceRows.concat(hotspotRows());
    if (!rows.length && !presenceRows.length) { return; }
    function build() {
      var box = element("div", "map-legend");
      if (rows.length) { box.appendChild(element("strong", null, title)); }
      if (presenceRows.length) {
        rows = rows.concat(layers.presence ? [{ heading: presenceHeading || labels.presence }] : [], presenceRows);
      }
      rows.forEach(function (row) {
        if (row.heading) { box.appendChild(element("strong", "legend-heading", row.heading)); return; }
        var line = element("div", "legend-row");
        var swatch = element("span", "legend-swatch" + (row.round ? " round" : "") + (row.diamond ? " diamond" : ""));
        swatch.style.background = row.colour;
        line.appendChild(swatch);
        line.appendChild(element("span", null, row.label));
        box.appendChild(line);
      });
      return box;
    }
    if (outside) { outside.appendChild(build()); return; }
    legend = L.control({ position: "bottomright" });
    legend.onAdd = build;
    legend.addTo(map);
  }

  function classRows(classes, max) {
    return classes.map(function (lower, index) {
      var upper = index + 1 < classes.length ? classes[index + 1] - 1 : max;
      var label = lower === upper ? number(lower) : number(lower) + "–" + number(upper);
      return { colour: colourFor(lower, classes), label: label };
    });
  }

  // --- The three ways to draw events ------------------------------------------------------------

  function clearEvents() {
    ["points", "grid"].forEach(function (name) {
      if (layers[name]) { map.removeLayer(layers[name]); layers[name] = null; }
    });
  }

  function drawAdmin1(rows) {
    var byCode = {};
    (rows || []).forEach(function (row) { byCode[row.code] = row; });
    var joined = {};
    var choropleth = rows !== null;
    var values = (rows || []).map(function (row) { return row.events; });
    var max = values.length ? Math.max.apply(null, values) : 0;
    var classes = breaks(max);
    var country = selectedCountry();

    function rowFor(p) {
      var row = byCode[p.code] || null;
      for (var i = 0; !row && i < p.aliases.length; i++) { row = byCode[p.aliases[i]] || null; }
      return row;
    }

    if (layers.admin1) { map.removeLayer(layers.admin1); }
    layers.admin1 = L.geoJSON(base.admin1, {
      pane: "areas",
      interactive: choropleth,
      filter: function (feature) { return !country || feature.properties.country === country; },
      style: function (feature) {
        var row = choropleth ? rowFor(feature.properties) : null;
        return {
          color: "#8d8579", weight: 0.8, fill: choropleth,
          fillOpacity: row ? 0.8 : 0.15, fillColor: row ? colourFor(row.events, classes) : "#ffffff"
        };
      },
      onEachFeature: function (feature, layer) {
        if (!choropleth) { return; }
        var p = feature.properties;
        var row = rowFor(p);
        if (row) { joined[row.code] = true; }
        var text = row
          ? row.name + ": " + number(row.events) + " " + labels.events.toLowerCase() + ", " +
            number(row.deaths) + " " + labels.deaths.toLowerCase() + " (" +
            number(row.civilian_deaths) + " " + labels.civilian_deaths.toLowerCase() + ") — " +
            labels.open_area
          : p.name + ": " + labels.no_events;
        layer.bindTooltip(text, { sticky: true });
        if (row) {
          layer.on("click", function () {
            window.location.href = areaAddress(row.code);
          });
        }
      }
    }).addTo(map);
    drawAreaLabels(country);
    if (!choropleth) { return []; }
    setLegend(labels.legend_areas, classRows(classes, max));
    return (rows || []).filter(function (row) { return !joined[row.code]; });
  }

  function drawPoints(collection) {
    var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45 });
    var markers = collection.features.map(function (feature) {
      var p = feature.properties;
      var colour = config.colours[p.violence_type] || "#333333";
      var marker = L.marker([feature.geometry.coordinates[1], feature.geometry.coordinates[0]], {
        keyboard: true,
        title: p.date + " · " + (labels.violence_types[p.violence_type] || p.violence_type) +
          " · " + number(p.deaths) + " " + labels.deaths.toLowerCase(),
        icon: L.divIcon({
          className: "event-marker",
          html: colouredSpan(colour),
          iconSize: [14, 14]
        })
      });
      marker.bindPopup(labels.loading, { maxWidth: 340 });
      marker.on("popupopen", function (event) {
        getText(config.urls.event.replace("{id}", String(feature.id)))
          .then(function (html) { event.popup.setContent(html); })
          .catch(function () { event.popup.setContent(labels.failed); });
      });
      return marker;
    });
    cluster.addLayers(markers);
    layers.points = cluster.addTo(map);
    var seen = {};
    collection.features.forEach(function (f) { seen[f.properties.violence_type] = true; });
    setLegend(labels.legend_points, Object.keys(config.colours).filter(function (k) { return seen[k]; })
      .map(function (k) { return { colour: config.colours[k], label: labels.violence_types[k], round: true }; }));
  }

  function drawGrid(answer) {
    var values = answer.cells.map(function (cell) { return cell.events; });
    var max = values.length ? Math.max.apply(null, values) : 0;
    var classes = breaks(max);
    var half = answer.size / 2;
    var group = L.layerGroup();
    answer.cells.forEach(function (cell) {
      var square = L.rectangle([[cell.lat - half, cell.lon - half], [cell.lat + half, cell.lon + half]], {
        pane: "cells", weight: 0.5, color: "#6b6b6b", fillOpacity: 0.8,
        fillColor: colourFor(cell.events, classes)
      });
      square.bindTooltip(labels.cell + " " + cell.gid + ": " + number(cell.events) + " " +
        labels.events.toLowerCase() + ", " + number(cell.deaths) + " " + labels.deaths.toLowerCase() +
        " (" + number(cell.civilian_deaths) + " " + labels.civilian_deaths.toLowerCase() + ")", { sticky: true });
      group.addLayer(square);
    });
    layers.grid = group.addTo(map);
    setLegend(labels.legend_grid, classRows(classes, max));
  }

  var presenceHeading = "";

  function drawPresence(collection) {
    if (layers.presence) { map.removeLayer(layers.presence); layers.presence = null; }
    if (!collection) { return; }
    presenceHeading = collection.heading || "";
    var group = L.layerGroup();
    collection.features.forEach(function (feature) {
      var p = feature.properties;
      var marker = L.marker([feature.geometry.coordinates[1], feature.geometry.coordinates[0]], {
        keyboard: true,
        title: p.organization + " · " + p.kind_label,
        icon: L.divIcon({
          className: "presence-marker",
          html: colouredSpan(PRESENCE_COLOURS[PRESENCE_GROUPS[p.kind] || "other"]),
          iconSize: [12, 12]
        })
      });
      var box = element("div", "map-popup");
      box.appendChild(element("p", "popup-title", p.name && p.name !== p.organization ? p.organization + " (" + p.name + ")" : p.organization));
      var fields = element("dl", "popup-fields");
      [[labels.kind, p.kind_label], [labels.presence_type, p.presence_type], [labels.place, p.place],
        [labels.period, (p.start || "?") + " – " + (p.end_label || p.end || "…")], [labels.operation, p.operation]]
        .forEach(function (pair) {
          if (!pair[1]) { return; }
          fields.appendChild(element("dt", null, pair[0]));
          fields.appendChild(element("dd", null, pair[1]));
        });
      box.appendChild(fields);
      if (p.source_url && /^https?:\/\//.test(p.source_url)) {
        var link = element("a", null, labels.source);
        link.href = p.source_url;
        link.rel = "noopener noreferrer";
        box.appendChild(element("p")).appendChild(link);
      }
      marker.bindPopup(box, { maxWidth: 320 });
      group.addLayer(marker);
    });
    layers.presence = group.addTo(map);
  }

  // --- Hot spots (Gi*), from /map/data/hotspots.json (commonground/web/analysis_views.py) ------

  var HOTSPOT_COLOURS = {
    // Purples and blues, apart from the yellow-to-red of the event counts beneath them.
    emerging: "#c51b7d", persistent: "#40004b", recurring: "#9970ab",
    cooling: "#2166ac", former: "#92c5de"
  };

  function hotspotBox() {
    return form && form.querySelector("input[name=hotspots]");
  }

  function hotspotLabel(category) {
    var node = document.querySelector("#hotspot-categories [data-category=" + category + "] strong");
    return node ? node.textContent : category;
  }

  function hotspotRows() {
    if (!layers.hotspots) { return []; }
    var seen = layers.hotspots.categories;
    var rows = Object.keys(HOTSPOT_COLOURS).filter(function (c) { return seen[c]; }).map(function (c) {
      return { colour: HOTSPOT_COLOURS[c], label: hotspotLabel(c) };
    });
    return rows.length ? [{ heading: layers.hotspots.title }].concat(rows) : [];
  }

  function drawHotspots(answer) {
    if (layers.hotspots) { map.removeLayer(layers.hotspots.group); layers.hotspots = null; }
    if (!answer) { return ""; }
    if (answer.message) { return answer.message; }
    var group = L.layerGroup();
    var seen = {};
    var half = answer.size / 2;
    answer.cells.forEach(function (cell) {
      seen[cell.category] = true;
      var square = L.rectangle([[cell.lat - half, cell.lon - half], [cell.lat + half, cell.lon + half]], {
        pane: "hotspots", weight: 3, color: HOTSPOT_COLOURS[cell.category] || "#333333",
        fillColor: HOTSPOT_COLOURS[cell.category] || "#333333", fillOpacity: 0.15
      });
      square.bindTooltip(labels.cell + " " + cell.gid + ": " + hotspotLabel(cell.category) + " — " +
        answer.figure_label + ": " + cell.counts.map(number).join(", "), { sticky: true });
      group.addLayer(square);
    });
    layers.hotspots = { group: group.addTo(map), categories: seen, title: answer.title };
    var found = Object.keys(HOTSPOT_COLOURS).filter(function (c) { return answer.summary[c]; })
      .map(function (c) { return hotspotLabel(c) + " " + number(answer.summary[c]); });
    return answer.title + " — " + (found.length ? found.join(", ") : answer.empty);
  }

  /** With no country chosen, the first drawing is framed on the data. */
  function fitData() {
    if (dataFitted || selectedCountry()) { return; }
    var bounds = null;
    [layers.points, layers.grid].forEach(function (layer) {
      if (layer && layer.getLayers().length) {
        var b = layer.getBounds ? layer.getBounds() : L.featureGroup(layer.getLayers()).getBounds();
        bounds = bounds ? bounds.extend(b) : b;
      }
    });
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 8 });
      dataFitted = true;
    }
  }

  // --- Loading what the filters select ----------------------------------------------------------

  function updateAddress(query) {
    if (!form) { return; }
    var text = query.toString();
    window.history.replaceState(null, "", window.location.pathname + (text ? "?" + text : ""));
  }

  function updateSummary(query, token) {
    if (!config.urls.summary || !document.getElementById("map-count") || !form) { return; }
    getText(config.urls.summary + "?" + query.toString()).then(function (html) {
      if (token !== request) { return; }
      var template = document.createElement("template");
      template.innerHTML = html;
      ["map-count", "map-areas"].forEach(function (id) {
        var fresh = template.content.getElementById(id);
        var current = document.getElementById(id);
        if (fresh && current) { current.innerHTML = fresh.innerHTML; }
      });
    }).catch(function () { status(labels.failed); });
  }

  function refresh() {
    var query = params();
    var token = ++request;
    var how = view();
    updateAddress(query);
    drawCountries();
    fitCountry(false);
    status(labels.loading);
    var wanted = [];
    if (how === "points") { wanted.push(getJSON(config.urls.events + "?" + query)); }
    if (how === "areas") { wanted.push(getJSON(config.urls.areas + "?" + query)); }
    if (how === "grid") { wanted.push(getJSON(config.urls.grid + "?" + query)); }
    wanted.push(showPresence() ? getJSON(config.urls.presence + "?" + query) : Promise.resolve(null));
    var hotspots = hotspotBox();
    wanted.push(hotspots && hotspots.checked ? getJSON(hotspots.getAttribute("data-url") + "?" + query) : Promise.resolve(null));
    updateSummary(query, token);
    updateTimeline(query);
    return Promise.all(wanted).then(function (answers) {
      if (token !== request) { return; }
      clearEvents();
      var missing = drawAdmin1(how === "areas" ? answers[0].areas : null);
      if (how === "points") { drawPoints(answers[0]); }
      if (how === "grid") { drawGrid(answers[0]); }
      drawPresence(answers[1]);
      var hotspotStatus = drawHotspots(answers[2]);
      drawLegend();
      fitData();
      status([missing.length ? missing.map(function (row) { return row.name; }).join(", ") + ": " + labels.no_boundary : "", hotspotStatus]
        .filter(Boolean).join(" · "));
      mapNode.setAttribute("data-loaded", String(token));
    }).catch(function () {
      if (token === request) { status(labels.failed); }
    });
  }

  // --- The timeline and its range control -------------------------------------------------------

  function monthStart(text) {
    var day = new Date(String(text).slice(0, 10) + "T00:00:00Z");
    if (day.getUTCDate() > 15) { day = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 1)); }
    return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1));
  }

  function iso(date) {
    return date.toISOString().slice(0, 10);
  }

  /** The whole months a dragged range covers, as [first day, last day]. */
  function snapped(range) {
    var start = monthStart(range[0]);
    var end = monthStart(range[1]);
    if (end <= start) { end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)); }
    return [iso(start), iso(new Date(end.getTime() - 86400000))];
  }

  function chartRange(query, data) {
    var from = query.get("date_from");
    var to = query.get("date_to");
    if (!from && !to) { return null; }
    var first = data.months.length ? data.months[0] : "1989-01-01";
    var last = data.months.length ? data.months[data.months.length - 1] : iso(new Date());
    var end = to ? new Date(new Date(to + "T00:00:00Z").getTime() + 86400000) : new Date(last + "T00:00:00Z");
    return [from || first, iso(end)];
  }

  /** Value axes that fit the months in view (plotly would scale them to the whole series). */
  function valueRanges(data, range) {
    var events = 0;
    var deaths = 0;
    data.months.forEach(function (month, i) {
      if (range && (month < String(range[0]).slice(0, 7) + "-01" || month > String(range[1]).slice(0, 10))) { return; }
      events = Math.max(events, data.events[i]);
      deaths = Math.max(deaths, data.deaths[i]);
    });
    return { "yaxis.range": [0, Math.max(events, 1) * 1.08], "yaxis2.range": [0, Math.max(deaths, 1) * 1.08] };
  }

  function drawTimeline(data, range) {
    if (!timelineNode || !window.Plotly) { return; }
    var other = data.deaths.map(function (d, i) { return d - data.civilian_deaths[i]; });
    var common = { type: "bar", x: data.months, xperiod: "M1", xperiodalignment: "middle" };
    var traces = [
      Object.assign({ y: data.events, name: labels.events, marker: { color: "#1f5f8b" }, yaxis: "y",
        hovertemplate: "%{x|%Y-%m}: %{y}<extra>" + labels.events + "</extra>" }, common),
      Object.assign({ y: data.civilian_deaths, name: labels.civilian_deaths, marker: { color: "#d95f02" }, yaxis: "y2",
        hovertemplate: "%{x|%Y-%m}: %{y}<extra>" + labels.civilian_deaths + "</extra>" }, common),
      Object.assign({ y: other, name: labels.other_deaths, marker: { color: "#9aa5b1" }, yaxis: "y2",
        hovertemplate: "%{x|%Y-%m}: %{y}<extra>" + labels.other_deaths + "</extra>" }, common)
    ];
    var layout = {
      barmode: "stack", bargap: 0.1, height: 380,
      margin: { l: 56, r: 12, t: 8, b: 8 },
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif", size: 12 },
      legend: { orientation: "h", x: 0, y: 1.1 },
      xaxis: {
        type: "date", anchor: "y2", rangeslider: { visible: true, thickness: 0.14 },
        // Numbers only: plotly.js ships English month names, and the page may be in French.
        tickformatstops: [
          { dtickrange: [null, "M12"], value: "%Y-%m" },
          { dtickrange: ["M12", null], value: "%Y" }
        ]
      },
      yaxis: { domain: [0.56, 1], title: { text: labels.events }, fixedrange: true },
      yaxis2: { domain: [0, 0.48], title: { text: labels.deaths }, fixedrange: true }
    };
    if (range) { layout.xaxis.range = range; } else { layout.xaxis.autorange = true; }
    var fitted = valueRanges(data, range);
    layout.yaxis.range = fitted["yaxis.range"];
    layout.yaxis2.range = fitted["yaxis2.range"];
    settingRange = true;
    window.Plotly.react(timelineNode, traces, layout, {
      displaylogo: false, responsive: true,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"]
    }).then(function () { settingRange = false; });
    if (!timelineNode.dataset.listening) {
      timelineNode.dataset.listening = "1";
      timelineNode.on("plotly_relayout", onRangeMoved);
    }
  }

  var rangeTimer = null;
  function onRangeMoved(change) {
    if (settingRange) { return; }
    var range = change["xaxis.range"] ||
      (change["xaxis.range[0]"] !== undefined ? [change["xaxis.range[0]"], change["xaxis.range[1]"]] : null);
    var whole = Boolean(change["xaxis.autorange"]);
    if (!range && !whole) { return; }
    var dates = range ? snapped(range) : ["", ""];
    window.clearTimeout(rangeTimer);
    rangeTimer = window.setTimeout(function () { setPeriod(dates[0], dates[1]); }, 300);
  }

  function setPeriod(from, to) {
    if (form) {
      form.elements.date_from.value = from;
      form.elements.date_to.value = to;
      refresh();
      return;
    }
    var query = new URLSearchParams(mapNode.getAttribute("data-query") || "");
    var target = new URLSearchParams();
    if (query.get("country")) { target.set("country", query.get("country")); }
    if (from) { target.set("date_from", from); }
    if (to) { target.set("date_to", to); }
    window.location.search = target.toString();
  }

  var timelineData = null;
  function updateTimeline(query) {
    if (!timelineNode) { return; }
    var embedded = document.getElementById("timeline-data");
    if (embedded) {
      if (!timelineData) {
        timelineData = JSON.parse(embedded.textContent);
        drawTimeline(timelineData, timelineData.range ? [timelineData.range[0], iso(new Date(new Date(timelineData.range[1] + "T00:00:00Z").getTime() + 86400000))] : null);
      }
      return;
    }
    var key = withoutDates(query).toString();
    if (key === timelineKey && timelineData) {
      var range = chartRange(query, timelineData);
      settingRange = true;
      var update = valueRanges(timelineData, range);
      if (range) { update["xaxis.range"] = range; } else { update["xaxis.autorange"] = true; }
      window.Plotly.relayout(timelineNode, update).then(function () { settingRange = false; });
      return;
    }
    timelineKey = key;
    getJSON(config.urls.timeline + "?" + key).then(function (data) {
      timelineData = data;
      drawTimeline(data, chartRange(query, data));
    }).catch(function () { status(labels.failed); });
  }

  // --- Wiring -----------------------------------------------------------------------------------

  if (form) {
    var typing = null;
    form.addEventListener("submit", function (event) { event.preventDefault(); refresh(); });
    form.addEventListener("change", function () { refresh(); });
    form.addEventListener("input", function (event) {
      if (event.target.type !== "text" && event.target.type !== "number") { return; }
      window.clearTimeout(typing);
      typing = window.setTimeout(refresh, 500);
    });
  }

  loadBase().then(refresh).catch(function () { status(labels.failed); });
})();
