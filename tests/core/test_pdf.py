"""core.pdf: every user string is escaped before reportlab reads it; the fund's own markup has one reviewed way in;
nothing outside core.pdf builds a reportlab paragraph."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from fundapp.core.pdf import (
    STYLES,
    TEXT_WIDTH,
    PdfMarkup,
    bold,
    build_pdf,
    content_widths,
    data_table,
    escape,
    markup,
    para,
)
from tests.core.output_checks import pdf_images, pdf_links, pdf_text, squash

PACKAGE = Path(__file__).resolve().parents[2] / "fundapp"

#: reportlab markup a user might type into a title, a name or a note.
HOSTILE = [
    '<font size="28" color="red">BIG RED</font>',
    '<a href="http://evil.example/phish">click here</a>',
    '<img src="/usr/share/pixmaps/debian-logo.png" width="100" height="100"/>',
    "<b>unclosed bold",
    "</para><para>",
    '<link href="http://evil.example/">x</link>',
    "&lt; already escaped &amp; & lone ampersand &#60; &nbsp;",
    "<br/>not a break <seq/> <onDraw name='x'/>",
]


def test_build_pdf_renders_text_and_tables():
    story = [
        para("Deposits <b>& more</b>"),
        data_table(["Donor", "USD"], [["Germany", Decimal("1234.50")]], numeric_columns=[1]),
    ]
    pdf = build_pdf("Contribution report", story, subtitle="2021", footer="MIG00")
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000
    text = pdf_text(pdf)
    assert "Deposits <b>& more</b>" in text
    assert "1,234.50" in text


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


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_printed_literally_in_every_helper(hostile):
    """Title, subtitle, paragraph, table header and table cell: the characters as typed, no link, no image."""
    story = [
        para(hostile),
        para(hostile, "h2"),
        data_table([hostile, "Amount"], [[hostile, Decimal("1.00")], [bold(hostile), "x"]]),
    ]
    pdf = build_pdf(hostile, story, subtitle=hostile, footer=hostile)
    assert squash(pdf_text(pdf)).count(squash(hostile)) >= 7
    assert pdf_links(pdf) == []
    assert pdf_images(pdf) == 0


def test_newlines_are_kept_as_line_breaks():
    pdf = build_pdf("t", [para("first line\nsecond line\r\nthird")])
    assert "first line\nsecond line\nthird" in pdf_text(pdf)


def test_escape():
    assert escape('<a href="x">&</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
    assert escape(None) == ""
    assert escape(12) == "12"


def test_markup_escapes_its_values_and_keeps_the_template():
    made = markup("<b>{label}</b>: US$ {amount:,.2f}", label="<i>x</i> & y", amount=Decimal("1234.5"))
    assert made == PdfMarkup("<b>&lt;i&gt;x&lt;/i&gt; &amp; y</b>: US$ 1,234.50")
    assert markup("{inner} and {text}", inner=bold("a"), text="<b>").source == "<b>a</b> and &lt;b&gt;"
    pdf = build_pdf("t", [para(made)])
    assert "<i>x</i> & y: US$ 1,234.50" in pdf_text(pdf)


# Only core.pdf talks to reportlab's text machinery ---------------------------------------------------

#: reportlab names that read markup from text (or load files): only core/pdf.py may use them.
MARKUP_READERS = {"Paragraph", "XPreformatted", "Preformatted", "ParaParser", "Image", "ImageReader"}
MARKUP_MODULES = ("reportlab.platypus.paragraph", "reportlab.platypus.xpreformatted", "reportlab.platypus.paraparser")


def _modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if p != PACKAGE / "core" / "pdf.py"]


def test_no_module_but_core_pdf_builds_reportlab_paragraphs():
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reportlab"):
                bad = [a.name for a in node.names if a.name in MARKUP_READERS or a.name == "*"]
                if bad or node.module.startswith(MARKUP_MODULES):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.module} {bad}")
            elif isinstance(node, ast.Import):
                found += [
                    f"{path.relative_to(PACKAGE)}:{node.lineno} import {a.name}"
                    for a in node.names
                    if a.name.startswith(("reportlab.platypus", *MARKUP_MODULES))
                ]
    assert found == [], "build PDFs from fundapp.core.pdf's helpers, which escape user text"


def test_fund_markup_comes_only_from_templates_written_in_the_code():
    """`markup()`'s template is a string literal (reviewed with the code); `PdfMarkup(...)` is built only
    in core.pdf."""
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
            if name == "PdfMarkup":
                found.append(f"{where} PdfMarkup(...)")
            elif name == "markup" and not (
                node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
            ):
                found.append(f"{where} markup() with a template that is not a literal")
    assert found == []
