"""Canonical sections (search/sections.py), at ingest and at query time, and evidence labels (search/ingest/sections.py)."""

from __future__ import annotations

import json

import pytest

from search import SearchIndex, load_settings, update_index
from search.cli import cli
from search.ingest.sections import evidence_label
from search.sections import canonical_section
from web import create_app


@pytest.mark.parametrize(
    ("heading", "canonical"),
    [
        ("Key Takeaways", "Key Takeaways"),
        ("Key Takeaways:", "Key Takeaways"),
        ("KEY ISW TAKEAWAYS", "Key Takeaways"),
        ("Key ISW takeaways as of December 14", "Key Takeaways"),
        ("Key takeaways for February 24, 2025", "Key Takeaways"),
        ("Russian Main Effort—Eastern Ukraine", "Russian Main Effort—Eastern Ukraine"),
        ("Russian Main Effort - Eastern Ukraine", "Russian Main Effort—Eastern Ukraine"),
        ("Russian Main Effort – Eastern Ukraine:", "Russian Main Effort—Eastern Ukraine"),
        ("#2. Russian Main Effort—Eastern Ukraine (comprised of two subordinate efforts)",
         "Russian Main Effort—Eastern Ukraine"),
        ("1) Russian Supporting Effort—Northern Axis", "Russian Supporting Effort—Northern Axis"),
        ("Mobilization and force generation efforts", "Mobilization and Force Generation Efforts"),
        ("Russian Mobilization and Force Generation Efforts", "Mobilization and Force Generation Efforts"),
        ("Immediate items to watch", "Immediate items to watch"),
        ("Activities in Russian-occupied areas", "Activities in Russian-Occupied Areas"),
        # Unknown headings pass through cleaned, in their own case.
        ("  3.  Humanitarian  situation in Kherson: ", "Humanitarian situation in Kherson"),
        ("What does Putin want in Syria?", "What does Putin want in Syria?"),
    ],
)
def test_canonical_section(heading, canonical):
    assert canonical_section(heading) == canonical


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Assessed Russian advances: Geolocated footage published on December 13 indicates …",
         "Assessed Russian advances"),
        ("Assessed Ukrainian advance: Footage shows …", "Assessed Ukrainian advances"),
        ("Unconfirmed claims: Russian milbloggers claimed that …", "Unconfirmed claims"),
        ("Unconfirmed Russian claims: …", "Unconfirmed claims"),
        ("Order of Battle: Elements of the 20th Motorized Rifle Division …", "Order of battle"),
        ("Ukrainian forces reportedly struck an oil depot in Oryol Oblast.", "Claims"),
        ("Russian milbloggers claimed that Russian forces seized Kotlyne.", "Claims"),
        ("Russian forces advanced near Pokrovsk.", None),
        ("Note: this is not a label.", None),
    ],
)
def test_evidence_label(text, label):
    found, unchanged = evidence_label(text)
    assert found == label and unchanged == text


# -- a heading typed as written finds its section (#15) ----------------------


@pytest.fixture(scope="module")
def sectioned(tmp_path_factory):
    root = tmp_path_factory.mktemp("sections")
    reports = root / "reports"
    reports.mkdir()
    (reports / "daily.txt").write_text(
        "Institute for the Study of War\n\nMarch 3, 2025\n\n"
        "Key ISW takeaways as of March 3\n\n"
        "- Russian forces shelled the ferry crossing at Hlyboke overnight.\n\n"
        "- The Pelikan brigade rotated out of the salient.\n\n"
        "Items of interest from the Kakhovka area\n\n"
        "Boats were seen near the ferry crossing again on March 2.\n"
    )
    settings = load_settings(environ={}, index_dir=root / "index")
    update_index(settings, [reports])
    return settings


@pytest.mark.parametrize("typed", [
    "Key Takeaways",
    "key takeaways",
    "Key ISW takeaways as of March 3",
    "Key ISW takeaways as of December 14",  # another day's heading: the same section
    "KEY ISW TAKEAWAYS:",
])
def test_a_section_typed_as_written_selects_the_canonical_section(sectioned, typed):
    with SearchIndex(sectioned) as index:
        by_field = index.search(f'ferry section:"{typed}"')
        by_filter = index.search("ferry", filters={"section": [typed]})
    assert [h.section for h in by_field.hits] == ["Key Takeaways"]
    assert [h.section for h in by_filter.hits] == ["Key Takeaways"]
    # The filter shows the value it selected, not the heading as typed.
    assert by_filter.filters == {"section": ["Key Takeaways"]}


def test_an_unlisted_heading_is_still_its_own_section(sectioned):
    with SearchIndex(sectioned) as index:
        page = index.search('section:"Items of interest from the Kakhovka area"')
    assert [h.text for h in page.hits] == ["Boats were seen near the ferry crossing again on March 2."]


def test_cli_section_option_accepts_the_heading_as_written(sectioned, runner):
    result = runner.invoke(
        cli, ["search", "ferry", "--section", "Key ISW takeaways as of March 3", "--json",
              "--index-dir", str(sectioned.index_dir)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == 1 and data["filters"] == {"section": ["Key Takeaways"]}


def test_api_section_accepts_the_heading_as_written(sectioned):
    client = create_app(sectioned, TESTING=True).test_client()
    response = client.get("/api/search", query_string={"q": "ferry", "section": "Key ISW takeaways as of March 3"})
    assert response.status_code == 200
    assert [h["section"] for h in response.get_json()["hits"]] == ["Key Takeaways"]
    quoted = client.get("/api/search", query_string={"q": 'section:"Key ISW takeaways as of March 3"'})
    assert quoted.get_json()["total"] == 2
