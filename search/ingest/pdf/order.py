"""Reading order: the drawing order, unless a page draws its columns line by line in turn, then column by column."""

from __future__ import annotations

from statistics import median

from .lines import Line
from .patterns import _BULLET, SEGMENT_JOIN_GAP

BAND_GAP = 0.6  # of a line's height: the most space under a line that its paragraph's line spacing leaves


def _x_overlap(a: Line, b: Line) -> bool:
    return a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1


def _interleaved(lines: list[Line]) -> bool:
    """True when the drawing order hops between columns line by line."""
    hops = 0
    for a, b, c in zip(lines, lines[1:], lines[2:]):
        if (
            _x_overlap(a, c)
            and not _x_overlap(a, b)
            and not _x_overlap(b, c)
            and a.top - a.height <= b.top <= c.top
            and 0 < c.top - a.top <= 3 * a.size
        ):
            hops += 1
    return hops >= 3


def _geometric_order(lines: list[Line]) -> list[Line]:
    """Read lines column by column: cut the page at gutters, then at gaps between bands.

    A recursive XY cut.  A vertical gutter that runs the whole height of a
    region splits it into columns, read left to right.  Otherwise the region
    is cut into bands at full-width horizontal gaps, and consecutive bands
    that share a gutter are read together (so two columns whose paragraph
    breaks happen to line up are still read one column after the other).
    """
    if len(lines) <= 1:
        return list(lines)
    columns = _split_columns(lines)
    if len(columns) > 1:
        return [line for column in columns for line in _geometric_order(column)]
    bands = _split_bands(lines)
    if len(bands) == 1:
        return sorted(lines, key=lambda line: (round(line.top), line.x0))
    ordered: list[Line] = []
    group: list[Line] = []
    group_gutters: list[tuple[float, float]] = []
    for band in bands:
        gutters = _gutters(band)
        shared = _shared_gutters(group_gutters, gutters) if group else []
        if group and shared:
            group.extend(band)
            group_gutters = shared
            continue
        if group:
            ordered.extend(_geometric_order(group) if len(group) < len(lines) else sorted(group, key=lambda l: (l.top, l.x0)))
        group, group_gutters = list(band), gutters
    if group:
        ordered.extend(_geometric_order(group) if len(group) < len(lines) else sorted(group, key=lambda l: (l.top, l.x0)))
    return ordered


def _gutters(lines: list[Line]) -> list[tuple[float, float]]:
    """Vertical strips no line of ``lines`` crosses, between their left and right edges."""
    spans = sorted((line.x0, line.x1) for line in lines)
    gutters: list[tuple[float, float]] = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 > reach:
            gutters.append((reach, x0))
        reach = max(reach, x1)
    return gutters


def _shared_gutters(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> list[tuple[float, float]]:
    shared = []
    for a0, a1 in a:
        for b0, b1 in b:
            if min(a1, b1) - max(a0, b0) > 3:
                shared.append((max(a0, b0), min(a1, b1)))
    return shared


def _split_columns(lines: list[Line]) -> list[list[Line]]:
    sizes = median(line.size for line in lines)
    gutters = [g for g in _gutters(lines) if g[1] - g[0] >= sizes * 0.8]
    if not gutters:
        return [lines]
    edges = [g[0] for g in gutters]
    columns: list[list[Line]] = [[] for _ in range(len(edges) + 1)]
    for line in lines:
        columns[sum(1 for edge in edges if line.x0 >= edge)].append(line)
    return [column for column in columns if column]


def _split_bands(lines: list[Line]) -> list[list[Line]]:
    """Cut ``lines`` into bands at horizontal gaps no line crosses.

    A gap narrower than :data:`BAND_GAP` line heights under a line is its
    paragraph's line spacing, not a gap between blocks: a table cell's
    wrapped lines ("Does your National Society have anti-fraud and
    corruption" / "policy?") stay in their row's band.
    """
    ordered = sorted(lines, key=lambda line: line.top)
    bands: list[list[Line]] = [[ordered[0]]]
    reach = ordered[0].bottom
    spacing = BAND_GAP * ordered[0].height
    for line in ordered[1:]:
        if line.top > reach + spacing:
            bands.append([])
        bands[-1].append(line)
        if line.bottom >= reach:
            reach, spacing = line.bottom, BAND_GAP * line.height
    return bands


def _reading_order(lines: list[Line]) -> list[Line]:
    """The page's lines in reading order: drawing order, unless it hops between columns."""
    drawn = sorted(lines, key=lambda line: line.order)
    if _interleaved(drawn):
        return _geometric_order(drawn)
    return _rejoin_segments(drawn)


def _rejoin_segments(lines: list[Line]) -> list[Line]:
    """Join consecutive pieces of one baseline cut at a wide word gap (justified text)."""
    joined: list[Line] = []
    for line in lines:
        if joined:
            last = joined[-1]
            gap = line.x0 - last.x1
            if (
                abs(line.baseline - last.baseline) < 0.2 * last.size
                and abs(line.size - last.size) < 0.15 * last.size
                and line.bold == last.bold
                and 0 < gap <= SEGMENT_JOIN_GAP * last.size
                and not _BULLET.match(line.text)
            ):
                last.text = f"{last.text} {line.text}"
                last.x1 = line.x1
                last.top, last.bottom = min(last.top, line.top), max(last.bottom, line.bottom)
                continue
        joined.append(line)
    return joined
