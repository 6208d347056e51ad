"""PDF reports -> :class:`ReportPage`.

Situation reports and flash updates are published as PDFs laid out for
print: two or three columns, a sidebar of key figures, a running header and
footer with the page number, footnotes at the bottom of the page.  PDFium
(through pypdfium2) gives every character with its box, font size and font;
this module rebuilds what a reader sees from them:

* **lines**: PDFium's own lines, cut where a wide gap separates two columns
  that happen to share a baseline;
* **reading order**: the order the PDF draws its text in (the order it was
  written in Word, InDesign or a browser) unless a page draws its columns
  line by line in turn, which is then read column by column
  (:func:`_geometric_order`);
* **running headers, footers and page numbers**: text repeated at the same
  height in the page margins on most pages, and "3", "Page 3 of 10";
* **paragraphs**: consecutive lines of one column with the same font and the
  usual line spacing; a word broken with a hyphen at a line end is joined;
* **headings**: short blocks in a larger or bold font; **bullets**: blocks
  that start with a bullet sign or a list number;
* **footnotes**: small numbered lines at the bottom of a page become
  endnotes, and raised (superscript) numbers in the text become ``[n]``
  markers that point to them;
* **lists and labels**: a list of short items (partners, donors) is one
  record; a short item over a paragraph or over long items is a heading;
  a table's indicator labels without figures, contact lines, a month
  alone and the title repeated further on are not records;
* **title and date**: the document's /Title when the first page bears it
  out and its headline says no more, else the first page's largest text
  above its body text, else (a title that is a picture) the file's name
  when it has words; the first date printed on the first page, else the
  document's creation date.

Modules, in the order a PDF goes through them: :mod:`.reader` (open it),
:mod:`.lines`, :mod:`.furniture`, :mod:`.order`, :mod:`.blocks`,
:mod:`.report`; :mod:`.patterns` holds what they share.  This package never
imports whoosh.
"""

from .reader import read_pdf

__all__ = ["read_pdf"]
