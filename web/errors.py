"""The one mapping from errors to responses: JSON under /api/, a page elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search import SitrepError


def error_body(message: str, status: int) -> dict:
    """The shape of every API error: ``{"ok": false, "error", "errors", "status"}``."""
    return {"ok": False, "error": message, "errors": [message], "status": status}


def _respond(message: str, status: int):
    if request.path.startswith("/api/"):
        return jsonify(error_body(message, status)), status
    return render_template("error.html", message=message, status=status, q=request.args.get("q", "")), status


def register(app: Flask) -> None:
    """Install the handlers on the app (blueprint handlers never see unknown-URL 404s)."""

    @app.errorhandler(SitrepError)
    def sitrep_error(error: SitrepError):  # type: ignore[no-untyped-def]
        return _respond(str(error), error.status)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        return _respond(error.description or error.name, error.code or 500)
