"""Point in time (issue 11, item 4): a report for a period or an as-of date uses what was dated up to that date and
the exchange rates in force then. A later deposit, a later rate, a later reversal or posting changes none of the
2020 annual report, the funding status as of 31 December 2020, or a donor's 2020 contribution report."""

import csv
import io
import json
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from fundapp.auth.models import Organisation
from fundapp.committee.models import JointProgrammeDocument, ProgrammeBudgetLine
from fundapp.contributions import ledger, services
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.reports import annual
from tests.concept_notes.helpers import make_note
from tests.contributions import factories as cf

YEAR_END = date(2020, 12, 31)
CHANNELS_2020 = [
    "/transparency/annual-report?year=2020",
    "/transparency/annual-report/2020.pdf",
    "/transparency/annual-report/2020.xlsx",
    "/contributions/funding-status?as_of=2020-12-31",
    "/contributions/funding-status.csv?as_of=2020-12-31",
    "/contributions/funding-status.xlsx?as_of=2020-12-31",
    "/api/v1/funding-status?as_of=2020-12-31",
    "/contributions/donors/{deu}/report?from=2020-01-01&to=2020-12-31",
    "/contributions/donors/{deu}/report.pdf?from=2020-01-01&to=2020-12-31",
    "/contributions/donors/{deu}/report.csv?from=2020-01-01&to=2020-12-31",
    "/contributions/donors/{deu}/report.xlsx?from=2020-01-01&to=2020-12-31",
]


def _org(code: str) -> int:
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.code == code))


def books_of_2020():
    """Two donors in EUR and GBP, part paid in 2020, a programme funded, transferred and partly spent in 2020."""
    deu = cf.agreement("DEU", currency="EUR", amount="1000000.00", reference="PIT-EUR")
    nld = cf.agreement("NLD", currency="GBP", amount="500000.00", reference="PIT-GBP", signed_on=date(2020, 2, 1))
    for currency, month, rate in (
        ("EUR", date(2020, 3, 1), "0.9"),
        ("EUR", date(2020, 12, 1), "0.85"),
        ("GBP", date(2020, 5, 1), "0.8"),
        ("GBP", date(2020, 11, 1), "0.78"),
    ):
        cf.rate(currency, month, rate)
    services.record_deposit(None, deu, Decimal("400000.00"), date(2020, 3, 10))
    gbp_deposit = services.record_deposit(None, nld, Decimal("200000.00"), date(2020, 5, 20))
    note = make_note("UNICEF", "applicant2@example.org", submit=True)
    document = JointProgrammeDocument(
        concept_note_id=note.id, summary="Point in time.", starts_on=date(2020, 6, 1), ends_on=date(2022, 5, 31)
    )
    document.budget_lines = [
        ProgrammeBudgetLine(organisation_id=_org("UNICEF"), amount=Decimal("200000.00")),
        ProgrammeBudgetLine(organisation_id=_org("ILO"), amount=Decimal("100000.00")),
    ]
    db.session.add(document)
    db.session.flush()
    ledger.allocate(None, "300000.00", None, document.id, date(2020, 6, 1), organisation_id=_org("UNICEF"))
    ledger.post_transfer(None, "120000.00", document.id, _org("UNICEF"), date(2020, 7, 1))
    ledger.post_expenditure(None, "50000.00", document.id, _org("UNICEF"), date(2020, 11, 30))
    return deu, nld, gbp_deposit, document


def later_events(deu, nld, gbp_deposit, document) -> None:
    """Everything dated after 2020 (or entered later for a later month): none of it may show in 2020's reports."""
    cf.rate("EUR", date(2021, 6, 1), "0.5")
    cf.rate("GBP", date(2021, 1, 1), "0.7")
    services.record_deposit(None, deu, Decimal("600000.00"), date(2021, 6, 15))
    services.reverse_deposit(None, gbp_deposit, "Returned to the donor", date(2021, 3, 1))
    ledger.post_interest(None, "1234.56", date(2021, 2, 28))
    ledger.post_transfer(None, "60000.00", document.id, _org("ILO"), date(2021, 4, 1))
    ledger.post_expenditure(None, "10000.00", document.id, _org("ILO"), date(2021, 9, 30))


def _main(html: str) -> str:
    body = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", body)


def _content(response) -> object:
    """What a reader gets from a response, independent of how the file was packed."""
    assert response.status_code == 200, response.request.path
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data))
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    if response.mimetype == "text/csv":
        return list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    if response.mimetype == "application/json":
        return json.loads(response.data)
    return _main(response.get_data(as_text=True))


def _fetch_all(client, login, deu_id: int) -> dict[str, object]:
    with clock.frozen(datetime(2026, 11, 30, 9, 0)):  # the PDFs' "generated" line
        login("secretariat@example.org")  # signed in at the same instant (a session ends after idle hours)
        return {url: _content(client.get(url.format(deu=deu_id))) for url in CHANNELS_2020}


def test_later_deposits_rates_and_postings_leave_2020_unchanged_on_every_channel(client, db, login):
    deu, nld, gbp_deposit, document = books_of_2020()
    before = _fetch_all(client, login, deu.donor_id)
    report_before = annual.build(2020)
    later_events(deu, nld, gbp_deposit, document)
    after = _fetch_all(client, login, deu.donor_id)
    for url in CHANNELS_2020:
        assert after[url] == before[url], url
    assert annual.build(2020) == report_before
    # The 2021 report does see them: the freeze is the date's, not the data's.
    assert annual.build(2021).donors != report_before.donors


def test_commitments_use_the_rates_in_force_on_the_date(db):
    deu, nld, gbp_deposit, document = books_of_2020()
    later_events(deu, nld, gbp_deposit, document)
    rows = {r.agreement.reference: r for r in services.agreement_rows(as_of=YEAR_END)}
    # EUR: 400,000 paid at 0.9 in March; 600,000 unpaid at December's 0.85 (not June 2021's 0.5).
    eur_paid = (Decimal("400000") / Decimal("0.9")).quantize(Decimal("0.01"))
    eur_open = (Decimal("600000") / Decimal("0.85")).quantize(Decimal("0.01"))
    assert rows["PIT-EUR"].commitment_usd == eur_paid + eur_open
    # GBP: the deposit was reversed only in March 2021, so at the end of 2020 it was still paid.
    gbp_paid = (Decimal("200000") / Decimal("0.8")).quantize(Decimal("0.01"))
    gbp_open = (Decimal("300000") / Decimal("0.78")).quantize(Decimal("0.01"))
    assert rows["PIT-GBP"].paid == Decimal("200000.00")
    assert rows["PIT-GBP"].commitment_usd == gbp_paid + gbp_open
    donors = {name: committed for name, committed, *_ in annual.build(2020).donors}
    assert sum(donors.values()) == eur_paid + eur_open + gbp_paid + gbp_open
    # Today: the EUR balance is paid, the GBP deposit reversed, the unpaid GBP at January 2021's 0.7.
    today = {r.agreement.reference: r for r in services.agreement_rows()}
    assert today["PIT-GBP"].commitment_usd == (Decimal("500000") / Decimal("0.7")).quantize(Decimal("0.01"))


def test_rates_in_force_fall_back_to_the_latest_earlier_month(db):
    cf.rate("EUR", date(2020, 3, 1), "0.9")
    cf.rate("EUR", date(2020, 12, 1), "0.85")
    assert services.rates_in_force(date(2020, 11, 30))["EUR"] == Decimal("0.9")
    assert services.rates_in_force(date(2020, 12, 1))["EUR"] == Decimal("0.85")
    assert "EUR" not in services.rates_in_force(date(2020, 2, 29))
    assert services.rates_in_force()["EUR"] == services.latest_rates()["EUR"] == Decimal("0.85")


@pytest.mark.parametrize("as_of", [date(2020, 6, 30), YEAR_END])
def test_capitalization_and_donor_figures_as_of_a_date(db, as_of):
    deu, nld, gbp_deposit, document = books_of_2020()
    before = services.capitalization(as_of), services.donor_figures(deu.donor, as_of)
    later_events(deu, nld, gbp_deposit, document)
    after = services.capitalization(as_of), services.donor_figures(deu.donor, as_of)
    assert after[0] == before[0]
    assert after[1].commitments_usd == before[1].commitments_usd
    assert after[1].attribution == before[1].attribution
    assert after[1].deposits_usd == before[1].deposits_usd
