/* Copying a reply (复制): one labelled button beside every approved reply, on script pages and
 * in the finder's results. It copies exactly the reply with its placeholders ({称呼}, {顾问},
 * {产品} …) filled from 我的设置 (kept in this browser's localStorage) and from the product the
 * rep picks; when a value is missing it asks first, so nothing reaches a customer unfilled.
 * Placeholder definitions come from kb-placeholders.js (generated from scripts/kb/placeholders.py). */
(function () {
  "use strict";
  var STORE = "kb-settings";
  var PATTERN = /\{([^{}\s]{0,11}[\u3400-\u9fff][^{}\s]{0,11})\}/g;   // as scripts/kb/placeholders.py
  var root = document.documentElement.getAttribute("data-content_root") || "";

  function definitions() { return window.KB_PLACEHOLDERS || {}; }

  function readSettings() {
    try { return JSON.parse(localStorage.getItem(STORE) || "{}") || {}; } catch (e) { return {}; }
  }
  function saveSettings(values) {
    try { localStorage.setItem(STORE, JSON.stringify(values)); return true; } catch (e) { return false; }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function namesIn(text) {
    var names = [], match;
    PATTERN.lastIndex = 0;
    while ((match = PATTERN.exec(text)) !== null) if (names.indexOf(match[1]) === -1) names.push(match[1]);
    return names.filter(function (name) { return Object.prototype.hasOwnProperty.call(definitions(), name); });
  }

  function fill(text, values) {
    return text.replace(PATTERN, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(definitions(), name) && values[name] ? values[name] : whole;
    });
  }

  function writeClipboard(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }
  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = el("textarea");
      area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
      document.body.appendChild(area); area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      ok ? resolve() : reject(new Error("copy refused"));
    });
  }

  /* Fields for the values a copy still needs; resolves with them, or null when cancelled. */
  function askFor(bar, missing, products, chosen) {
    return new Promise(function (resolve) {
      var old = bar.parentNode.querySelector(".kb-ask");
      if (old) old.remove();
      var form = el("form", "kb-ask");
      form.appendChild(el("p", "kb-ask-title", "复制前请先填好这些内容，回复里不会留下空着的占位符："));
      var inputs = {};
      if (chosen === null && products.length) {
        form.appendChild(productSelect(products, "kb-ask-product", "这条话术用于哪个产品"));
      }
      missing.filter(function (name) { return definitions()[name].from === "setting"; }).forEach(function (name) {
        var label = el("label", "kb-ask-field", definitions()[name].label + "（{" + name + "}）");
        var input = el("input");
        input.name = name;
        input.placeholder = "例如：" + (definitions()[name].example || "");
        label.appendChild(input);
        form.appendChild(label);
        inputs[name] = input;
      });
      var actions = el("div", "kb-ask-actions");
      var ok = el("button", "kb-button kb-button-main", "填好并复制"); ok.type = "submit";
      var cancel = el("button", "kb-button", "取消"); cancel.type = "button";
      actions.appendChild(ok); actions.appendChild(cancel);
      form.appendChild(actions);
      bar.parentNode.insertBefore(form, bar.nextSibling);
      var first = form.querySelector("select, input");
      if (first) first.focus();
      cancel.addEventListener("click", function () { form.remove(); resolve(null); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var values = {}, select = form.querySelector("select");
        var empty = Object.keys(inputs).filter(function (name) { return !inputs[name].value.trim(); });
        if ((select && !select.value) || empty.length) {
          form.querySelector(".kb-ask-title").textContent = "还有内容没有填，请全部填好再复制。";
          return;
        }
        Object.keys(inputs).forEach(function (name) { values[name] = inputs[name].value.trim(); });
        var settings = readSettings();
        Object.keys(values).forEach(function (name) { settings[name] = values[name]; });
        saveSettings(settings);
        if (select) values.__product = Number(select.value.slice(1));
        form.remove();
        resolve(values);
      });
    });
  }

  function productSelect(products, className, labelText) {
    var label = el("label", className, labelText);
    var select = el("select");
    select.appendChild(new Option("请选择产品", ""));
    products.forEach(function (product, n) { select.appendChild(new Option(product.name, "p" + n)); });
    label.appendChild(select);
    return label;
  }

  /* A copy bar for one reply: reply = {id, title, text, products: [{id, name, fills}]}. */
  function attach(container, reply) {
    var bar = el("div", "kb-copy-bar");
    var names = namesIn(reply.text);
    var needsProduct = names.some(function (name) { return definitions()[name].from === "product"; });
    var products = reply.products || [];
    var picker = null;
    if (needsProduct && products.length > 1) {
      picker = productSelect(products, "kb-copy-product", "产品").querySelector("select");
      picker.setAttribute("aria-label", "选择这条回复用于哪个产品");
      bar.appendChild(picker.parentNode);
    }
    var button = el("button", "kb-copy", "复制");
    button.type = "button";
    button.setAttribute("aria-label", "复制回复：" + reply.title);
    var status = el("span", "kb-copy-status");
    status.setAttribute("role", "status"); status.setAttribute("aria-live", "polite");
    bar.appendChild(button); bar.appendChild(status);
    container.appendChild(bar);

    function chosenProduct() {
      if (!needsProduct) return undefined;
      if (products.length === 1) return products[0];
      return picker && picker.value ? products[Number(picker.value.slice(1))] : null;
    }

    button.addEventListener("click", function () {
      var product = chosenProduct();
      var values = Object.assign({}, readSettings(), product ? product.fills : {});
      var missing = names.filter(function (name) { return !values[name]; });
      var ready = missing.length ? askFor(bar, missing, products, product === undefined ? undefined : product) : Promise.resolve({});
      ready.then(function (extra) {
        if (extra === null) { status.textContent = "已取消，没有复制。"; return; }
        if (extra.__product !== undefined) {
          product = products[extra.__product];
          if (picker) picker.value = "p" + extra.__product;
          Object.assign(values, product.fills);
        }
        Object.assign(values, extra);
        var text = fill(reply.text, values);
        if (namesIn(text).length) { status.textContent = "还有占位符没有填好，没有复制。"; return; }
        writeClipboard(text).then(function () {
          button.textContent = "已复制";
          button.classList.add("kb-copied");
          status.textContent = "已复制，可以粘贴到微信发送。";
          setTimeout(function () { button.textContent = "复制"; button.classList.remove("kb-copied"); }, 2500);
        }, function () {
          status.textContent = "浏览器不允许自动复制，请长按上面的回复手动复制。";
        });
      });
    });
    return bar;
  }

  /* 我的设置: the values of the `setting` placeholders, saved on this device. */
  /* The settings form, put into the page's <details class="kb-settings"> (or a new one). */
  function settingsPanel(wrap) {
    if (!wrap) {
      wrap = el("details", "kb-settings");
      wrap.appendChild(el("summary", "kb-settings-toggle", "我的设置"));
    }
    var form = el("form", "kb-settings-form");
    form.appendChild(el("p", "kb-settings-note", "复制话术时自动填进回复里，只保存在这台手机的浏览器中。"));
    var settings = readSettings(), defs = definitions();
    Object.keys(defs).filter(function (name) { return defs[name].from === "setting"; }).forEach(function (name) {
      var label = el("label", "kb-ask-field", defs[name].label + "（{" + name + "}）");
      var input = el("input");
      input.name = name; input.value = settings[name] || "";
      input.placeholder = "例如：" + (defs[name].example || "");
      label.appendChild(input);
      form.appendChild(label);
    });
    var save = el("button", "kb-button kb-button-main", "保存"); save.type = "submit";
    var saved = el("span", "kb-copy-status"); saved.setAttribute("role", "status");
    form.appendChild(save); form.appendChild(saved);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var values = readSettings();
      Array.prototype.forEach.call(form.querySelectorAll("input"), function (input) { values[input.name] = input.value.trim(); });
      saved.textContent = saveSettings(values) ? "已保存" : "保存失败：浏览器不允许保存设置";
    });
    wrap.appendChild(form);
    return wrap;
  }

  /* Script pages: each reply block is followed by its data (JSON in a data-reply attribute). */
  function scriptPages() {
    Array.prototype.forEach.call(document.querySelectorAll("div.kb-reply-data[data-reply]"), function (node) {
      var reply;
      try { reply = JSON.parse(node.getAttribute("data-reply")); } catch (e) { return; }
      var block = node.closest("section") && node.closest("section").querySelector("div.highlight-text");
      if (!block) return;
      block.classList.add("kb-reply-block");
      var holder = el("div", "kb-reply-actions");
      block.parentNode.insertBefore(holder, block.nextSibling);
      attach(holder, reply);
    });
  }

  window.KBReply = { attach: attach, fill: fill, namesIn: namesIn, settingsPanel: settingsPanel };

  document.addEventListener("DOMContentLoaded", function () {
    scriptPages();
    var shell = document.querySelector("details.kb-settings");
    if (shell) settingsPanel(shell);
  });
})();
