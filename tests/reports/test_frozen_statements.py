"""Closing a year freezes its annual financial statement (issue 11, item 4): the figures and the PDF are stored with
the PDF's SHA-256 when December closes, and the page, the PDF and the XLSX of that year are served from them,
byte for byte, whatever is posted later."""

import hashlib
import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from fundapp.contributions import ledger
from fundapp.core import clock, signals
from fundapp.core.audit import verify
from fundapp.core.errors import AppendOnlyError, DomainError
from fundapp.core.models import AuditEntry
from fundapp.reports import annual, services
from fundapp.reports.models import FrozenStatement
from tests.contributions import factories as cf
from tests.core.tamper import without_triggers


def books_of_2021() -> None:
    cf.deposit("DEU", amount="400000.00", on=date(2021, 3, 10))
    ledger.post_interest(None, "2500.00", date(2021, 12, 31))


class Period:
    """What the accounting periods send with period_closed: the closed month."""

    def __init__(self, year: int, month: int) -> None:
        self.year, self.month = year, month


def _sheets(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_the_frozen_2021_statement_is_byte_identical_whenever_it_is_fetched(client, db, login):
    books_of_2021()
    statement = services.freeze_year(None, 2021, "test")
    assert statement.pdf_sha256 == hashlib.sha256(statement.pdf).hexdigest()
    login("donor@example.org")
    first = client.get("/transparency/annual-report/2021.pdf")
    with clock.frozen(datetime(2030, 1, 1)):  # a later day: a live PDF would say so in its footer
        login("donor@example.org")  # years later: a new sign-in (sessions end after hours)
        second = client.get("/transparency/annual-report/2021.pdf")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data == statement.pdf
    assert hashlib.sha256(second.data).hexdigest() == statement.pdf_sha256
    assert "Statement frozen on" in PdfReader(io.BytesIO(first.data)).pages[0].extract_text()


def test_later_postings_into_a_frozen_year_change_nothing_it_serves(client, db, login):
    books_of_2021()
    statement = services.freeze_year(None, 2021, "December 2021 closed")
    login("secretariat@example.org")
    page = client.get("/transparency/annual-report?year=2021").get_data(as_text=True)
    workbook = _sheets(client.get("/transparency/annual-report/2021.xlsx").data)
    # A posting back-dated into 2021 (the accounting periods refuse it once December is closed; here it goes in).
    cf.deposit("NLD", amount="999999.00", on=date(2021, 6, 1))
    ledger.post_bank_charge(None, "15.00", date(2021, 7, 1))
    assert annual.build(2021) != annual.from_figures(statement.data)  # the live figures did move
    assert client.get("/transparency/annual-report/2021.pdf").data == statement.pdf
    assert client.get("/transparency/annual-report?year=2021").get_data(as_text=True) == page
    assert _sheets(client.get("/transparency/annual-report/2021.xlsx").data) == workbook
    assert "Frozen statement." in page
    assert statement.pdf_sha256 in page


def test_stored_figures_are_the_report_of_the_freeze(db):
    books_of_2021()
    live = annual.build(2021)
    statement = services.freeze_year(None, 2021)
    stored = annual.from_figures(statement.data, statement.frozen_at)
    assert stored.frozen_at == statement.frozen_at
    stored.frozen_at = None
    assert stored == live
    assert services.annual_report(2021).frozen_at == statement.frozen_at


def test_closing_december_freezes_the_year_and_other_months_do_not(db, user):
    books_of_2021()
    signals.period_closed.send(Period(2021, 11), actor=user("secretariat@example.org"))
    assert services.frozen_statement(2021) is None
    signals.period_closed.send(Period(2021, 12), actor=user("secretariat@example.org"))
    statement = services.frozen_statement(2021)
    assert statement.reason == "December 2021 closed"
    assert statement.frozen_by_id == user("secretariat@example.org").id
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "annual_statement.frozen"))
    assert statement.pdf_sha256 in audit.details
    # Closing December again keeps what was certified.
    signals.period_closed.send(Period(2021, 12), actor=None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FrozenStatement)) == 1


def test_a_year_that_has_not_ended_cannot_be_frozen(db):
    with clock.frozen(date(2021, 12, 31)), pytest.raises(DomainError, match="2021 has not ended"):
        services.freeze_year(None, 2021)
    with clock.frozen(date(2022, 1, 1)):
        assert services.freeze_year(None, 2021).year == 2021


def test_a_frozen_statement_is_never_updated(db):
    books_of_2021()
    statement = services.freeze_year(None, 2021)
    for statement_sql in ("UPDATE frozen_statements SET pdf_sha256 = :h", "DELETE FROM frozen_statements"):
        with pytest.raises(sa.exc.IntegrityError, match="append-only"), db.session.begin_nested():
            db.session.execute(sa.text(statement_sql), {"h": "0" * 64})
    statement.pdf_sha256 = "0" * 64
    with pytest.raises(AppendOnlyError):
        db.session.flush()


def test_audit_verify_names_a_frozen_pdf_that_was_replaced(db):
    books_of_2021()
    statement = services.freeze_year(None, 2021)
    with without_triggers("frozen_statements"):
        db.session.execute(
            sa.text("UPDATE frozen_statements SET pdf = :pdf WHERE id = :id"),
            {"pdf": b"%PDF forged", "id": statement.id},
        )
        problems = verify().discrepancies
    assert problems == ["the frozen statement of 2021: its PDF no longer matches its SHA-256"]


def test_cli_freezes_a_year_once(runner, db):
    books_of_2021()
    result = runner.invoke(args=["reports", "freeze-year", "2021"])
    assert result.exit_code == 0, result.output
    statement = services.frozen_statement(2021)
    assert re.search(f"2021 frozen: PDF SHA-256 {statement.pdf_sha256}", result.output)
    again = runner.invoke(args=["reports", "freeze-year", "2021"])
    assert again.exit_code == 0
    assert "already frozen" in again.output
    future = runner.invoke(args=["reports", "freeze-year", str(clock.today().year)])
    assert future.exit_code != 0
    assert "has not ended" in future.output


def test_an_open_year_says_it_is_not_frozen(client, db, login):
    books_of_2021()
    login("secretariat@example.org")
    page = client.get("/transparency/annual-report?year=2021").get_data(as_text=True)
    assert "Not frozen." in page
    assert "it is frozen when December 2021 is closed" in page
    current = client.get(f"/transparency/annual-report?year={clock.today().year}").get_data(as_text=True)
    assert "the year is still running" in current


def test_the_frozen_page_runs_few_queries(client, db, login, queries):
    books_of_2021()
    services.freeze_year(None, 2021)
    login("secretariat@example.org")
    client.get("/transparency/annual-report?year=2021")
    with queries() as statements:
        assert client.get("/transparency/annual-report?year=2021").status_code == 200
    assert len(statements) <= 8, statements
    assert Decimal(annual.from_figures(services.frozen_statement(2021).data).donors[0][4]) > 0
