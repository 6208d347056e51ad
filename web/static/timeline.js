// The results timeline (web/templates/_timeline.html), #16.  Without this file every bar is still a
// link for the mouse, and the date boxes, the presets and the table of counts serve the keyboard.
// With it the chart is one Tab stop: Left/Right (Home/End) move between bars, the focused bar's count
// is written under the chart, Enter narrows the dates to that bar; dragging across bars narrows them
// to the range.  Listeners sit on document, so the live results replacing .layout (sitrep.js) keep them.
(function () {
  function bars(plot) { return Array.prototype.slice.call(plot.querySelectorAll("a.bar")); }

  function readout(plot, text) {
    var figure = plot.closest(".timeline-figure");
    var out = figure && figure.querySelector(".timeline-readout");
    if (out) out.textContent = text;
  }

  // One bar is the Tab stop (the last one focused; the peak at first): roving tabindex.
  function prepare(root) {
    root.querySelectorAll(".timeline-plot").forEach(function (plot) {
      if (plot.dataset.ready) return;
      plot.dataset.ready = "1";
      var all = bars(plot);
      if (!all.length) return;
      var peak = all.reduce(function (best, bar) {
        return Number(bar.dataset.count || 0) > Number(best.dataset.count || 0) ? bar : best;
      }, all[0]);
      all.forEach(function (bar) { bar.setAttribute("tabindex", bar === peak ? "0" : "-1"); });
    });
  }

  function move(plot, to) {
    var all = bars(plot);
    to = Math.max(0, Math.min(all.length - 1, to));
    all.forEach(function (bar, i) {
      bar.setAttribute("tabindex", i === to ? "0" : "-1");
      bar.classList.toggle("current", i === to);
    });
    all[to].focus();
  }

  document.addEventListener("focusin", function (event) {
    var bar = event.target.closest && event.target.closest(".timeline-plot a.bar");
    if (!bar) return;
    var plot = bar.closest(".timeline-plot");
    bars(plot).forEach(function (other) {
      other.setAttribute("tabindex", other === bar ? "0" : "-1");
      other.classList.toggle("current", other === bar);
    });
    readout(plot, bar.getAttribute("aria-label") + ". Enter narrows the dates to it.");
  });

  document.addEventListener("keydown", function (event) {
    var bar = event.target.closest && event.target.closest(".timeline-plot a.bar");
    if (!bar) return;
    var plot = bar.closest(".timeline-plot");
    var all = bars(plot);
    var at = all.indexOf(bar);
    var to = {ArrowRight: at + 1, ArrowUp: at + 1, ArrowLeft: at - 1, ArrowDown: at - 1, Home: 0, End: all.length - 1}[event.key];
    if (to === undefined) return;  // Enter follows the link, as links do
    event.preventDefault();
    move(plot, to);
  });

  // Brushing: press on the chart, drag, release.  A press without a drag is a click on its bar.
  var drag = null;
  var swallowClick = false;

  function shareAt(plot, clientX) {
    var box = plot.getBoundingClientRect();
    return Math.max(0, Math.min(1, (clientX - box.left) / box.width));
  }

  function covered(plot, a, b) {
    var low = Math.min(a, b), high = Math.max(a, b);
    return bars(plot).filter(function (bar) {
      return Number(bar.dataset.x1) > low && Number(bar.dataset.x0) < high;
    });
  }

  document.addEventListener("pointerdown", function (event) {
    var plot = event.target.closest && event.target.closest(".timeline-plot");
    if (!plot || event.button !== 0) return;
    drag = {plot: plot, start: shareAt(plot, event.clientX), startX: event.clientX, moved: false, rect: null};
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag) return;
    if (!drag.moved && Math.abs(event.clientX - drag.startX) < 5) return;
    drag.moved = true;
    var here = shareAt(drag.plot, event.clientX);
    var chosen = covered(drag.plot, drag.start, here);
    if (!chosen.length) return;
    var x0 = Number(chosen[0].dataset.x0), x1 = Number(chosen[chosen.length - 1].dataset.x1);
    if (!drag.rect) {
      drag.rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      drag.rect.setAttribute("class", "brush");
      drag.rect.setAttribute("y", "0");
      drag.rect.setAttribute("height", drag.plot.querySelector(".hit-area").getAttribute("height"));
      drag.plot.appendChild(drag.rect);
    }
    drag.rect.setAttribute("x", (x0 * 100) + "%");
    drag.rect.setAttribute("width", ((x1 - x0) * 100) + "%");
    var total = chosen.reduce(function (sum, bar) { return sum + Number(bar.dataset.count || 0); }, 0);
    readout(drag.plot, chosen[0].dataset.from + " to " + chosen[chosen.length - 1].dataset.to + ": " +
      total.toLocaleString("en-US") + (total === 1 ? " paragraph" : " paragraphs") + ". Release to narrow the dates.");
  });

  document.addEventListener("pointerup", function (event) {
    if (!drag) return;
    var done = drag;
    drag = null;
    if (!done.moved) return;
    swallowClick = true;  // the click that ends a drag must not follow a bar's link
    setTimeout(function () { swallowClick = false; }, 0);
    var chosen = covered(done.plot, done.start, shareAt(done.plot, event.clientX));
    if (!chosen.length) return;
    var url = new URL(done.plot.dataset.rangeUrl, location.href);
    url.searchParams.set("from", chosen[0].dataset.from);
    url.searchParams.set("to", chosen[chosen.length - 1].dataset.to);
    location.assign(url.toString());
  });

  document.addEventListener("click", function (event) {
    if (swallowClick && event.target.closest && event.target.closest(".timeline-plot")) {
      event.preventDefault();
      swallowClick = false;
    }
  }, true);

  // Dragging a link would start the browser's own drag of its URL instead of the brush.
  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".timeline-plot")) event.preventDefault();
  });

  prepare(document);
  // The live results (sitrep.js) put a new .layout in the page: give its chart its Tab stop too.
  new MutationObserver(function () { prepare(document); }).observe(document.body, {childList: true, subtree: true});
})();
