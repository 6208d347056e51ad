// Small enhancements only: every feature works without this file.
// Styles may tell a page with this script (views.css hides buttons it makes needless).
document.documentElement.classList.add("js");
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

// Results follow the query as you type, after a pause, and the other
// controls (sort, dates, collapse, group, view, the table's columns) at
// once; the URL follows too, so back and forward still work.  Without this
// script the Search and Apply buttons submit the same forms.
(function () {
  var box = document.getElementById("q");
  var form = box && box.form;
  if (!form || !document.querySelector(".layout")) return;
  var timer = null;
  var latest = 0;
  // The header's visible controls; every other parameter rides in its hidden inputs.
  var controls = ["q", "from", "to", "collapse", "group", "sort", "view"];
  function urlOf(source) {
    var params = new URLSearchParams();
    // Empty boxes stay out of the URL, as the server's redirect leaves them out.
    new FormData(source).forEach(function (value, name) {
      if (value !== "" && name !== "page") params.append(name, value);
    });
    var query = params.toString();
    return source.action + (query ? "?" + query : "");
  }
  // The header form keeps the state of the URL shown: hidden inputs always,
  // the visible controls when back or forward changed the URL under them.
  function syncForm(url, visible) {
    var params = new URL(url, location.href).searchParams;
    form.querySelectorAll("input[type=hidden]").forEach(function (input) { input.remove(); });
    var last = box;  // in the URL's order
    params.forEach(function (value, name) {
      if (controls.indexOf(name) !== -1 || name === "page" || name === "literal") return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      last.after(input);
      last = input;
    });
    if (!visible) return;
    box.value = params.get("q") || "";
    ["from", "to"].forEach(function (name) { form.elements[name].value = params.get(name) || ""; });
    ["collapse", "group"].forEach(function (name) {
      form.elements[name].checked = /^(1|true|yes|on|report)$/i.test(params.get(name) || "");
    });
    ["sort", "view"].forEach(function (name) {
      var select = form.elements[name];
      select.value = (params.get(name) || "").replace(/^list$/, "");
      if (select.selectedIndex === -1) select.selectedIndex = 0;
    });
  }
  function swap(html, url, push, navigate) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var layout = next.querySelector(".layout");
    if (!layout) {
      // A control made a search that cannot run (a bad date): show its error page.
      if (navigate) location.assign(url);
      return;
    }
    var current = document.querySelector(".layout");
    var active = document.activeElement;
    var focused = active && current.contains(active) && active.name ? [active.name, active.value] : null;
    current.replaceWith(layout);
    document.title = next.title;
    if (push) history.pushState({ live: true }, "", url);
    shown = location.pathname + location.search;
    syncForm(url, false);
    if (focused) {
      // A column box ticked from the keyboard keeps the focus after the swap.
      var same = Array.prototype.find.call(layout.querySelectorAll("[name]"), function (el) {
        return el.name === focused[0] && el.value === focused[1];
      });
      if (same) same.focus();
    }
  }
  function load(url, push, navigate) {
    var ticket = ++latest;
    fetch(url, { headers: { "Accept": "text/html" } }).then(function (response) {
      return response.text().then(function (html) {
        if (ticket === latest) swap(html, url, push, navigate && !response.ok);
      });
    });
  }
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { load(urlOf(form), true, false); }, 400);
  });
  // At once for the other controls: the header's, those above the results
  // (form=search-form: outside the form, so listened for on the document),
  // and the table's column picker, which carries the rest of the state.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target === box || (target.type === "checkbox" && !target.name)) return;  // the phone's "Options" box
    var picker = target.closest ? target.closest(".column-picker") : null;
    var source = picker || (target.form === form ? form : null);
    if (!source) return;
    clearTimeout(timer);
    load(urlOf(source), true, true);
  });
  // What the page shows; a jump to an anchor (the skip link, #filters) fires
  // popstate too, and must not reload the results under the reader's focus.
  var shown = location.pathname + location.search;
  window.addEventListener("popstate", function () {
    if (location.pathname + location.search === shown) return;
    load(location.href, false, false);
    syncForm(location.href, true);
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
