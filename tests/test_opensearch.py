"""`sitrep export --opensearch`: bulk NDJSON and a mapping an OpenSearch cluster accepts."""

from __future__ import annotations

import json
from datetime import date

import pytest

from search import SearchIndex
from search.cli import cli
from search.export.opensearch import MAPPING, export_opensearch


def bulk_pairs(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) % 2 == 0, "bulk files alternate action and document lines"
    return [(json.loads(lines[i]), json.loads(lines[i + 1])) for i in range(0, len(lines), 2)]


@pytest.fixture(scope="module")
def exported(seed_settings, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("opensearch")
    summary = export_opensearch(seed_settings, outdir)
    return outdir, summary


def test_every_paragraph_is_exported_once(exported, seed_settings):
    outdir, summary = exported
    pairs = [pair for path in summary.files for pair in bulk_pairs(path)]
    with SearchIndex(seed_settings) as index:
        expected = {hit.id for hit in index.search("", per_page=100).hits}
    assert summary.documents == len(pairs) == len(expected) == 32
    assert {action["index"]["_id"] for action, _ in pairs} == expected
    assert all(action["index"]["_id"] == doc["id"] for action, doc in pairs)
    assert all(action["index"]["_index"] == "sitrep-paragraphs" for action, _ in pairs)
    assert all(path.read_text().endswith("\n") for path in summary.files)  # _bulk needs the last newline


def test_documents_fit_the_mapping(exported):
    outdir, summary = exported
    mapping = json.loads((outdir / "mapping.json").read_text())
    assert mapping == MAPPING
    properties = mapping["mappings"]["properties"]
    analyzers = mapping["settings"]["analysis"]["analyzer"]
    assert all(p.get("analyzer", "sitrep_text") in analyzers for p in properties.values())
    for path in summary.files:
        for _, doc in bulk_pairs(path):
            assert set(doc) == set(properties)  # "dynamic": "strict" rejects anything else
            for name, value in doc.items():
                kind = properties[name]["type"]
                values = value if isinstance(value, list) else [value]
                for item in values:
                    if item is None:
                        continue
                    if kind == "date":
                        date.fromisoformat(item)
                    elif kind in ("keyword", "text"):
                        assert isinstance(item, str), (name, item)
                    elif kind == "integer":
                        assert isinstance(item, int)
                    elif kind == "boolean":
                        assert isinstance(item, bool)


def test_facet_fields_are_keywords_and_dates_are_dates():
    properties = MAPPING["mappings"]["properties"]
    for name in ("topics", "places", "source", "section", "label", "cited"):
        assert properties[name]["type"] == "keyword"
    assert properties["date"]["type"] == properties["event_dates"]["type"] == "date"
    assert properties["text"]["analyzer"] == "sitrep_text"


def test_inferred_dates_and_tags_survive(exported):
    outdir, summary = exported
    docs = [doc for path in summary.files for _, doc in bulk_pairs(path)]
    inferred = [d for d in docs if d["report_id"] == "004_46fcd5d56deb0784"]
    assert len(inferred) == 13 and all(d["date"] == "2024-12-14" and d["date_inferred"] for d in inferred)
    assert any("North Korea" in d["topics"] for d in inferred)


def test_cli_export(runner, seed_settings, tmp_path):
    result = runner.invoke(cli, ["export", "--opensearch", str(tmp_path / "out"), "--index-dir", str(seed_settings.index_dir)])
    assert result.exit_code == 0, result.output
    assert "32 paragraphs in 1 bulk file(s)" in result.output
    assert (tmp_path / "out" / "bulk-0001.ndjson").exists()


def test_cli_export_errors_are_one_line(runner, seed_settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(cli, ["export", "--opensearch", str(blocker / "out"), "--index-dir", str(seed_settings.index_dir)])
    assert result.exit_code == 2 and result.output.startswith("Error: cannot write to")
    result = runner.invoke(cli, ["export", "--opensearch", str(tmp_path / "o"), "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 1 and "run `sitrep index` first" in result.output
