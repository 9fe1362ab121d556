// Builds the site's service worker with Workbox (workbox-build, pinned in package-lock.json):
// injectManifest puts the precache list (file + revision hash) into sw-template.js.
// Usage: node build-sw.cjs CONFIG.json — CONFIG holds the file options, written by
// offline/__init__.py. Prints one JSON line: {count, size, warnings}.
"use strict";
const fs = require("fs");
const path = require("path");
const { injectManifest } = require("workbox-build");

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
injectManifest({ ...config, swSrc: path.join(__dirname, "sw-template.js") })
  .then(({ count, size, warnings }) => process.stdout.write(JSON.stringify({ count, size, warnings }) + "\n"))
  .catch((error) => {
    process.stderr.write(String((error && error.stack) || error) + "\n");
    process.exit(1);
  });
