/* Drills (对练) in the browser: pick the reply, or say your own and rate yourself; FSRS
   (ts-fsrs, loaded before this file as the global FSRS) schedules the next review. Review
   state lives on the device (localStorage, one key per role) and can be exported to a file
   and imported on another phone. No network: works offline once the page is cached.
   All text from content is set with textContent, never as HTML. */
(function () {
  "use strict";

  var STORE_PREFIX = "kb-practice:";
  var FORMAT = "kb-practice-export";
  var NEW_PER_DAY = 10;
  // Outcome -> FSRS rating: a wrong pick or 不会 is Again, 模糊 is Hard, right or 会 is Good.
  var RATINGS = { right: 3, wrong: 1, "会": 3, "模糊": 2, "不会": 1 };
  var STAGE_NAMES = { opening: "开场白", discovery: "需求挖掘", objection: "异议处理", closing: "促成",
                      after_sales: "售后", follow_up: "回访" };

  // ---- scheduler (ts-fsrs) ----
  function scheduler() {
    return FSRS.fsrs(FSRS.generatorParameters({ enable_fuzz: false }));
  }

  function toCard(saved) {
    var card = {};
    Object.keys(saved).forEach(function (key) { card[key] = saved[key]; });
    card.due = new Date(saved.due);
    card.last_review = saved.last_review ? new Date(saved.last_review) : undefined;
    return card;
  }

  function fromCard(card) {
    var saved = {};
    Object.keys(card).forEach(function (key) {
      var value = card[key];
      if (value instanceof Date) { saved[key] = value.toISOString(); }
      else if (value !== undefined) { saved[key] = value; }
    });
    return saved;
  }

  function review(entry, rating, now) {
    var card = entry ? toCard(entry.card) : FSRS.createEmptyCard(now);
    return fromCard(scheduler().next(card, now, rating).card);
  }

  // ---- storage ----
  function emptyState(role) { return { format: FORMAT, version: 1, role: role, cards: {}, log: [] }; }

  function load(role) {
    try {
      var state = JSON.parse(localStorage.getItem(STORE_PREFIX + role) || "null");
      if (state && state.cards && typeof state.cards === "object") {
        state.log = Array.isArray(state.log) ? state.log : [];
        return state;
      }
    } catch (error) { /* unreadable: start again, the broken copy stays untouched below */ }
    return emptyState(role);
  }

  function save(role, state) {
    try { localStorage.setItem(STORE_PREFIX + role, JSON.stringify(state)); return true; }
    catch (error) { return false; }
  }

  function today() { var d = new Date(); return d.getFullYear() + "-" + (d.getMonth() + 1) + "-" + d.getDate(); }

  function newToday(state) {
    var day = today();
    return state.log.filter(function (entry) { return entry.first && entry.day === day; }).length;
  }

  // ---- helpers ----
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text != null) { node.textContent = text; }
    return node;
  }

  function button(className, text, onTap) {
    var node = element("button", className, text);
    node.type = "button";
    node.addEventListener("click", onTap);
    return node;
  }

  function list(tag, className, lines) {
    var node = element(tag, className);
    lines.forEach(function (line) { node.appendChild(element("li", null, line)); });
    return node;
  }

  function formatDue(iso) {
    var due = new Date(iso), now = new Date();
    var days = Math.round((due - now) / 86400000);
    if (due - now < 3600000) { return "稍后再练一次"; }
    if (days < 1) { return "今天晚些时候再练"; }
    return days + " 天后再练（" + (due.getMonth() + 1) + "月" + due.getDate() + "日）";
  }

  // ---- a drill set page ----
  function queue(drills, state) {
    var now = new Date(), due = [], fresh = [];
    drills.forEach(function (drill) {
      var entry = state.cards[drill.id];
      if (!entry) { fresh.push(drill); }
      else if (new Date(entry.card.due) <= now) { due.push(drill); }
    });
    due.sort(function (a, b) { return new Date(state.cards[a.id].card.due) - new Date(state.cards[b.id].card.due); });
    var room = Math.max(0, NEW_PER_DAY - newToday(state));
    return { due: due, fresh: fresh.slice(0, room), drills: due.concat(fresh.slice(0, room)) };
  }

  function feedback(drill, picked) {
    var box = element("div", "kb-drill-feedback " + (picked.correct ? "kb-drill-right" : "kb-drill-wrong"));
    box.setAttribute("role", "status");
    box.appendChild(element("p", "kb-drill-verdict", picked.correct ? "✓ 回得好" : "✗ 这样回不合适"));
    box.appendChild(element("p", "kb-drill-why", picked.why));
    if (!picked.correct) {
      box.appendChild(element("p", "kb-drill-label", "推荐回复"));
      box.appendChild(element("blockquote", "kb-drill-model", drill.reply));
    }
    box.appendChild(element("p", "kb-drill-label", "回应步骤"));
    box.appendChild(list("ol", "kb-drill-steps", drill.steps));
    return box;
  }

  function scriptLink(drill) {
    var link = element("a", "kb-drill-link", "查看话术：" + drill.title);
    link.href = drill.link;
    return link;
  }

  function DrillSet(root) {
    this.root = root;
    this.role = root.getAttribute("data-role");
    this.page = root.getAttribute("data-page");
    this.drills = expand((window.kbDrillSets || {})[this.page]);
    this.mode = "choose";
    this.state = load(this.role);
    this.build();
    this.restart();
  }

  DrillSet.prototype.build = function () {
    var self = this;
    var modes = element("div", "kb-drill-modes");
    modes.setAttribute("role", "group");
    modes.setAttribute("aria-label", "练习方式");
    this.modeButtons = {
      choose: button("kb-drill-mode", "选择回复", function () { self.setMode("choose"); }),
      speak: button("kb-drill-mode", "口头练习", function () { self.setMode("speak"); })
    };
    modes.appendChild(this.modeButtons.choose);
    modes.appendChild(this.modeButtons.speak);
    this.status = element("p", "kb-drill-status");
    this.status.setAttribute("aria-live", "polite");
    this.stage = element("div", "kb-drill-card");
    this.root.textContent = "";
    this.root.appendChild(modes);
    this.root.appendChild(this.status);
    this.root.appendChild(this.stage);
    this.setMode("choose", true);
  };

  DrillSet.prototype.setMode = function (mode, quiet) {
    this.mode = mode;
    var buttons = this.modeButtons;
    Object.keys(buttons).forEach(function (key) { buttons[key].setAttribute("aria-pressed", key === mode ? "true" : "false"); });
    if (!quiet) { this.show(); }
  };

  DrillSet.prototype.restart = function () {
    this.state = load(this.role);
    var q = queue(this.drills, this.state);
    this.queue = q.drills;
    this.position = 0;
    this.counts = { due: q.due.length, fresh: q.fresh.length };
    this.show();
  };

  DrillSet.prototype.current = function () { return this.queue[this.position]; };

  DrillSet.prototype.updateStatus = function () {
    var left = this.queue.length - this.position;
    this.status.textContent = left > 0
      ? "今日待练：还剩 " + left + " 张（复习 " + this.counts.due + " · 新练 " + this.counts.fresh + "）"
      : "今日待练：本组已练完。";
  };

  DrillSet.prototype.show = function () {
    var self = this, drill = this.current();
    this.updateStatus();
    this.stage.textContent = "";
    if (!drill) {
      var done = element("div", "kb-drill-done");
      done.appendChild(element("p", null, "这一组今天没有待练的卡片了，明天再来。到期的卡片会自动出现在“今日待练”里。"));
      done.appendChild(button("kb-drill-again", "不计入复习，再练一遍全部", function () {
        self.queue = self.drills.slice(); self.position = 0; self.extra = true;
        self.counts = { due: 0, fresh: 0 }; self.show();
      }));
      this.stage.appendChild(done);
      return;
    }
    var meta = element("p", "kb-drill-meta", STAGE_NAMES[drill.stage] + " · " + drill.title);
    var bubble = element("div", "kb-drill-customer");
    bubble.appendChild(element("span", "kb-drill-who", drill["case"] ? "案例情境（遇到这种情况的客户来消息）：" : "客户说："));
    bubble.appendChild(element("p", "kb-drill-words", drill.customer));
    this.stage.appendChild(meta);
    this.stage.appendChild(bubble);
    if (this.mode === "choose") { this.showChoices(drill); } else { this.showSpeaking(drill); }
  };

  DrillSet.prototype.showChoices = function (drill) {
    var self = this;
    this.stage.appendChild(element("p", "kb-drill-ask", "你会回复哪一句？"));
    var options = element("div", "kb-drill-choices");
    drill.choices.forEach(function (choice) {
      var option = button("kb-drill-choice", choice.text, function () {
        if (options.getAttribute("data-answered")) { return; }
        options.setAttribute("data-answered", "1");
        Array.prototype.forEach.call(options.children, function (node, index) {
          node.disabled = true;
          if (drill.choices[index].correct) { node.classList.add("kb-drill-is-right"); node.textContent = "✓ " + drill.choices[index].text; }
        });
        if (!choice.correct) { option.classList.add("kb-drill-is-wrong"); option.textContent = "✗ " + choice.text; }
        self.stage.appendChild(feedback(drill, choice));
        self.finish(drill, choice.correct ? "right" : "wrong");
      });
      options.appendChild(option);
    });
    this.stage.appendChild(options);
  };

  DrillSet.prototype.showSpeaking = function (drill) {
    var self = this;
    var label = element("label", "kb-drill-ask", "你会怎么回？打字或用输入法的语音输入说出来：");
    var area = element("textarea", "kb-drill-own");
    area.rows = 4;
    area.setAttribute("aria-label", "你的回复");
    label.appendChild(area);
    this.stage.appendChild(label);
    var reveal = button("kb-drill-reveal", "看参考回复", function () {
      reveal.disabled = true;
      var box = element("div", "kb-drill-feedback");
      box.appendChild(element("p", "kb-drill-label", "参考回复"));
      box.appendChild(element("blockquote", "kb-drill-model", drill.reply));
      box.appendChild(element("p", "kb-drill-label", "要点"));
      box.appendChild(list("ol", "kb-drill-steps", drill.steps));
      if (drill.avoid.length) {
        box.appendChild(element("p", "kb-drill-label", "不要这样说"));
        box.appendChild(list("ul", "kb-drill-avoid", drill.avoid.map(function (a) { return a.say + " —— " + a.why; })));
      }
      box.appendChild(element("p", "kb-drill-ask", "对照一下，你答得怎么样？"));
      var rates = element("div", "kb-drill-rates");
      ["会", "模糊", "不会"].forEach(function (word) {
        rates.appendChild(button("kb-drill-rate", word, function () {
          Array.prototype.forEach.call(rates.children, function (node) { node.disabled = true; });
          this.setAttribute("aria-pressed", "true");
          self.finish(drill, word);
        }));
      });
      box.appendChild(rates);
      self.stage.appendChild(box);
    });
    this.stage.appendChild(reveal);
  };

  DrillSet.prototype.finish = function (drill, outcome) {
    var self = this;
    if (!this.extra) {
      this.state = load(this.role);
      var entry = this.state.cards[drill.id], now = new Date();
      var card = review(entry, RATINGS[outcome], now);
      this.state.cards[drill.id] = { card: card, page: this.page, title: drill.title };
      this.state.log.push({ id: drill.id, outcome: outcome, rating: RATINGS[outcome], at: now.toISOString(),
                            day: today(), first: !entry });
      var kept = save(this.role, this.state);
      this.stage.appendChild(element("p", "kb-drill-next-due", kept ? "下次复习：" + formatDue(card.due)
        : "这台手机不能保存练习记录（浏览器禁止了本地存储），复习安排没有记下。"));
    }
    this.stage.appendChild(scriptLink(drill));
    var next = button("kb-drill-next", "下一张", function () { self.position += 1; self.show(); window.scrollTo(0, self.root.offsetTop); });
    this.stage.appendChild(next);
  };

  // ---- a role's hub: what is due per drill set, export, import ----
  function Hub(root) {
    this.root = root;
    this.role = root.getAttribute("data-role");
    this.sets = JSON.parse(root.getAttribute("data-sets"));
    this.render();
  }

  Hub.prototype.render = function () {
    var self = this, state = load(this.role), now = new Date();
    var duePerPage = {}, seenPerPage = {};
    Object.keys(state.cards).forEach(function (id) {
      var entry = state.cards[id];
      seenPerPage[entry.page] = (seenPerPage[entry.page] || 0) + 1;
      if (new Date(entry.card.due) <= now) { duePerPage[entry.page] = (duePerPage[entry.page] || 0) + 1; }
    });
    var list_ = this.root.querySelector(".kb-drill-sets");
    var total = 0;
    Array.prototype.forEach.call(list_.querySelectorAll("[data-set]"), function (node) {
      var page = node.getAttribute("data-set"), count = Number(node.getAttribute("data-count"));
      var due = duePerPage[page] || 0, fresh = Math.max(0, count - (seenPerPage[page] || 0));
      total += due;
      node.querySelector(".kb-drill-set-due").textContent = "待复习 " + due + " · 未练 " + fresh;
    });
    this.root.querySelector(".kb-drill-total").textContent = "今日待练（复习）：" + total + " 张";
    this.root.querySelector(".kb-drill-export").onclick = function () { self.exportFile(); };
    var input = this.root.querySelector(".kb-drill-import-file");
    input.onchange = function () { if (input.files[0]) { self.importFile(input.files[0]); } input.value = ""; };
  };

  Hub.prototype.message = function (text) { this.root.querySelector(".kb-drill-io-status").textContent = text; };

  Hub.prototype.exportFile = function () {
    var state = load(this.role);
    var text = JSON.stringify(state);
    var link = element("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    link.download = "对练记录-" + this.role + "-" + today() + ".json";
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    this.message("已导出 " + Object.keys(state.cards).length + " 张卡片的练习记录。把文件发到新手机上，在这里点“导入练习记录”。");
  };

  Hub.prototype.importFile = function (file) {
    var self = this, reader = new FileReader();
    reader.onload = function () {
      var incoming;
      try { incoming = JSON.parse(String(reader.result)); } catch (error) { incoming = null; }
      if (!incoming || incoming.format !== FORMAT || typeof incoming.cards !== "object" || !incoming.cards) {
        self.message("导入失败：这不是对练记录文件。请选择在“导出练习记录”时保存的 .json 文件。");
        return;
      }
      if (incoming.role !== self.role) {
        self.message("导入失败：这是“" + incoming.role + "”岗位的记录，请到那个岗位的对练页导入。");
        return;
      }
      self.message(merge(self.role, incoming));
      self.render();
    };
    reader.readAsText(file);
  };

  function merge(role, incoming) {
    var state = load(role), added = 0, updated = 0;
    Object.keys(incoming.cards).forEach(function (id) {
      var theirs = incoming.cards[id], ours = state.cards[id];
      if (!theirs || !theirs.card || isNaN(new Date(theirs.card.due))) { return; }
      var theirTime = new Date(theirs.card.last_review || 0), ourTime = ours ? new Date(ours.card.last_review || 0) : null;
      if (!ours) { state.cards[id] = theirs; added += 1; }
      else if (theirTime > ourTime) { state.cards[id] = theirs; updated += 1; }
    });
    var seen = {};
    state.log.forEach(function (entry) { seen[entry.id + "|" + entry.at] = true; });
    (Array.isArray(incoming.log) ? incoming.log : []).forEach(function (entry) {
      if (entry && !seen[entry.id + "|" + entry.at]) { state.log.push(entry); }
    });
    if (!save(role, state)) { return "导入失败：这台手机不能保存练习记录。"; }
    return "已导入：新增 " + added + " 张，更新 " + updated + " 张（两边都有时保留最近练过的那份）。";
  }

  // A data file holds each text once (practice/page.py compact_set): the drills as the page uses them.
  function expand(set) {
    var texts = set.texts;
    function at(index) { return texts[index]; }
    return set.drills.map(function (d) {
      return {
        id: d.id, script: d.script, stage: d.stage, "case": d["case"],
        title: at(d.title), customer: at(d.customer), concern: at(d.concern), reply: at(d.reply), link: at(d.link),
        steps: d.steps.map(at), follow_up: d.follow_up.map(at),
        avoid: d.avoid.map(function (a) { return { say: at(a[0]), why: at(a[1]) }; }),
        choices: d.choices.map(function (c) { return { text: at(c[0]), correct: c[1] === 1, why: at(c[2]) }; }),
      };
    });
  }

  window.kbDrill = { review: review, queue: queue, merge: merge, expand: expand, RATINGS: RATINGS };
  document.querySelectorAll(".kb-drill[data-page]").forEach(function (root) {
    if (!(window.kbDrillSets || {})[root.getAttribute("data-page")]) {
      root.textContent = "这一组对练的卡片没有加载出来：请联网后刷新一次页面。";
      return;
    }
    new DrillSet(root);
  });
  document.querySelectorAll(".kb-drill-hub[data-sets]").forEach(function (root) { new Hub(root); });
})();
