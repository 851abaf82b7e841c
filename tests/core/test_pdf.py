from decimal import Decimal

from fundapp.core.pdf import build_pdf, data_table, para


def test_build_pdf_renders_text_and_tables():
    story = [
        para("Deposits <b>& more</b>"),
        data_table(["Donor", "USD"], [["Germany", Decimal("1234.50")]], numeric_columns=[1]),
    ]
    pdf = build_pdf("Contribution report", story, subtitle="2021", footer="MIG00")
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000
