"""The annual financial report in the administrative agent's layout, for any calendar year.

`build(year)` queries (the ledger's aggregates, a fixed number of queries); `sheets(report)` lays the data out
as XLSX worksheets and `pdf.annual_report(report)` as a PDF, neither touching the database.

Columns are the GATEWAY's: prior years (to 31 December of the year before), the year itself, and
cumulative (to 31 December of the year). The current year column is cumulative minus prior years, so
the three always add up.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from fundapp.auth.models import Organisation
from fundapp.committee.models import JointProgrammeDocument, programme_label
from fundapp.concept_notes.models import ConceptNote, note_reference
from fundapp.contributions import ledger
from fundapp.contributions import services as contributions
from fundapp.contributions.models import Donor, EntryKind, LedgerEntry
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.money import to_money
from fundapp.reference import services as reference

ZERO = Decimal("0.00")
PROGRAMME_KINDS = (EntryKind.allocation, EntryKind.transfer, EntryKind.refund, EntryKind.expenditure)
#: (key, heading) of the organization and programme tables' figures.
PROGRAMME_COLUMNS = (
    ("allocation", "Allocated"),
    ("transfer", "Transferred"),
    ("refund", "Refunded"),
    ("expenditure", "Expenditure"),
)


@dataclass
class Line:
    label: str
    kind: str  # money, total, percent
    prior: Decimal | None
    current: Decimal | None
    cumulative: Decimal | None


@dataclass
class ThreeColumns:
    """A row of a by-donor, by-organization or by-programme table: prior years, the year, cumulative."""

    label: str
    values: dict[str, tuple[Decimal, Decimal, Decimal]]  # key → (prior, current, cumulative)


@dataclass
class AnnualReport:
    year: int
    fund_name: str
    fund_code: str
    agent: str
    overview: list[tuple[str, list[Line]]]
    donors: list[tuple[str, Decimal, Decimal, Decimal, Decimal]]  # name, commitments, prior, current, cumulative
    organisations: list[ThreeColumns]
    programmes: list[ThreeColumns]
    cumulative: ledger.FundingStatus

    @property
    def period_end(self) -> date:
        return date(self.year, 12, 31)


def available_years() -> list[int]:
    """Every year from the ledger's first entry to this year (this year alone on an empty ledger)."""
    first = db.session.scalar(sa.select(sa.func.min(LedgerEntry.entry_on)))
    this_year = clock.today().year
    start = first.year if first else this_year
    return list(range(this_year, start - 1, -1))


def _overview(prior: ledger.FundingStatus, cumulative: ledger.FundingStatus) -> list[tuple[str, list[Line]]]:
    sections = []
    for (section, before), (_s, after) in zip(prior.sections(), cumulative.sections(), strict=True):
        lines = []
        for (label, p, kind), (_l, c, _k) in zip(before, after, strict=True):
            if kind == "percent":
                lines.append(Line(label, kind, p, None, c))
            else:
                lines.append(Line(label, kind, p, (c or ZERO) - (p or ZERO), c))
        sections.append((section, lines))
    # The GATEWAY's "net funded amount": transfers less refunds, in its own section.
    sections.insert(
        2,
        (
            "Net funded amount",
            [
                Line(
                    "Net funded amount (transfers less refunds)",
                    "total",
                    prior.net_transfers,
                    cumulative.net_transfers - prior.net_transfers,
                    cumulative.net_transfers,
                ),
                Line(
                    "Allocated by the steering committee",
                    "money",
                    prior.allocations,
                    cumulative.allocations - prior.allocations,
                    cumulative.allocations,
                ),
            ],
        ),
    )
    return sections


def _grouped(
    column: InstrumentedAttribute[int | None], label_query: sa.Select, prior_end: date, year_end: date
) -> list[ThreeColumns]:
    """Programme money per `column` (organisation_id or programme_id): prior years and cumulative, two queries.

    label_query selects (key, name, concept note id or NULL); a programme is labelled 'JP-0007 (CN-0037) Title'.
    """
    sums: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: {k: [ZERO, ZERO] for k, _h in PROGRAMME_COLUMNS})
    for index, end in ((0, prior_end), (1, year_end)):
        query = (
            sa.select(column, LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd))
            .where(
                column.is_not(None),
                LedgerEntry.programme_id.is_not(None),
                LedgerEntry.category.in_(PROGRAMME_KINDS),
                LedgerEntry.entry_on <= end,
            )
            .group_by(column, LedgerEntry.category)
        )
        for key, category, total in db.session.execute(query):
            sums[key][category.value][index] = to_money(total or 0)
    labels = {
        key: (programme_label(key, note_reference(note_id), title) if note_id is not None else title)
        for key, title, note_id in db.session.execute(
            label_query.where(label_query.selected_columns[0].in_(list(sums)))
        )
    }
    rows = [
        ThreeColumns(labels.get(key, str(key)), {k: (p, c - p, c) for k, (p, c) in values.items()})
        for key, values in sums.items()
    ]
    return sorted(rows, key=lambda r: r.label)


def build(year: int) -> AnnualReport:
    fund = reference.get_fund()
    prior_end, year_end, year_start = date(year - 1, 12, 31), date(year, 12, 31), date(year, 1, 1)
    prior = ledger.funding_status(prior_end)
    cumulative = ledger.funding_status(year_end)
    before = contributions.deposits_by_donor(as_of=prior_end)
    during = contributions.deposits_by_donor(as_of=year_end, since=year_start)
    commitments: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in contributions.agreement_rows():
        if row.agreement.signed_on <= year_end:
            commitments[row.agreement.donor_id] += row.commitment_usd
    donor_ids = set(commitments) | set(before) | set(during)
    names = {d.id: d.name for d in db.session.scalars(sa.select(Donor).where(Donor.id.in_(donor_ids))) if donor_ids}
    donors = []
    for donor_id in donor_ids:
        p = before.get(donor_id, {}).get(EntryKind.deposit, ZERO)
        c = during.get(donor_id, {}).get(EntryKind.deposit, ZERO)
        donors.append((names.get(donor_id, str(donor_id)), commitments[donor_id], p, c, p + c))
    donors.sort(key=lambda r: (-r[4], r[0]))
    programme_labels = sa.select(JointProgrammeDocument.id, ConceptNote.title, ConceptNote.id).join(
        ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id
    )
    programmes = _grouped(LedgerEntry.programme_id, programme_labels, prior_end, year_end)
    return AnnualReport(
        year=year,
        fund_name=fund.name if fund else "Trust fund",
        fund_code=fund.code if fund else "FUND",
        agent=fund.administrative_agent if fund else "Administrative agent",
        overview=_overview(prior, cumulative),
        donors=donors,
        organisations=_grouped(
            LedgerEntry.organisation_id,
            sa.select(Organisation.id, Organisation.name, sa.null()),
            prior_end,
            year_end,
        ),
        programmes=programmes,
        cumulative=cumulative,
    )


# The XLSX layout (no queries) --------------------------------------------------------------------------


def _three_rows(rows: list[ThreeColumns], keys: tuple[str, ...]) -> tuple[list[str], list[list[Any]]]:
    header = []
    for key in keys:
        heading = dict(PROGRAMME_COLUMNS)[key]
        header += [f"{heading} prior years", f"{heading} current year", f"{heading} cumulative"]
    body = [[r.label, *(v for key in keys for v in r.values[key])] for r in rows]
    return header, body


def total_row(body: list[list[Any]]) -> list[Any]:
    if not body:
        return []
    return ["Total", *(sum((row[i] for row in body), ZERO) for i in range(1, len(body[0])))]


def sheets(report: AnnualReport) -> list[tuple[str, list[str], list[list[Any]]]]:
    overview: list[list[Any]] = []
    for section, lines in report.overview:
        overview.append([section, None, None, None])
        overview += [[line.label, line.prior, line.current, line.cumulative] for line in lines]
    donors = [list(d) for d in report.donors]
    if donors:
        donors.append(total_row(donors))
    result = [
        (
            f"Overview {report.year}",
            ["Line", f"Prior years (to {report.year - 1})", f"Current year ({report.year})", "Cumulative"],
            overview,
        ),
        (
            "Contributions by donor",
            ["Donor", "Commitments (USD)", "Deposits prior years", f"Deposits {report.year}", "Deposits cumulative"],
            donors,
        ),
    ]
    for title, rows in (("By organization", report.organisations), ("By programme", report.programmes)):
        header, body = _three_rows(rows, ("transfer", "refund", "expenditure", "allocation"))
        if body:
            body.append(total_row(body))
        result.append((title, ["Name", *header], body))
    return result
