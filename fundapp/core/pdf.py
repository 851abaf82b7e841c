"""reportlab building blocks shared by every PDF: page template, styles, tables. Rendering only, no queries.

reportlab reads a paragraph's text as markup (`<font>`, `<a href>`, `<img src>`…), so user text must never
reach it raw: a title with `<img src="/etc/…">` would embed a server file, an unclosed `<b>` would end in a
500. Every helper here takes plain strings and escapes them. Markup the fund's own code wants (bold, a line
break) is a `PdfMarkup`, made only by `markup()` from a template written in the code (a string literal:
`tests/core/test_pdf.py` checks it) with its values escaped, or by `bold()`. Nothing outside this module
builds a reportlab `Paragraph` (also checked there).
"""

import io
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from arabic_reshaper import reshape
from bidi import get_display
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from fundapp.core import clock
from fundapp.core.i18n import RIGHT_TO_LEFT, _, language
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
    #: Amounts in a smaller type, so that eight-figure sums fit six or seven columns on A4.
    "num_small": ParagraphStyle("num_small", parent=_base["BodyText"], fontSize=7, leading=9, alignment=TA_RIGHT),
}


#: DejaVu Sans (bundled with its licence in core/fonts): the PDFs of languages whose letters Helvetica lacks.
FONTS = Path(__file__).resolve().parent / "fonts"
pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONTS / "DejaVuSans.ttf")))
pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(FONTS / "DejaVuSans-Bold.ttf")))
pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold")
#: The same styles in DejaVu Sans, right-aligned text where numbers were right-aligned stays so (Arabic).
UNICODE_STYLES = {
    name: ParagraphStyle(
        f"{name}-unicode",
        parent=style,
        fontName="DejaVuSans-Bold" if style.fontName.endswith("Bold") else "DejaVuSans",
        alignment=TA_RIGHT,
    )
    for name, style in STYLES.items()
}
#: Bidi controls Babel and the filters put around numbers: a PDF line is laid out already, they draw nothing.
_BIDI_CONTROLS = str.maketrans(dict.fromkeys(map(ord, "\u200e\u200f\u061c\u2066\u2067\u2068\u2069"), None))


def _right_to_left() -> bool:
    return language() in RIGHT_TO_LEFT


def right_to_left() -> bool:
    """Whether the PDF being drawn reads right to left (Arabic): tables and charts are mirrored."""
    return _right_to_left()


def font(bold: bool = False) -> str:
    """The font for text drawn outside a paragraph (charts, the page's footer) in the language being spoken."""
    if _right_to_left():
        return "DejaVuSans-Bold" if bold else "DejaVuSans"
    return "Helvetica-Bold" if bold else "Helvetica"


def drawn_text(text: object) -> str:
    """Plain text for a chart's label or the canvas (no markup is read there): Arabic letters joined and laid out
    in display order, the invisible bidi controls dropped; other languages unchanged."""
    return _visual(str(text).translate(_BIDI_CONTROLS))


def _style(name: str) -> ParagraphStyle:
    return UNICODE_STYLES[name] if _right_to_left() else STYLES[name]


#: Letters of the right-to-left scripts, plain and in their joined (presentation) forms.
_RTL_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def _display(line: str) -> str:
    """One line of text in display order: a line with Arabic in it is laid out right to left (its first word at
    the right, even when it starts with a name in Latin letters), mirrored brackets included; a line in Latin
    letters only (an English title someone wrote) keeps its own order."""
    return get_display(line, base_dir="R") if _RTL_LETTERS.search(line) else line


def _shaped(text: str) -> str:
    """Arabic letters joined (reshaped), still in reading order: a paragraph wraps it, then lays out each line."""
    return "\n".join(reshape(line) for line in text.split("\n")) if _right_to_left() else text


def _visual(text: str) -> str:
    """Joined and in display order, line by line: text drawn on one line (the canvas, a chart's label)."""
    if not _right_to_left():
        return text
    return "\n".join(_display(reshape(line)) for line in text.split("\n"))


class _RightToLeftParagraph(Paragraph):
    """A paragraph with Arabic in it. reportlab draws each line left to right and knows nothing of bidi, so the
    text arrives joined but in reading order (`_shaped`), reportlab breaks it into lines in that order (the
    sentence's start on the first line, as a reader of Arabic expects), and each line is then put in display
    order (`_display`): its words and any English name or figure in it read right to left as Arabic does. The
    parts split off at a page break are made of lines already in display order: they are not turned again."""

    _in_order = False

    def breakLines(self, width):  # noqa: N802  (reportlab's name)
        broken = super().breakLines(width)
        if self._in_order:
            return broken
        if broken.kind == 0:
            broken.lines = [(extra, _display(" ".join(words)).split(" ")) for extra, words in broken.lines]
        else:  # styled pieces (bold, line breaks): the pieces of a line in the opposite order, each laid out
            for line in broken.lines:
                for piece in line.words:
                    if getattr(piece, "text", None):
                        piece.text = _display(piece.text)
                line.words.reverse()
        return broken

    def split(self, availWidth, availHeight):  # noqa: N803  (reportlab's names)
        parts = super().split(availWidth, availHeight)
        for part in parts:
            if isinstance(part, _RightToLeftParagraph):
                part._in_order = True
        return parts


def _paragraph(source: str, style: ParagraphStyle) -> Paragraph:
    """The only place a reportlab Paragraph is made from (escaped) source: right to left when it holds Arabic."""
    if _right_to_left() and _RTL_LETTERS.search(source):
        return _RightToLeftParagraph(source, style)
    return Paragraph(source, style)


class PdfMarkup:
    """reportlab markup written by the fund's code, never by a user: make one with `markup()` or `bold()`."""

    __slots__ = ("source",)

    def __init__(self, source: str) -> None:
        self.source = source

    def __repr__(self) -> str:
        return f"PdfMarkup({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PdfMarkup) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)


#: What the helpers accept as text: a plain string (escaped) or the fund's own markup (kept).
Text = str | PdfMarkup

#: Values `markup()` formats as they are: numbers and dates carry no markup, and keep their format specs.
_PLAIN_VALUES = (int, float, Decimal, date)


def escape(text: object) -> str:
    """Plain text as reportlab paragraph source: & < > escaped, line breaks kept as <br/>."""
    if text is None:
        return ""
    escaped = (
        _shaped(str(text).translate(_BIDI_CONTROLS)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br/>")


def _source(text: object) -> str:
    return text.source if isinstance(text, PdfMarkup) else escape(text)


def markup(template: str, /, **values: object) -> PdfMarkup:
    """Fund-authored markup: `template` is a string literal in the code (reviewed), every value is escaped.

    `markup("<b>{label}</b>: {value}", label=..., value=...)`; a value that is itself a `PdfMarkup` is kept,
    numbers and dates are formatted by the template's format spec (`{amount:,.2f}`).
    """
    return PdfMarkup(
        template.format_map({k: v if isinstance(v, _PLAIN_VALUES) else _source(v) for k, v in values.items()})
    )


def bold(text: Text) -> PdfMarkup:
    return markup("<b>{text}</b>", text=text)


def para(text: Text | None, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped, so user input cannot inject reportlab markup) or of `PdfMarkup`."""
    return _paragraph(_source(text), _style(style))


def money_cell(amount: Decimal | None, style: str = "num") -> Paragraph:
    return _paragraph(escape(format_money(amount)), _style(style))


#: The width of the text on an A4 page between build_pdf()'s margins, in points (less the frame's own padding).
TEXT_WIDTH = A4[0] - 32 * mm - 12
#: A table cell's left plus right padding (reportlab's default, 6 points each side).
CELL_PADDING = 14  # plus 2 points of slack: reportlab wraps a word that fits to the last fraction of a point
#: A column at most this share of the page wide is short content that never wraps (a date, an amount, a rate).
SHORT_COLUMN = 0.22
#: Headings up to this many characters are not wrapped.
SHORT_HEADING = 16


def _cell_text(value: object) -> str:
    if isinstance(value, Paragraph):
        return value.getPlainText()
    if isinstance(value, PdfMarkup):
        return Paragraph(value.source, _style("cell")).getPlainText()
    if isinstance(value, Flowable):
        return ""
    if isinstance(value, Decimal):
        return format_money(value)
    return str(value)


def content_widths(header: Sequence[str], rows: Sequence[Sequence[object]], total: float = TEXT_WIDTH) -> list[float]:
    """Column widths sized to their content: each column as wide as its longest cell (so a number, a date or a rate
    is never broken over two lines), headings wrapping between their words; when the table would be wider than
    `total`, the columns of running text (titles, names, comments) give way and wrap, the short ones keep their
    width. What is left over goes to the text columns, so the table spans the page."""
    font, size = _style("cell").fontName, _style("cell").fontSize
    bold_font = "DejaVuSans-Bold" if _right_to_left() else "Helvetica-Bold"
    count = len(header)
    natural, least = [], []
    for i in range(count):
        texts = [_cell_text(row[i]) for row in rows if i < len(row)]
        # A short heading ("Score (0–100)") stays whole; a long one wraps between its words.
        title = _cell_text(header[i])
        parts = [title] if len(title) <= SHORT_HEADING else title.split()
        heading = max((stringWidth(w, bold_font, size) for w in parts), default=0)
        words = [stringWidth(w, font, size) for t in texts for w in t.split()]
        # A paragraph needs some room inside its padding, even in an empty column.
        natural.append(max([heading, 8, *(stringWidth(t, font, size) for t in texts)]) + CELL_PADDING)
        least.append(max([heading, 8, *words]) + CELL_PADDING)
    if sum(natural) <= total:
        text_columns = [i for i in range(count) if natural[i] - least[i] > 1] or list(range(count))
        spare = (total - sum(natural)) / len(text_columns)
        return [w + spare if i in text_columns else w for i, w in enumerate(natural)]
    # Too wide: short columns (numbers, dates, amounts with their currency, codes) keep their width; the others
    # share what is left in proportion to their natural width, never below their longest word.
    fixed = [i for i in range(count) if natural[i] - least[i] <= 1 or natural[i] <= total * SHORT_COLUMN]
    flexible = sorted((i for i in range(count) if i not in fixed), key=lambda i: natural[i])
    room = total - sum(natural[i] for i in fixed)
    widths = list(natural)
    # A text column no wider than its fair share of the room keeps its width; the longest ones share the rest.
    while flexible and natural[flexible[0]] <= room / len(flexible):
        room -= natural[flexible.pop(0)]
    wanted = sum(natural[i] for i in flexible) or 1
    for i in flexible:
        widths[i] = max(least[i], room * natural[i] / wanted)
    if sum(widths) > total:  # even the least does not fit: shrink everything alike
        return [w * total / sum(widths) for w in widths]
    return widths


def data_table(
    header: Sequence[Text],
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float] | None = None,
    numeric_columns: Sequence[int] = (),
    total_row: bool = False,
) -> Table:
    """A readable table: shaded header, thin rules, numbers right-aligned, optional bold total row; columns sized
    to their content unless `col_widths` says otherwise (content_widths()).

    A cell is a `Decimal` (an amount), a flowable this module built (`para`, `money_cell`), `PdfMarkup`, or
    anything else, printed as escaped text.

    Right to left (Arabic) the table is mirrored: the first column is drawn at the right, every cell's text is
    right-aligned, and numbers keep their left-to-right digits (`_display`). Callers give the columns in their
    reading order in every language (`header[0]` is the first column read); `mirror()` turns it round.
    """

    def cell(value: object, index: int) -> object:
        if isinstance(value, Flowable):
            return value
        if isinstance(value, Decimal):
            return money_cell(value)
        return _paragraph(_source(value), _style("num" if index in numeric_columns else "cell"))

    data = [[_paragraph(bold(h).source, _style("cell")) for h in header]]
    data += [[cell(v, i) for i, v in enumerate(row)] for row in rows]
    widths = list(col_widths) if col_widths is not None else content_widths(header, rows)
    if _right_to_left():
        data, widths = mirror(data), widths[::-1]
    table = Table(data, colWidths=widths, repeatRows=1)
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


def mirror(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    """The rows of a table with their columns in the opposite order (the first column read comes last, at the
    right of a right-to-left page); a short row is padded first so its cells keep their columns."""
    count = max((len(row) for row in rows), default=0)
    return [[*row, *[""] * (count - len(row))][::-1] for row in rows]


def build_pdf(title: str, story: list[Flowable], subtitle: Text = "", footer: str = "") -> bytes:
    """Render a story on A4 with the fund's header line and page numbers; returns the PDF bytes.

    `title` is plain text (escaped on the page, as is in the document's metadata); `footer` is drawn as
    plain text on the canvas, which reads no markup.
    """
    buffer = io.BytesIO()
    generated = clock.now().strftime("%d %b %Y %H:%M UTC")

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font(), 7.5)
        canvas.setFillColor(colors.HexColor("#55606e"))
        line = drawn_text(_("%(footer)s  ·  generated %(when)s", footer=footer, when=generated))
        number = drawn_text(_("page %(number)s", number=doc.page))
        start, end = doc.leftMargin, A4[0] - doc.rightMargin
        if _right_to_left():  # mirrored: the footer reads from the right edge, the page number at the left
            canvas.drawRightString(end, 10 * mm, line)
            canvas.drawString(start, 10 * mm, number)
        else:
            canvas.drawString(start, 10 * mm, line)
            canvas.drawRightString(end, 10 * mm, number)
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
    head: list[Flowable] = [para(title, "title")]
    if subtitle:
        head.append(para(subtitle, "small"))
    head.append(Spacer(1, 4 * mm))
    doc.build(head + story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
