// The report page without this file: the title bar, the hit links and the
// menus all work; this measures the bar and adds keys for the hit links.
(function () {
  var head = document.querySelector(".report-head");
  if (!head) return;
  // A paragraph scrolled to lands just below the bar, however tall it is here.
  function measure() {
    document.documentElement.style.setProperty("--report-head", head.offsetHeight + 8 + "px");
  }
  measure();
  window.addEventListener("resize", measure);
  // n or j: next hit, p or k: previous hit; the links' own URLs, so the
  // page, the count and the browser history agree with a click.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) return;
    var link = null;
    if (event.key === "n" || event.key === "j") link = document.querySelector("a.hit-next");
    if (event.key === "p" || event.key === "k") link = document.querySelector("a.hit-prev");
    if (link) {
      event.preventDefault();
      window.location.href = link.href;
    }
  });
})();
