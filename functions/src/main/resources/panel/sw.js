// gpubox panel's service worker: the page, manifest and icon come from the network when it answers and
// from the last good copy when it does not, so the home-screen app opens (and says "no connection") on a
// flaky phone link. API calls are never touched: they always go to the network, with the key.
"use strict";
const CACHE = "gpubox-panel-v1";

// The page is the worker's own path without the query (…/v1/ or /), whichever way it was opened.
const PAGE = self.location.pathname;

self.addEventListener("install", event => event.waitUntil(caches.open(CACHE)
    .then(cache => cache.addAll([PAGE, PAGE + "?asset=manifest", PAGE + "?asset=icon"]))
    .then(() => self.skipWaiting())));
self.addEventListener("activate", event => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", event => {
  const request = event.request;
  const url = new URL(request.url);
  const isPanel = request.method === "GET" && url.origin === self.location.origin
      && (request.mode === "navigate" || url.searchParams.has("asset"));
  if (!isPanel) return;
  event.respondWith(fetch(request).then(response => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then(cache => cache.put(request, copy));
    }
    return response;
  }).catch(() => caches.match(request, { ignoreSearch: request.mode === "navigate" })
      .then(cached => cached || Response.error())));
});
