"""The whole report: blocks of every page joined across page breaks, and the report's title and date."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from ...dates import PartialDate, find_heading_date, infer_year, parse_date_line
from ..page import Endnote, ReportPage
from ..text import TERMINAL, Block
from .blocks import _blocks, _Draft, _item_text, _join_lines, _kind, _line_pitch
from .furniture import _drop_furniture, _split_footnotes
from .lines import Line, PageLines
from .order import _reading_order
from .patterns import (
    _DATE_LABEL,
    _GENERIC_TITLE,
    _ISSUE_LABEL,
    _MARKER,
    _MONTH_NAMES,
    _NUMERIC_DATE,
    _PDF_DATE,
    _PERIOD,
    _SECTION_TITLE,
    _WORDY,
)


def _body_size(pages: list[PageLines]) -> tuple[float, bool]:
    sizes: Counter[float] = Counter()
    bold: Counter[bool] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[line.size] += len(line.text)
            bold[line.bold] += len(line.text)
    return sizes.most_common(1)[0][0], bold[True] > bold[False]


def _report_page(pages: list[PageLines], metadata: dict[str, str], file_name: str = "") -> ReportPage:
    body_size, body_bold = _body_size(pages)
    first_page = PageLines(pages[0].number, pages[0].width, pages[0].height, list(pages[0].lines))
    title = _title(metadata, pages[0], body_size)
    _drop_furniture(pages)
    endnotes: dict[int, Endnote] = {}
    for page in pages:
        page.lines, notes = _split_footnotes(page, body_size, max(endnotes, default=0) + 1)
        for number, note in notes.items():
            endnotes.setdefault(number, note)
    pitch = _line_pitch(pages, body_size)
    vocabulary: Counter[str] = Counter(
        word.lower() for page in pages for line in page.lines for word in re.findall(r"\w+(?:-\w+)*", line.text)
    )
    drafts = [draft for page in pages for draft in _blocks(_reading_order(page.lines), pitch)]
    drafts = _join_across_pages(drafts)
    blocks: list[Block] = []
    for draft in drafts:
        text = _join_lines([line.text for line in draft.lines], vocabulary)
        text = _MARKER.sub(lambda m: f"[{m.group(1)}]" if int(m.group(1)) in endnotes else m.group(1), text)
        text = " ".join(text.split())
        kind = _kind(draft, text, body_size, body_bold)
        if draft.bullet:
            text = _item_text(text) if kind == "bullet" else text
        labelled = (_DATE_LABEL.match(text) or _ISSUE_LABEL.search(text)) and len(text.split()) <= 8
        if parse_date_line(text) is not None or _MONTH_YEAR.match(text) or (labelled and _line_date(text)):
            # "As of 10 November 2025", "DREF Published: 27-11-2025": the first
            # page's date is the report's (ReportPage.date); a date alone further
            # on is a table cell; "November 2025" alone is a running header.
            kind = "chrome"
        if text:
            blocks.append(Block(kind, text, draft.lines[0].page + 1))
    blocks = _short_items(_key_figures(blocks))
    if title is None:
        title = _untitled_page_title(blocks, file_name)
    if title:
        # The title again further on (a second page's header): not text of the report.
        own = " ".join(re.findall(r"\w+", title.lower()))
        blocks = [Block("chrome", b.text, b.line) if b.kind != "heading" and " ".join(re.findall(r"\w+", b.text.lower())) == own
                  else b for b in blocks]
    page_date, basis = _report_date(first_page, metadata)
    # A PDF is one report: a map credit ("OCHA") or a date further down
    # starts no other report.
    return ReportPage(blocks=blocks, title=title, date=page_date, date_basis=basis, endnotes=endnotes,
                      single_report=True)


_FIGURE = re.compile(r"^(?:USD\s*|US\$\s*|\$)?[\d][\d.,]*\s*(?:%|[KkMB]\b|million|billion|thousand)?\+?\*?$",
                     re.IGNORECASE)


def _key_figures(blocks: list[Block]) -> list[Block]:
    """A figure and the label under it ("1.86 million" / "People targeted w/ SRH services") as one paragraph.

    Situation reports lead with boxes of key figures: apart, the number is
    no text and the label says nothing; together they are what an analyst
    searches for ("1.86 million People targeted w/ SRH services").
    """
    out: list[Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        if (previous is not None and previous.kind == "chrome" and _FIGURE.match(previous.text)
                and block.kind in ("paragraph", "chrome") and len(block.text.split()) <= 15
                and _WORDY.search(block.text) and not _FIGURE.match(block.text)):
            out[-1] = Block("paragraph", f"{previous.text} {block.text}", previous.line)
            continue
        out.append(block)
    return out


_MONTH_YEAR = re.compile(rf"^(?:{'|'.join(_MONTH_NAMES)})\s+(?:19|20)\d\d$", re.IGNORECASE)
SHORT_ITEM_WORDS = 4  # a list item this short without a sentence's end is a name or a label


def _short_item(block: Block) -> bool:
    words = block.text.split()
    return (block.kind == "bullet" and len(words) <= SHORT_ITEM_WORDS and not block.text.endswith(TERMINAL)
            and not re.search(r"\d", block.text))


def _short_items(blocks: list[Block]) -> list[Block]:
    """Bulleted names and labels: a sub-heading, one record of the list, or a stray label.

    * "• WASH" over a paragraph (and under no list) is that paragraph's heading;
    * a list of mostly short items ("• Ministry of Health • WHO Afro •
      Africa CDC", a donor list) is one record, its items joined by "; ":
      one name alone says nothing, the list says who is involved;
    * in a list of sentences, a short item over a long one ("• CBS", then
      "• Conduct CBS training for 200 volunteers …") heads the items after it;
    * a short item alone ("• Urban", a table cell read as a bullet) is a label.
    """
    body = [b for b in blocks if b.kind != "chrome"]
    after = {id(a): b for a, b in zip(body, body[1:])}
    before = {id(b): a for a, b in zip(body, body[1:])}
    out: list[Block] = []
    run: list[Block] = []

    def flush() -> None:
        if len(run) >= 2 and sum(_short_item(item) for item in run) * 2 >= len(run):
            out.append(Block("bullet", "; ".join(item.text.rstrip(",;") for item in run), run[0].line))
        elif len(run) == 1 and _short_item(run[0]):
            out.append(Block("chrome", run[0].text, run[0].line))
        else:
            for item, following in zip(run, [*run[1:], None]):
                heads = _short_item(item) and following is not None and len(following.text.split()) >= 8
                out.append(Block("heading", item.text.rstrip(","), item.line) if heads else item)
        run.clear()

    for block in blocks:
        if block.kind == "chrome":
            out.append(block)  # not a record: it neither ends a list nor needs its place in one
            continue
        following, preceding = after.get(id(block)), before.get(id(block))
        if (_short_item(block) and following is not None and following.kind == "paragraph"
                and (preceding is None or preceding.kind != "bullet")):
            flush()
            out.append(Block("heading", block.text, block.line))
            continue
        if block.kind == "bullet":
            run.append(block)
            continue
        flush()
        out.append(block)
    flush()
    return out


def _join_across_pages(drafts: list[_Draft]) -> list[_Draft]:
    """Join a paragraph a page break cut in two (it ends mid-sentence, the next starts in lower case)."""
    joined: list[_Draft] = []
    for draft in drafts:
        if joined:
            last = joined[-1]
            first = draft.lines[0]
            if (
                first.page == last.last.page + 1
                and not last.last.text.endswith(TERMINAL)
                and first.text[:1].islower()
                and abs(first.size - last.last.size) < 0.5
                and not draft.bullet
            ):
                last.lines.extend(draft.lines)
                continue
        joined.append(draft)
    return joined


def _title(metadata: dict[str, str], first_page: PageLines, body_size: float) -> str | None:
    """The report's title: a /Title that names it, else the largest text on the first page.

    A /Title is taken when the first page bears it out and its headline
    says no more: "Thematic Factsheet - Health" over a page headed "South
    Sudan Emergency Response - Ethiopia Health Factsheet" is a template's
    name, and the page's headline is the report's.
    """
    words = set(re.findall(r"\w+", " ".join(line.text for line in first_page.lines).lower()))
    meta_title = " ".join(metadata.get("Title", "").split())
    headline = _headline(first_page, body_size)
    if _meaningful_title(meta_title, words) and (headline is None or _says_no_more(headline, meta_title)):
        return meta_title
    return headline


def _says_no_more(headline: str, title: str) -> bool:
    """True when ``title`` holds most words of ``headline`` ("FLASH UPDATE No. 5" and "Flash Update 5")."""
    said = _title_words(headline)
    return not said or sum(word in set(_title_words(title)) for word in said) >= 0.8 * len(said)


def _title_words(text: str) -> list[str]:
    return [word for word in re.findall(r"\w+", _MARKER.sub("", text).lower()) if len(word) > 1 or word.isdigit()]


def _untitled_page_title(blocks: list[Block], file_name: str) -> str | None:
    """The title of a report whose first page prints none as text (its title is a picture, a logo banner).

    The reading rules title it by its first heading; when that heading is a
    generic section name ("Operational Context") or the text starts
    without one, a file name of words ("WFPHaitiCountryBrief-December2025")
    names the report better.
    """
    first = next((block for block in blocks if block.kind != "chrome"), None)
    if first is not None and first.kind == "heading" and not _SECTION_TITLE.match(first.text):
        return None
    return _file_title(file_name)


# A publisher's id before the name ("4196311_"), and words that say which copy a file is.
_FILE_ID = re.compile(r"^\d{4,}[_\-\s]+")
_COPY_WORDS = re.compile(r"^(?:final|draft|v\d+|copy|rev\d*)$", re.IGNORECASE)


def _file_title(file_name: str) -> str | None:
    """A title from a file name of words: "4196311_WFPHaitiCountryBrief-December2025" -> "WFP Haiti Country Brief December 2025".

    None for a name that is an id or a code ("4189284_MDRET039do", "ht-fso-2025-10-1763170499").
    """
    name = _FILE_ID.sub("", file_name)
    # Split "WFPHaitiCountryBrief" at its capitals and "December2025" between letters and digits.
    name = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", name)
    tokens = [token for token in re.split(r"[\s_\-.]+", name) if token and not _COPY_WORDS.match(token)]
    wordy = [token for token in tokens if token.isalpha() and len(token) >= 3 and not token.isupper()]
    if len(wordy) < 3 or any(token.isdigit() and len(token) > 4 for token in tokens):
        return None
    return " ".join(tokens)


_BODY_LINE_CHARS = 50  # a line of body text, not a label or a key figure


def _headline(first_page: PageLines, body_size: float) -> str | None:
    """The largest text in the top half of the first page, with the lines under it in a headline size.

    The largest line is joined by the lines drawn right after it in a
    headline size, so a title set over several lines in falling sizes
    ("Haiti" / "Tropical Storm Melissa" / "Flash Update No. 1") is read whole.
    Only text above the first line of body text counts: a title comes
    before the text it names, a section heading ("Response & Challenges")
    in a larger size further down does not name the report.
    """
    body_tops = [line.top for line in first_page.lines
                 if abs(line.size - body_size) < 0.5 and len(line.text) >= _BODY_LINE_CHARS]
    above = min([first_page.height * 0.5, *(top + 1 for top in body_tops)])
    drawn = sorted(
        (
            line
            for line in first_page.lines
            if line.top < above
            and sum(c.isalpha() for c in line.text) >= 3
            and not _SECTION_TITLE.match(line.text)
        ),
        key=lambda line: line.order,
    )
    if not drawn:
        return None
    largest = max(line.size for line in drawn)
    if largest < body_size * 1.3:
        return None
    start = next(i for i, line in enumerate(drawn) if line.size >= largest * 0.95)
    headline_size = max(largest * 0.55, body_size * 1.2)
    # "SOUTH SUDAN EMERGENCY RESPONSE - ETHIOPIA" drawn over a larger "HEALTH FACTSHEET".
    while start > 0 and _headline_line(drawn[start - 1], drawn[start], headline_size):
        start -= 1
    chosen = [drawn[start]]
    for line in drawn[start + 1 :]:
        if not _headline_line(chosen[-1], line, headline_size):
            break
        chosen.append(line)
    text = " ".join(line.text for line in chosen)
    words_in = text.split()
    if len(words_in) > 30:
        text = " ".join(words_in[:30]) + "…"
    return " ".join(_MARKER.sub("", text).split()) or None


def _headline_line(upper: Line, lower: Line, headline_size: float) -> bool:
    """True when ``upper`` and ``lower``, drawn one after the other, are two lines of one headline."""
    if min(upper.size, lower.size) < headline_size or not 0 < lower.top - upper.top <= 2.5 * upper.size:
        return False
    # "As of 10 November 2025" under the title dates the report; it is not its title
    return not any(parse_date_line(line.text) is not None or _DATE_LABEL.match(line.text) for line in (upper, lower))


def _meaningful_title(title: str, first_page_words: set[str]) -> bool:
    """False for an empty, generic ("Microsoft Word - x.docx") or file-name-like /Title."""
    if not title or _GENERIC_TITLE.match(title):
        return False
    if " " not in title or re.search(r"\.(?:docx?|pptx?|xlsx?|indd|pdf|ai)$", title, re.IGNORECASE):
        return False  # "ht-fso-2025-10", "report_final.docx"
    words = [word for word in re.findall(r"\w+", title.lower()) if len(word) > 1 or word.isdigit()]
    if not words:
        return False
    # A title left over from a template or an earlier issue ("Flash Update -
    # TS Melissa Flooding - Haiti - 20251023" on flash report No. 3) has words
    # and numbers the first page does not print.
    return sum(word in first_page_words for word in words) >= 0.8 * len(words)


def _report_date(first_page: PageLines, metadata: dict[str, str]) -> tuple[str | None, str]:
    """The date the first page prints, else the PDF's creation date.

    The top third of the page is read first, top to bottom, then the rest in
    reading order.  A period ("1 December 2025 to 4 February 2026") is dated
    by its end.  A date without a year in the top half ("8 - 18 November")
    takes the year that puts it closest to the creation date; the creation
    date alone is weak evidence (a file re-saved later), so it comes last.
    """
    top = sorted(
        (line for line in first_page.lines if line.top < first_page.height / 3), key=lambda line: (line.top, line.x0)
    )
    rest = sorted((line for line in first_page.lines if line.top >= first_page.height / 3), key=lambda line: line.order)
    created = next((m for key in ("CreationDate", "ModDate") if (m := _PDF_DATE.match(metadata.get(key, "")))), None)
    partial: PartialDate | None = None
    drawn = sorted(first_page.lines, key=lambda line: line.order)
    # "DREF Published:" may be a table cell with its date in the next one.
    labelled = [
        line
        for index, label in enumerate(drawn)
        if _ISSUE_LABEL.search(label.text)
        for line in drawn[index : index + 2]
    ]
    for line in labelled + top + rest:
        found = _line_date(line.text)
        if found is None:
            continue
        if found.complete() is not None:
            return found.complete().isoformat(), "first page"
        if line.top < first_page.height / 2:
            partial = partial or found  # "8 - 18 November" under the title; not "on January 8" in the text
    if partial is not None and created is not None:
        day = infer_year(partial, date(int(created.group(1)), int(created.group(2)), int(created.group(3))))
        return day.isoformat(), "first page; year from PDF metadata"
    if created is not None:
        return f"{created.group(1)}-{created.group(2)}-{created.group(3)}", "PDF metadata"
    if partial is not None:
        return f"{_MONTH_NAMES[partial.month - 1]} {partial.day}", "first page"
    return None, ""


def _line_date(text: str) -> PartialDate | None:
    """The date a line gives; a period gives its last day."""
    text = _MARKER.sub("", text)
    found = find_heading_date(text)
    if found is None:
        return _numeric_date(text)
    parts = _PERIOD.split(text)
    if len(parts) > 1:
        end = find_heading_date(parts[-1])
        if end is not None and (end.year is not None or found.year is None):
            return end
    return found


def _numeric_date(text: str) -> PartialDate | None:
    """"10/29/2025" or "27-11-2025": a numeric date whose day is over 12, so its order is plain."""
    for match in _NUMERIC_DATE.finditer(text):
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        month, day = (first, second) if second > 12 >= first else (second, first) if first > 12 >= second else (0, 0)
        if month and PartialDate(month, day, year).complete() is not None:
            return PartialDate(month, day, year)
    return None
