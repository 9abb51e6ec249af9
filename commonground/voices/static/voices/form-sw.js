/* Service worker of one public report form (served at /voices/<org>/<form>/sw.js, so its scope
 * is that form only). It keeps the form page and this site's own static files in a cache, so the
 * form opens with no connection. It never stores a report: reports wait in the page's outbox
 * (offline.js) and are sent by the page. Pages: network first, the cached copy when offline.
 * Static files: the cached copy first (their names carry a content hash). Nothing from another
 * origin is fetched or cached. */
"use strict";

var CACHE = "cg-voices-form-v1";
var SCOPE = self.registration.scope;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.add(SCOPE); })
      .catch(function () { /* offline at install: the page caches itself on the next visit */ })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

/* The page names the files it uses (style sheets, scripts) so that they are kept too. */
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.cache) || [];
  var own = urls.filter(function (url) { return new URL(url, SCOPE).origin === self.location.origin; });
  var reply = event.ports && event.ports[0];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(own.concat([SCOPE]).map(function (url) {
      return cache.match(url).then(function (hit) { return hit || cache.add(url); })
        .catch(function () { return null; });
    }));
  }).then(function () { if (reply) { reply.postMessage("cached"); } }));
});

function fromNetworkThenCache(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || cache.match(request, { ignoreSearch: true }) || cache.match(SCOPE);
      }).then(function (hit) { return hit || cache.match(SCOPE); });
    });
  });
}

function fromCacheThenNetwork(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }  // sends go straight to the network
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" || url.href.indexOf(SCOPE) === 0) {
    event.respondWith(fromNetworkThenCache(request));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fromCacheThenNetwork(request));
  }
});
