/**
 * The service worker that makes the built site work offline after the first visit. The build
 * (scripts/service-worker.mjs) writes it to dist/sw.js with the list of every built file and a
 * version that changes whenever any file does. Not used by `npm run dev`.
 *
 * - install: caches every file of this version (the app, each lab's chunks, the worker, previews).
 * - activate: deletes the caches of older versions and takes control of open pages.
 * - fetch (GET, same origin, inside the scope): pages are fetched from the network first, so a
 *   new version is picked up when online, and fall back to the cached index.html offline (routes
 *   live in the hash, so one document serves them all). Everything else is served from the cache
 *   first (built files have content hashes in their names) and cached when fetched.
 */
/* global self, caches, fetch, URL, Response */
const VERSION = '__SDL_VERSION__';
const PRECACHE = /** @type {string[]} */ (JSON.parse('__SDL_PRECACHE__'));
const CACHE = `sdl-${VERSION}`;
const SCOPE = new URL('./', self.location.href).href;
const INDEX = new URL('./index.html', SCOPE).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((path) => new URL(path, SCOPE).href)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith('sdl-') && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            void caches.open(CACHE).then((cache) => cache.put(INDEX, copy));
          }
          return response;
        })
        .catch(() =>
          caches.match(INDEX).then(
            (cached) =>
              cached ??
              new Response('System Design Lab is offline and this page was never cached.', {
                status: 503,
                headers: { 'Content-Type': 'text/plain; charset=utf-8' },
              }),
          ),
        ),
    );
    return;
  }
  const url = new URL(request.url);
  url.search = '';
  event.respondWith(
    caches.match(url.href).then(
      (cached) =>
        cached ??
        fetch(request).then((response) => {
          if (response.ok && response.type === 'basic') {
            const copy = response.clone();
            void caches.open(CACHE).then((cache) => cache.put(url.href, copy));
          }
          return response;
        }),
    ),
  );
});
