"""The OpenAPI 3 description of the JSON API, served at ``/api/openapi.json``.

Written by hand next to the views it describes; ``tests/test_openapi.py``
validates it against the OpenAPI schema and calls every endpoint with every
parameter it documents, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any

from search import FACET_FIELDS, INTERVALS, SORTS

from .params import COLUMNS, VIEWS

ERROR = {"$ref": "#/components/schemas/Error"}


def _param(name: str, description: str, schema: dict[str, Any], *, repeat: bool = False, where: str = "query") -> dict:
    param = {"name": name, "in": where, "description": description}
    if where == "path":
        param["required"] = True
    if repeat:
        param.update(schema={"type": "array", "items": schema}, style="form", explode=True)
    else:
        param["schema"] = schema
    return param


FACET_HELP = {
    "topic": "Topic from the taxonomy", "source": "Publisher", "place": "Place (any gazetteer spelling)",
    "section": "Canonical section", "label": "ISW evidence label", "cited": "Domain an endnote links to",
}
SELECTION = [
    _param("q", "Query in Sitrep's query language (README, \"Query syntax\").", {"type": "string", "maxLength": 500}),
    *[_param(name, f"{FACET_HELP[name]}; repeat to OR values.", {"type": "string"}, repeat=True) for name in FACET_FIELDS],
    _param("exclude", "FIELD:VALUE (topic:Syria): leave out paragraphs with this facet value, FIELD one of "
           f"{', '.join(FACET_FIELDS)}; repeat for more. The value stays in its facet, marked excluded, counting "
           "the paragraphs it leaves out.", {"type": "string", "pattern": "^[a-z]+:.+"}, repeat=True),
    _param("from", "Earliest report date: 2024-12-01, Dec 2024, last 30 days.", {"type": "string"}),
    _param("to", "Latest report date, same forms.", {"type": "string"}),
    _param("event_from", "Earliest date the paragraph mentions.", {"type": "string"}),
    _param("event_to", "Latest date the paragraph mentions.", {"type": "string"}),
    _param("sort", "Result order.", {"type": "string", "enum": list(SORTS), "default": "relevance"}),
    _param("literal", "Search the words as typed: no other spellings or forms of names, no corrections.",
           {"type": "boolean", "default": False}),
]
PAGING = [
    _param("page", "Result page, in the digits 0-9.", {"type": "integer", "minimum": 1, "default": 1}),
    _param("per_page", "Hits per page, in the digits 0-9.",
           {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}),
    _param("collapse", "One hit per group of repeated paragraphs.", {"type": "boolean", "default": False}),
    _param("group", "report: page through reports, each with its first hits (groups); page and per_page count "
           "reports. Ignored by the exports and the feed.", {"type": "string", "enum": ["report"]}),
    _param("view", "The page's layout (list or table); accepted and ignored here, so a page URL works.",
           {"type": "string", "enum": list(VIEWS)}),
    _param("col", "A table column of the page; accepted and ignored here.",
           {"type": "string", "enum": list(COLUMNS)},
           repeat=True),
    _param("interval", "The timeline's bars (auto: by the span of the matches); exports ignore it.",
           {"type": "string", "enum": list(INTERVALS), "default": "auto"}),
]


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "Bad parameter or query", 404: "No such report or paragraph", 503: "No index yet, or it needs a rebuild"}
    return {str(code): {"description": text[code], "content": {"application/json": {"schema": ERROR}}} for code in codes}


def _json(schema_name: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


STRING_LIST = {"type": "array", "items": {"type": "string"}}
NULLABLE_STRING = {"type": "string", "nullable": True}
HIT = {
    "type": "object",
    "required": ["id", "report_id", "title", "source", "date", "date_inferred", "kind", "position", "text", "url"],
    "properties": {
        "id": {"type": "string"}, "report_id": {"type": "string"}, "title": {"type": "string"},
        "source": {"type": "string"}, "date": NULLABLE_STRING, "date_inferred": {"type": "boolean"},
        "section": NULLABLE_STRING, "heading": NULLABLE_STRING, "label": NULLABLE_STRING,
        "kind": {"type": "string", "enum": ["paragraph", "bullet"]}, "position": {"type": "integer"},
        "topics": STRING_LIST, "places": STRING_LIST, "text": {"type": "string"},
        "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"},
        "score": {"type": "number", "nullable": True}, "url": {"type": "string"}, "report_url": NULLABLE_STRING,
        "footnotes": {"type": "array", "items": {"type": "object", "properties": {
            "n": {"type": "integer"}, "text": {"type": "string"}, "urls": STRING_LIST}}},
        "cited": STRING_LIST, "event_dates": STRING_LIST, "also_in_count": {"type": "integer"},
        "also_in": {"type": "array", "items": {"type": "object", "properties": {
            "report_id": {"type": "string"}, "title": {"type": "string"}, "date": NULLABLE_STRING,
            "url": {"type": "string"}}}},
    },
}
FACET_VALUES = {"type": "array", "items": {"type": "object", "properties": {
    "value": {"type": "string"},
    "count": {"type": "integer", "description": "Matches with this value, in the unit `counted` names; for an "
              "excluded value, the matches its exclusion leaves out"},
    "selected": {"type": "boolean"}, "excluded": {"type": "boolean"}}}}


def openapi_document() -> dict[str, Any]:
    """The whole document, as a plain dict."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Sitrep API",
            "version": "1",
            "description": "Paragraph-level search over conflict and humanitarian reports.",
        },
        "paths": {
            "/api/search": {"get": {
                "summary": "Search paragraphs, with facet counts over all matches",
                "parameters": SELECTION + PAGING,
                "responses": {"200": _json("SearchPage", "One page of hits"), **_errors(400, 503)},
            }},
            "/api/reports/{report_id}": {"get": {
                "summary": "One report with all its paragraphs in order",
                "parameters": [_param("report_id", "Report id", {"type": "string"}, where="path")],
                "responses": {"200": _json("Report", "The report"), **_errors(404, 503)},
            }},
            "/api/paragraphs/{paragraph_id}": {"get": {
                "summary": "One paragraph",
                "parameters": [_param("paragraph_id", "Paragraph id", {"type": "string"}, where="path")],
                "responses": {"200": _json("Hit", "The paragraph"), **_errors(404, 503)},
            }},
            "/api/paragraphs/{paragraph_id}/similar": {"get": {
                "summary": "Paragraphs most like one paragraph",
                "parameters": [_param("paragraph_id", "Paragraph id", {"type": "string"}, where="path")],
                "responses": {"200": _json("Similar", "Similar paragraphs"), **_errors(404, 503)},
            }},
            "/api/export.csv": {"get": {
                "summary": "Every match as CSV, streamed (page, per_page, collapse and group are ignored)",
                "parameters": SELECTION + PAGING,
                "responses": {"200": {"description": "CSV rows", "content": {"text/csv": {"schema": {"type": "string"}}}},
                              **_errors(400, 503)},
            }},
            "/api/export.json": {"get": {
                "summary": "Every match as a JSON array, streamed (page, per_page, collapse and group are ignored)",
                "parameters": SELECTION + PAGING,
                "responses": {"200": {"description": "Hits", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}}},
                    **_errors(400, 503)},
            }},
            "/feed.atom": {"get": {
                "summary": "The 50 newest matches as an Atom feed",
                "parameters": SELECTION + PAGING,
                "responses": {"200": {"description": "Atom feed",
                                      "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
                              "400": {"description": "Bad parameter (an HTML page)"}},
            }},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["ok", "error"], "properties": {
                "ok": {"type": "boolean"}, "error": {"type": "string"}, "errors": STRING_LIST,
                "status": {"type": "integer"}}},
            "Hit": HIT,
            "SearchPage": {"type": "object", "required": ["query", "total", "page", "per_page", "hits", "facets"],
                           "properties": {
                               "ok": {"type": "boolean"}, "query": {"type": "string"}, "total": {"type": "integer"},
                               "page": {"type": "integer"}, "per_page": {"type": "integer"},
                               "pages": {"type": "integer"}, "sort": {"type": "string"},
                               "filters": {"type": "object", "additionalProperties": STRING_LIST},
                               "exclude": {"type": "object", "additionalProperties": STRING_LIST,
                                           "description": "Facet values no hit carries, by facet"},
                               "counted": {"type": "string", "enum": ["paragraphs", "groups"],
                                           "description": "What total and facet counts count: groups of "
                                           "repeated paragraphs when collapse is on"},
                               "from": NULLABLE_STRING, "to": NULLABLE_STRING,
                               "event_from": NULLABLE_STRING, "event_to": NULLABLE_STRING,
                               "collapse": {"type": "boolean"}, "did_you_mean": NULLABLE_STRING,
                               "showing_results_for": NULLABLE_STRING, "search_instead_for": NULLABLE_STRING,
                               "literal": {"type": "boolean"},
                               "rewrites": {"type": "array", "items": {"type": "object", "properties": {
                                   "typed": {"type": "string"}, "searched": STRING_LIST,
                                   "kind": {"type": "string", "enum": ["spelling", "name"]}}}},
                               "relaxed": {"type": "boolean"},
                               "all_words": {"type": "integer", "nullable": True},
                               "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                               "group": NULLABLE_STRING,
                               "reports": {"type": "integer", "description": "With group=report: reports matching"},
                               "groups": {"type": "array", "description": "With group=report: the page's reports",
                                          "items": {"type": "object", "properties": {
                                              "report_id": {"type": "string"}, "title": {"type": "string"},
                                              "source": {"type": "string"}, "date": NULLABLE_STRING,
                                              "date_inferred": {"type": "boolean"}, "url": {"type": "string"},
                                              "count": {"type": "integer"}, "more": {"type": "integer"},
                                              "hits": {"type": "array",
                                                       "items": {"$ref": "#/components/schemas/Hit"}}}}},
                               "facets": {"type": "object", "additionalProperties": FACET_VALUES},
                               "timeline": {"type": "object", "properties": {
                                   "interval": {"type": "string", "enum": list(INTERVALS)},
                                   "bucket": {"type": "string", "enum": ["day", "week", "month", "year"]},
                                   "bars": {"type": "array", "items": {"type": "object", "properties": {
                                       "start": {"type": "string"}, "end": {"type": "string"},
                                       "count": {"type": "integer"}}}}}},
                               "map": {"type": "array", "items": {"type": "object", "required": ["place", "lat", "lon", "count"],
                                       "properties": {"place": {"type": "string"}, "lat": {"type": "number"},
                                                      "lon": {"type": "number"}, "count": {"type": "integer"}}}},
                           }},
            "Report": {"type": "object", "properties": {
                "report_id": {"type": "string"}, "title": {"type": "string"}, "source": {"type": "string"},
                "date": NULLABLE_STRING, "date_inferred": {"type": "boolean"},
                "paragraphs": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}},
            "Similar": {"type": "object", "properties": {
                "ok": {"type": "boolean"}, "id": {"type": "string"},
                "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}},
        }},
    }
