"""reportlab building blocks shared by every PDF: page template, styles, tables. Rendering only, no queries."""

import io
from collections.abc import Sequence
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from fundapp.core import clock
from fundapp.core.money import format_money

BLUE = colors.HexColor("#0b5394")
GREY = colors.HexColor("#eceff3")
LINE = colors.HexColor("#d5dbe3")

_base = getSampleStyleSheet()
STYLES = {
    "title": ParagraphStyle("title", parent=_base["Title"], fontSize=18, leading=22, alignment=0, textColor=BLUE),
    "h2": ParagraphStyle("h2", parent=_base["Heading2"], fontSize=13, leading=16, spaceBefore=10, textColor=BLUE),
    "h3": ParagraphStyle("h3", parent=_base["Heading3"], fontSize=11, leading=14, spaceBefore=6),
    "body": ParagraphStyle("body", parent=_base["BodyText"], fontSize=9.5, leading=13),
    "small": ParagraphStyle(
        "small", parent=_base["BodyText"], fontSize=8, leading=10, textColor=colors.HexColor("#55606e")
    ),
    "cell": ParagraphStyle("cell", parent=_base["BodyText"], fontSize=8.5, leading=10.5),
    "num": ParagraphStyle("num", parent=_base["BodyText"], fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
}


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped, so user input cannot inject reportlab markup)."""
    escaped = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    return Paragraph(escaped, STYLES[style])


def money_cell(amount: Decimal | None) -> Paragraph:
    return Paragraph(format_money(amount), STYLES["num"])


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float] | None = None,
    numeric_columns: Sequence[int] = (),
    total_row: bool = False,
) -> Table:
    """A readable table: shaded header, thin rules, numbers right-aligned, optional bold total row."""

    def cell(value: object, index: int) -> object:
        if isinstance(value, Flowable):
            return value
        if isinstance(value, Decimal):
            return money_cell(value)
        return Paragraph(
            str(value).replace("&", "&amp;").replace("<", "&lt;"), STYLES["num" if index in numeric_columns else "cell"]
        )

    data = [[Paragraph(f"<b>{h}</b>", STYLES["cell"]) for h in header]]
    data += [[cell(v, i) for i, v in enumerate(row)] for row in rows]
    table = Table(data, colWidths=col_widths, repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), GREY),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if total_row and rows:
        style += [("LINEABOVE", (0, -1), (-1, -1), 1, colors.black), ("BACKGROUND", (0, -1), (-1, -1), GREY)]
    table.setStyle(TableStyle(style))
    return table


def build_pdf(title: str, story: list[Flowable], subtitle: str = "", footer: str = "") -> bytes:
    """Render a story on A4 with the fund's header line and page numbers; returns the PDF bytes."""
    buffer = io.BytesIO()
    generated = clock.now().strftime("%d %b %Y %H:%M UTC")

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#55606e"))
        canvas.drawString(doc.leftMargin, 10 * mm, f"{footer}  ·  generated {generated}")
        canvas.drawRightString(A4[0] - doc.rightMargin, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
    )
    head: list[Flowable] = [Paragraph(title, STYLES["title"])]
    if subtitle:
        head.append(para(subtitle, "small"))
    head.append(Spacer(1, 4 * mm))
    doc.build(head + story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
