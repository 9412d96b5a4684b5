// The edition switch: a link on every page to the same page in each other edition of the book.
// window.REPORT_EDITIONS is written by the build for each edition (analysis.pipeline.edition_config):
// {lang, up: the path from this edition's root to the site's root, others: [{lang, dir, label}]}.
(function () {
  "use strict";
  function place() {
    var E = window.REPORT_EDITIONS;
    if (!E || !E.others || !E.others.length) return;
    var root = new URL(document.documentElement.getAttribute("data-content_root") || "./", location.href);
    var here = location.href.split("#")[0];
    var rel = here.indexOf(root.href) === 0 ? here.slice(root.href.length) : "";
    if (!rel || rel.slice(-1) === "/") rel += "index.html";
    var site = new URL(E.up || "", root);
    var box = document.createElement("nav");
    box.className = "edition-switch";
    box.setAttribute("aria-label", E.title || "");
    E.others.forEach(function (o) {
      var a = document.createElement("a");
      a.href = new URL(o.dir + rel, site).href;
      a.textContent = o.label;
      a.lang = o.lang.replace("_", "-");
      a.hreflang = a.lang;
      a.title = E.title || "";
      box.appendChild(a);
    });
    var bar = document.querySelector(".article-header-buttons") ||
      document.querySelector(".header-article-items__end") || document.body;
    bar.insertBefore(box, bar.firstChild);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", place);
  else place();
})();
