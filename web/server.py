"""Serving the app: gunicorn in production, Flask's server only for debugging.

``sitrep serve`` runs gunicorn with N worker processes.  Each worker builds
its own app and :class:`~search.query.SearchIndex` after the fork, so no
searcher or file handle is shared between processes; each keeps one
searcher per index generation.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from search import Settings

from . import create_app


class SitrepServer(BaseApplication):
    """gunicorn configured from code rather than from a config file."""

    def __init__(self, settings: Settings, workers: int, **options: Any) -> None:
        self.settings = settings
        self.options = {
            "bind": f"{settings.host}:{settings.port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "timeout": 60,
            "accesslog": "-",
            "errorlog": "-",
            **options,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app(self.settings)


def serve(settings: Settings, workers: int) -> None:
    """Run gunicorn until it is stopped (Ctrl-C or SIGTERM)."""
    SitrepServer(settings, workers).run()
