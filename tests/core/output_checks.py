"""Reading downloads back as a person's software would: the text of a PDF, its links and images; the cells of
a CSV or a workbook, and whether a spreadsheet would run one of them as a formula."""

import csv
import io
import re
from collections.abc import Iterator

from openpyxl import load_workbook
from pypdf import PdfReader

#: What a spreadsheet runs as a formula (or, tab and CR, may strip and then run).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A cell that starts with a sign but is a number is just a number.
NUMBER = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?%?$")


def squash(text: str) -> str:
    """Text without white space: a PDF wraps long strings at spaces (and inside long words) anywhere."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


#: What core.pdf draws at the foot of every page ("<title>  ·  generated <time> UTC", "page N"): text extraction
#: puts it first on each page, so a paragraph that runs over a page break reads with the footer in its middle.
_PAGE_FOOTER = re.compile(r"^.*  ·  generated \d{2} \w{3} \d{4} \d{2}:\d{2} UTC\npage \d+\n", re.MULTILINE)


def pdf_body_text(data: bytes) -> str:
    """The PDF's text without the footer of each page, so text that runs over a page break reads whole."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(_PAGE_FOOTER.sub("", page.extract_text() or "", count=1) for page in reader.pages)


def pdf_links(data: bytes) -> list[str]:
    """Every link annotation (any /Annots entry, in fact) of every page, with its URI when it has one."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            action = annotation.get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            found.append(f"{annotation.get('/Subtype')} {uri}")
    return found


def pdf_images(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


def pdf_page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def csv_cells(data: bytes) -> Iterator[str]:
    for row in csv.reader(io.StringIO(data.decode("utf-8"))):
        yield from row


def xlsx_cells(data: bytes) -> Iterator[object]:
    """Every cell value of every sheet (formulas come back as their text, starting with '=')."""
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    yield f"={cell.value}" if not str(cell.value).startswith("=") else cell.value
                else:
                    yield cell.value


def would_run(cell: object) -> bool:
    """Would a spreadsheet read this text cell as a formula?"""
    return isinstance(cell, str) and cell.startswith(FORMULA_START) and not NUMBER.match(cell)
