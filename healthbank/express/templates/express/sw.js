// NHI Express service worker: keeps the app's shell (page, script, styles, icons, jsQR) for
// offline starts. It never answers for anything else: /api/ and every personal response go
// to the network untouched and are never stored here.
"use strict";

const CACHE = "{{ cache_name }}";
const SHELL = {{ shell_json }};
// In the person's language: from the network first, the cached copy when offline.
const FRESH = {{ fresh_json }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

// A new version removes the shells of older ones.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("express-shell-") && key !== CACHE)
          .map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (FRESH.includes(url.pathname)) {
    const key = url.pathname;
    event.respondWith(
      fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(key, copy));
        }
        return response;
      }).catch(() => caches.match(key))
    );
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
  // Anything else: not answered here, so the browser goes to the network as usual.
});
