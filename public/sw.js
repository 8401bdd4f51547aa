// Callboard's service worker: after one visit, the dashboard, its file reader and everything they
// need open with no network at all. scripts/post_build.py fills in this build's files and a
// version that changes whenever any of them does (their names are content-hashed).
//
// One version at a time: a new deploy installs beside the old one and waits. The page then says
// "A new version is available"; its Reload button asks this worker to take over, and the page
// reloads once it has. Until then every file comes from the old version's cache, so a page never
// mixes two versions.
const VERSION = "__VERSION__";
const FILES = __FILES__;
const CACHE = "callboard-" + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("callboard-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "take-over") {
    self.skipWaiting();
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  // Live usage APIs and anything outside the app stay on the network.
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) {
    return;
  }
  const rest = url.pathname.slice(scope.pathname.length);
  const path = rest === "" || rest === "index.html" ? "./" : rest;
  if (!FILES.includes(path)) {
    return;
  }
  // The dashboard's own files: this version's copy (a link's query string does not matter).
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(path, { ignoreSearch: true }))
      .then((cached) => cached || fetch(request)),
  );
});
