"""Whole result sets for other programs: CSV and JSON exports, Atom feeds, OpenSearch.

Exports stream every match (no cap): rows are written as the engine reads
them, so memory does not grow with the result set.  The request is checked
before the first byte is sent, so a bad parameter is still a JSON 400.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Iterator
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, request, stream_with_context, url_for

from search import Hit

from .params import absolute_url, search_index, search_options

bp = Blueprint("feeds", __name__)

CSV_COLUMNS = ("id", "date", "date_inferred", "source", "title", "section", "label", "kind", "position",
               "topics", "places", "text", "url")
FEED_ENTRIES = 50
ATOM = "http://www.w3.org/2005/Atom"


def export_options(args) -> dict[str, Any]:
    """:meth:`SearchIndex.iter_hits` arguments: the search parameters without paging (or the timeline's interval)."""
    options = search_options(args)
    for paging in ("page", "per_page", "collapse", "group", "interval"):
        options.pop(paging)
    return options


def _absolute(hit: Hit) -> str:
    return absolute_url(url_for("pages.report_page", report_id=hit.report_id)) + f"#p{hit.position}"


# Every character outside XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets):
# C0 controls but tab, newline and carriage return; surrogates; U+FFFE and U+FFFF.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_chars(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids, which no XML parser accepts.

    Report text comes from the web and PDFs, and may hold escape codes,
    NULs or U+FFFF; ElementTree writes them as they are (#13).

    >>> xml_chars("Kherson\x0b\x1b[0m\uffff")
    'Kherson[0m'
    """
    return XML_FORBIDDEN.sub("", text)


def xml_document(root: ET.Element) -> str:
    """``root`` serialised with an XML declaration, every text and attribute passed through :func:`xml_chars`."""
    for element in root.iter():
        if element.text:
            element.text = xml_chars(element.text)
        if element.tail:
            element.tail = xml_chars(element.tail)
        for name, value in element.attrib.items():
            element.set(name, xml_chars(value))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def _with_query(path: str) -> str:
    """``path`` with the request's query string as sent (still percent-encoded)."""
    query = request.query_string.decode("utf-8", "replace")
    return path + ("?" + query if query else "")


# What makes a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: str) -> str:
    """``value`` as a CSV cell that no spreadsheet runs as a formula.

    Report text comes from the web, so a title such as ``=HYPERLINK(...)``
    would run when an analyst opens the export.  OWASP's rule for CSV
    injection: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a single quote in front, which spreadsheets read as
    "this is text".  Other cells are left as written.

    >>> spreadsheet_cell("=1+1"), spreadsheet_cell("3-4 hours")
    ("'=1+1", '3-4 hours')
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _row(hit: Hit) -> dict[str, Any]:
    row = {
        "id": hit.id, "date": hit.date or "", "date_inferred": hit.date_inferred, "source": hit.source,
        "title": hit.title, "section": hit.section or "", "label": hit.label or "", "kind": hit.kind,
        "position": hit.position, "topics": "; ".join(hit.topics), "places": "; ".join(hit.places),
        "text": hit.text, "url": _absolute(hit),
    }
    return {name: spreadsheet_cell(value) if isinstance(value, str) else value for name, value in row.items()}


@bp.get("/api/export.csv")
def export_csv():
    """Every match as CSV (UTF-8, one row per paragraph)."""
    hits = search_index().iter_hits(**export_options(request.args))

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for hit in hits:
            writer.writerow(_row(hit))
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="sitrep-export.csv"'})


@bp.get("/api/export.json")
def export_json():
    """Every match as a JSON array of hits (the shape of ``/api/search`` hits, snippet empty)."""
    hits = search_index().iter_hits(**export_options(request.args))

    def chunks() -> Iterator[str]:
        yield "["
        for number, hit in enumerate(hits):
            data = hit.to_json()
            data["url"] = _absolute(hit)
            yield ("," if number else "") + "\n" + json.dumps(data, ensure_ascii=False)
        yield "\n]\n"

    return Response(stream_with_context(chunks()), mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="sitrep-export.json"'})


@bp.get("/feed.atom")
def atom_feed():
    """The newest matches of a search as an Atom feed, for feed readers to alert on."""
    options = export_options(request.args)
    options["sort"] = "newest"
    hits = []
    for hit in search_index().iter_hits(**options):
        hits.append(hit)
        if len(hits) == FEED_ENTRIES:
            break
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    q = request.args.get("q", "")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = f"Sitrep: {q}" if q else "Sitrep: newest paragraphs"
    feed_url = absolute_url(_with_query(url_for("feeds.atom_feed")))
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_url
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url, type="application/atom+xml")
    page_url = absolute_url(_with_query(url_for("pages.search_page")))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=page_url, type="text/html")
    newest = max((hit.date for hit in hits if hit.date), default="1970-01-01")
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = f"{newest}T00:00:00Z"
    for hit in hits:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = _absolute(hit)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = f"{hit.title} ¶{hit.position}"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = f"{hit.date or '1970-01-01'}T00:00:00Z"
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=_absolute(hit), type="text/html")
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = hit.source
        ET.SubElement(entry, f"{{{ATOM}}}content", type="text").text = hit.text
    return Response(xml_document(feed), mimetype="application/atom+xml")


@bp.get("/opensearch.xml")
def opensearch_description():
    """An OpenSearch description, so a browser can add Sitrep as a search engine."""
    root = absolute_url("")
    namespace = "http://a9.com/-/spec/opensearch/1.1/"
    ET.register_namespace("", namespace)
    description = ET.Element(f"{{{namespace}}}OpenSearchDescription")
    ET.SubElement(description, f"{{{namespace}}}ShortName").text = "Sitrep"
    ET.SubElement(description, f"{{{namespace}}}Description").text = "Search paragraphs of conflict and humanitarian reports"
    ET.SubElement(description, f"{{{namespace}}}InputEncoding").text = "UTF-8"
    ET.SubElement(description, f"{{{namespace}}}Url", type="text/html", method="get",
                  template=root + url_for("pages.search_page") + "?q={searchTerms}")
    ET.SubElement(description, f"{{{namespace}}}Url", type="application/atom+xml", method="get",
                  template=root + url_for("feeds.atom_feed") + "?q={searchTerms}")
    return Response(xml_document(description), mimetype="application/opensearchdescription+xml")
