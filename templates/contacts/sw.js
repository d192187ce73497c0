// Entr'Actes service worker: keeps the round sheet's static files only. Pages always
// come from the network; offline, a round sheet's address gets a bare shell (no record)
// in which round-sheet.js shows the sheet kept on the phone (localStorage).
"use strict";
const CACHE = "{{ cache }}";
const ASSETS = {{ assets|safe }};
const STATIC = {{ static_prefix|safe }};
const SHELL = {{ shell|safe }};
const SHEET = /^\/terrain\/sessions\/\d+\/feuille\/$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("entractes-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.startsWith(STATIC)) {
    // Static files: the kept copy, else the network (kept copies are only of ASSETS).
    event.respondWith(caches.open(CACHE).then((cache) => cache.match(request).then((hit) => hit || fetch(request))));
    return;
  }
  if (request.mode === "navigate" && SHEET.test(url.pathname)) {
    // Network first; without network, the shell (never a copy of a page).
    event.respondWith(fetch(request).catch(() => new Response(SHELL, {
      headers: { "Content-Type": "text/html; charset=utf-8" },
    })));
  }
});
