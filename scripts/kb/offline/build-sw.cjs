// Builds the site's service worker with Workbox (workbox-build, pinned in package-lock.json):
// injectManifest puts the precache list (file + revision hash) into sw-template.js.
// Usage: node build-sw.cjs CONFIG.json — CONFIG holds the file options, written by
// offline/__init__.py, and kbBudget/kbTiers: the precache keeps the first tier and then, tier by
// tier in address order, files until the next would pass the budget (the rest is cached when
// first opened); kbSkip: addresses left out (pages that only forward to a new address: a set,
// as a glob ignore list of thousands of names would be matched against every file).
// Prints one JSON line: {count, size, warnings, laterCount, laterSize}.
"use strict";
const fs = require("fs");
const path = require("path");
const { injectManifest } = require("workbox-build");

const { kbBudget, kbTiers, kbSkip, ...config } = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const skipped = new Set(kbSkip || []);
const tiers = kbTiers.map((patterns) => patterns.map((pattern) => new RegExp(pattern)));
const later = { count: 0, size: 0 };

function tierOf(url) {
  const found = tiers.findIndex((patterns) => patterns.some((pattern) => pattern.test(url)));
  return found === -1 ? tiers.length : found;
}

function withinBudget(entries) {
  const ordered = entries.filter((entry) => !skipped.has(entry.url)).map((entry) => ({ entry, tier: tierOf(entry.url) }))
    .sort((a, b) => a.tier - b.tier || (a.entry.url < b.entry.url ? -1 : a.entry.url > b.entry.url ? 1 : 0));
  const kept = [];
  let total = 0;
  let full = false;
  for (const { entry, tier } of ordered) {
    full = full || (tier > 0 && total + entry.size > kbBudget);
    if (full) {
      later.count += 1;
      later.size += entry.size;
    } else {
      kept.push(entry);
      total += entry.size;
    }
  }
  return { manifest: kept, warnings: [] };
}

injectManifest({ ...config, swSrc: path.join(__dirname, "sw-template.js"), manifestTransforms: [withinBudget] })
  .then(({ count, size, warnings }) => process.stdout.write(
    JSON.stringify({ count, size, warnings, laterCount: later.count, laterSize: later.size }) + "\n"))
  .catch((error) => {
    process.stderr.write(String((error && error.stack) || error) + "\n");
    process.exit(1);
  });
