"""The results page's timeline: bars, calendar ticks, a count scale, intervals and date presets (#16).

Everything is computed here and handed to ``_timeline.html`` as finished
values.  Bars and ticks sit on one date-linear axis given in percent of the
chart's width, so the SVG stretches to any width without stretching its
text; heights are pixels.  Two sets of x ticks are made, a sparse one that
fits a phone and a denser one that ``timeline.css`` shows once the chart is
wide enough: the server cannot know the width, the browser can.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta
from werkzeug.datastructures import MultiDict

from search import INTERVALS, SearchPage

from .params import state_url

# Pixel rows of the chart: room for a count above the tallest bar, the bars, two lines of tick labels.
PLOT_TOP, PLOT_HEIGHT = 18, 96
BASELINE = PLOT_TOP + PLOT_HEIGHT
HEIGHT = BASELINE + 34
# At most this many tick labels: 5 fit a phone's 320 px of chart, 10 the 690 px at 1280 (labels are ~40 px).
NARROW_TICKS, WIDE_TICKS = 5, 10
# Counts are written over every bar when each bar has room for "1,234": always up to 8 bars, on a wide chart up to 24.
COUNTS_ALWAYS, COUNTS_WIDE = 8, 24
GAPPED_BARS = 60  # beyond this, a gap between bars would hide the bars
PRESET_DAYS = ((7, "Last 7 days"), (30, "Last 30 days"))
PLURALS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Tick steps, finest first: (unit, how many).  A step finer than the bars is never used.
STEPS = (("day", 1), ("day", 2), ("week", 1), ("week", 2), ("month", 1), ("month", 2), ("month", 3),
         ("month", 6), ("year", 1), ("year", 2), ("year", 5), ("year", 10), ("year", 25), ("year", 50))
UNIT_ORDER = ("day", "week", "month", "year")


def period_label(bar: Any, bucket: str) -> str:
    """A timeline bar's period in words: "2024-12-14", "week of 2024-12-09", "December 2024", "2024"."""
    if bucket == "day":
        return bar.start.isoformat()
    if bucket == "week":
        return f"week of {bar.start.isoformat()}"
    if bucket == "month":
        return bar.start.strftime("%B %Y")
    return str(bar.start.year)


def _tick_dates(first: date, last: date, unit: str, n: int) -> list[date]:
    """The calendar dates of one tick step between ``first`` and ``last``, both included."""
    if unit == "day":
        return [first + timedelta(days=i) for i in range(0, (last - first).days + 1, n)]
    if unit == "week":
        monday = first + timedelta(days=-first.weekday() % 7)
        return [monday + timedelta(weeks=i) for i in range(0, (last - monday).days // 7 + 1, n)] if monday <= last else []
    if unit == "month":
        day = first.replace(day=1) if first.day == 1 else first.replace(day=1) + relativedelta(months=1)
        found = []
        while day <= last:
            if (day.month - 1) % n == 0:
                found.append(day)
            day += relativedelta(months=1)
        return found
    year = first.year if (first.month, first.day) == (1, 1) else first.year + 1
    return [date(y, 1, 1) for y in range(year, last.year + 1) if y % n == 0]


@lru_cache(maxsize=1024)
def _ticks(first: date, last: date, bucket: str, most: int) -> tuple[dict[str, Any], ...]:
    """Labelled ticks of the finest calendar step that gives at most ``most`` of them (at least two if any can).

    Cached: most pages share their span, and finding the step walks the
    span's days for each finer step first.  The template only reads them.
    """
    total = (last - first).days + 1
    steps = [(u, n) for u, n in STEPS if UNIT_ORDER.index(u) >= UNIT_ORDER.index(bucket)]
    dates: list[date] = []
    step = steps[-1]
    for step in steps:
        dates = _tick_dates(first, last, *step)
        # "Mar" and "2024" are about half as wide as "Dec 14": half as many again fit.
        if len(dates) <= (most if step[0] in ("day", "week") else most * 3 // 2):
            break
    unit = step[0]
    ticks, year_shown = [], None
    for day in dates:
        # A day bar is labelled at its middle; longer bars start at their tick.
        share = ((day - first).days + (0.5 if bucket == "day" else 0)) / total
        if unit == "year":
            text, year = str(day.year), ""
        else:
            text = MONTHS[day.month - 1] if unit == "month" else f"{MONTHS[day.month - 1]} {day.day}"
            year = str(day.year) if day.year != year_shown else ""
            year_shown = day.year
        ticks.append({
            "x": f"{share * 100:.3f}%", "text": text, "year": year, "date": day.isoformat(),
        })
    return tuple(ticks)


def _nice_step(peak: int, lines: int = 3) -> int:
    """A round gridline step (1, 2 or 5 times a power of ten) giving about ``lines`` gridlines up to ``peak``."""
    raw = max(1.0, peak / lines)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _presets(args: MultiDict, newest: str | None) -> list[dict[str, Any]]:
    """"Last 7 days", "Last 30 days", "This year": from/to counted back from the newest report in the index."""
    if newest is None:
        return []
    end = date.fromisoformat(newest)
    ranges = [(label, (end - timedelta(days=days - 1)).isoformat()) for days, label in PRESET_DAYS]
    ranges.append((f"This year ({end.year})", end.replace(month=1, day=1).isoformat()))
    chosen = (args.get("from", ""), args.get("to", ""))
    presets = [
        {"label": label, "url": state_url(args, **{"from": start, "to": newest}), "current": chosen == (start, newest)}
        for label, start in ranges
    ]
    if any(chosen):
        presets.append({"label": "Any date", "url": state_url(args, **{"from": None, "to": None}), "current": False})
    return presets


def timeline_view(page: SearchPage, args: MultiDict, newest: str | None) -> dict[str, Any] | None:
    """What ``_timeline.html`` draws: the chart (two bars or more), its table (one or more) and the controls.

    ``newest`` is the index's newest report date, which the presets count back from.
    """
    timeline = page.timeline
    bucket, bars = timeline.bucket, timeline.bars
    chosen = page.interval
    intervals = [
        {"label": f"Auto ({bucket})" if name == "auto" and chosen == "auto" else name.capitalize(),
         "url": state_url(args, interval=None if name == "auto" else name), "current": name == chosen}
        for name in INTERVALS
    ]
    view: dict[str, Any] = {
        "bucket": bucket,
        "intervals": intervals,
        "coarser_note": f"Too many {PLURALS[chosen]} to draw: shown per {bucket}."
        if chosen not in ("auto", bucket) else None,
        "presets": _presets(args, newest),
        "newest": newest,
        "chart": len(bars) >= 2,
        "bars": [],
    }
    if not bars:
        # Nothing dated matches: the controls stay, so another preset or "Any date" is one click away.
        return view if newest is not None else None
    first, last = bars[0].start, bars[-1].end
    total_days = (last - first).days + 1
    step = _nice_step(timeline.peak)
    top = step * math.ceil(timeline.peak / step)
    peak_bar = max(bars, key=lambda bar: bar.count)
    counts_class = "all" if len(bars) <= COUNTS_ALWAYS else "wide" if len(bars) <= COUNTS_WIDE else None
    bar_views = []
    for bar in bars:
        x0 = (bar.start - first).days / total_days
        x1 = ((bar.end - first).days + 1) / total_days
        height = 0.0 if not bar.count else max(2.0, PLOT_HEIGHT * bar.count / top)
        noun = "paragraph" if bar.count == 1 else "paragraphs"
        period = period_label(bar, bucket)
        middle = (x0 + x1) / 2
        bar_views.append({
            "x": f"{x0 * 100:.3f}%", "width": f"{(x1 - x0) * 100:.3f}%",
            "middle": f"{middle * 100:.3f}%",
            "from_share": f"{x0:.5f}", "to_share": f"{x1:.5f}",
            "y": round(BASELINE - height, 2), "height": round(height, 2),
            "count": bar.count,
            "count_y": round(BASELINE - height - 4, 2),
            # The peak's count is always written; the others where bars are wide enough.
            "count_shown": "all" if bar is peak_bar else counts_class if bar.count else None,
            "period": period,
            "label": f"{period[0].upper()}{period[1:]}: {bar.count:,} {noun}",
            "start": bar.start.isoformat(), "end": bar.end.isoformat(),
            "url": state_url(args, **{"from": bar.start.isoformat(), "to": bar.end.isoformat()}),
        })
    peak_noun = "paragraph" if timeline.peak == 1 else "paragraphs"
    view.update({
        "height": HEIGHT, "baseline": BASELINE, "tick_y": BASELINE + 14, "year_y": BASELINE + 28,
        "bars": bar_views,
        "gapped": len(bars) <= GAPPED_BARS,
        "y_ticks": [{"value": value, "y": round(BASELINE - PLOT_HEIGHT * value / top, 2)}
                    for value in range(step, top + 1, step)],
        "tick_sets": [{"name": "narrow", "ticks": _ticks(first, last, bucket, NARROW_TICKS)},
                      {"name": "wide", "ticks": _ticks(first, last, bucket, WIDE_TICKS)}],
        "tick_end_y": BASELINE + 4,
        "table_summary": f"Counts per {bucket} ({len(bars):,} {bucket if len(bars) == 1 else PLURALS[bucket]})",
        "first": first.isoformat(),
        "last": last.isoformat(),
        "peak": timeline.peak,
        "peak_text": f"Peak: {timeline.peak:,} {peak_noun}, {period_label(peak_bar, bucket)}.",
        "label": f"Timeline: matching paragraphs per {bucket}, {first.isoformat()} to {last.isoformat()}; "
        f"peak {timeline.peak:,}. Arrow keys move between bars, Enter narrows the dates to one; "
        "drag across bars to choose a range.",
        # The brush adds from and to to this: the same search, every other parameter kept.
        "range_url": state_url(args, **{"from": None, "to": None}),
    })
    return view
