// The place map is one Tab stop: Tab enters it at the most named place, the
// arrow keys move between places (most named first), Enter follows one.
// Without this file every circle is its own Tab stop, which also works.
(function () {
  function prepare(svg) {
    if (svg.dataset.keys) return;  // set up once; the live results bring a new svg
    svg.dataset.keys = "1";
    var links = Array.prototype.slice.call(svg.querySelectorAll("a.map-place"));
    // The DOM draws big circles first; the keyboard goes by the count, the order of the data-rank attribute.
    links.sort(function (a, b) { return a.dataset.rank - b.dataset.rank; });
    if (links.length < 2) return;
    links.forEach(function (link, i) { link.setAttribute("tabindex", i === 0 ? "0" : "-1"); });
    svg.addEventListener("keydown", function (event) {
      var at = links.indexOf(document.activeElement);
      if (at < 0) return;
      var to = {ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: links.length - 1}[event.key];
      if (to === undefined) return;
      event.preventDefault();
      to = Math.max(0, Math.min(links.length - 1, to));
      links[at].setAttribute("tabindex", "-1");
      links[to].setAttribute("tabindex", "0");
      links[to].focus();
    });
  }
  function prepareAll() { document.querySelectorAll(".place-map svg").forEach(prepare); }
  prepareAll();
  // sitrep.js swaps in new results as the query is typed; their map needs the keys too.
  new MutationObserver(prepareAll).observe(document.body, {childList: true, subtree: true});
})();
