// A search result for a customer's words links to an index target inside a script's section;
// show the section from its heading instead of from the middle.
document.addEventListener("DOMContentLoaded", () => {
  if (!location.hash.startsWith("#index-")) return;
  const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  const section = target && target.closest("section");
  if (section) section.scrollIntoView();
});
