"""The reports' rules: a closed year's annual financial statement is frozen, and served frozen from then on.

`freeze_year()` stores the year's figures and PDF (with its SHA-256) in `frozen_statements`; the receiver of
`core.signals.period_closed` calls it when December closes, and `flask reports freeze-year YEAR` does it for
a fund that closes its books outside the app. `annual_report()` and `annual_pdf()` answer the stored figures
and bytes for a frozen year and build the live report otherwise, so the page, the PDF and the XLSX of a
closed year never change, whatever is posted later.
"""

import hashlib
import json
import logging
from datetime import date
from typing import Any

import sqlalchemy as sa

from fundapp.auth.models import User
from fundapp.core import cache, clock
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError
from fundapp.core.extensions import db
from fundapp.core.i18n import DEFAULT_LANGUAGE, _, force_locale, language
from fundapp.core.models import AuditEntry
from fundapp.reports import annual, pdf
from fundapp.reports.annual import AnnualReport
from fundapp.reports.models import FrozenStatement

log = logging.getLogger(__name__)


def frozen_statement(year: int) -> FrozenStatement | None:
    """The year's frozen statement, or None while the year is open (one query; the PDF is not loaded)."""
    return db.session.scalar(sa.select(FrozenStatement).where(FrozenStatement.year == year))


def freeze_year(actor: User | None, year: int, reason: str = "") -> FrozenStatement:
    """Store the year's annual financial statement as it stands now: its figures and its PDF with a SHA-256.

    Refused for a year that has not ended. A year already frozen keeps its statement (it is returned as it
    is), so closing December again, or running the command twice, never replaces what was certified.
    """
    existing = frozen_statement(year)
    if existing is not None:
        return existing
    if date(year, 12, 31) >= clock.today():
        raise DomainError(
            _("%(year)s has not ended: its statement can be frozen from 1 January %(next)s.", year=year, next=year + 1)
        )
    frozen_at = clock.now()
    # The certified statement is written once, in the fund's reference language, whoever closes December.
    with force_locale(DEFAULT_LANGUAGE):
        report = annual.build(year)
        report.frozen_at = frozen_at
        content = pdf.annual_report(report)
    statement = FrozenStatement(
        year=year,
        figures=json.dumps(annual.to_figures(report), sort_keys=True, separators=(",", ":")),
        pdf=content,
        pdf_sha256=hashlib.sha256(content).hexdigest(),
        reason=(reason or f"{year} frozen")[:200],
        frozen_at=frozen_at,
        frozen_by_id=getattr(actor, "id", None),
    )
    db.session.add(statement)
    db.session.flush()
    record_change(
        actor,
        "annual_statement.frozen",
        "frozen_statements",
        statement.id,
        {"year": year, "pdf_sha256": statement.pdf_sha256, "reason": statement.reason},
    )
    return statement


def describe_objects(object_type: str, ids: list[str]) -> dict[str, str] | None:
    """Names of frozen statements for the audit log (`signals.describe_objects`), one query."""
    if object_type != "frozen_statements":
        return None
    numbers = [int(i) for i in ids if str(i).isdigit()]
    rows = db.session.execute(
        sa.select(FrozenStatement.id, FrozenStatement.year).where(FrozenStatement.id.in_(numbers))
    )
    return {str(i): _("the annual financial statement %(year)s", year=year) for i, year in rows}


def on_period_closed(period: Any, actor: User | None = None, **_data: Any) -> None:
    """Receiver of core.signals.period_closed: closing December freezes the year's statement (flush only)."""
    if getattr(period, "month", None) == 12:
        freeze_year(actor, int(period.year), f"December {period.year} closed")


def annual_report(year: int) -> AnnualReport:
    """The year's report: the stored figures once the year is frozen, else built from the ledger."""
    return annual_page(year)[0]


def annual_page(year: int) -> tuple[AnnualReport, FrozenStatement | None]:
    """The report page's data: the year's report and its frozen statement (None while the year is open)."""
    statement = frozen_statement(year)
    if statement is None:
        # Built from every ledger row and allocation of the year: kept until the records change (core.cache).
        return cache.cached(("annual-report", year, language()), lambda: annual.build(year)), None
    return annual.from_figures(statement.data, statement.frozen_at), statement


def annual_pdf(year: int) -> tuple[AnnualReport, bytes]:
    """The year's report and its PDF: the very bytes stored at the freeze once frozen, else built now."""
    statement = frozen_statement(year)
    if statement is None:
        report = annual.build(year)
        return report, pdf.annual_report(report)
    return annual.from_figures(statement.data, statement.frozen_at), statement.pdf


def check_frozen_statements(_sender: Any = None, **_data: Any) -> str | None:
    """Receiver of core.signals.audit_reconcile: each frozen PDF still hashes to its SHA-256, and that SHA-256 is
    the one the audit row recorded when the year was frozen (the first statement that does not, or None)."""
    # Columns, not objects: what the table holds now, whatever this session loaded before.
    columns = (FrozenStatement.id, FrozenStatement.year, FrozenStatement.pdf, FrozenStatement.pdf_sha256)
    for statement in db.session.execute(sa.select(*columns).order_by(FrozenStatement.year)).all():
        if hashlib.sha256(statement.pdf).hexdigest() != statement.pdf_sha256:
            return f"the frozen statement of {statement.year}: its PDF no longer matches its SHA-256"
        recorded = db.session.scalar(
            sa.select(AuditEntry.details)
            .where(
                AuditEntry.object_type == "frozen_statements",
                AuditEntry.object_id == str(statement.id),
                AuditEntry.action == "annual_statement.frozen",
            )
            .limit(1)
        )
        if recorded is None or json.loads(recorded).get("pdf_sha256") != statement.pdf_sha256:
            return f"the frozen statement of {statement.year}: its SHA-256 is not the one its audit record holds"
    return None
