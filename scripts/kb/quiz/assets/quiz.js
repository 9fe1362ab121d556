/* Self-check quiz: grades in the browser with the salted answer hashes, offline, no server.
   Mirrors scripts/kb/quiz/runtime.py (normalize, answerHash, decodeText, scoreTenths) and
   records.py (recordDigest); the tests compare both on the same inputs.
   Generated pages inline this file; keep it free of backticks and closing script tags. */
(function () {
  "use strict";

  // ---- SHA-256 (synchronous, pure JavaScript: works from file:// and on plain http) ----
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];

  function utf8(text) { return new TextEncoder().encode(text); }

  function sha256Bytes(bytes) {
    var length = bytes.length, blocks = ((length + 9 + 63) >> 6) << 6;
    var data = new Uint8Array(blocks);
    data.set(bytes);
    data[length] = 0x80;
    var bits = length * 8;
    data[blocks - 4] = (bits >>> 24) & 255; data[blocks - 3] = (bits >>> 16) & 255;
    data[blocks - 2] = (bits >>> 8) & 255; data[blocks - 1] = bits & 255;
    data[blocks - 5] = Math.floor(bits / 4294967296) & 255;
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    for (var offset = 0; offset < blocks; offset += 64) {
      for (var i = 0; i < 16; i++) {
        var j = offset + i * 4;
        w[i] = (data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3];
      }
      for (i = 16; i < 64; i++) {
        var x = w[i - 15], y = w[i - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = new Uint8Array(32);
    for (i = 0; i < 8; i++) {
      out[i * 4] = h[i] >>> 24; out[i * 4 + 1] = (h[i] >>> 16) & 255;
      out[i * 4 + 2] = (h[i] >>> 8) & 255; out[i * 4 + 3] = h[i] & 255;
    }
    return out;
  }

  function sha256Hex(text) {
    var bytes = sha256Bytes(utf8(text)), hex = "";
    for (var i = 0; i < bytes.length; i++) { hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return hex;
  }

  // ---- normalisation (same rules as runtime.normalize) ----
  var TRUE_WORDS = ["t", "true", "y", "yes", "对", "正确", "是", "是的", "对的", "√", "✓", "✔"];
  var FALSE_WORDS = ["f", "false", "n", "no", "x", "错", "错误", "否", "不对", "不是", "×", "✗", "✘"];
  var MAX_RESPONSE = 200;

  function canonicalNumber(text) {
    text = text.replace(/[ \t\n\r\f\v,，]/g, "");
    var match = text.match(/-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)/);
    if (!match) { return ""; }
    var number = match[0], negative = number.charAt(0) === "-";
    var parts = number.replace(/^-/, "").split(".");
    var whole = parts[0].replace(/^0+/, "") || "0";
    var fraction = (parts[1] || "").replace(/0+$/, "");
    var out = whole + (fraction ? "." + fraction : "");
    return negative && out !== "0" ? "-" + out : out;
  }

  function normalize(kind, value) {
    var text = String(value == null ? "" : value).normalize("NFKC");
    if (kind === "single" || kind === "multiple" || kind === "ordering" || kind === "matching") {
      var letters = text.replace(/[^A-Za-z]/g, "").toUpperCase();
      if (kind === "multiple") {
        letters = Array.from(new Set(letters.split(""))).sort().join("");
      }
      return letters.slice(0, MAX_RESPONSE);
    }
    if (kind === "true_false") {
      var word = text.replace(/[ \t\n\r\f\v.。!！,，、]/g, "").toLowerCase();
      return TRUE_WORDS.indexOf(word) >= 0 ? "T" : FALSE_WORDS.indexOf(word) >= 0 ? "F" : "";
    }
    if (kind === "numeric") { return canonicalNumber(text).slice(0, MAX_RESPONSE); }
    return "";
  }

  function answerHash(salt, itemId, normalized) { return sha256Hex(salt + itemId + normalized); }

  function decodeText(salt, itemId, encoded) {
    var binary = atob(encoded), data = new Uint8Array(binary.length), stream = [];
    for (var i = 0; i < binary.length; i++) { data[i] = binary.charCodeAt(i); }
    for (var counter = 0; stream.length < data.length; counter++) {
      var block = sha256Bytes(utf8(salt + "|" + itemId + "|" + counter));
      for (var j = 0; j < block.length; j++) { stream.push(block[j]); }
    }
    for (i = 0; i < data.length; i++) { data[i] ^= stream[i]; }
    return new TextDecoder("utf-8").decode(data);
  }

  function scoreTenths(entries) {
    var right = entries.filter(function (e) { return e.correct; }).length;
    return entries.length ? Math.floor((2000 * right + entries.length) / (2 * entries.length)) : 0;
  }

  function scoreValue(tenths) { return tenths / 10; }

  // ---- records (same bytes as records.canonical_json) ----
  function canonicalJson(value) {
    if (Array.isArray(value)) { return "[" + value.map(canonicalJson).join(",") + "]"; }
    if (value && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (key) {
        return JSON.stringify(key) + ":" + canonicalJson(value[key]);
      }).join(",") + "}";
    }
    return JSON.stringify(value);
  }

  function recordDigest(record) {
    var body = {};
    Object.keys(record).forEach(function (key) { if (key !== "digest") { body[key] = record[key]; } });
    return sha256Hex(canonicalJson(body));
  }

  function wellFormed(text) {
    return Array.from(text).map(function (ch) {
      return ch.length === 1 && ch >= "\ud800" && ch <= "\udfff" ? "\ufffd" : ch;
    }).join("");
  }

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) { window.crypto.getRandomValues(bytes); }
    else { for (var i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); } }
    bytes[6] = (bytes[6] & 15) | 64; bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.from(bytes).map(function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function localIsoTime(date) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    var offset = -date.getTimezoneOffset(), sign = offset >= 0 ? "+" : "-";
    offset = Math.abs(offset);
    return date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate()) + "T" +
      two(date.getHours()) + ":" + two(date.getMinutes()) + ":" + two(date.getSeconds()) +
      sign + two(Math.floor(offset / 60)) + ":" + two(offset % 60);
  }

  function newRecord(quiz, learner, entries) {
    var record = {
      record_version: 1, attempt_id: uuid4(), learner: Array.from(wellFormed(learner.trim())).slice(0, 60).join(""),
      role: quiz.role, quiz_id: quiz.quiz_id, quiz_version: quiz.quiz_version, seed: quiz.seed, mode: quiz.mode,
      source: "web", submitted_at: localIsoTime(new Date()), pass_mark: quiz.pass_mark, items: entries
    };
    if (entries.every(function (e) { return "correct" in e; })) {
      var tenths = scoreTenths(entries);
      record.score = scoreValue(tenths);
      record.passed = tenths >= quiz.pass_mark * 10;
    }
    record.digest = recordDigest(record);
    return record;
  }

  // ---- the page ----
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text != null) { node.textContent = text; }
    return node;
  }

  function rawAnswer(fieldset) {
    var inputs = fieldset.querySelectorAll("input");
    var text = "";
    inputs.forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") { if (input.checked) { text += input.value; } }
      else { text += input.value; }
    });
    return text;
  }

  function grade(root, quiz) {
    var fieldsets = root.querySelectorAll("fieldset.kb-q");
    var entries = quiz.items.map(function (item, index) {
      var response = normalize(item.type, rawAnswer(fieldsets[index]));
      var entry = { item_id: item.id, topic: item.topic, content_id: item.content_id, response: response };
      if (quiz.mode === "practice") {
        entry.correct = response !== "" && item.hashes.indexOf(answerHash(quiz.salt, item.id, response)) >= 0;
      }
      return entry;
    });
    if (quiz.mode === "practice") { showFeedback(quiz, fieldsets, entries); }
    return entries;
  }

  function showFeedback(quiz, fieldsets, entries) {
    entries.forEach(function (entry, index) {
      var item = quiz.items[index], box = fieldsets[index].querySelector(".kb-q-feedback");
      box.textContent = "";
      box.hidden = false;
      fieldsets[index].classList.toggle("kb-q-right", entry.correct);
      fieldsets[index].classList.toggle("kb-q-wrong", !entry.correct);
      var legend = fieldsets[index].querySelector("legend"), mark = legend.querySelector(".kb-q-mark");
      if (!mark) { mark = element("span", "kb-q-mark"); legend.insertBefore(mark, legend.firstChild); }
      mark.textContent = entry.correct ? "✓" : "✗";
      mark.setAttribute("aria-label", entry.correct ? "答对" : "答错");
      if (entry.correct) { box.appendChild(element("strong", null, "✓ 答对了")); return; }
      box.appendChild(element("strong", null, "✗ 答错了" + (entry.response ? "（你的答案：" + entry.response + "）" : "（未作答）")));
      box.appendChild(element("p", "kb-q-explain", decodeText(quiz.salt, item.id, item.explain)));
      var link = element("a", "kb-q-link", "重读：" + item.title);
      link.href = item.url;
      box.appendChild(link);
    });
  }

  var PRACTICE = {};

  function practiceLinks(missed) {
    var out = [], seen = {};
    missed.forEach(function (item) {
      (PRACTICE[item.content_id] || []).forEach(function (pair) {
        if (!seen[pair[0] + pair[1]]) { seen[pair[0] + pair[1]] = true; out.push(pair); }
      });
    });
    return out;
  }

  function weakTopics(quiz, entries) {
    var totals = {}, order = [];
    entries.forEach(function (entry) {
      if (!totals[entry.topic]) { totals[entry.topic] = [0, 0]; order.push(entry.topic); }
      totals[entry.topic][0] += entry.correct ? 1 : 0;
      totals[entry.topic][1] += 1;
    });
    return order.filter(function (t) { return totals[t][0] < totals[t][1]; })
      .sort(function (a, b) { return totals[a][0] / totals[a][1] - totals[b][0] / totals[b][1]; })
      .map(function (t) { return (quiz.topic_names[t] || t) + " " + totals[t][0] + "/" + totals[t][1]; });
  }

  // ---- the short result text for WeChat: a few lines and a code that kb.py results import reads ----
  function base64url(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function resultCode(record) {
    var bytes = utf8(JSON.stringify(record));
    if (window.CompressionStream && window.Response && window.Blob) {
      var stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw"));
      return new Response(stream).arrayBuffer().then(function (buffer) { return "KB1." + base64url(new Uint8Array(buffer)); });
    }
    return Promise.resolve("KB0." + base64url(bytes));
  }

  function wechatText(quiz, record, entries, code) {
    var lines = ["【" + (quiz.mode === "practice" ? "岗位自测" : "岗位考核") + "】" + record.learner + " · " + quiz.role_name];
    if (quiz.mode === "practice") {
      lines.push("成绩：" + record.score + " 分（及格线 " + quiz.pass_mark + " 分）" + (record.passed ? "通过" : "未通过"));
      var weak = weakTopics(quiz, entries);
      lines.push("薄弱：" + (weak.length ? weak.slice(0, 3).join("，") : "无"));
    } else {
      lines.push("已提交 " + entries.length + " 题，等待讲师评分");
    }
    lines.push("成绩码：" + code);
    return lines.join("\n");
  }

  function summary(quiz, entries) {
    var result = element("div");
    if (quiz.mode !== "practice") {
      result.appendChild(element("p", "kb-quiz-score", "已记录 " + entries.length + " 题的答案。本次是考核，成绩由培训讲师评分后通知你。"));
      return result;
    }
    var tenths = scoreTenths(entries), passed = tenths >= quiz.pass_mark * 10;
    var head = element("p", "kb-quiz-score " + (passed ? "kb-pass" : "kb-fail"),
      "成绩：" + scoreValue(tenths) + " 分（及格线 " + quiz.pass_mark + " 分）" + (passed ? "通过 ✓" : "未通过 ✗"));
    result.appendChild(head);
    var missed = entries.map(function (entry, index) { return entry.correct ? null : quiz.items[index]; }).filter(Boolean);
    if (missed.length) {
      var reread = element("div", "kb-quiz-reread"), seen = {}, pages = element("ul");
      reread.appendChild(element("p", null, "要重读（答错的题对应的内容）："));
      missed.forEach(function (item) {
        if (seen[item.url]) { return; }
        seen[item.url] = true;
        var li = element("li"), link = element("a", null, item.title);
        link.href = item.url;
        li.appendChild(link);
        pages.appendChild(li);
      });
      reread.appendChild(pages);
      result.appendChild(reread);
      var drills = practiceLinks(missed);
      if (drills.length) {
        var practice = element("div", "kb-quiz-practice"), list_ = element("ul");
        practice.appendChild(element("p", null, "错题本 · 去对练这些话术："));
        drills.forEach(function (pair) {
          var li = element("li"), link = element("a", null, pair[0]);
          link.href = pair[1];
          li.appendChild(link);
          list_.appendChild(li);
        });
        practice.appendChild(list_);
        result.appendChild(practice);
      }
    }
    var totals = {}, order = [];
    entries.forEach(function (entry) {
      if (!totals[entry.topic]) { totals[entry.topic] = [0, 0]; order.push(entry.topic); }
      totals[entry.topic][0] += entry.correct ? 1 : 0;
      totals[entry.topic][1] += 1;
    });
    var list = element("ul", "kb-quiz-topics");
    order.forEach(function (topic) {
      list.appendChild(element("li", null, (quiz.topic_names[topic] || topic) + "：答对 " + totals[topic][0] + " / " + totals[topic][1]));
    });
    result.appendChild(list);
    return result;
  }

  function copyText(text, status) {
    function fallback() {
      var area = element("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
      document.body.removeChild(area);
      status.textContent = ok ? "已复制，可以粘贴发给培训讲师。" : "复制失败：请手动全选下面的记录复制。";
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { status.textContent = "已复制，可以粘贴发给培训讲师。"; }, fallback);
    } else { fallback(); }
  }

  function recordBox(quiz, record, entries) {
    var box = element("div", "kb-quiz-record");
    var line = JSON.stringify(record);
    box.appendChild(element("p", null, "把下面这段文字复制后发到微信给培训讲师（讲师用成绩码导入成绩）："));
    var copy = element("button", "kb-quiz-copy", "复制成绩（发微信）");
    copy.type = "button";
    var download = element("a", "kb-quiz-download", "下载成绩记录");
    download.href = "data:application/json;charset=utf-8," + encodeURIComponent(line + "\n");
    download.download = record.quiz_id + "-" + record.attempt_id.slice(0, 8) + ".jsonl";
    var status = element("span", "kb-quiz-status");
    var area = element("textarea", "kb-quiz-record-text");
    area.readOnly = true;
    area.rows = 5;
    area.value = "正在生成成绩码…";
    copy.disabled = true;
    resultCode(record).then(function (code) {
      area.value = wechatText(quiz, record, entries, code);
      copy.disabled = false;
    });
    copy.addEventListener("click", function () { copyText(area.value, status); });
    box.appendChild(copy);
    box.appendChild(download);
    box.appendChild(status);
    box.appendChild(area);
    return box;
  }

  function draftKey(quiz) { return "kb-quiz-draft:" + quiz.quiz_id + ":" + quiz.quiz_version; }

  function saveDraft(quiz, form) {
    var draft = { checked: [], text: {} };
    form.querySelectorAll("input").forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") { if (input.checked) { draft.checked.push([input.name, input.value]); } }
      else if (input.name) { draft.text[input.name] = input.value; }
    });
    try { localStorage.setItem(draftKey(quiz), JSON.stringify(draft)); } catch (error) { /* private mode: nothing kept */ }
  }

  function restoreDraft(quiz, form) {
    var draft = null;
    try { draft = JSON.parse(localStorage.getItem(draftKey(quiz)) || "null"); } catch (error) { draft = null; }
    if (!draft) { return false; }
    form.querySelectorAll("input").forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = (draft.checked || []).some(function (pair) { return pair[0] === input.name && pair[1] === input.value; });
      } else if (input.name && draft.text && typeof draft.text[input.name] === "string") { input.value = draft.text[input.name]; }
    });
    return true;
  }

  function forgetDraft(quiz) { try { localStorage.removeItem(draftKey(quiz)); } catch (error) { /* nothing kept */ } }

  // ---- 错题本 on the device: the missed questions again, options in a new order, not recorded ----
  var LETTERS = "ABCDEFGH";

  function shuffled(count) {
    var order = [];
    for (var i = 0; i < count; i++) { order.push(i); }
    for (i = count - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1)), t = order[i];
      order[i] = order[j]; order[j] = t;
    }
    return order;
  }

  // Show the options in a new order with new letters; the inputs keep their original letters
  // as values, so grading with the salted hashes stays exactly the same.
  function reshuffle(fieldset) {
    var options = fieldset.querySelectorAll("label.kb-q-option input[type=radio][value]:not([value=T]):not([value=F]), label.kb-q-option input[type=checkbox]");
    var rows = fieldset.querySelectorAll("ul.kb-q-options li");
    var items = options.length ? Array.prototype.map.call(options, function (input) { return input.closest("label"); }) : Array.prototype.slice.call(rows);
    if (items.length < 2) { return; }
    var order = shuffled(items.length), parent = items[0].parentNode, anchor = items[items.length - 1].nextSibling;
    var letterOf = {};
    order.forEach(function (from, position) {
      var node = items[from], mark = node.querySelector("b");
      letterOf[LETTERS[from]] = LETTERS[position];
      mark.textContent = LETTERS[position];
      parent.insertBefore(node, anchor);
    });
    fieldset.querySelectorAll(".kb-q-slot").forEach(function (slot) {
      var chips = Array.prototype.slice.call(slot.querySelectorAll("label.kb-q-chip"));
      chips.forEach(function (chip) { chip.querySelector("span").textContent = letterOf[chip.querySelector("input").value]; });
      chips.sort(function (a, b) { return a.querySelector("span").textContent < b.querySelector("span").textContent ? -1 : 1; });
      chips.forEach(function (chip) { slot.appendChild(chip); });
    });
  }

  function startRetry(root, quiz, entries, out) {
    var fieldsets = root.querySelectorAll("fieldset.kb-q"), again = [];
    entries.forEach(function (entry, index) {
      var fieldset = fieldsets[index];
      fieldset.hidden = entry.correct;
      if (entry.correct) { return; }
      again.push(index);
      fieldset.classList.remove("kb-q-right", "kb-q-wrong");
      var mark = fieldset.querySelector(".kb-q-mark");
      if (mark) { mark.parentNode.removeChild(mark); }
      fieldset.querySelector(".kb-q-feedback").hidden = true;
      fieldset.querySelectorAll("input").forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") { input.checked = false; } else { input.value = ""; }
      });
      reshuffle(fieldset);
    });
    root.setAttribute("data-retry", JSON.stringify(again));
    out.hidden = true;
    var note = root.querySelector(".kb-quiz-retry-note") || element("p", "kb-quiz-retry-note");
    note.textContent = "再练答错的 " + again.length + " 题：选项顺序已经打乱，这次只给自己看，不记成绩。";
    var form = root.querySelector("form");
    form.insertBefore(note, form.firstChild);
    note.scrollIntoView({ block: "start" });
  }

  function retryResult(root, quiz, entries, out) {
    var again = JSON.parse(root.getAttribute("data-retry"));
    var right = again.filter(function (index) { return entries[index].correct; }).length;
    var box = element("div");
    box.appendChild(element("p", "kb-quiz-score", "再练：答对 " + right + " / " + again.length + " 题（不记成绩）"));
    var left = again.filter(function (index) { return !entries[index].correct; });
    if (left.length) {
      var more = element("button", "kb-quiz-retry", "还有 " + left.length + " 题没做对，再练一次");
      more.type = "button";
      more.addEventListener("click", function () { startRetry(root, quiz, entries, out); });
      box.appendChild(more);
    }
    return box;
  }

  function retryButton(root, quiz, entries, out) {
    var missed = entries.filter(function (entry) { return !entry.correct; }).length;
    var button = element("button", "kb-quiz-retry", "再练答错的 " + missed + " 题（打乱选项）");
    button.type = "button";
    button.addEventListener("click", function () { startRetry(root, quiz, entries, out); });
    return button;
  }

  function start(root) {
    var quiz = JSON.parse(root.getAttribute("data-quiz"));
    PRACTICE = JSON.parse(root.getAttribute("data-practice") || "{}");
    var form = root.querySelector("form"), out = root.querySelector(".kb-quiz-result");
    if (restoreDraft(quiz, form)) {
      var note = element("p", "kb-quiz-draft-note", "已恢复你上次没提交的答案。");
      form.insertBefore(note, form.firstChild);
    }
    function keep() { if (!root.getAttribute("data-retry")) { saveDraft(quiz, form); } }   // a retry is not a draft
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var entries = grade(root, quiz);
      out.textContent = "";
      out.hidden = false;
      if (root.getAttribute("data-retry")) {
        out.appendChild(retryResult(root, quiz, entries, out));
        out.scrollIntoView({ block: "start" });
        return;
      }
      out.appendChild(summary(quiz, entries));
      if (quiz.mode === "practice" && entries.some(function (entry) { return !entry.correct; })) {
        out.firstChild.insertBefore(retryButton(root, quiz, entries, out), out.firstChild.querySelector(".kb-quiz-topics"));
      }
      var learner = form.querySelector("input[name=learner]").value;
      if (learner.trim()) {
        out.appendChild(recordBox(quiz, newRecord(quiz, learner, entries), entries));
        forgetDraft(quiz);
      }
      else { out.appendChild(element("p", "kb-quiz-status", "填写名字后再提交一次，就能保存这次的成绩记录。")); }
      out.scrollIntoView({ block: "start" });
    });
  }

  window.kbQuiz = { sha256Hex: sha256Hex, normalize: normalize, answerHash: answerHash, decodeText: decodeText,
                    scoreTenths: scoreTenths, canonicalJson: canonicalJson, recordDigest: recordDigest, newRecord: newRecord,
                    resultCode: resultCode };
  document.querySelectorAll(".kb-quiz[data-quiz]").forEach(start);
})();
