"""Generate a synthetic corpus of ISW-style daily reports, the same every run.

    python bench/make_corpus.py --reports 2000 /tmp/corpus [--seed 7] [--formats txt,html,md,jsonl]
    python bench/make_corpus.py --paragraphs 100000 --out /tmp/corpus

Besides the reports it writes ``.manifest.jsonl`` (hidden, so ``sitrep index``
does not read it): for every report its id, file, date and the section of
each paragraph it should yield, in order.  ``bench/check_ingest.py`` indexes
the corpus and compares.

Each report has a date line, the source, "Key Takeaways" bullets, section
headings in their day-to-day variants, body paragraphs of 40–120 words with
footnote markers, evidence labels, place names in several spellings (Kyiv,
Kiev, Київ; Kupyansk, Kupiansk; the occasional typo), event dates, a daily
disclaimer repeated word for word, takeaways restated in the body, and
endnotes. Words are drawn with Zipf-like frequencies, so queries meet rare
and common terms as in real reports. The benchmark (``bench/run.py``) and the
tests import :func:`generate_reports` to feed the same reports to every
engine.
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

FORMATS = ("txt", "html", "md", "jsonl")
START = date(2022, 2, 24)
SPAN_DAYS = (date(2026, 11, 24) - START).days  # reports spread over 2022-2026
MANIFEST = ".manifest.jsonl"

PLACES = [
    "Pokrovsk", "Toretsk", "Kupyansk", "Kupiansk", "Kurakhove", "Chasiv Yar", "Vuhledar", "Avdiivka",
    "Bakhmut", "Siversk", "Lyman", "Kreminna", "Robotyne", "Velyka Novosilka", "Kostyantynivka",
    "Kostiantynivka", "Kharkiv", "Kharkov", "Vovchansk", "Zaporizhia", "Zaporizhzhia", "Kherson",
    "Kyiv", "Kiev", "Київ", "Odesa", "Dnipro", "Sumy", "Kursk Oblast", "Belgorod Oblast",
    "Bryansk Oblast", "Donetsk Oblast", "Luhansk Oblast", "Kharkiv Oblast", "Novoselivka", "Selydove",
    "Hulyaipole", "Torestk", "Myrnohrad", "Dachenske", "Kotlyne", "Pishchane", "Sudzha", "Tetkino",
]
UNITS = [
    "the 155th Naval Infantry Brigade", "the 20th Motorized Rifle Division", "the 810th Naval Infantry Brigade",
    "the 76th Airborne Assault Division", "the 3rd Army Corps", "Ukraine's 47th Mechanized Brigade",
    "the 90th Tank Division", "North Korean forces", "elements of the 8th Combined Arms Army",
    "the Rubikon Center for Advanced Unmanned Technologies",
]
SUBJECTS = [
    "Russian forces", "Ukrainian forces", "Russian milbloggers", "The Ukrainian General Staff",
    "Geolocated footage", "A Russian milblogger", "Ukrainian officials", "The Kremlin",
    "North Korean troops", "Russian President Vladimir Putin", "Ukrainian President Volodymyr Zelensky",
]
VERBS = [
    "recently advanced", "attacked", "continued offensive operations", "claimed to have seized",
    "struck", "conducted assaults", "published footage", "reported", "counterattacked", "withdrew",
    "shelled", "consolidated positions", "launched drones", "intensified glide bomb strikes",
]
# Zipf-like filler vocabulary: the first words are common, the last rare.
VOCABULARY = (
    "the of and in to near that forces Russian Ukrainian direction reported positions assessed "
    "operations settlement attacks footage drones strikes military offensive infantry armored "
    "vehicles artillery likely intend continue efforts pressure logistics frontline salient tactical "
    "mechanized glide bombs motorized refinery depot airfield railway bridge reservoir highway "
    "northwest southeast southwest northeast outskirts eastern western southern northern central "
    "milblogger geolocated confirmed unconfirmed claims seized advanced repelled counterattack "
    "reconnaissance electronic warfare interceptor Shahed Iskander Kinzhal Kalibr Oreshnik HIMARS "
    "ATACMS Storm Shadow mobilization recruitment contract bonuses volunteers convicts sanctions "
    "oligarch Duma decree Kremlin Peskov Shoigu Gerasimov Belousov Lukashenko Pyongyang Tehran "
    "humanitarian evacuation displaced shelter corridor civilians prisoners exchange negotiations "
    "ceasefire diplomacy Transnistria Moldova Georgia Abkhazia Syria Tartus Hmeimim Wagner Africa "
    "Corps Rosgvardia Akhmat Kadyrov Chechen Buryat Dagestan Crimea Sevastopol Kerch Novorossiysk"
).split()
DISCLAIMER = (
    "Note: ISW does not receive any classified material from any military or intelligence service "
    "and relies only on publicly available information, including Russian, Ukrainian, and Western "
    "reporting and commercially available satellite imagery."
)
SECTIONS = [
    ["Russian Main Effort—Eastern Ukraine", "Russian Main Effort - Eastern Ukraine",
     "#2. Russian Main Effort – Eastern Ukraine (comprised of two subordinate efforts)"],
    ["Russian Supporting Effort—Northern Axis", "Russian Supporting Effort - Northern Axis"],
    ["Russian Supporting Effort—Southern Axis", "Russian Supporting Effort – Southern Axis"],
    ["Ukrainian Operations in the Russian Federation"],
    ["Mobilization and Force Generation Efforts", "Russian Mobilization and Force Generation Efforts"],
    ["Russian Air, Missile, and Drone Campaign"],
    ["Activities in Russian-Occupied Areas", "Activities in Russian-occupied areas"],
]
LABELS = ["Assessed Russian advances:", "Unconfirmed claims:", "Order of Battle:", "", "", "", "", ""]
DOMAINS = ["t.me", "mil.ru", "president.gov.ua", "facebook.com", "x.com", "kremlin.ru", "tass.ru", "rbc.ru"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


@dataclass
class Report:
    """One generated report: what every engine under test indexes."""

    number: int
    day: date
    title: str
    url: str
    takeaways: list[str]
    sections: list[tuple[str, list[str]]]
    endnotes: dict[int, list[str]] = field(default_factory=dict)

    @property
    def paragraphs(self) -> list[str]:
        """Every bullet and paragraph, in order (what should become records)."""
        return [*self.takeaways, *(p for _, body in self.sections for p in body)]

    @property
    def slug(self) -> str:
        return f"isw-{self.day.isoformat()}-{self.number:05d}"


# Syllables of the long tail's made-up village names (see _Writer.tail_name).
TAIL_STARTS = ("Novo", "Staro", "Velyko", "Malo", "Verkhnyo", "Nyzhnyo", "Krasno", "Zelen", "Bilo", "Chorno", "")
TAIL_ROOTS = ("hryhor", "mykhail", "pavl", "oleksandr", "ivan", "petr", "bakh", "dub", "lypk", "ber", "vyshn",
              "sosn", "kamian", "pisch", "yar", "dol", "hor", "lan", "mar", "kost", "ser", "tar", "yas", "zor")
TAIL_ENDS = ("ivka", "ove", "ske", "yne", "ka", "ivske", "opil", "ets", "ianka", "ovo", "ino", "yar")
TAIL_SIZE = 40000


def tail_name(rank: int) -> str:
    """The long tail's word of this rank: a made-up village name, different for every rank."""
    start = TAIL_STARTS[rank % len(TAIL_STARTS)]
    rank //= len(TAIL_STARTS)
    root = TAIL_ROOTS[rank % len(TAIL_ROOTS)]
    rank //= len(TAIL_ROOTS)
    end = TAIL_ENDS[rank % len(TAIL_ENDS)]
    rank //= len(TAIL_ENDS)
    # Past the 3,168 plain combinations a second root keeps names unique.
    extra = TAIL_ROOTS[rank % len(TAIL_ROOTS)] if rank else ""
    return (start + extra + root + end).capitalize()


class _Writer:
    def __init__(self, seed: int, long_tail: bool = False) -> None:
        self.random = random.Random(seed)
        weights = [1 / (rank + 1) for rank in range(len(VOCABULARY))]
        self.weights = weights
        # Real reports name thousands of villages and people once or twice; the
        # filler vocabulary has no such tail, so a benchmark of rare words needs
        # one (#17).  Its own random stream leaves the default corpus unchanged.
        self.tail = random.Random(seed * 7919 + 1) if long_tail else None
        self.tail_cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(TAIL_SIZE))) if long_tail else []

    def words(self, count: int) -> str:
        return " ".join(self.random.choices(VOCABULARY, weights=self.weights, k=count))

    def sentence(self, day: date, note: int) -> str:
        r = self.random
        when = day - timedelta(days=r.randint(0, 2))
        place = r.choice(PLACES)
        lead = f"{r.choice(SUBJECTS)} {r.choice(VERBS)} near {place} on {MONTHS[when.month - 1]} {when.day}"
        text = f"{lead} and {self.words(r.randint(8, 22))} {r.choice(UNITS)}"
        if self.tail is not None and self.tail.random() < 0.4:
            rank = self.tail.choices(range(TAIL_SIZE), cum_weights=self.tail_cumulative)[0]
            text += f" in the vicinity of {tail_name(rank)}"
        return f"{text}.[{note}]"

    def paragraph(self, day: date, first_note: int) -> tuple[str, int]:
        r = self.random
        count = r.randint(2, 4)
        sentences = [self.sentence(day, first_note + i) for i in range(count)]
        label = r.choice(LABELS)
        body = " ".join(sentences)
        return (f"{label} {body}" if label else body), first_note + count


def generate_reports(
    paragraphs: int | None = None, seed: int = 7, reports: int | None = None, long_tail: bool = False
) -> Iterator[Report]:
    """Reports until about ``paragraphs`` bullets and paragraphs, or ``reports`` reports, are made.

    ``long_tail`` adds made-up village names with Zipf frequencies to 40% of
    sentences, so that some words are in only a handful of paragraphs.
    """
    writer = _Writer(seed, long_tail)
    r = writer.random
    made = 0
    number = 0
    while (made < paragraphs) if reports is None else (number < reports):
        day = START + timedelta(days=(number * 7 + number // 7) % SPAN_DAYS)
        note = 1
        takeaways = []
        for _ in range(r.randint(5, 10)):
            text, note = writer.paragraph(day, note)
            takeaways.append(text.split(":", 1)[-1].strip() if text.startswith(tuple(LABELS[:3])) else text)
        sections: list[tuple[str, list[str]]] = [("", [DISCLAIMER])]
        body_count = r.randint(40, 70)
        restated = r.sample(takeaways, k=2)  # takeaways restated in the body, as ISW does
        per_section = max(1, body_count // 5)
        for section in r.sample(SECTIONS, k=5):
            body = []
            for _ in range(per_section):
                text, note = writer.paragraph(day, note)
                body.append(text)
            if restated:
                body.append(restated.pop())
            sections.append((r.choice(section), body))
        endnotes = {
            n: [f"https://{r.choice(DOMAINS)}/{r.randint(1000, 99999)}" for _ in range(r.randint(1, 2))]
            for n in range(1, note)
        }
        title = f"Russian Offensive Campaign Assessment, {MONTHS[day.month - 1]} {day.day}, {day.year}"
        url = f"https://example.org/{day.year}/{day.month:02d}/{day.day:02d}/assessment-{number}"
        report = Report(number, day, title, url, takeaways, sections, endnotes)
        made += len(report.paragraphs)
        number += 1
        yield report


def expected_records(report: Report) -> list[dict[str, str]]:
    """What each paragraph of ``report`` should become: its section (canonical) and kind."""
    records = [{"section": "Key Takeaways", "kind": "bullet"} for _ in report.takeaways]
    section = "Key Takeaways"
    for heading, body in report.sections:
        if heading:
            section = next(group[0] for group in SECTIONS if heading in group)
        records += [{"section": section, "kind": "paragraph"} for _ in body]
    return records


def as_text(report: Report) -> str:
    day = f"{MONTHS[report.day.month - 1]} {report.day.day}, {report.day.year}"
    lines = [day, "", f"Institute for the Study of War: {report.title}", "", "Share the Post:", "",
             "Key Takeaways", ""]
    lines += [f"- {t}" for t in report.takeaways] + [""]
    for heading, body in report.sections:
        if heading:
            lines += [heading, ""]
        for paragraph in body:
            lines += [paragraph, ""]
    lines += [f"[{n}] " + " ; ".join(urls) for n, urls in report.endnotes.items()]
    return "\n".join(lines) + "\n"


def as_markdown(report: Report) -> str:
    lines = ["---", f'title: "{report.title}"', f"date: {report.day.isoformat()}",
             "source: Institute for the Study of War", f"url: {report.url}", "---", "",
             f"# {report.title}", "", "**Key Takeaways**", ""]
    lines += [f"- {t}".replace("[", "[^").replace("[^^", "[^") for t in report.takeaways] + [""]
    for heading, body in report.sections:
        if heading:
            lines += [f"## {heading}", ""]
        lines += [p.replace("[", "[^") + "\n" for p in body]
    lines += [f"[^{n}]: " + " ".join(urls) for n, urls in report.endnotes.items()]
    return "\n".join(lines) + "\n"


def as_html(report: Report) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html><html><head>",
        f"<title>{e(report.title)} | Institute for the Study of War</title>",
        '<meta property="og:site_name" content="Institute for the Study of War">',
        f'<meta property="article:published_time" content="{report.day.isoformat()}T20:00:00+00:00">',
        f'<link rel="canonical" href="{e(report.url)}">',
        "</head><body><nav class='menu'><ul><li><a href='/'>Home</a></li></ul></nav>",
        f"<article><h1>{e(report.title)}</h1><div class='share'>Share the Post:</div>",
        "<div class='entry-content'><p><strong>Key Takeaways</strong></p><ul>",
    ]
    parts += [f"<li>{e(t)}</li>" for t in report.takeaways]
    parts.append("</ul>")
    for heading, body in report.sections:
        if heading:
            parts.append(f"<h2>{e(heading)}</h2>")
        parts += [f"<p>{e(p)}</p>" for p in body]
    for n, urls in report.endnotes.items():
        parts.append(f"<p>[{n}] " + " ; ".join(f'<a href="{e(u)}">{e(u)}</a>' for u in urls) + "</p>")
    parts.append("</div></article><footer>© ISW</footer></body></html>")
    return "\n".join(parts)


def as_json_record(report: Report) -> str:
    text = as_text(report).split("\n", 4)[-1]  # the body without date and source lines
    return json.dumps({
        "id": report.slug, "title": report.title, "date": report.day.isoformat(),
        "source": "Institute for the Study of War", "url": report.url, "text": text,
    }, ensure_ascii=False)


def write_corpus(
    paragraphs: int | None, out: Path, seed: int = 7, formats: tuple[str, ...] = ("txt",), reports: int | None = None,
    long_tail: bool = False,
) -> tuple[int, int]:
    """Write the reports into ``out``, cycling through ``formats``, plus the manifest.

    Reports are written as they are generated, so memory does not grow with
    the corpus.  Returns (reports, paragraphs).
    """
    out.mkdir(parents=True, exist_ok=True)
    count = total = 0
    with open(out / MANIFEST, "w", encoding="utf-8") as manifest, \
            open(out / "records.jsonl", "w", encoding="utf-8") as records:
        for report in generate_reports(paragraphs, seed, reports, long_tail):
            kind = formats[report.number % len(formats)]
            name = f"{report.slug}.{kind}" if kind != "jsonl" else "records.jsonl"
            if kind == "txt":
                (out / name).write_text(as_text(report), encoding="utf-8")
            elif kind == "md":
                (out / name).write_text(as_markdown(report), encoding="utf-8")
            elif kind == "html":
                (out / name).write_text(as_html(report), encoding="utf-8")
            else:
                records.write(as_json_record(report) + "\n")
            manifest.write(json.dumps({
                "report_id": report.slug,
                "file": name, "date": report.day.isoformat(), "records": expected_records(report),
            }) + "\n")
            count += 1
            total += len(report.paragraphs)
    if (out / "records.jsonl").stat().st_size == 0:
        (out / "records.jsonl").unlink()
    return count, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, nargs="?", help="where to write (or use --out)")
    parser.add_argument("--reports", type=int, help="how many reports to write")
    parser.add_argument("--paragraphs", type=int, help="or: write reports until this many paragraphs")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--formats", default="txt", help=f"comma-separated: {','.join(FORMATS)}")
    parser.add_argument("--long-tail", action="store_true",
                        help="add made-up village names with Zipf frequencies (rare words, as bench/run.py uses)")
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    out = args.out or args.outdir
    if unknown or not formats:
        parser.error(f"formats must be among {','.join(FORMATS)}")
    if out is None or (args.reports is None) == (args.paragraphs is None):
        parser.error("give OUTDIR (or --out) and one of --reports N or --paragraphs N")
    if (args.reports or args.paragraphs) < 1:
        parser.error("--reports and --paragraphs must be at least 1")
    count, total = write_corpus(args.paragraphs, out, args.seed, formats, args.reports, args.long_tail)
    print(f"{count} reports, {total} paragraphs written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
