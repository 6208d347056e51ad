"""The one mapping from errors to responses: JSON under /api/, a page elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search import BadDate, QuerySyntaxError, SitrepError

from .pages import form_state


def error_body(message: str, status: int) -> dict:
    """The shape of every API error: ``{"ok": false, "error", "errors", "status"}``."""
    return {"ok": False, "error": message, "errors": [message], "status": status}


def _respond(message: str, status: int, error: Exception | None = None):
    if request.path.startswith("/api/"):
        return jsonify(error_body(message, status)), status
    context: dict = {"q": request.args.get("q", "")}
    if request.path == "/" and 400 <= status < 500:
        # The whole form again with the user's values, the message by the
        # field at fault, so a bad date is fixed in place (#16).
        context.update(form_state(request.args), form=True)
        context["error_field"] = ("dates" if isinstance(error, BadDate) else
                                  "query" if isinstance(error, QuerySyntaxError) else None)
    return render_template("error.html", message=message, status=status, **context), status


def register(app: Flask) -> None:
    """Install the handlers on the app (blueprint handlers never see unknown-URL 404s)."""

    @app.errorhandler(SitrepError)
    def sitrep_error(error: SitrepError):  # type: ignore[no-untyped-def]
        return _respond(str(error), error.status, error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        return _respond(error.description or error.name, error.code or 500)
