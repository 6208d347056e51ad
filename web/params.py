"""Request parameters -> engine arguments, shared by the page and the API.

The whole state of a search lives in the query string: ``q``, ``topic``,
``source``, ``place``, ``section``, ``label``, ``cited`` (each repeatable;
repeats are OR-ed), ``from``, ``to``, ``event_from``, ``event_to``,
``collapse``, ``sort``, ``page``, ``per_page``, ``literal`` (search the
words as typed: no other spellings or forms of names, no corrections),
``exclude`` (``FIELD:VALUE``, repeatable: leave out paragraphs with that
facet value), ``interval`` (the timeline's bars: ``auto``, ``day``,
``week``, ``month``, ``year``), ``group`` (``report``: hits under their
report's heading), and for the page only ``view`` (``list`` or
``table``) and ``col`` (a table column, repeatable).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask import current_app, request, url_for
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from search import FACET_FIELDS, Backend, BadInput, parse_exclusions, parse_whole_number

STATE_KEYS = ("q", *FACET_FIELDS, "from", "to", "event_from", "event_to", "collapse", "sort", "page", "per_page",
              "literal", "exclude", "interval", "group", "view", "col")
VIEWS = ("list", "table")
# The table view's columns, in the order they show; ``col`` picks some (#16).
COLUMNS = {"date": "Date", "report": "Report", "source": "Source", "section": "Section", "place": "Place",
           "topic": "Topic", "snippet": "Snippet"}
DEFAULT_COLUMNS = ("date", "source", "section", "place", "snippet")
TRUE_VALUES = ("1", "true", "yes", "on")  # how a switch (collapse, literal) is turned on
_FALSE = ("", "0", "false", "no", "off")


def search_index() -> Backend:
    """The app's shared back end: a SearchIndex (Whoosh) or a ClusterIndex (OpenSearch)."""
    return current_app.extensions["sitrep"]


def absolute_url(path: str) -> str:
    """``path`` (from ``url_for``) as an absolute URL under the ``base_url`` setting.

    Never built from the request's Host header: the client chooses it, and
    feeds, exports and citations are read by others (#13).
    """
    return search_index().settings.public_url + path


def _positive_int(args: MultiDict, name: str) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    # Not str.isdigit: it accepts "²", which int() then refuses, a 500 (#13).
    return parse_whole_number(raw, name, minimum=1)


def search_options(args: MultiDict) -> dict[str, Any]:
    """Keyword arguments for :meth:`SearchIndex.search` from request parameters.

    :raises BadInput: a parameter this endpoint does not know, or a bad number.
    """
    unknown = sorted(set(args) - set(STATE_KEYS))
    if unknown:
        raise BadInput(f"unknown parameter {unknown[0]!r}; use: {', '.join(STATE_KEYS)}")
    view_options(args)  # a page URL given to the API is checked as the page checks it
    switches = {}
    for name in ("collapse", "literal"):
        value = args.get(name, "").strip().lower()
        if value not in TRUE_VALUES + _FALSE:
            raise BadInput(f"{name} must be true or false, not {args.get(name)!r}")
        switches[name] = value in TRUE_VALUES
    return {
        "q": args.get("q", ""),
        "event_from": args.get("event_from") or None,
        "event_to": args.get("event_to") or None,
        "collapse": switches["collapse"],
        "literal": switches["literal"],
        "filters": {name: args.getlist(name) for name in FACET_FIELDS},
        "exclude": parse_exclusions(args.getlist("exclude")),
        "group": args.get("group") or None,
        "date_from": args.get("from") or None,
        "date_to": args.get("to") or None,
        "sort": args.get("sort") or "relevance",
        "page": _positive_int(args, "page") or 1,
        "per_page": _positive_int(args, "per_page"),
        "interval": args.get("interval") or "auto",
    }


def view_options(args: MultiDict) -> dict[str, Any]:
    """How the page shows its hits: ``view`` ("list" or "table") and the table's ``columns``, in table order.

    No ``col`` is the default columns; the API accepts both and ignores them.

    :raises BadInput: an unknown view or column.
    """
    view = args.get("view") or "list"
    if view not in VIEWS:
        raise BadInput(f"view must be {' or '.join(VIEWS)}, not {view!r}")
    chosen = [c for c in args.getlist("col") if c != ""]
    unknown = [c for c in chosen if c not in COLUMNS]
    if unknown:
        raise BadInput(f"unknown column {unknown[0]!r}; use: {', '.join(COLUMNS)}")
    return {"view": view, "columns": [c for c in COLUMNS if c in chosen] if chosen else list(DEFAULT_COLUMNS)}


def carried_state(args: MultiDict) -> dict[str, list[str]]:
    """The search state in ``args`` (every :data:`STATE_KEYS` value that is not empty), for links that keep it.

    A report opened from a hit and its "Back to results" link carry this,
    so going back finds the same filters, sort, dates and page (#16).
    """
    return {name: kept for name in STATE_KEYS if (kept := [v for v in args.getlist(name) if v != ""])}


def without_empty(args: MultiDict) -> MultiDict | None:
    """``args`` without its empty values, or None when none is empty.

    A form sends every box, so a search with no dates comes as ``from=&to=``;
    the page redirects to the URL without them, the one worth sharing (#16).
    """
    if all(value != "" for _, value in args.items(multi=True)):
        return None
    return MultiDict([(name, value) for name, value in args.items(multi=True) if value != ""])


def state_url(args: MultiDict, endpoint: str = "pages.search_page", **changes: Any) -> str:
    """The URL of the current state with some parameters replaced.

    A change to anything but ``page`` goes back to page 1; a value of None or
    "" removes the parameter.  The URL is the one ``url_for`` builds (changed
    parameters last), put together from each parameter's encoding: a results
    page makes hundreds of these links, and ``url_for`` was a fifth of its time.
    """
    state = {name: args.getlist(name) for name in args if name not in changes and name != "page"}
    for name, value in changes.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        kept = [item for item in values if item not in (None, "")]
        if kept:
            state[name] = kept
    query = "&".join(_encoded(name, tuple(values)) for name, values in state.items() if values)
    return _endpoint_path(endpoint) + ("?" + query if query else "")


def _endpoint_path(endpoint: str) -> str:
    return _rule_path(endpoint, request.script_root)


@lru_cache(maxsize=64)
def _rule_path(endpoint: str, script_root: str) -> str:
    # Under the script root a mounted app is given (a cache key, as url_for reads it from the request).
    return url_for(endpoint)


@lru_cache(maxsize=8192)
def _encoded(name: str, values: tuple[str, ...]) -> str:
    # Werkzeug's encoding for query strings (werkzeug.urls._urlencode), so the links are the ones url_for built.
    return urlencode([(name, str(value)) for value in values], safe="!$'()*,/:;?@")


def _remembered(args: MultiDict, key: tuple, make) -> str:
    # A page links the same facet value from hits, facets and the map; each
    # URL is made once per request's args (kept on the args object itself,
    # so it goes with them; an ImmutableMultiDict cannot change under it).
    if not isinstance(args, ImmutableMultiDict):
        return make()
    made = args.__dict__.setdefault("_sitrep_links", {})
    if key not in made:
        made[key] = make()
    return made[key]


def toggle_url(args: MultiDict, name: str, value: str) -> str:
    """The URL that selects ``value`` of facet ``name``, or unselects it if selected.

    Selecting an excluded value also ends its exclusion.
    """
    return _remembered(args, ("toggle", name, value), lambda: _toggle_url(args, name, value))


def _toggle_url(args: MultiDict, name: str, value: str) -> str:
    current = args.getlist(name)
    chosen = [v for v in current if v != value] if value in current else [*current, value]
    item = f"{name}:{value}"
    return state_url(args, **{name: chosen, "exclude": [v for v in args.getlist("exclude") if v != item]})


def exclude_url(args: MultiDict, name: str, value: str) -> str:
    """The URL that excludes ``value`` of facet ``name`` (``exclude=name:value``), or includes it again.

    Excluding a selected value also unselects it.
    """
    return _remembered(args, ("exclude", name, value), lambda: _exclude_url(args, name, value))


def _exclude_url(args: MultiDict, name: str, value: str) -> str:
    item = f"{name}:{value}"
    current = args.getlist("exclude")
    if item in current:
        return state_url(args, exclude=[v for v in current if v != item])
    return state_url(args, exclude=[*current, item], **{name: [v for v in args.getlist(name) if v != value]})
