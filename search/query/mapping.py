"""Where the matching paragraphs' places are: the place facet's counts with each place's coordinates.

The coordinates come from ``search/data/coordinates.tsv`` (GeoNames, CC BY
4.0, and Natural Earth, public domain; made by ``bench/make_coordinates.py``),
keyed by the gazetteer's canonical names, which are the place facet's
values.  A place the file does not know (a village no source has, or a
place of a replaced gazetteer) keeps its count in the facet and is listed in
:attr:`PlaceMap.unplaced`, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..config import DATA_DIR
from ..errors import TaxonomyError
from .facets import FacetValue

COORDINATES_FILE = DATA_DIR / "coordinates.tsv"


@dataclass(frozen=True)
class MapPoint:
    """A place of the matches, where it is and how many matching paragraphs name it."""

    place: str
    lat: float
    lon: float
    count: int
    selected: bool = False

    def to_json(self) -> dict[str, Any]:
        """The point as the API returns it (README.md, "JSON")."""
        return {"place": self.place, "lat": self.lat, "lon": self.lon, "count": self.count}


@dataclass(frozen=True)
class PlaceMap:
    """The places of a result set that have coordinates, most named first, and those that have none."""

    points: list[MapPoint]
    unplaced: list[FacetValue] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        """The ``"map"`` list of the search JSON."""
        return [point.to_json() for point in self.points]


@lru_cache(maxsize=4)
def load_coordinates(path: Path = COORDINATES_FILE) -> dict[str, tuple[float, float]]:
    """Place name -> (latitude, longitude), read once per file.

    :raises TaxonomyError: the file cannot be read or a line is not
        ``name<TAB>lat<TAB>lon[<TAB>source]`` with a latitude and longitude in range.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise TaxonomyError(f"{path}: cannot read the place coordinates ({err.strerror or err})") from err
    found: dict[str, tuple[float, float]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        try:
            lat, lon = float(fields[1]), float(fields[2])
        except (IndexError, ValueError):
            raise TaxonomyError(f"{path}:{number}: expected name, latitude and longitude separated by tabs") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise TaxonomyError(f"{path}:{number}: latitude {lat} or longitude {lon} is out of range")
        found[fields[0]] = (lat, lon)
    return found


def place_map(place_facet: Iterable[FacetValue], coordinates: dict[str, tuple[float, float]] | None = None) -> PlaceMap:
    """The points of the place facet's counted values, in the facet's order (most named first).

    Values counted zero (a selected place no match names) are no point and
    no miss.

    :raises TaxonomyError: the coordinates file cannot be read (see :func:`load_coordinates`).
    """
    where = load_coordinates() if coordinates is None else coordinates
    points, unplaced = [], []
    for value in place_facet:
        if not value.count:
            continue
        if value.value in where:
            lat, lon = where[value.value]
            points.append(MapPoint(value.value, lat, lon, value.count, value.selected))
        else:
            unplaced.append(value)
    return PlaceMap(points, unplaced)


__all__ = ["COORDINATES_FILE", "MapPoint", "PlaceMap", "load_coordinates", "place_map"]
