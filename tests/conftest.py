"""Shared fixtures for the engine, CLI and web tests.

Every test starts from a standard environment: ``SITREP_*`` variables from the
developer's shell are removed (:func:`clean_environment`), so only what a test
sets itself can change the settings.

Fixtures:

* ``seed_settings`` (session): the real ``seeds/`` indexed once, read-only.
  Tests that write to an index must use ``index_dir``/``settings`` instead.
* ``index_dir`` / ``settings`` (per test): an empty index directory and the
  settings that point at it, with the default taxonomy and gazetteer.
* ``taxonomy`` (session): the default taxonomy and gazetteer, loaded.
* ``seed_copy`` (per test): the seed files copied under ``tmp_path``, for
  tests that edit, delete or add report files.
* ``runner``: click's ``CliRunner``.

Tests that need search/data/taxonomy.toml and places.toml get them through
``seed_settings``, ``settings`` or ``taxonomy``, which skip the test (with the
reason) while those files do not exist yet.
"""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import Settings, load_settings, update_index
from search.config import DATA_DIR, ENV_PREFIX
from search.taxonomy import Taxonomy, load_taxonomy
from web import create_app
from werkzeug.serving import make_server

# Real OpenSearch nodes (#18): opensearch_url (session), opensearch_cluster (module).
from opensearch.fixtures import opensearch_cluster, opensearch_launcher, opensearch_url  # noqa: F401

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
DEFAULT_VOCABULARIES = (DATA_DIR / "taxonomy.toml", DATA_DIR / "places.toml")


def _require_default_vocabularies() -> None:
    """Skip the calling test while search/data/taxonomy.toml or places.toml is not written yet."""
    missing = [path.name for path in DEFAULT_VOCABULARIES if not path.exists()]
    if missing:
        pytest.skip(f"search/data/{' and '.join(missing)} not written yet; the seed tests need them")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Delete every SITREP_* variable, so a developer's shell cannot leak into a test."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The repository's seeds/ directory (never modify it; use ``seed_copy``)."""
    return SEEDS_DIR


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for an index of the real seeds, built once per session. Read only."""
    _require_default_vocabularies()
    index_dir = tmp_path_factory.mktemp("seed-index")
    # environ={}: session fixtures run outside clean_environment.
    settings = load_settings(environ={}, index_dir=index_dir, reports=[SEEDS_DIR])
    update_index(settings, [SEEDS_DIR])
    return settings


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    """An empty directory for a test's own index."""
    path = tmp_path / "index"
    path.mkdir()
    return path


@pytest.fixture
def settings(index_dir: Path) -> Settings:
    """Settings for ``index_dir`` with the default taxonomy and gazetteer."""
    _require_default_vocabularies()
    return load_settings(index_dir=index_dir)


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """The default vocabularies (search/data/taxonomy.toml and places.toml), loaded."""
    _require_default_vocabularies()
    return load_taxonomy(*DEFAULT_VOCABULARIES)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A directory holding copies of the seed files, free to edit or delete."""
    target = tmp_path / "reports"
    shutil.copytree(SEEDS_DIR, target)
    return target


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner; ``result.stdout`` and ``result.stderr`` are separate (click 8.2+)."""
    return CliRunner()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see a failure.

    The browser tests' ``page`` fixture reads ``item.rep_call`` to save a
    screenshot of a failed test into ``test-artifacts/``.
    """
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# -- the browser tests: Debian's chromium driven by Playwright ------------------------------

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _require_browser() -> None:
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")


@contextmanager
def serving(settings: Settings):
    """A real server for ``settings`` on a free port of 127.0.0.1, in a thread; yields its base URL."""
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        app.extensions["sitrep"].close()


def http_get(url: str) -> tuple[int, str]:
    """Status and body of a GET over real HTTP, an error status included (no exception)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode("utf-8")


@contextmanager
def serving_generated(root: Path, paragraphs: int, seed: int = 5):
    """A real server on an index of ``bench/make_corpus.py``'s ISW-like reports (JSON Lines) under ``root``.

    Each generated report repeats one disclaimer paragraph, so collapse and
    "also in" have work to do; counts run into the thousands.
    """
    import importlib.util
    import sys

    bench = Path(__file__).resolve().parent.parent / "bench"
    spec = importlib.util.spec_from_file_location("make_corpus", bench / "make_corpus.py")
    make_corpus = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = make_corpus  # dataclasses look their module up
    spec.loader.exec_module(make_corpus)
    make_corpus.write_corpus(paragraphs, root / "reports", seed=seed, formats=("jsonl",))
    settings = load_settings(index_dir=root / "index", environ={})
    update_index(settings, [root / "reports"])
    with serving(settings) as url:
        yield url


@pytest.fixture(scope="module")
def live_server(seed_settings):
    with serving(seed_settings) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    outside: list[str] = []
    # No request may leave the machine (no CDN, no fonts, no analytics).
    tab.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:")) else None)
    yield tab
    report = getattr(request.node, "rep_call", None)  # set by conftest.py's hook
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert outside == []


