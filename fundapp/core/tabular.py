"""CSV and XLSX downloads of the tables the pages show.

The views build the rows with the same query or data builder as their page (same filters, same
figures); these helpers only write them, and they are the only writers of CSV and XLSX in fundapp. Every
cell that is not a number or a date, headers included, is text and is neutralised against spreadsheet formula
injection (a cell starting with = + - @ tab or CR gets a leading apostrophe); numbers are written as numbers.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response, has_request_context, stream_with_context
from openpyxl import Workbook
from openpyxl.styles import Font

Row = Sequence[Any]
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


#: A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR, may drop the
#: character and read what follows): OWASP's list for CSV injection.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Characters XML 1.0 (so XLSX) cannot hold: C0 controls other than tab, LF and CR. openpyxl refuses them
#: with an exception, which would make a 500 of a download.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text(value: object) -> str:
    """A value as text: a str subclass (a str enum, Markup) by its characters, anything else by str()."""
    return str.__str__(value) if isinstance(value, str) else str(value)


def safe_text(value: str) -> str:
    """Free text as a spreadsheet must show it: a leading apostrophe stops a formula (idempotent)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _csv_cell(value: Any) -> Any:
    """Numbers stay numbers; everything else is text, neutralised (an object's str() is text too)."""
    if type(value) is str:  # most cells: checked first (an export writes millions of them)
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value.as_tuple().exponent >= -2 else str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(_text(value))


def _xlsx_cell(value: Any) -> Any:
    """Numbers, dates and booleans as themselves; everything else neutralised text XML can hold."""
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        return value
    return safe_text(_XML_ILLEGAL.sub("", _text(value)))


def _sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of \\ / ? * [ ] :."""
    return re.sub(r"[\\/?*\[\]:]", "-", _XML_ILLEGAL.sub("", title))[:31] or "Sheet"


#: Rows written per chunk of a streamed CSV.
CSV_CHUNK_ROWS = 500


def csv_chunks(header: Row, rows: Iterable[Row]) -> Iterator[str]:
    """The CSV document in pieces of CSV_CHUNK_ROWS rows: the header and every cell through the same
    neutralisation. Rows are read as they are written, so a generator of rows is never held whole."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_csv_cell(v) for v in header])
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(v) for v in row])
        if number % CSV_CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_text(header: Row, rows: Iterable[Row]) -> str:
    """The CSV document as one string."""
    return "".join(csv_chunks(header, rows))


def csv_response(filename: str, header: Row, rows: Iterable[Row]) -> Response:
    """A CSV download streamed as it is written: give rows as a generator (over a `yield_per` query or
    batches) and the memory the download needs does not grow with the data."""
    chunks = csv_chunks(header, rows)
    return Response(
        stream_with_context(chunks) if has_request_context() else chunks,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def xlsx_bytes(sheets: Sequence[tuple[str, Row, Iterable[Row]]]) -> bytes:
    """One worksheet per (title, header, rows); Decimal amounts are numbers with two decimals."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(_sheet_title(title))
        sheet.append([_xlsx_cell(v) for v in header])
        for cell in sheet[1]:
            cell.font = bold
        widths = [len(str(h)) for h in header]
        for row in rows:
            values = [_xlsx_cell(v) for v in row]
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
            widths = [max(w, len(str(v or ""))) for w, v in zip(widths, values, strict=False)] + widths[len(values) :]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(max(width + 2, 10), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(filename: str, sheets: Sequence[tuple[str, Row, Iterable[Row]]]) -> Response:
    return Response(
        xlsx_bytes(sheets),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
