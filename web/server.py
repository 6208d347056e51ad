"""Serving the app: gunicorn in production, Flask's server only for debugging.

``sitrep serve`` runs gunicorn with N worker processes.  The app is built
once, in gunicorn's master (``preload_app``), which opens the newest index
generation and reads what every route needs: facet postings, repeat
groups, field lengths and the postings of the most common words
(:meth:`~search.query.SearchIndex.warm`), compiles the templates and makes
the front page once.  It then closes its searchers and
forks the workers, which share what it read copy-on-write.  Each worker
opens its own searcher, no file handle shared between processes, and warms
its generation from those shared reads before it accepts its first request
(``post_worker_init``): no request waits for a cold start (#17).  Later
generations are opened and warmed as they land, reading only their new
segments, by a thread of each worker that looks for them.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from search import Settings

from . import create_app

WATCH_SECONDS = 0.25  # how often a worker looks for a new index generation to warm


def warm_worker(worker: Any) -> None:
    """gunicorn's ``post_worker_init``: open this worker's own generation before it accepts requests.

    Then a thread of the worker looks for new generations and opens each
    as it lands, so the request that would have met it first does not wait
    for it: requests that come while the thread warms it are answered from
    the generation before (committed at most that warm's time earlier, 0.2-0.4 s
    at 100k paragraphs); a request that sees it before the thread does
    opens it itself, as without the thread.
    """
    index = worker.wsgi.extensions["sitrep"]
    began = time.monotonic()
    index.warm()
    worker.log.info("Worker warm (pid: %s) in %.2f s", worker.pid, time.monotonic() - began)

    def watch() -> None:
        while worker.alive:
            time.sleep(WATCH_SECONDS)
            # Looks at the index's TOC; opens and warms only a new generation.
            if index.warm() and index.settings.result_cache:
                # The front page lists every paragraph, 0.4 s at 100k: made
                # here for the new generation's result cache, not by a visitor.
                worker.wsgi.test_client().get("/")

    threading.Thread(target=watch, name="sitrep-warm", daemon=True).start()


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
            "preload_app": True,
            "post_worker_init": warm_worker,
            **options,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        app = create_app(self.settings)
        index = app.extensions["sitrep"]
        index.warm(self.settings.warm_postings_mb)
        # Jinja compiles a template on its first use: 0.2 s of a worker's
        # first page.  Compiled here, once, for every worker.
        for name in app.jinja_env.list_templates():
            app.jinja_env.get_template(name)
        # The front page, most visitors' first request: its results stay in
        # the result cache for as long as this generation is the newest.
        app.test_client().get("/")
        # What was read stays for the workers; the searchers' files do not:
        # each worker opens its own after the fork.
        index.close()
        return app


def serve(settings: Settings, workers: int) -> None:
    """Run gunicorn until it is stopped (Ctrl-C or SIGTERM)."""
    SitrepServer(settings, workers).run()
