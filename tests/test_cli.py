"""The `sitrep` command line (search/cli.py), run through click's CliRunner.

Commands are invoked with ``catch_exceptions=False`` so a stray traceback fails
the test instead of hiding behind exit code 1.  Commands that write get their
own index under ``tmp_path``; the rest read the session's seed index.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from search import Settings, load_settings, search
from search.index import update as index_module
from search.cli import cli
from search.config import env_name
from search.index import VERSION_FILE, open_index

TAKEAWAYS = "Key Takeaways"  # canonical section of "Key ISW takeaways as of December 14"
TAKEAWAYS_HEADING = "Key ISW takeaways as of December 14"
ISW_FILE = "000_0dbb5635bfea498f.txt"
TAKEAWAYS_FILE = "004_46fcd5d56deb0784.txt"
HIT_KEYS = {
    "id", "report_id", "title", "source", "date", "date_inferred", "section", "kind",
    "position", "topics", "places", "text", "snippet", "score", "url",
    "heading", "label", "footnotes", "cited", "event_dates", "report_url", "also_in", "also_in_count",
}


def invoke(runner, *args, env=None):
    return runner.invoke(cli, [str(arg) for arg in args], catch_exceptions=False, env=env)


def assert_error(result, exit_code: int, start: str) -> None:
    """Exactly one ``Error:`` line on stderr, nothing on stdout, and the exit code."""
    assert result.exit_code == exit_code, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: {start}"), lines[0]


@pytest.fixture(scope="module")
def seed_index(seed_settings) -> Path:
    return seed_settings.index_dir


def search_json(runner, seed_index, *args, env=None) -> dict:
    result = invoke(runner, "search", *args, "--json", "--index-dir", seed_index, env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def hit_id(settings: Settings, phrase: str) -> str:
    (hit,) = search(settings, f'"{phrase}"').hits
    return hit.id


# -- index ---------------------------------------------------------------------


def test_index_then_nothing_to_do(runner, seed_copy, index_dir):
    first = invoke(runner, "index", seed_copy, "--index-dir", index_dir)
    assert first.exit_code == 0
    assert first.stdout == "2 added, 0 updated, 0 removed, 0 skipped, 0 unchanged; 32 paragraphs written\n"
    assert first.stderr == ""
    assert search(load_settings(index_dir=index_dir), "").total == 32
    second = invoke(runner, "index", seed_copy, "--index-dir", index_dir)
    assert second.exit_code == 0
    assert second.stdout == "0 added, 0 updated, 0 removed, 0 skipped, 2 unchanged; 0 paragraphs written\n"


def test_index_rebuild(runner, seed_copy, index_dir):
    invoke(runner, "index", seed_copy, "--index-dir", index_dir)
    result = invoke(runner, "index", seed_copy, "--rebuild", "--index-dir", index_dir)
    assert result.exit_code == 0
    assert result.stdout == "2 added, 0 updated, 0 removed, 0 skipped, 0 unchanged; 32 paragraphs written\n"
    assert search(load_settings(index_dir=index_dir), "").total == 32


def test_index_after_schema_change_needs_rebuild(runner, seed_copy, index_dir):
    invoke(runner, "index", seed_copy, "--index-dir", index_dir)
    (index_dir / VERSION_FILE).write_text("999\n")
    assert_error(invoke(runner, "index", seed_copy, "--index-dir", index_dir), 1, "the index at")
    search_result = invoke(runner, "search", "Kursk", "--index-dir", index_dir)
    assert_error(search_result, 1, "the index at")
    assert "sitrep index --rebuild" in search_result.stderr
    assert invoke(runner, "index", seed_copy, "--rebuild", "--index-dir", index_dir).exit_code == 0


def test_index_reports_skipped_files_on_stderr(runner, seed_copy, index_dir):
    empty = seed_copy / "empty.txt"
    empty.write_bytes(b"")
    missing = seed_copy / "missing.txt"
    result = invoke(runner, "index", seed_copy, missing, "--index-dir", index_dir)
    assert result.exit_code == 0
    assert result.stdout == "2 added, 0 updated, 0 removed, 2 skipped, 0 unchanged; 32 paragraphs written\n"
    assert sorted(result.stderr.splitlines()) == sorted([
        f"skipped {missing}: no such file or directory",
        f"skipped {empty}: empty file",
    ])


def test_index_reports_warnings_on_stderr(runner, tmp_path, index_dir):
    report = tmp_path / "cp1252.txt"
    report.write_bytes("December 2, 2024\n\nRussia’s bases in Syria.\n".encode("cp1252"))
    result = invoke(runner, "index", report, "--index-dir", index_dir)
    assert result.exit_code == 0
    assert result.stderr == f"warning {report}: not UTF-8; read as Windows-1252\n"


def test_index_without_paths_reads_seeds_in_the_working_directory(runner, tmp_path, seeds_dir, monkeypatch):
    shutil.copytree(seeds_dir, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "index")
    assert result.exit_code == 0
    assert result.stdout.startswith("2 added")
    assert search(load_settings(index_dir=tmp_path / "index"), "").total == 32


def test_index_without_paths_reads_sitrep_reports(runner, seed_copy, index_dir):
    result = invoke(runner, "index", "--index-dir", index_dir,
                    env={"SITREP_REPORTS": str(seed_copy / TAKEAWAYS_FILE)})
    assert result.exit_code == 0
    assert result.stdout.startswith("1 added")


@pytest.mark.parametrize("option", ["--taxonomy", "--gazetteer"])
def test_index_uses_taxonomy_and_gazetteer_options(runner, seeds_dir, tmp_path, index_dir, option):
    custom = tmp_path / "custom.toml"
    if option == "--taxonomy":
        custom.write_text('[topics."Armour"]\nterms = ["armored vehicle*"]\n')
    else:
        custom.write_text('[[place]]\nname = "Slovakia"\nvariants = ["Slovak"]\n')
    result = invoke(runner, "index", seeds_dir / ISW_FILE, option, custom, "--index-dir", index_dir)
    assert result.exit_code == 0
    facet = "topic" if option == "--taxonomy" else "place"
    facets = search(load_settings(index_dir=index_dir), "").facets[facet]
    assert [(v.value, v.count) for v in facets] == [("Armour" if facet == "topic" else "Slovakia", 1)]


@pytest.mark.parametrize("option", ["--taxonomy", "--gazetteer"])
def test_index_with_a_missing_vocabulary_file(runner, seed_copy, tmp_path, index_dir, option):
    missing = tmp_path / "missing.toml"
    result = invoke(runner, "index", seed_copy, option, missing, "--index-dir", index_dir)
    assert_error(result, 1, f"cannot read {missing}")


def test_index_busy(runner, seed_copy, index_dir, monkeypatch):
    invoke(runner, "index", seed_copy, "--index-dir", index_dir)
    (seed_copy / ISW_FILE).write_text("December 2, 2024\n\nA changed report.\n")
    monkeypatch.setattr(index_module, "WRITER_TIMEOUT_S", 0)
    ix = open_index(index_dir)
    writer = ix.writer()
    try:
        assert_error(invoke(runner, "index", seed_copy, "--index-dir", index_dir), 1, "another `sitrep index`")
    finally:
        writer.cancel()
        ix.close()


# -- search --------------------------------------------------------------------


def test_search_text_output(runner, seed_index):
    result = invoke(runner, "search", "Pokrovsk", "--per-page", 2, "--index-dir", seed_index)
    assert result.exit_code == 0
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "6 paragraphs match; page 1 of 3"
    assert lines[2] == ("1. 2024-12-23 | Institute for the Study of War | "
                        "North Korea plans to deploy additional troops after losing 3,000 in Kursk")
    assert "<mark>" not in result.stdout and "Pokrovsk" in lines[3]
    assert lines[4].startswith("   id ") and "/reports/000_0dbb5635bfea498f#p" in lines[4]
    assert [line.split(":")[0] for line in lines if line.startswith(("topic:", "source:", "place:"))] == [
        "topic", "source", "place"]
    assert "source: Institute for the Study of War (6)" in lines


def test_search_text_output_shows_inferred_dates_and_sections(runner, seed_index):
    result = invoke(runner, "search", "Zelensky", "--index-dir", seed_index)
    assert result.stdout.splitlines()[0] == "1 paragraph match; page 1 of 1"
    assert "1. 2024-12-14 (inferred) | Institute for the Study of War | " in result.stdout
    assert f"   section: {TAKEAWAYS}\n" in result.stdout


def test_search_json(runner, seed_index, seed_settings):
    data = search_json(runner, seed_index, "Pokrovsk")
    assert {"query", "total", "page", "per_page", "hits", "facets"} <= set(data)
    assert (data["query"], data["total"], data["page"], data["per_page"]) == ("Pokrovsk", 6, 1, 10)
    assert len(data["hits"]) == 6
    assert all(set(hit) == HIT_KEYS for hit in data["hits"])
    assert all("<mark>Pokrovsk</mark>" in hit["snippet"] for hit in data["hits"])
    assert data == search(seed_settings, "Pokrovsk").to_json()


BASELINE = 32  # search "" without options: every paragraph, newest first, 10 per page


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["--topic", "Syria"], lambda d: d["total"] == 3 and all("Syria" in h["topics"] for h in d["hits"])),
        (["--topic", "Syria", "--topic", "Georgia"], lambda d: d["total"] == 4),
        (["--source", "Wilson Center"],
         lambda d: d["total"] == 6 and {h["source"] for h in d["hits"]} == {"Wilson Center"}),
        (["--place", "Pokrovsk"], lambda d: d["total"] == 6 and all("Pokrovsk" in h["places"] for h in d["hits"])),
        (["--section", TAKEAWAYS], lambda d: d["total"] == 8 and {h["section"] for h in d["hits"]} == {TAKEAWAYS}),
        (["--from", "2024-12-20"], lambda d: d["total"] == 19 and d["from"] == "2024-12-20"),
        (["--to", "Dec 15 2024"], lambda d: d["total"] == 13 and d["to"] == "2024-12-15"),
        (["--sort", "oldest"], lambda d: d["sort"] == "oldest" and d["hits"][0]["date"] == "2024-12-14"),
        (["--sort", "newest"], lambda d: d["sort"] == "newest" and d["hits"][0]["date"] == "2024-12-23"),
        (["--page", "2"], lambda d: d["page"] == 2 and len(d["hits"]) == 10),
        (["--page", "4"], lambda d: d["page"] == 4 and len(d["hits"]) == 2),
        (["--per-page", "3"], lambda d: d["per_page"] == 3 and len(d["hits"]) == 3),
        (["--event-from", "2024-12-13", "--event-to", "2024-12-14"],
         lambda d: d["total"] == 4 and all(set(h["event_dates"]) & {"2024-12-13", "2024-12-14"} for h in d["hits"])),
        (["--event-to", "Nov 2024"], lambda d: d["total"] == 1 and d["hits"][0]["event_dates"] == ["2024-10-30"]),
        (["--collapse"], lambda d: d["collapse"] is True and d["total"] == BASELINE),  # the seeds repeat nothing
        (["--cited", "t.me"], lambda d: d["total"] == 0),  # the seeds have no endnotes
        (["--label", "Claims"], lambda d: d["total"] == 0 and d["filters"] == {"label": ["Claims"]}),
        (["--exclude", "topic:Syria"],
         lambda d: d["total"] == BASELINE - 3 and d["exclude"] == {"topic": ["Syria"]}
         and all("Syria" not in h["topics"] for h in d["hits"])),
        (["--exclude", "topic:Syria", "--exclude", "source:Wilson Center"],
         lambda d: d["total"] < BASELINE - 6
         and all("Syria" not in h["topics"] and h["source"] != "Wilson Center" for h in d["hits"])),
    ],
)
def test_search_options(runner, seed_index, args, check):
    data = search_json(runner, seed_index, *args)
    assert check(data), data


@pytest.mark.parametrize("value", ["Syria", "kind:bullet", "topic:"])
def test_search_refuses_an_unreadable_exclude(runner, seed_index, value):
    assert_error(invoke(runner, "search", "--index-dir", seed_index, "--exclude", value), 2, "cannot exclude")


def test_search_text_output_names_excluded_values(runner, seed_index):
    result = invoke(runner, "search", "--index-dir", seed_index, "--exclude", "topic:Syria")
    assert result.exit_code == 0 and "not Syria (3 left out)" in result.stdout


def test_search_pages_differ(runner, seed_index):
    first = search_json(runner, seed_index, "--per-page", 5)
    second = search_json(runner, seed_index, "--per-page", 5, "--page", 2)
    assert first["total"] == second["total"] == BASELINE
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


def test_search_relevance_has_scores(runner, seed_index):
    relevance = search_json(runner, seed_index, "Kursk OR Syria")
    assert relevance["sort"] == "relevance" and all(h["score"] is not None for h in relevance["hits"])
    newest = search_json(runner, seed_index, "Kursk OR Syria", "--sort", "newest")
    assert all(h["score"] is None for h in newest["hits"])


def test_search_index_dir_option(runner, seeds_dir, index_dir):
    invoke(runner, "index", seeds_dir / TAKEAWAYS_FILE, "--index-dir", index_dir)
    data = search_json(runner, index_dir)
    assert data["total"] == 13
    assert {h["report_id"] for h in data["hits"]} == {"004_46fcd5d56deb0784"}


def test_search_reads_sitrep_index_dir(runner, seed_index, tmp_path):
    result = invoke(runner, "search", "Pokrovsk", "--json", env={"SITREP_INDEX_DIR": str(seed_index)})
    assert result.exit_code == 0
    assert json.loads(result.stdout)["total"] == 6
    # The flag beats the variable.
    result = invoke(runner, "search", "Pokrovsk", "--index-dir", seed_index,
                    env={"SITREP_INDEX_DIR": str(tmp_path / "nowhere")})
    assert result.exit_code == 0


def test_search_reads_sitrep_per_page(runner, seed_index):
    data = search_json(runner, seed_index, env={"SITREP_PER_PAGE": "4"})
    assert data["per_page"] == 4 and len(data["hits"]) == 4


@pytest.mark.parametrize("option", ["--taxonomy", "--gazetteer"])
def test_search_vocabulary_options_are_not_ignored(runner, seed_index, tmp_path, option):
    missing = tmp_path / "missing.toml"
    result = invoke(runner, "search", "Kursk", option, missing, "--index-dir", seed_index)
    assert_error(result, 1, f"cannot read {missing}")


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (['"Time of Heroes'], "the query has an unclosed quote"),
        (["(Kursk"], "the query has unbalanced brackets"),
        (["colour:red"], "unknown field 'colour'"),
        (["the"], "the query has no searchable words"),
        (["date:notadate"], "cannot read 'notadate' as a date"),
        (["--from", "notadate"], "cannot read 'notadate' as a date"),
        (["--to", "2024-13-45"], "cannot read '2024-13-45' as a date"),
        (["--from", "2024-12-20", "--to", "2024-12-15"], "'from' (2024-12-20) is after 'to'"),
        (["--per-page", "0"], "per_page must be between 1 and 100"),
        (["--page", "99"], "page 99 is past the last page"),
        (["Kursk " * 100], "query is 600 characters long"),
    ],
)
def test_search_input_errors_exit_2(runner, seed_index, args, start):
    assert_error(invoke(runner, "search", *args, "--index-dir", seed_index), 2, start)


@pytest.mark.parametrize("option", ["--page", "--per-page"])
@pytest.mark.parametrize("value", ["²", "١٢", "１", "1_0", "-1", "3.0"])
def test_search_numbers_are_ascii_digits(runner, seed_index, option, value):
    # click's int type is Python's int(): it read "١٢" as 12 and "1_0" as 10 (#13).
    result = invoke(runner, "search", "Kursk", option, value, "--index-dir", seed_index)
    assert_error(result, 2, f"{option} must be a whole number")


def test_search_without_an_index(runner, tmp_path):
    nowhere = tmp_path / "nowhere"
    result = invoke(runner, "search", "Kursk", "--index-dir", nowhere)
    assert_error(result, 1, f"no index at {nowhere}")
    assert result.stderr == f"Error: no index at {nowhere}; run `sitrep index` first\n"


def test_bad_setting_in_the_environment_exits_2(runner):
    assert_error(invoke(runner, "settings", env={"SITREP_PER_PAGE": "many"}), 2, "setting per_page must be")


# -- explain -------------------------------------------------------------------


def test_explain(runner, seed_index, seed_settings):
    paragraph = hit_id(seed_settings, "North Korea is reportedly planning")
    result = invoke(runner, "explain", paragraph, "--index-dir", seed_index)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == (f"{paragraph}: Institute for the Study of War, North Korea plans to deploy "
                        "additional troops after losing 3,000 in Kursk (paragraph 8, bullet)")
    assert lines[1] == "date: 2024-12-23 (date line)"
    assert "topic North Korea: 'North Korea', 'North Korean'" in lines
    assert "place Kursk Oblast: 'Kursk Oblast'" in lines


def test_explain_says_where_an_inferred_year_came_from(runner, seed_index, seed_settings):
    paragraph = hit_id(seed_settings, "Zelensky stated")
    result = invoke(runner, "explain", paragraph, "--index-dir", seed_index)
    assert ("date: 2024-12-14 (heading; year from the most similar dated report, "
            "000_0dbb5635bfea498f (2024-12-23))") in result.stdout.splitlines()


def test_explain_undated(runner, seeds_dir, index_dir):
    invoke(runner, "index", seeds_dir / TAKEAWAYS_FILE, "--index-dir", index_dir)
    paragraph = hit_id(load_settings(index_dir=index_dir), "Zelensky stated")
    result = invoke(runner, "explain", paragraph, "--index-dir", index_dir)
    assert "date: none (no date found)" in result.stdout.splitlines()


@pytest.mark.parametrize(("option", "label", "name"), [("--taxonomy", "topic", "North Korea"),
                                                       ("--gazetteer", "place", "Kursk Oblast")])
def test_explain_uses_taxonomy_and_gazetteer_options(runner, seed_index, seed_settings, tmp_path,
                                                     option, label, name):
    custom = tmp_path / "custom.toml"
    if option == "--taxonomy":
        custom.write_text('[topics."Weather"]\nterms = ["rain"]\n')
    else:
        custom.write_text('[[place]]\nname = "Atlantis"\nvariants = ["Atlantis"]\n')
    paragraph = hit_id(seed_settings, "North Korea is reportedly planning")
    result = invoke(runner, "explain", paragraph, option, custom, "--index-dir", seed_index)
    assert result.exit_code == 0
    assert f"{label} {name}: indexed, but the current taxonomy no longer gives it" in result.stdout


def test_explain_without_tags(runner, tmp_path, index_dir):
    report = tmp_path / "plain.txt"
    report.write_text("December 2, 2024\n\nNothing of note happened in the afternoon.\n")
    topics = tmp_path / "topics.toml"
    topics.write_text('[topics."Weather"]\nterms = ["rain"]\n')
    places = tmp_path / "places.toml"
    places.write_text('[[place]]\nname = "Atlantis"\nvariants = ["Atlantis"]\n')
    vocab = ["--taxonomy", topics, "--gazetteer", places, "--index-dir", index_dir]
    invoke(runner, "index", report, *vocab)
    (hit,) = search(load_settings(index_dir=index_dir), "").hits
    result = invoke(runner, "explain", hit.id, *vocab)
    assert result.stdout.splitlines()[2:] == ["topics: none", "places: none"]


def test_explain_unknown_id(runner, seed_index):
    result = invoke(runner, "explain", "nope", "--index-dir", seed_index)
    assert_error(result, 1, "no paragraph 'nope' in the index")


# -- serve (a running server is tested in tests/test_serve.py) ------------------


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--port", "５０００"], "--port must be a whole number written with the digits 0-9"),
        (["--port", "²"], "--port must be a whole number written with the digits 0-9"),
        (["--port", "70000"], "--port must be a whole number from 1 to 65535, not '70000'"),
        (["--port", "0"], "--port must be a whole number from 1 to 65535, not '0'"),
        (["--workers", "２"], "--workers must be a whole number written with the digits 0-9"),
        (["--workers", "0"], "--workers must be a whole number from 1 to 64, not '0'"),
    ],
)
def test_serve_numbers_are_ascii_digits(runner, tmp_path, args, start):
    # Refused while the options are read, so no server starts (#13).
    assert_error(invoke(runner, "serve", *args, "--index-dir", tmp_path), 2, start)


# -- settings and version ------------------------------------------------------------


def test_settings_lists_every_field(runner):
    result = invoke(runner, "settings")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split(" = ")[0] for line in lines] == list(Settings.help_texts())
    for line, (name, help_text) in zip(lines, Settings.help_texts().items()):
        assert line.endswith(f"[{env_name(name)}] {help_text}")
    assert "per_page = 10    " in result.stdout


def test_settings_show_flags_and_environment(runner, tmp_path):
    env = {"SITREP_PER_PAGE": "7", "SITREP_REPORTS": os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])}
    result = invoke(runner, "settings", "--index-dir", tmp_path / "ix", "--taxonomy", tmp_path / "t.toml",
                    "--gazetteer", tmp_path / "p.toml", env=env)
    lines = result.stdout.splitlines()
    assert f"index_dir = {tmp_path / 'ix'}    [SITREP_INDEX_DIR]" in result.stdout
    assert f"taxonomy = {tmp_path / 't.toml'}    " in result.stdout
    assert f"gazetteer = {tmp_path / 'p.toml'}    " in result.stdout
    assert f"reports = {tmp_path / 'a'}:{tmp_path / 'b'}    " in result.stdout
    assert any(line.startswith("per_page = 7 ") for line in lines)


def test_version(runner):
    result = invoke(runner, "--version")
    assert result.exit_code == 0
    assert "0.1.0" in result.stdout
