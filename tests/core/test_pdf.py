from decimal import Decimal

from fundapp.core.pdf import STYLES, TEXT_WIDTH, build_pdf, content_widths, data_table, para


def test_build_pdf_renders_text_and_tables():
    story = [
        para("Deposits <b>& more</b>"),
        data_table(["Donor", "USD"], [["Germany", Decimal("1234.50")]], numeric_columns=[1]),
    ]
    pdf = build_pdf("Contribution report", story, subtitle="2021", footer="MIG00")
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000


def _row_lines(table, width: float = TEXT_WIDTH) -> list[int]:
    """How many lines each row of a data table takes once laid out (row height ÷ a line's height)."""
    table.wrap(width, 10_000)
    line = STYLES["cell"].leading
    return [round((height - 6) / line) for height in table._rowHeights]


def test_columns_are_sized_to_their_content():
    """A rate, a date and an amount never break over two lines; a long title wraps, over a few lines only."""
    title = "Search, rescue and identification of missing migrants in countries of origin, transit and destination"
    rows = [
        ["15 Jul 2019", "MIG00-SAA-DEU-2019-01", f"CN-0092 {title}", "EUR 3,000,000.00", "0.906000", Decimal("1.00")]
        for _ in range(3)
    ]
    header = ["Date", "Agreement", "Item", "Amount", "Rate", "USD"]
    widths = content_widths(header, rows)
    assert abs(sum(widths) - TEXT_WIDTH) < 0.01
    lines = _row_lines(data_table(header, rows, numeric_columns=(3, 4)))
    assert lines[1:] == [lines[1]] * 3
    assert 2 <= lines[1] <= 4  # the title wraps; nothing else makes the row taller
    short = data_table(header, [[*row[:2], "Item", *row[3:]] for row in rows], numeric_columns=(3, 4))
    assert _row_lines(short)[1:] == [1, 1, 1]  # every cell on one line: the rate is never "0.90600" over "0"


def test_content_widths_fit_an_empty_column_and_a_table_too_wide():
    widths = content_widths(["A", ""], [["x", ""]])
    assert min(widths) > 12  # room inside the padding, even for an empty column
    wide = content_widths(["Text"] * 3, [["word " * 80] * 3])
    assert abs(sum(wide) - TEXT_WIDTH) < 0.01
