// The site on a rep's phone (issue 12): 我的路径 in the bottom bar, a role's learning-path
// progress kept on this device, items folded to one line on pages that hold many, and the
// offline notices of the service worker (kb-offline.js registers it).
"use strict";
(() => {
  const READ_KEY = "kb-path-read";        // {item anchor: true}: items marked 已读 on this device
  const ROLE_KEY = "kb-my-role";          // address of the role page chosen as 我的路径
  const PATH_KEY = "kb-current-path";     // {role, title, url, items: [{id, href, title}]}
  const PATHS_KEY = "kb-paths";           // {role page address: [item anchors]}: every path seen

  const load = (key, fallback) => {
    try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch (error) { return fallback; }
  };
  const save = (key, value) => {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (error) { /* private mode: nothing kept */ }
  };
  const pageUrl = (href) => { const url = new URL(href, location.href); url.hash = ""; url.search = ""; return url.href; };

  function myPathTab() {
    const mine = load(ROLE_KEY, null);
    if (!mine) return;
    document.querySelectorAll("a[data-kb-my-path]").forEach((tab) => { tab.href = mine; });
  }

  // ---- a role's learning path -------------------------------------------------------------
  function rolePath() {
    const list = document.querySelector(".kb-path ol");
    if (!list) return;
    const heading = document.querySelector("article h1");
    const title = heading ? heading.textContent.replace(/[#¶]/g, "").trim() : "";
    const role = location.pathname.split("/").pop().replace(/\.html$/, "");
    const entries = [...list.children].map((li) => {
      const link = li.querySelector("a.reference");
      return link && { li, link, id: new URL(link.href).hash.slice(1), href: link.href, title: link.textContent.trim() };
    }).filter(Boolean);
    const path = { role, title, url: pageUrl(location.href), items: entries.map(({ id, href, title }) => ({ id, href, title })) };

    const box = document.createElement("div");
    box.className = "kb-progress";
    box.innerHTML = '<p class="kb-progress-text"></p><div class="kb-progress-bar" role="progressbar" aria-valuemin="0"><span></span></div>' +
      '<p><a class="kb-next-button"></a> <button type="button" class="kb-set-role"></button></p>';
    list.parentNode.insertBefore(box, list);
    const bar = box.querySelector(".kb-progress-bar");
    bar.setAttribute("aria-valuemax", String(entries.length));
    bar.setAttribute("aria-label", `${title}学习进度`);
    const next = box.querySelector(".kb-next-button");
    const setRole = box.querySelector(".kb-set-role");

    const remember = () => save(PATH_KEY, path);
    save(PATHS_KEY, { ...load(PATHS_KEY, {}), [path.url]: path.items.map((item) => item.id) });
    entries.forEach((entry) => {
      entry.li.classList.add("kb-path-item");
      entry.link.addEventListener("click", remember);
      const toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "kb-path-toggle";
      toggle.addEventListener("click", () => {
        const read = load(READ_KEY, {});
        if (read[entry.id]) delete read[entry.id]; else read[entry.id] = true;
        save(READ_KEY, read);
        save(ROLE_KEY, path.url);
        show();
      });
      entry.toggle = toggle;
      entry.li.appendChild(document.createTextNode(" "));
      entry.li.appendChild(toggle);
    });
    next.addEventListener("click", remember);
    setRole.addEventListener("click", () => { save(ROLE_KEY, path.url); myPathTab(); show(); });

    function show() {
      const read = load(READ_KEY, {});
      let done = 0;
      entries.forEach((entry) => {
        const isRead = Boolean(read[entry.id]);
        done += isRead ? 1 : 0;
        entry.li.classList.toggle("kb-path-done", isRead);
        entry.toggle.setAttribute("aria-pressed", String(isRead));
        entry.toggle.textContent = isRead ? "已读 ✓" : "标为已读";
        entry.toggle.setAttribute("aria-label", `${isRead ? "已读，点一下取消" : "标为已读"}：${entry.title}`);
      });
      box.querySelector(".kb-progress-text").textContent = `已读 ${done} / ${entries.length} 项`;
      bar.setAttribute("aria-valuenow", String(done));
      bar.firstElementChild.style.width = `${entries.length ? (100 * done) / entries.length : 0}%`;
      const first = entries.find((entry) => !read[entry.id]);
      next.hidden = !first;
      if (first) { next.href = first.href; next.textContent = `下一项：${first.title}`; }
      const chosen = load(ROLE_KEY, null) === path.url;
      setRole.textContent = chosen ? "这是我的路径 ✓" : "设为我的路径";
      setRole.setAttribute("aria-pressed", String(chosen));
    }
    show();
  }

  // The roles list: how far along each path seen on this device is.
  function rolesProgress() {
    const paths = load(PATHS_KEY, {});
    const read = load(READ_KEY, {});
    document.querySelectorAll("article a.reference.internal").forEach((link) => {
      const ids = paths[pageUrl(link.href)];
      if (!ids || link.closest(".kb-path") || !ids.length) return;
      const done = ids.filter((id) => read[id]).length;
      const note = document.createElement("span");
      note.className = "kb-role-progress";
      note.textContent = `（已读 ${done} / ${ids.length}）`;
      link.after(note);
    });
  }

  // On an item reached from a learning path: where it sits in the path, 已读 and 下一项.
  function pathBanner() {
    const path = load(PATH_KEY, null);
    if (!path || !location.hash) return;
    const here = pageUrl(location.href);
    const index = path.items.findIndex((item) => item.id === location.hash.slice(1) && pageUrl(item.href) === here);
    if (index < 0) return;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    const section = target && (target.closest("section") || target);
    if (!section) return;
    const banner = document.createElement("div");
    banner.className = "kb-path-banner";
    const following = path.items[index + 1];
    const label = document.createElement("p");
    label.textContent = `${path.title}学习路径 · 第 ${index + 1} / ${path.items.length} 项`;
    const done = document.createElement("button");
    done.type = "button";
    done.className = "kb-path-toggle";
    done.textContent = following ? "已读，看下一项" : "已读，回到学习路径";
    done.addEventListener("click", () => {
      const read = load(READ_KEY, {});
      read[path.items[index].id] = true;
      save(READ_KEY, read);
      location.href = following ? following.href : path.url;
    });
    const back = document.createElement("a");
    back.href = path.url;
    back.textContent = "回到学习路径";
    banner.append(label, done, document.createTextNode(" "), back);
    const heading = section.querySelector("h1, h2, h3");
    (heading || section).after(banner);
  }

  // ---- pages holding many items: fold each to its title, open in place ---------------------
  let foldable = [];
  function foldItems() {
    if (!document.querySelector("details.kb-outline")) return;
    const top = document.querySelector("article > section");
    if (!top) return;
    foldable = [...top.children].filter((child) => child.tagName === "SECTION" && child.querySelector(":scope > h2"));
    foldable.forEach((section) => {
      // the heading's text becomes a button that opens the item in place (accordion pattern)
      const heading = section.querySelector(":scope > h2");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "kb-fold-toggle";
      [...heading.childNodes].filter((node) => !(node.classList && node.classList.contains("headerlink")))
        .forEach((node) => button.appendChild(node));
      const hint = document.createElement("span");
      hint.className = "kb-fold-hint";
      button.appendChild(hint);
      heading.prepend(button);
      button.addEventListener("click", () => setOpen(section, section.classList.contains("kb-folded")));
      section._kbToggle = button;
      section.classList.add("kb-foldable");
      setOpen(section, false);
    });
    openTarget();
    window.addEventListener("hashchange", openTarget);
  }

  function setOpen(section, open) {
    section.classList.toggle("kb-folded", !open);
    section._kbToggle.setAttribute("aria-expanded", String(open));
    section._kbToggle.lastChild.textContent = open ? "收起" : "展开";
  }

  function openTarget() {
    if (!location.hash) return;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    const section = target && foldable.find((candidate) => candidate.contains(target));
    if (!section) return;
    setOpen(section, true);
    // a search result points inside the section: show it from its heading. The browser keeps
    // its own jump to the anchor while the page settles, so repeat once the page has loaded.
    const view = target === section || location.hash.startsWith("#index-") ? section : target;
    view.scrollIntoView();
    if (document.readyState !== "complete") window.addEventListener("load", () => view.scrollIntoView(), { once: true });
  }

  document.addEventListener("DOMContentLoaded", () => {
    myPathTab();
    rolePath();
    if (/\/roles\/(index\.html)?$/.test(location.pathname)) rolesProgress();
    foldItems();
    document.documentElement.classList.add("kb-fold-ready");    // kb-phone.css: folded by now
    pathBanner();
  });
})();
