"""The Flask app: a search page and a JSON API over :mod:`search`.

Views only read request parameters, call the engine and render.  May
import: flask, werkzeug and the names :mod:`search` exports (never its
modules, and never whoosh); ``tests/test_layout.py`` checks it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from search import Settings, load_settings, open_backend

from . import api, compression, errors, feeds, pages


def create_app(settings: Settings | None = None, **config: Any) -> Flask:
    """Build the app for ``settings`` (``load_settings()`` when omitted).

    :param config: extra Flask config, e.g. ``TESTING=True``.
    """
    app = Flask(__name__)
    app.config.update(config)
    settings = settings or load_settings()
    app.extensions["sitrep"] = open_backend(settings)  # the Whoosh index or an OpenSearch cluster
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    errors.register(app)
    # Every count on a page reads 1,234; JSON keeps plain numbers (#16).
    app.add_template_filter(thousands)

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        # Report text comes from the web: no inline script may ever run.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    # Only the body and its encoding headers change, so the order among the
    # after_request hooks does not matter.
    compression.register(app)

    return app


def thousands(number: int) -> str:
    """``number`` with thousands separators, for pages: ``thousands(14308)`` is ``"14,308"``."""
    return f"{number:,}"


__all__ = ["create_app", "thousands"]
