/* Reply finder (话术查找): the search box on every page and the results on search.html.
 * The tokenizer and the ranking are the same as scripts/kb/tokens.py and scripts/kb/finder.py
 * (tests/test_finder_tokens.py runs both on a corpus); the index is finder-index.js, loaded
 * after the page has painted. Everything from the index is put in the page as text. */
(function (global) {
  "use strict";
  var RUNS = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+/g;
  var CJK = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  var MAX_QUERY_CHARS = 200;
  var UNIGRAM_WEIGHT = 1, TOKEN_WEIGHT = 3;

  function normalize(text) { return String(text).normalize("NFKC").toLowerCase(); }

  function tokenize(text, synonyms) {
    text = normalize(text);
    var tokens = [], match, i;
    RUNS.lastIndex = 0;
    while ((match = RUNS.exec(text)) !== null) {
      var run = match[0];
      if (CJK.test(run)) {
        for (i = 0; i < run.length; i++) tokens.push(run[i]);
        for (i = 0; i + 1 < run.length; i++) tokens.push(run.slice(i, i + 2));
      } else {
        tokens.push(run);
      }
    }
    (synonyms || []).forEach(function (group) {
      if (group.some(function (term) { return text.indexOf(term) !== -1; })) tokens.push("~" + group[0]);
    });
    return tokens;
  }

  function queryWeights(query, synonyms) {
    var weights = new Map();
    tokenize(String(query).slice(0, MAX_QUERY_CHARS), synonyms).forEach(function (token) {
      weights.set(token, token.length === 1 && token.charCodeAt(0) >= 0x3400 ? UNIGRAM_WEIGHT : TOKEN_WEIGHT);
    });
    return weights;
  }

  /* [[document number, score], …] of the documents of `kinds`, best first (ties: index order). */
  function rank(index, query, kinds) {
    kinds = kinds || ["script"];
    var docs = index.docs, scores = new Float64Array(docs.length), touched = [];
    queryWeights(query, index.synonyms).forEach(function (weight, token) {
      var flat = Object.prototype.hasOwnProperty.call(index.terms, token) ? index.terms[token] : null;
      if (!flat) return;
      var number = 0;
      for (var i = 0; i < flat.length; i += 2) {
        number += flat[i];
        if (scores[number] === 0) touched.push(number);
        scores[number] += weight * flat[i + 1];
      }
    });
    var found = [];
    for (var j = 0; j < touched.length; j++) {
      if (kinds.indexOf(docs[touched[j]].k) !== -1) found.push([touched[j], scores[touched[j]]]);
    }
    found.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return found;
  }

  var api = { normalize: normalize, tokenize: tokenize, rank: rank, MAX_QUERY_CHARS: MAX_QUERY_CHARS };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; return; }
  global.KBFinder = api;

  // ---- in the browser --------------------------------------------------------------------
  var root = document.documentElement.getAttribute("data-content_root") || "";
  var indexPromise = null;

  function loadIndex() {
    if (indexPromise) return indexPromise;
    indexPromise = new Promise(function (resolve, reject) {
      if (global.KB_FINDER_INDEX) { resolve(global.KB_FINDER_INDEX); return; }
      var script = document.createElement("script");
      script.src = root + "_static/finder-index.js";
      script.async = true;
      script.onload = function () {
        var index = global.KB_FINDER_INDEX;
        if (!index) { reject(new Error("empty index")); return; }
        rank(index, "你好，在吗");     // compile the ranking once while the rep has not typed yet
        resolve(index);
      };
      script.onerror = function () { indexPromise = null; reject(new Error("index not loaded")); };
      document.head.appendChild(script);
    });
    return indexPromise;
  }
  api.loadIndex = loadIndex;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* The customer phrase of a script that shares most pairs of characters with the query,
   * as [text, highlighted?] pieces. */
  function matchedPhrase(says, query) {
    var wanted = new Set(tokenize(query).filter(function (t) { return t.length === 2 && CJK.test(t); }));
    var best = null, bestCount = 0;
    says.forEach(function (phrase) {
      var text = normalize(phrase), count = 0;
      for (var i = 0; i + 1 < text.length; i++) if (wanted.has(text.slice(i, i + 2))) count++;
      if (count > bestCount) { best = phrase; bestCount = count; }
    });
    if (!best) return null;
    var lower = normalize(best), marks = new Array(best.length).fill(false);
    for (var i = 0; i + 1 < lower.length && lower.length === best.length; i++) {
      if (wanted.has(lower.slice(i, i + 2))) { marks[i] = true; marks[i + 1] = true; }
    }
    var pieces = [];
    for (var j = 0; j < best.length; j++) {
      var last = pieces[pieces.length - 1];
      if (last && last[1] === marks[j]) last[0] += best[j]; else pieces.push([best[j], marks[j]]);
    }
    return pieces;
  }

  function scriptResult(index, doc, query) {
    var item = el("li", "kb-result kb-result-script");
    var head = el("div", "kb-result-head");
    var link = el("a", "kb-result-title", doc.t);
    link.href = root + doc.u;
    head.appendChild(link);
    head.appendChild(el("span", "kb-result-stage", doc.st));
    item.appendChild(head);
    var pieces = matchedPhrase(doc.says, query);
    if (pieces) {
      var phrase = el("p", "kb-result-phrase");
      phrase.appendChild(document.createTextNode("客户：“"));
      pieces.forEach(function (piece) {
        phrase.appendChild(piece[1] ? el("mark", null, piece[0]) : document.createTextNode(piece[0]));
      });
      phrase.appendChild(document.createTextNode("”"));
      item.appendChild(phrase);
    }
    item.appendChild(el("p", "kb-result-reply", doc.r));
    if (global.KBReply) {
      global.KBReply.attach(item, { id: doc.id, title: doc.t, text: doc.r,
        products: (doc.p || []).map(function (n) { return index.products[n]; }) });
    }
    return item;
  }

  function otherResult(doc) {
    var item = el("li", "kb-result kb-result-other");
    var link = el("a", "kb-result-title", doc.t);
    link.href = root + doc.u;
    item.appendChild(el("span", "kb-result-kind", doc.kl));
    item.appendChild(link);
    if (doc.s) item.appendChild(el("p", "kb-result-summary", doc.s));
    return item;
  }

  var STAGE_PAGES = [["开场白", "opening"], ["需求挖掘", "discovery"], ["异议处理", "objection"],
                     ["促成", "closing"], ["售后", "after_sales"], ["回访", "follow_up"]];

  function stageLinks() {
    var list = el("ul", "kb-finder-stages");
    STAGE_PAGES.forEach(function (stage) {
      var li = el("li"), a = el("a", null, stage[0] + "话术");
      a.href = root + "book/kb/scripts/" + stage[1] + ".html";
      li.appendChild(a);
      list.appendChild(li);
    });
    return list;
  }

  function showResults(finder, index, query) {
    var status = finder.querySelector(".kb-finder-status");
    var scriptsList = finder.querySelector(".kb-finder-scripts");
    var others = finder.querySelector(".kb-finder-others");
    var fallback = finder.querySelector(".kb-finder-fallback");
    renderGeneration++;
    scriptsList.textContent = ""; others.textContent = ""; fallback.textContent = "";
    finder.querySelector(".kb-finder-others-title").hidden = true;
    var text = String(query || "").trim();
    if (!text) {
      status.textContent = "把客户发来的话粘贴或输入到上面的搜索框，例如“太贵了，能便宜点吗”，就能找到可以直接发送的话术。";
      fallback.appendChild(stageLinks());
      return;
    }
    var note = text.length > MAX_QUERY_CHARS ? "内容较长，只按前 " + MAX_QUERY_CHARS + " 个字查找。" : "";
    if (tokenize(text.slice(0, MAX_QUERY_CHARS)).length === 0) {
      status.textContent = "没有可以查找的文字（表情和符号无法查找）。请输入客户说的话，或从下面的话术目录里找。";
      fallback.appendChild(stageLinks());
      return;
    }
    var ranked = rank(index, text, ["script", "product", "case", "rule", "sop", "role", "page"]);
    var scripts = ranked.filter(function (pair) { return index.docs[pair[0]].k === "script"; }).slice(0, 8);
    var rest = ranked.filter(function (pair) { return index.docs[pair[0]].k !== "script"; }).slice(0, 6);
    if (!scripts.length && !rest.length) {
      status.textContent = note + "没有找到直接对应的话术，换个说法试试，或从下面的话术目录里找。";
      fallback.appendChild(stageLinks());
      return;
    }
    status.textContent = note + (scripts.length ? "找到 " + scripts.length + " 条最接近的话术，第一条最匹配。" : "没有找到对应的话术，下面是相关的其他内容。");
    if (!scripts.length) fallback.appendChild(stageLinks());
    // the best three at once, the rest in the next frame: the first answer shows sooner
    var generation = ++renderGeneration;
    scripts.slice(0, 3).forEach(function (pair) { scriptsList.appendChild(scriptResult(index, index.docs[pair[0]], text)); });
    requestAnimationFrame(function () {
      if (generation !== renderGeneration) return;          // the rep typed on: a newer list is showing
      scripts.slice(3).forEach(function (pair) { scriptsList.appendChild(scriptResult(index, index.docs[pair[0]], text)); });
      if (rest.length) {
        finder.querySelector(".kb-finder-others-title").hidden = false;
        rest.forEach(function (pair) { others.appendChild(otherResult(index.docs[pair[0]])); });
      }
    });
  }
  var renderGeneration = 0;

  function searchPage(finder) {
    var input = finder.querySelector("input[name=q]");
    var status = finder.querySelector(".kb-finder-status");
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    status.textContent = "正在加载话术索引…";
    function run() {
      loadIndex().then(function (index) {
        showResults(finder, index, input.value);
        var url = new URL(location.href);
        if (input.value) url.searchParams.set("q", input.value); else url.searchParams.delete("q");
        history.replaceState(null, "", url.toString());
      }, function () {
        status.textContent = "话术索引没有加载成功，请检查网络后刷新页面。";
      });
    }
    input.addEventListener("input", run);
    finder.querySelector("form").addEventListener("submit", function (event) { event.preventDefault(); input.blur(); run(); });
    // after the first paint: the page shows at once, the index follows
    requestAnimationFrame(function () { setTimeout(run, 0); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var finder = document.getElementById("kb-finder");
    // the other pages have the search box in the page (book/_templates/page.html): a plain
    // form that opens search.html?q=…, with or without this script
    if (finder) searchPage(finder);
  });
})(typeof window !== "undefined" ? window : globalThis);
