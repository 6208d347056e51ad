"""Settings: the one place that knows defaults and reads ``SITREP_*`` variables.

Sources are applied in order, later ones winning: the defaults declared on
:class:`Settings`, then environment variables (``SITREP_INDEX_DIR`` for
``index_dir`` and so on), then explicit overrides (CLI flags, or a test's
``load_settings(index_dir=...)``).  ``os.environ`` is read nowhere else.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from .errors import BadInput
from .numbers import is_ascii_whole_number

DATA_DIR = Path(__file__).parent / "data"
ENV_PREFIX = "SITREP_"


def _help(text: str, **kwargs: Any) -> Any:
    """Declare a field with its help text in the metadata (shown by `sitrep settings`)."""
    return field(metadata={"help": text}, **kwargs)


@dataclass(frozen=True)
class Settings:
    """Everything Sitrep can be configured with; each field has a one-line help text."""

    index_dir: Path = _help("Directory holding the Whoosh index.", default=Path("index"))
    reports: tuple[Path, ...] = _help(
        "Report files or directories that `sitrep index` reads when given no PATH.",
        default=(Path("seeds"),),
    )
    taxonomy: Path = _help(
        "TOML file mapping topics to words and phrases.", default=DATA_DIR / "taxonomy.toml"
    )
    gazetteer: Path = _help(
        "TOML file of places and their spelling variants.", default=DATA_DIR / "places.toml"
    )
    per_page: int = _help("Hits per page when the request names none.", default=10)
    max_per_page: int = _help("Largest page size a request may ask for.", default=100)
    max_query_length: int = _help("Longest query text accepted, in characters.", default=500)
    host: str = _help("Address `sitrep serve` listens on.", default="127.0.0.1")
    port: int = _help("Port `sitrep serve` listens on.", default=5000)
    base_url: str = _help(
        "Absolute URL users reach Sitrep at; links in feeds, exports, citations and the "
        "OpenSearch description start with it (empty: http://HOST:PORT).", default=""
    )
    workers: int = _help("gunicorn worker processes `sitrep serve` runs.", default=2)
    result_cache: int = _help(
        "Result pages kept per server process for repeated requests (0: none); "
        "a new index generation empties it.", default=256
    )
    postings_cache_mb: int = _help(
        "Megabytes of decoded term postings kept per server process.", default=256
    )
    warm_postings_mb: int = _help(
        "Megabytes of the most common words' postings `sitrep serve` decodes before its workers "
        "start, shared by them (0: none).", default=64
    )
    name_form_max_percent: int = _help(
        "A query for a name also searches its adjectival form and the reverse (North Korea, "
        "North Korean) unless either is in more than this percentage of all paragraphs "
        "(0: never).", default=20
    )
    suggest_max_hits: int = _help(
        "\"Did you mean\" is worked out only for searches with at most this many hits, or with "
        "a word the index does not know (0: only then).", default=10
    )
    bm25_k1: float = _help(
        "BM25F term-frequency saturation k1: how fast more repeats of a word stop adding to a score.",
        default=1.6,
    )
    bm25_text_b: float = _help(
        "BM25F length normalisation b of a paragraph's text, 0 (none) to 1 (full).", default=0.75
    )
    bm25_title_b: float = _help(
        "BM25F length normalisation b of the report title, 0 (none) to 1 (full).", default=0.75
    )
    bm25_text_weight: float = _help(
        "BM25F weight of a word's frequency in the paragraph's text.", default=1.0
    )
    bm25_title_weight: float = _help(
        "BM25F weight of a word's frequency in the report's title, added to the text's before saturation.",
        default=2.0,
    )
    relax_below: int = _help(
        "Plain words whose AND finds fewer paragraphs than this are searched as a ranked OR, "
        "paragraphs with all the words first (0: never).", default=10,
    )
    pull_timeout: int = _help(
        "Seconds `sitrep pull` waits for a server to connect or to send its next bytes.", default=30
    )
    pull_delay: int = _help(
        "Seconds `sitrep pull` waits between two requests to the same host (0: none).", default=1
    )
    pull_contact: str = _help(
        "URL or e-mail address `sitrep pull` adds to its User-Agent, so a site can reach you.", default=""
    )
    backend: str = _help(
        "Where paragraphs are indexed and searched: whoosh (the index in index_dir) or opensearch "
        "(a cluster at opensearch_url).", default="whoosh"
    )
    opensearch_url: str = _help(
        "URL of the OpenSearch cluster the opensearch back end indexes into and serves from "
        "(several nodes' URLs separated by commas to fail over between them).",
        default="http://127.0.0.1:9200",
    )
    opensearch_index: str = _help(
        "Name of the OpenSearch alias the paragraphs are searched through (NAME-files holds the file list).",
        default="sitrep-paragraphs",
    )

    @property
    def public_url(self) -> str:
        """The start of every absolute link: ``base_url``, or ``http://host:port`` when that is empty.

        Links never come from a request's Host header, which the client
        chooses: a forged Host would end up in feeds others read (#13).
        """
        if self.base_url:
            return self.base_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @classmethod
    def help_texts(cls) -> dict[str, str]:
        """Field name -> help text, in declaration order."""
        return {f.name: f.metadata["help"] for f in dataclasses.fields(cls)}


def env_name(field_name: str) -> str:
    """The environment variable that sets a field: ``index_dir`` -> ``SITREP_INDEX_DIR``."""
    return ENV_PREFIX + field_name.upper()


def _base_url(value: str) -> str:
    """``value`` without its trailing slash, checked to be an absolute http(s) URL ("" keeps the default).

    :raises BadInput: not http:// or https://, no host, a query or fragment,
        or characters a URL cannot hold as they are (spaces, controls, non-ASCII).
    """
    url = value.strip().rstrip("/")
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        usable = (parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
                  and not parts.query and not parts.fragment and url.isascii() and url.isprintable()
                  and " " not in url)
    except ValueError:  # e.g. an unclosed [ of an IPv6 address
        usable = False
    if not usable:
        raise BadInput("setting base_url must be an absolute http:// or https:// URL such as "
                       f"https://sitrep.example.org, not {value!r}")
    return url


ZERO_ALLOWED = ("port", "result_cache", "warm_postings_mb", "pull_delay", "name_form_max_percent", "suggest_max_hits", "relax_below")
# Settings that are fractions, with the range each may take: BM25F's b
# normalises lengths from not at all (0) to fully (1); a weight or k1 of 0
# would drop a field or every frequency, so they must be above 0.
_FRACTION_RANGES = {"bm25_text_b": (0.0, 1.0), "bm25_title_b": (0.0, 1.0)}
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+", re.ASCII)


BACKENDS = ("whoosh", "opensearch")
# OpenSearch index names: lower case, none of the characters \/*?"<>|,#: or a space,
# not starting with - _ +, at most 200 characters (the alias gets suffixes).
_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}", re.ASCII)


def _text_setting(name: str, value: str) -> str:
    """Check the settings whose text has a form: base_url, backend, opensearch_url, opensearch_index.

    :raises BadInput: a value of the wrong form, with the form it should have.
    """
    if name == "base_url":
        return _base_url(value)
    if name == "backend":
        if value.strip().lower() not in BACKENDS:
            raise BadInput(f"setting backend must be one of {', '.join(BACKENDS)}, not {value!r}")
        return value.strip().lower()
    if name == "opensearch_url":
        # Several nodes' URLs, comma-separated, let the client fail over when one is down.
        urls = [url.strip().rstrip("/") for url in value.split(",")]
        for url in urls:
            try:
                parts = urlsplit(url)
                usable = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and url.isascii() \
                    and " " not in url and not parts.query and not parts.fragment
                parts.port  # noqa: B018 - raises ValueError for a port out of range
            except ValueError:
                usable = False
            if not usable:
                raise BadInput(f"setting opensearch_url must be an http:// or https:// URL such as "
                               f"http://127.0.0.1:9200 (several separated by commas), not {value!r}")
        return ",".join(urls)
    if name == "opensearch_index":
        if not _INDEX_NAME.fullmatch(value.strip()):
            raise BadInput(f"setting opensearch_index must be an OpenSearch index name (lower-case letters, "
                           f"digits, '.', '_', '-'; not starting with '.', '_' or '-'), not {value!r}")
        return value.strip()
    return value


def _fraction(name: str, value: Any) -> float:
    """A float setting from a string such as "0.75" or a number, checked against its range.

    :raises BadInput: not a decimal number written with the digits 0-9, or out of range.
    """
    low, high = _FRACTION_RANGES.get(name, (0.0, None))
    wanted = f"from {low:g} to {high:g}" if high is not None else "above 0"
    number = math.nan
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        number = float(value.strip())  # float() alone also reads "nan", "1e9" and "٠٫٥"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    in_range = math.isfinite(number) and low <= number and (number <= high if high is not None else number > 0)
    if not in_range:
        raise BadInput(f"setting {name} must be a decimal number {wanted} such as 0.75, not {value!r}")
    return number


def _coerce(name: str, kind: Any, value: Any) -> Any:
    """Turn a string (from the environment) or a loose value into the field's type."""
    if value is None:
        return None
    text_kind = str(kind)
    try:
        if "tuple" in text_kind:
            if isinstance(value, str):
                value = [part for part in value.split(os.pathsep) if part]
            return tuple(Path(part) for part in value)
        if "Path" in text_kind:
            return Path(value)
        if "float" in text_kind:
            return _fraction(name, value)
        if "int" in text_kind:
            if isinstance(value, str) and not is_ascii_whole_number(value.strip()):
                raise ValueError(value)  # int() also reads "٢٥", "２５" and "2_5" (#13)
            number = int(value)
            # Port 0 asks the system for a free port, a cache of 0 is no
            # cache, a delay of 0 none, 0 % never adds a name's other forms,
            # 0 hits suggests only for unknown words, relax_below 0 never
            # relaxes; others start at 1.
            lowest = 0 if name in ZERO_ALLOWED else 1
            highest = {"port": 65535, "name_form_max_percent": 100}.get(name)
            if number < lowest or (highest is not None and number > highest):
                raise ValueError(value)
            return number
    except (TypeError, ValueError):
        raise BadInput(f"setting {name} must be a {text_kind.lower()}, not {value!r}") from None
    return _text_setting(name, str(value))


def load_settings(
    environ: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    """Build :class:`Settings` from defaults, then ``SITREP_*`` variables, then overrides.

    Overrides whose value is ``None`` are ignored, so a CLI flag left out never
    hides the environment.

    :param environ: the environment to read; ``os.environ`` when omitted.
    :raises BadInput: an unknown setting name or a value of the wrong type.
    """
    env = os.environ if environ is None else environ
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        if env_name(name) in env:
            values[name] = _coerce(name, spec.type, env[env_name(name)])
    for name, value in overrides.items():
        if name not in fields:
            raise BadInput(f"unknown setting {name!r}; known: {', '.join(fields)}")
        if value is not None:
            values[name] = _coerce(name, fields[name].type, value)
    return Settings(**values)
