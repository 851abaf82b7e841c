"""The contribution report PDF laid out right to left in Arabic: the table's first column at the right, its text
right-aligned, the figures still written left to right; in English nothing moves."""

import io
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from flask import g
from flask_babel import force_locale
from pypdf import PdfReader

from fundapp.contributions import services as contributions
from fundapp.core.i18n import _
from fundapp.core.pdf import build_pdf, data_table, markup, para
from tests.contributions import factories as cf

QUERY = "from=2020-01-01&to=2020-12-31"


def _positions(data: bytes) -> list[tuple[str, float, float]]:
    """(text, x, y) of every piece of text drawn on the PDF's first page, in page coordinates. Arabic is drawn as
    joined letter forms in display order; pypdf gives it back in reading order, and NFKC turns the joined forms
    into the letters a translation is written with."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            # The text matrix is relative to the current transformation (reportlab draws each table cell with
            # its own translation): combine them.
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((unicodedata.normalize("NFKC", text.strip()), x, y))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


def _x_of(positions, text: str) -> float:
    xs = [x for t, x, _y in positions if t == text]
    assert xs, f"{text!r} not found among {[t for t, _x, _y in positions][:80]}"
    return xs[0]


@pytest.fixture
def reader(login):
    """Sign the donor in; afterwards forget them: the run shares one app context, whose `g` would keep the
    signed-in donor (and their language) for the tests that follow."""
    yield login
    g.pop("_login_user", None)


def _report(client, login, lang: str | None) -> bytes:
    agreement = cf.agreement("DEU", currency="USD", reference="DEU-RTL", amount="3000000.00")
    contributions.record_deposit(None, agreement, Decimal("1000000.00"), date(2020, 3, 10))
    account = login("donor@example.org")
    account.language = lang
    response = client.get(f"/contributions/donors/{agreement.donor_id}/report.pdf?{QUERY}")
    assert response.status_code == 200
    return response.data


def _headers(lang: str) -> list[str]:
    """The deposits table's headers in their reading order, as drawn on the page."""
    with force_locale(lang):
        return [_(h) for h in ("Date", "Agreement", "Amount", "Rate")]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_deposits_tables_first_column_is_where_reading_starts(app, client, reader, db, lang):
    positions = _positions(_report(client, reader, lang))
    with app.test_request_context():
        date_, agreement, amount, rate = (_x_of(positions, h) for h in _headers(lang))
    if lang == "ar":  # read from the right: Date at the right, then Agreement, Amount, Rate towards the left
        assert date_ > agreement > amount > rate
    else:
        assert date_ < agreement < amount < rate


def test_arabic_text_is_right_aligned_and_figures_stay_left_to_right(app, client, reader, db):
    positions = _positions(_report(client, reader, "ar"))
    with app.test_request_context(), force_locale("ar"):
        title = _("Totals")
    # The heading hugs the right margin (A4 is 595 points wide, the margins 16 mm = 45 points).
    (x_title,) = [x for t, x, _y in positions if t == title]
    assert x_title > 595 / 2
    # The deposit's amount and the agreement's reference read left to right, digits in their order.
    texts = [t for t, _x, _y in positions]
    assert any("1,000,000.00" in t for t in texts), texts
    assert "DEU-RTL" in texts


def test_the_mirrored_table_keeps_each_value_under_its_heading(app):
    """core.pdf.data_table in Arabic: columns turned round, widths with them, numbers still right-aligned."""
    with app.test_request_context(), force_locale("ar"):
        table = data_table(["A", "B", "C"], [["a", "b", Decimal("3.00")]], col_widths=[10, 20, 30])
    assert [p.getPlainText() for p in table._cellvalues[0]] == ["C", "B", "A"]
    assert [p.getPlainText() for p in table._cellvalues[1]] == ["3.00", "b", "a"]
    assert table._colWidths == [30, 20, 10]
    with app.test_request_context(), force_locale("en"):
        table = data_table(["A", "B", "C"], [["a", "b", Decimal("3.00")]], col_widths=[10, 20, 30])
    assert [p.getPlainText() for p in table._cellvalues[0]] == ["A", "B", "C"]
    assert table._colWidths == [10, 20, 30]


def test_a_long_arabic_paragraph_reads_from_the_top_right(app):
    """reportlab breaks the sentence into lines in reading order, then each line is laid out right to left: the
    sentence's first word is on the top line, its last word on the bottom one (they came out the other way round
    when the whole paragraph was put in display order before reportlab broke it into lines)."""
    sentence = "بداية " + "الصندوق الاستئماني المتعدد الشركاء للهجرة " * 8 + "Trust Fund Office نهاية"
    with app.test_request_context(), force_locale("ar"):
        pdf = build_pdf("عنوان", [para(sentence)])
    positions = _positions(pdf)
    lines = sorted({y for _t, _x, y in positions if _t not in ("عنوان",)}, reverse=True)

    def line_of(word: str) -> float:
        ys = [y for t, _x, y in positions if word in t]
        assert ys, (word, positions)
        return ys[0]

    body = [y for y in lines if y > 100]  # above the footer
    assert line_of("بداية") == max(y for y in body if y < line_of("عنوان"))
    assert line_of("نهاية") == min(body)
    # The English name broken between two lines as English is: its first word ends a line, the rest starts the next.
    assert line_of("Trust") > line_of("Fund Office") == line_of("نهاية")


def test_arabic_lines_broken_by_the_writer_and_bold_labels_stay_in_order(app):
    """Text with a line break or bold in it (styled pieces): lines in order, the bold label at the right."""
    text = "السطر الأول\n" + "الصندوق الاستئماني المتعدد الشركاء للهجرة " * 6 + "النهاية"
    with app.test_request_context(), force_locale("ar"):
        pdf = build_pdf("عنوان", [para(text), para(markup("<b>{label}</b>: {value}", label="التسمية", value="القيمة"))])
    positions = _positions(pdf)
    ys = {t: y for t, _x, y in positions}
    assert ys["السطر الأول"] > max(y for t, y in ys.items() if "النهاية" in t) > ys["التسمية"]
    assert max(x for t, x, _y in positions if t == "التسمية") > 595 / 2
