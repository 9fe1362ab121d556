// The site's service worker, completed by Workbox's injectManifest at build time
// (scripts/kb/offline/build-sw.cjs puts the precache list in place of the manifest marker).
// The Workbox modules are the npm builds copied to _static/workbox/ by the same step.
importScripts("_static/workbox/workbox-sw.js");
workbox.setConfig({ modulePathPrefix: "_static/workbox/", debug: false });
const { precaching, routing, strategies, expiration, core } = workbox;   // loaded now, while installing

// everything a rep needs is stored at install; a new build replaces what changed
precaching.cleanupOutdatedCaches();
precaching.precacheAndRoute(self.__WB_MANIFEST, {
  // search.html?q=太贵 is the stored search.html
  ignoreURLParametersMatching: [/^q$/, /^check_keywords$/, /^area$/, /^utm_/],
});
core.clientsClaim();

// a new build waits until the rep taps 更新 (kb-offline.js sends this message)
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

// pages left out of the precache (trainers' pages; on a large site, what is past the precache
// budget) are kept once visited
routing.registerRoute(
  ({ request }) => request.mode === "navigate",
  new strategies.NetworkFirst({
    cacheName: "kb-pages-visited",
    networkTimeoutSeconds: 4,
    plugins: [new expiration.ExpirationPlugin({ maxEntries: 300 })],
  }),
);
// drill cards past the budget: kept once a drill set was opened, so it can be practised offline
routing.registerRoute(
  ({ url }) => url.pathname.includes("/_static/practice/data/"),
  new strategies.StaleWhileRevalidate({
    cacheName: "kb-drills-visited",
    plugins: [new expiration.ExpirationPlugin({ maxEntries: 200 })],
  }),
);
