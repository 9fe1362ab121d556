// Offline use (issue 12): registers the Workbox service worker (sw.js at the site's root)
// once the page has been painted, says 可离线使用 when everything a rep needs is stored, and
// 有新版本 with an 更新 button when a new build of the site is published.
"use strict";
(() => {
  if (!("serviceWorker" in navigator) || location.protocol === "file:") return;
  const root = new URL(document.documentElement.dataset.content_root || "./", location.href);

  function status(text) {
    const box = document.querySelector(".kb-offline-status");
    if (box) box.textContent = text;
  }

  function offerUpdate(workbox) {
    if (document.querySelector(".kb-update")) return;
    const bar = document.createElement("div");
    bar.className = "kb-update";
    bar.setAttribute("role", "alert");
    const text = document.createElement("span");
    text.textContent = "有新版本：内容已更新。";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kb-update-button";
    button.textContent = "更新";
    button.addEventListener("click", () => {
      button.disabled = true;
      workbox.addEventListener("controlling", () => location.reload());
      workbox.messageSkipWaiting();
    });
    bar.append(text, button);
    document.body.appendChild(bar);
  }

  function start() {
    const script = document.createElement("script");
    script.src = new URL("_static/workbox/workbox-window.prod.umd.js", root).href;
    script.onload = () => {
      const workbox = new window.workbox.Workbox(new URL("sw.js", root).href, { scope: root.pathname });
      workbox.addEventListener("waiting", () => offerUpdate(workbox));
      workbox.addEventListener("activated", (event) => { if (!event.isUpdate) status("可离线使用：没有信号也能打开本站。"); });
      workbox.register().then((registration) => {
        if (registration && registration.active && navigator.serviceWorker.controller) status("可离线使用：没有信号也能打开本站。");
      }).catch(() => status(""));
    };
    document.head.appendChild(script);
  }

  // after the first paint and the page's own work: registering never slows the first view
  const later = () => ("requestIdleCallback" in window ? requestIdleCallback(start, { timeout: 3000 }) : setTimeout(start, 500));
  if (document.readyState === "complete") later(); else window.addEventListener("load", later, { once: true });
})();
