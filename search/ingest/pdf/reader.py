"""Open a PDF with PDFium and read it into one :class:`~search.ingest.page.ReportPage`."""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..page import ReportPage
from ..records import SkipFile
from .lines import _page_lines
from .report import _report_page


def read_pdf(data: bytes, file_name: str = "") -> tuple[ReportPage, list[str]]:
    """Read a PDF report into a :class:`ReportPage`, with warnings about it.

    ``file_name`` (without its suffix) titles a report whose first page
    prints no title as text.

    :raises SkipFile: the bytes are not a PDF PDFium can open, the PDF needs a
        password, or no page has a text layer (a scan).
    """
    if not data.strip():
        raise SkipFile("empty file")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if err.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise SkipFile("encrypted PDF: it needs a password to open") from None
        reason = str(err).split("PDFium: ", 1)[-1].rstrip(").")
        raise SkipFile(f"not a valid PDF: {reason.lower()}") from None
    try:
        metadata = {key: (value or "").strip() for key, value in document.get_metadata_dict().items()}
        pages = [_page_lines(document, number) for number in range(len(document))]
    finally:
        document.close()
    warnings: list[str] = []
    if not pages:
        raise SkipFile("not a valid PDF: it has no pages")
    if not any(page.lines for page in pages):
        raise SkipFile("scanned PDF: no text layer")
    blank = sum(1 for page in pages if not page.lines)
    if blank:
        warnings.append(f"{blank} of {len(pages)} pages have no text layer (scanned?) and were not read")
    return _report_page(pages, metadata, file_name), warnings
