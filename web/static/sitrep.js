// Small enhancements only: every feature works without this file.
// "/" focuses the search box, as on most search sites.
document.addEventListener("keydown", function (event) {
  var box = document.getElementById("q");
  var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
  if (event.key === "/" && box && !typing) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});

// "Copy" next to each citation: the textarea already works without it.
document.querySelectorAll("button.copy").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = document.getElementById(button.dataset.copy);
    text.select();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text.value).then(function () { button.textContent = "Copied"; });
    }
  });
});

// A filter box over long facet lists: it only hides values that do not match.
document.querySelectorAll(".facet").forEach(function (facet) {
  if (!facet.querySelector("details")) return;
  var heading = facet.querySelector("h2");
  var box = document.createElement("input");
  box.type = "search";
  box.className = "facet-filter";
  box.placeholder = "Filter " + heading.textContent.toLowerCase() + "…";
  box.setAttribute("aria-label", "Filter " + heading.textContent);
  heading.after(box);
  box.addEventListener("input", function () {
    var needle = box.value.trim().toLowerCase();
    var details = facet.querySelector("details");
    if (needle) details.open = true;
    facet.querySelectorAll("li").forEach(function (item) {
      var value = item.querySelector(".value").textContent.toLowerCase();
      item.hidden = needle !== "" && value.indexOf(needle) === -1;
    });
  });
});

// Results follow the query as you type, after a pause; the URL follows too,
// so back and forward still work.  Without this script the form submits.
(function () {
  var box = document.getElementById("q");
  var form = box && box.form;
  if (!form || !document.querySelector(".layout")) return;
  var timer = null;
  var latest = 0;
  function swap(html, url, push) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var layout = next.querySelector(".layout");
    if (!layout) return;
    document.querySelector(".layout").replaceWith(layout);
    document.title = next.title;
    if (push) history.pushState({ live: true }, "", url);
    shown = location.pathname + location.search;
  }
  function load(url, push) {
    var ticket = ++latest;
    fetch(url, { headers: { "Accept": "text/html" } }).then(function (response) {
      return response.text().then(function (html) {
        if (ticket === latest) swap(html, url, push);
      });
    });
  }
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var params = new URLSearchParams();
      // Empty boxes stay out of the URL, as the server's redirect leaves them out.
      new FormData(form).forEach(function (value, name) {
        if (value !== "" && name !== "page") params.append(name, value);
      });
      load(form.action + "?" + params.toString(), true);
    }, 400);
  });
  // What the page shows; a jump to an anchor (the skip link, #filters) fires
  // popstate too, and must not reload the results under the reader's focus.
  var shown = location.pathname + location.search;
  window.addEventListener("popstate", function () {
    if (location.pathname + location.search === shown) return;
    load(location.href, false);
    var params = new URLSearchParams(location.search);
    box.value = params.get("q") || "";
  });
})();

// "Filters" on a phone: a toggle instead of a jump to #filters.  The state
// sits on <body>, so it outlives the live results replacing the layout.
document.querySelectorAll(".filters-toggle").forEach(function (link) {
  link.setAttribute("role", "button");
  link.setAttribute("aria-expanded", "false");
});
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest(".filters-toggle") : null;
  if (!link) return;
  event.preventDefault();
  var open = document.body.classList.toggle("filters-open");
  link.setAttribute("aria-expanded", open ? "true" : "false");
});
