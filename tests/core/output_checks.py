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
