"""The JSON API: the same searches the page shows, for programs."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from .openapi import openapi_document
from .params import search_index, search_options

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search_json():
    """Search; parameters and JSON as in README.md ("JSON API")."""
    page = search_index().search(**search_options(request.args))
    return jsonify(page.to_json())


@bp.get("/reports/<report_id>")
def report_json(report_id: str):
    """One report with all its paragraphs in order."""
    return jsonify(search_index().report(report_id).to_json())


@bp.get("/paragraphs/<paragraph_id>")
def paragraph_json(paragraph_id: str):
    """One paragraph."""
    return jsonify({"ok": True, **search_index().paragraph(paragraph_id).to_json()})


@bp.get("/paragraphs/<paragraph_id>/similar")
def similar_json(paragraph_id: str):
    """Paragraphs most like one paragraph ("more like this")."""
    hits = search_index().more_like_this(paragraph_id)
    return jsonify({"ok": True, "id": paragraph_id, "hits": [hit.to_json() for hit in hits]})


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document())
