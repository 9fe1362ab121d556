// Benchmark only: rank the finder's documents with MiniSearch (BM25+), using the finder's own
// tokenizer, so scripts/bench.py can compare it with our precomputed BM25 on the same set.
// stdin: {"docs": [{id, says, title, tags, concern}], "synonyms": [...], "queries": [...]}
// stdout: {"ranked": [[id, …] per query], "build_ms", "query_ms", "index_bytes"}
"use strict";
const MiniSearch = require("minisearch");
const finder = require("../../../book/_static/finder.js");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const tokenize = (text) => finder.tokenize(text, input.synonyms);
let started = process.hrtime.bigint();
const search = new MiniSearch({
  fields: ["says", "title", "tags", "concern"],
  storeFields: [],
  tokenize,
  processTerm: (term) => term,
  searchOptions: { boost: { says: 3, title: 3, tags: 2, concern: 1 }, combineWith: "OR", tokenize,
                   processTerm: (term) => term },
});
search.addAll(input.docs.map((d, n) => ({ id: n, says: d.says.join("\n"), title: d.title, tags: d.tags.join(" "), concern: d.concern })));
const buildMs = Number(process.hrtime.bigint() - started) / 1e6;
const indexBytes = Buffer.byteLength(JSON.stringify(search));
const rankAll = () => input.queries.map((q) => search.search(q.slice(0, finder.MAX_QUERY_CHARS)).slice(0, 10).map((r) => input.docs[r.id].id));
const ranked = rankAll();                       // also warms up, as the finder's timing does
started = process.hrtime.bigint();
for (let i = 0; i < 5; i++) rankAll();
const queryMs = Number(process.hrtime.bigint() - started) / 1e6 / 5 / Math.max(1, input.queries.length);
process.stdout.write(JSON.stringify({ ranked, build_ms: buildMs, query_ms: queryMs, index_bytes: indexBytes,
                                      index_gzip_bytes: require("zlib").gzipSync(JSON.stringify(search)).length }));
