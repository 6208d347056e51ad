"""The results page's map: outlines and one circle per place, drawn on the server as SVG values.

:func:`map_view` turns the query stage's :class:`~search.query.mapping.PlaceMap`
into finished values for ``_map.html`` (path data, circle positions and
radii, links, titles, the caption), so the template only loops.  The
outlines are ``web/data/outlines.json`` (Natural Earth, public domain;
simplified by ``bench/make_outlines.py``); nothing is loaded off the machine.

The view fits the points with padding, not the world.  Countries do not
stretch it while a smaller place is on the map: Russia's centroid is in
Siberia, and a search about Pokrovsk names Russia in most paragraphs.  A
country outside the view is said in the caption and stays in the Place facet.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

OUTLINES_FILE = Path(__file__).parent / "data" / "outlines.json"

WIDTH = 640
MIN_HEIGHT, MAX_HEIGHT = 220, 340
MAX_RADIUS, MIN_RADIUS = 24.0, 3.5
PADDING = 0.18  # of the points' extent, on every side
MIN_SPAN = 1.6  # degrees of latitude: one town alone is not drawn at street level
LABELLED = 8  # the most named places get their name written beside the circle
NAME_CHAR_WIDTH = 6.6  # of 12-unit text, to keep written names apart
OUTSIDE_KINDS = ("country",)
AREA_KINDS = ("country", "oblast", "region", "raion")  # drawn as dashed rings: a point stands for an area
TRIMMED = 0.015  # of the mentions, at each edge of the view, left to the caption


@lru_cache(maxsize=2)
def load_outlines(path: Path = OUTLINES_FILE) -> dict[str, list[tuple[str, list[list[int]], tuple[int, int, int, int]]]]:
    """Layer -> [(name, rings, bounding box)], rings as flat [lon, lat, ...] in hundredths of a degree."""
    data = json.loads(path.read_text(encoding="utf-8"))
    layers = {}
    for layer in ("countries", "admin1"):
        items = []
        for item in data[layer]:
            xs = [v for ring in item["rings"] for v in ring[0::2]]
            ys = [v for ring in item["rings"] for v in ring[1::2]]
            items.append((item["name"], item["rings"], (min(xs), min(ys), max(xs), max(ys))))
        layers[layer] = items
    return layers


class Projection:
    """Equirectangular, shrunk east-west by the cosine of the view's middle latitude, fitted to a box."""

    def __init__(self, west: float, south: float, east: float, north: float) -> None:
        self.box = (west, south, east, north)  # as asked: the key of the outlines drawn for it
        self.shrink = math.cos(math.radians((south + north) / 2))
        width_deg = max((east - west) * self.shrink, 1e-6)
        height_deg = max(north - south, 1e-6)
        self.height = round(min(MAX_HEIGHT, max(MIN_HEIGHT, WIDTH * height_deg / width_deg)))
        self.scale = min(WIDTH / width_deg, self.height / height_deg)
        self.mid_lon, self.mid_lat = (west + east) / 2, (south + north) / 2
        # The degrees the box shows, which may be more than asked for on one axis.
        half_w, half_h = WIDTH / 2 / self.scale / self.shrink, self.height / 2 / self.scale
        self.bounds = (self.mid_lon - half_w, self.mid_lat - half_h, self.mid_lon + half_w, self.mid_lat + half_h)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (WIDTH / 2 + (lon - self.mid_lon) * self.shrink * self.scale,
                self.height / 2 - (lat - self.mid_lat) * self.scale)


def _core(points: list[Any]) -> list[tuple[float, float]]:
    """(lat, lon) of the places that hold the mentions: a few rarely named far ones are trimmed.

    From each end of the latitudes and of the longitudes, places are left
    out while together they hold at most :data:`TRIMMED` of the mentions, so
    one paragraph about Berlin does not shrink the front to a dot.
    """
    total = sum(p.count for p in points)
    kept = set(range(len(points)))
    for axis in ("lat", "lon"):
        order = sorted(kept, key=lambda i: getattr(points[i], axis))
        for ends in (order, order[::-1]):
            dropped = 0
            for i in ends[:-1]:
                if dropped + points[i].count > TRIMMED * total or len(kept) == 1:
                    break
                dropped += points[i].count
                kept.discard(i)
    return [(points[i].lat, points[i].lon) for i in sorted(kept)]


def _fit(points: list[tuple[float, float]]) -> Projection:
    lats = [lat for lat, _ in points]
    lons = [lon for _, lon in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    if north - south < MIN_SPAN:
        south, north = (south + north - MIN_SPAN) / 2, (south + north + MIN_SPAN) / 2
    shrink = math.cos(math.radians((south + north) / 2))
    if (east - west) * shrink < MIN_SPAN:
        middle = (west + east) / 2
        west, east = middle - MIN_SPAN / shrink / 2, middle + MIN_SPAN / shrink / 2
    pad_lat, pad_lon = (north - south) * PADDING, (east - west) * PADDING
    return Projection(*_snapped(west - pad_lon, max(-85.0, south - pad_lat), east + pad_lon, min(85.0, north + pad_lat)))


def _snapped(west: float, south: float, east: float, north: float) -> tuple[float, float, float, float]:
    """The box widened to the nearest lines of a grid an eighth of its larger side (a power of two degrees).

    Drawing the outlines is most of a results page's work (about 0.1 s at
    the front's zoom); views on a grid repeat from query to query, so
    :func:`_outline_paths` draws each once.  The box grows by under a
    quarter of its side, within the padding's look.
    """
    step = 2.0 ** math.floor(math.log2(max(east - west, north - south) / 8))
    return (math.floor(west / step) * step, max(-85.0, math.floor(south / step) * step),
            math.ceil(east / step) * step, min(85.0, math.ceil(north / step) * step))


def _clip(points: list[tuple[float, float]], box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of a closed ring inside the box, still one closed ring."""
    x0, y0, x1, y1 = box
    edges = (
        (lambda p: p[0] >= x0, lambda a, b: (x0, a[1] + (b[1] - a[1]) * (x0 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= x1, lambda a, b: (x1, a[1] + (b[1] - a[1]) * (x1 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= y0, lambda a, b: (a[0] + (b[0] - a[0]) * (y0 - a[1]) / (b[1] - a[1]), y0)),
        (lambda p: p[1] <= y1, lambda a, b: (a[0] + (b[0] - a[0]) * (y1 - a[1]) / (b[1] - a[1]), y1)),
    )
    for keep, cross in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for point in points:
            if keep(point):
                if not keep(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif keep(previous):
                result.append(cross(previous, point))
            previous = point
        points = result
    return points


def _path(rings: list[list[int]], bbox: tuple[int, int, int, int], project: Projection) -> str:
    """SVG path data for the rings of one outline, clipped to the view and thinned to whole pixels."""
    west, south, east, north = project.bounds
    if bbox[2] / 100 < west or bbox[0] / 100 > east or bbox[3] / 100 < south or bbox[1] / 100 > north:
        return ""
    margin = 4
    box = (-margin, -margin, WIDTH + margin, project.height + margin)
    parts = []
    for ring in rings:
        projected = [project(ring[i] / 100, ring[i + 1] / 100) for i in range(0, len(ring), 2)]
        # Whole pixels, a point only where it moves more than one, written relative
        # to the one before: a third of the bytes of absolute decimals (page weight, #16).
        thinned: list[tuple[int, int]] = []
        for x, y in _clip(projected, box):
            point = (round(x), round(y))
            if thinned and abs(point[0] - thinned[-1][0]) <= 1 and abs(point[1] - thinned[-1][1]) <= 1:
                continue
            thinned.append(point)
        if len(thinned) >= 3:
            steps = " ".join(f"{x - px} {y - py}" for (px, py), (x, y) in zip(thinned, thinned[1:]))
            parts.append(f"M{thinned[0][0]} {thinned[0][1]}l{steps}z")
    return "".join(parts)


@lru_cache(maxsize=256)
def _outline_paths(box: tuple[float, float, float, float]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Path data of the countries and of the oblasts inside the view ``box`` (west, south, east, north)."""
    project = Projection(*box)
    outlines = load_outlines()
    land = tuple(d for _, rings, bbox in outlines["countries"] if (d := _path(rings, bbox, project)))
    borders = tuple(d for _, rings, bbox in outlines["admin1"] if (d := _path(rings, bbox, project)))
    return land, borders


def _drop_crowded_names(circles: list[dict[str, Any]]) -> None:
    """Write a name only where it overlaps no name already written (circles come most named first)."""
    taken: list[tuple[float, float, float, float]] = []
    for circle in circles:
        if not circle["name"]:
            continue
        box = (circle["name_x"], circle["name_y"] - 11, circle["name_x"] + NAME_CHAR_WIDTH * len(circle["name"]), circle["name_y"] + 2)
        if box[2] > WIDTH:  # past the right edge: write it on the left of the circle
            shift = box[2] - box[0] + 2 * (circle["name_x"] - circle["x"])
            circle["name_x"] = round(circle["name_x"] - shift, 1)
            box = (box[0] - shift, box[1], box[2] - shift, box[3])
        if any(box[0] < t[2] and t[0] < box[2] and box[1] < t[3] and t[1] < box[3] for t in taken):
            circle["name"] = None
        else:
            taken.append(box)


def _paragraphs(count: int) -> str:
    return f"{count:,} paragraph" + ("" if count == 1 else "s")


def map_view(place_map: Any, kinds: Mapping[str, str], place_url: Callable[[str], str]) -> dict[str, Any] | None:
    """Everything ``_map.html`` draws, or None when no place of the matches has coordinates.

    :param place_map: the :class:`~search.query.mapping.PlaceMap` of the result page.
    :param kinds: place name -> gazetteer kind (country, oblast, city, ...).
    :param place_url: the URL that adds (or, when selected, removes) a place's filter.
    """
    points = place_map.points
    if not points:
        return None
    local = [p for p in points if kinds.get(p.place) not in OUTSIDE_KINDS]
    project = _fit(_core(local or points))
    west, south, east, north = project.bounds
    shown = [p for p in points if west <= p.lon <= east and south <= p.lat <= north]
    outside = [p for p in points if p not in shown]
    peak = max(p.count for p in shown)

    circles = []
    for rank, point in enumerate(sorted(shown, key=lambda p: -p.count)):
        x, y = project(point.lon, point.lat)
        radius = max(MIN_RADIUS, MAX_RADIUS * math.sqrt(point.count / peak))
        action = "remove the filter" if point.selected else "show only these"
        circles.append({
            "place": point.place,
            "rank": rank,
            "x": round(x, 1), "y": round(y, 1), "r": round(radius, 1),
            "url": place_url(point.place),
            "title": f"{point.place}: {_paragraphs(point.count)}",
            "label": f"{point.place}, {_paragraphs(point.count)}; {action}",
            "selected": point.selected,
            "area": kinds.get(point.place) in AREA_KINDS,
            "name": point.place if rank < LABELLED else None,
            "name_x": round(x + radius + 3, 1), "name_y": round(y + 4, 1),
        })
    _drop_crowded_names(circles)
    circles.sort(key=lambda c: -c["r"])  # small circles on top of big ones, so every one can be clicked

    land, borders = _outline_paths(project.box)

    notes = []
    if outside:
        names = ", ".join(p.place for p in outside[:5]) + (f" and {len(outside) - 5} more" if len(outside) > 5 else "")
        notes.append(f"{len(outside)} outside this view ({names})")
    if place_map.unplaced:
        noun = "place has" if len(place_map.unplaced) == 1 else "places have"
        notes.append(f"{len(place_map.unplaced)} {noun} no coordinates yet")
    caption = (f"{len(shown)} place{'' if len(shown) == 1 else 's'} of the matching paragraphs; "
               "circle area is the number of paragraphs that name the place (dashed: a country, oblast or "
               "region); click one to filter by it.")
    if notes:
        caption += " Not drawn: " + "; ".join(notes) + " (all are in the Place facet)."
    return {
        "width": WIDTH,
        "height": project.height,
        "land": list(land),
        "borders": list(borders),
        "circles": circles,
        "caption": caption,
        "label": f"Map of {len(shown)} places named by the matching paragraphs; each circle is a link that filters "
                 "by its place; the arrow keys move between places, most named first.",
        "drawn": len(shown),
        "outside": len(outside),
        "unplaced": len(place_map.unplaced),
    }


__all__ = ["OUTLINES_FILE", "Projection", "load_outlines", "map_view"]
