"""Settings (search/config.py): defaults, SITREP_* variables, explicit overrides."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from search import BadInput, Settings, load_settings
from search.config import DATA_DIR, env_name


def test_defaults():
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.index_dir == Path("index")
    assert settings.reports == (Path("seeds"),)
    assert settings.taxonomy == DATA_DIR / "taxonomy.toml"
    assert settings.gazetteer == DATA_DIR / "places.toml"
    assert (settings.per_page, settings.max_per_page, settings.max_query_length) == (10, 100, 500)
    assert (settings.host, settings.port) == ("127.0.0.1", 5000)


def test_reads_os_environ_when_no_environ_given(monkeypatch, tmp_path):
    monkeypatch.setenv("SITREP_INDEX_DIR", str(tmp_path))
    assert load_settings().index_dir == tmp_path


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("index_dir", "/srv/sitrep/index", Path("/srv/sitrep/index")),
        ("reports", os.pathsep.join(["/a", "/b"]), (Path("/a"), Path("/b"))),
        ("taxonomy", "/etc/topics.toml", Path("/etc/topics.toml")),
        ("gazetteer", "/etc/places.toml", Path("/etc/places.toml")),
        ("per_page", "25", 25),
        ("max_per_page", "50", 50),
        ("max_query_length", "80", 80),
        ("host", "0.0.0.0", "0.0.0.0"),
        ("port", "8080", 8080),
        ("workers", "4", 4),
        ("result_cache", "0", 0),
        ("postings_cache_mb", "64", 64),
        ("warm_postings_mb", "0", 0),
        ("pull_timeout", "5", 5),
        ("pull_delay", "0", 0),
        ("pull_contact", "mailto:desk@example.org", "mailto:desk@example.org"),
        ("name_form_max_percent", "0", 0),
        ("suggest_max_hits", "0", 0),
        ("base_url", "https://sitrep.example.org/desk/", "https://sitrep.example.org/desk"),
        ("relax_below", "0", 0),
        ("bm25_k1", "0.9", 0.9),
        ("bm25_text_b", "0", 0.0),
        ("bm25_title_b", "1", 1.0),
        ("bm25_text_weight", ".5", 0.5),
        ("bm25_title_weight", "4", 4.0),
        ("backend", "OpenSearch", "opensearch"),
        ("opensearch_url", "http://10.0.0.5:9200/, https://b.example:9243", "http://10.0.0.5:9200,https://b.example:9243"),
        ("opensearch_index", "desk-paragraphs", "desk-paragraphs"),
    ],
)
def test_every_setting_has_an_environment_variable(name, raw, expected):
    settings = load_settings(environ={env_name(name): raw})
    assert getattr(settings, name) == expected


def test_every_field_is_covered_by_the_environment_test():
    # Keeps the parametrised test above complete when a setting is added.
    covered = {"index_dir", "reports", "taxonomy", "gazetteer", "per_page", "max_per_page",
               "max_query_length", "host", "port", "workers", "result_cache", "postings_cache_mb", "warm_postings_mb",
               "pull_timeout", "pull_delay", "pull_contact", "base_url", "name_form_max_percent",
               "suggest_max_hits", "relax_below", "bm25_k1", "bm25_text_b", "bm25_title_b", "bm25_text_weight",
               "bm25_title_weight", "backend", "opensearch_url", "opensearch_index"}
    assert {f.name for f in dataclasses.fields(Settings)} == covered


@pytest.mark.parametrize(("name", "raw"), [("name_form_max_percent", "101"), ("name_form_max_percent", "-1"),
                                          ("suggest_max_hits", "-1"), ("suggest_max_hits", "ten")])
def test_out_of_range_name_and_suggestion_settings_are_refused(name, raw):
    with pytest.raises(BadInput, match=name):
        load_settings(environ={env_name(name): raw})


@pytest.mark.parametrize(("name", "raw"), [
    ("backend", "elastic"), ("backend", ""), ("opensearch_url", "127.0.0.1:9200"), ("opensearch_url", "ftp://x"),
    ("opensearch_url", "http://a:99999"), ("opensearch_url", "http://a:9200,"), ("opensearch_index", "Sitrep"),
    ("opensearch_index", "_sitrep"), ("opensearch_index", "a b"), ("opensearch_index", "a*"),
])
def test_bad_backend_settings_are_refused(name, raw):
    with pytest.raises(BadInput, match=f"setting {name} must be"):
        load_settings(environ={env_name(name): raw})


def test_env_name():
    assert env_name("index_dir") == "SITREP_INDEX_DIR"


def test_explicit_override_beats_environment():
    settings = load_settings(environ={"SITREP_PER_PAGE": "25", "SITREP_INDEX_DIR": "/env"},
                             per_page=7, index_dir="/flag")
    assert settings.per_page == 7
    assert settings.index_dir == Path("/flag")


def test_none_override_is_ignored():
    settings = load_settings(environ={"SITREP_INDEX_DIR": "/env"}, index_dir=None, per_page=None)
    assert settings.index_dir == Path("/env")
    assert settings.per_page == 10


def test_override_values_are_coerced():
    settings = load_settings(environ={}, index_dir="some/dir", per_page="3", reports=["a", "b"])
    assert settings.index_dir == Path("some/dir")
    assert settings.per_page == 3
    assert settings.reports == (Path("a"), Path("b"))


@pytest.mark.parametrize(
    ("source", "value"),
    [("env", "ten"), ("env", "0"), ("env", "-3"), ("override", "ten"), ("override", 0),
     # Only the digits 0-9 make a number, though int() reads these (#13).
     ("env", "２５"), ("env", "٢٥"), ("env", "2_5"), ("env", "+25"), ("env", "²"), ("override", "２５")],
)
def test_bad_integer_is_bad_input(source, value):
    with pytest.raises(BadInput, match="per_page"):
        if source == "env":
            load_settings(environ={"SITREP_PER_PAGE": value})
        else:
            load_settings(environ={}, per_page=value)


def test_unknown_setting_is_bad_input():
    with pytest.raises(BadInput, match="unknown setting 'colour'"):
        load_settings(environ={}, colour="red")


def test_unknown_environment_variable_is_ignored():
    assert load_settings(environ={"SITREP_COLOUR": "red"}) == Settings()


def test_every_setting_has_help_text():
    texts = Settings.help_texts()
    assert list(texts) == [f.name for f in dataclasses.fields(Settings)]
    assert all(text.strip() for text in texts.values())


def test_port_zero_is_allowed():
    assert load_settings(environ={"SITREP_PORT": "0"}).port == 0


@pytest.mark.parametrize("value", ["-1", "70000", "５０００", "٥٠٠٠", "5_000"])
def test_impossible_port_is_bad_input(value):
    with pytest.raises(BadInput, match="port"):
        load_settings(environ={"SITREP_PORT": value})


@pytest.mark.parametrize(
    ("environ", "public_url"),
    [
        ({}, "http://127.0.0.1:5000"),
        ({"SITREP_HOST": "0.0.0.0", "SITREP_PORT": "8080"}, "http://0.0.0.0:8080"),
        ({"SITREP_HOST": "::1"}, "http://[::1]:5000"),
        ({"SITREP_BASE_URL": "https://sitrep.example.org/", "SITREP_PORT": "8080"}, "https://sitrep.example.org"),
    ],
)
def test_links_start_with_base_url_or_host_and_port(environ, public_url):
    assert load_settings(environ=environ).public_url == public_url


@pytest.mark.parametrize(
    "value", ["sitrep.example.org", "ftp://sitrep.example.org", "https://", "https://a.example/?q=1",
              "https://a.example/#top", "https://a.example/da sh", "https://a.example/\x0bdesk", "https://[::1",
              "javascript:alert(1)", "https://пример.example"],
)
def test_base_url_must_be_an_absolute_http_url(value):
    with pytest.raises(BadInput, match="setting base_url must be an absolute http:// or https:// URL"):
        load_settings(environ={"SITREP_BASE_URL": value})


@pytest.mark.parametrize(
    ("name", "value"),
    [("bm25_k1", "0"), ("bm25_k1", "-1"), ("bm25_title_weight", "0"), ("bm25_text_b", "1.5"),
     ("bm25_title_b", "-0.1"), ("bm25_k1", "nan"), ("bm25_k1", "inf"), ("bm25_k1", "1e3"),
     # float() reads these too; a setting is written with the digits 0-9 and a point (#13).
     ("bm25_k1", "١٫٢"), ("bm25_text_weight", "1_0"), ("bm25_k1", "")],
)
def test_bad_fraction_is_bad_input(name, value):
    with pytest.raises(BadInput, match=f"setting {name} must be a decimal number"):
        load_settings(environ={env_name(name): value})


def test_fraction_override_takes_numbers():
    settings = load_settings(environ={}, bm25_k1=2, bm25_title_b=0.3)
    assert (settings.bm25_k1, settings.bm25_title_b) == (2.0, 0.3)
    with pytest.raises(BadInput, match="bm25_title_weight"):
        load_settings(environ={}, bm25_title_weight=True)
