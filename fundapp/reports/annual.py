"""The annual financial report in the administrative agent's layout, for any calendar year.

`build(year)` queries (the ledger's aggregates, a fixed number of queries); `sheets(report)` lays the data out
as XLSX worksheets and `pdf.annual_report(report)` as a PDF, neither touching the database.

Columns are the GATEWAY's: prior years (to 31 December of the year before), the year itself, and
cumulative (to 31 December of the year). The current year column is cumulative minus prior years, so
the three always add up.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
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
from fundapp.core.i18n import _
from fundapp.core.money import to_money
from fundapp.programmes import services as programme_services
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
    #: When the year's statement was frozen (its figures stored at the close of December); None while live.
    frozen_at: datetime | None = None

    @property
    def period_end(self) -> date:
        return date(self.year, 12, 31)

    @property
    def page_donors(self) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal]]:
        """The largest PAGE_ROWS donors by cumulative deposits (the page; the PDF and XLSX list every one)."""
        return self.donors[:PAGE_ROWS]

    @property
    def page_programmes(self) -> list[ThreeColumns]:
        """The PAGE_ROWS programmes with the largest cumulative allocations, by name (the page)."""
        if len(self.programmes) <= PAGE_ROWS:
            return self.programmes
        largest = sorted(self.programmes, key=lambda r: -r.values.get("allocation", (ZERO,) * 3)[2])[:PAGE_ROWS]
        return sorted(largest, key=lambda r: r.label)


#: Rows of the donors' and programmes' tables the page shows (the largest): a large fund's statement is long,
#: its PDF and XLSX hold every row.
PAGE_ROWS = 25


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
            _("Net funded amount"),
            [
                Line(
                    _("Net funded amount (transfers less refunds)"),
                    "total",
                    prior.net_transfers,
                    cumulative.net_transfers - prior.net_transfers,
                    cumulative.net_transfers,
                ),
                Line(
                    _("Allocated by the steering committee"),
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
    column: InstrumentedAttribute[int | None],
    label_query: sa.Select,
    prior_end: date,
    year_end: date,
    allocations: tuple[dict[int | None, Decimal], dict[int | None, Decimal]] | None = None,
) -> list[ThreeColumns]:
    """Programme money per `column` (organisation_id or programme_id): prior years and cumulative, two queries.

    label_query selects (key, name, concept note id or NULL); a programme is labelled 'JP-0007 (CN-0037) Title'.
    `allocations` (prior years, cumulative) replaces the ledger's allocation column: organizations take their
    budget shares of each programme's allocation rather than what the ledger books to the convening one.
    """
    kinds = [k for k in PROGRAMME_KINDS if allocations is None or k is not EntryKind.allocation]
    sums: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: {k: [ZERO, ZERO] for k, _h in PROGRAMME_COLUMNS})
    for index, end in ((0, prior_end), (1, year_end)):
        query = (
            sa.select(column, LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd))
            .where(
                column.is_not(None),
                LedgerEntry.programme_id.is_not(None),
                LedgerEntry.category.in_(kinds),
                LedgerEntry.entry_on <= end,
            )
            .group_by(column, LedgerEntry.category)
        )
        for key, category, total in db.session.execute(query):
            sums[key][category.value][index] = to_money(total or 0)
        if allocations is not None:
            for key, amount in allocations[index].items():
                if key is not None:
                    sums[key][EntryKind.allocation.value][index] = amount
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
    # As things stood on 31 December: agreements signed, deposits made and rates in force by then.
    for row in contributions.agreement_rows(as_of=year_end):
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
        fund_name=fund.name if fund else _("Trust fund"),
        fund_code=fund.code if fund else "FUND",
        agent=fund.administrative_agent if fund else _("Administrative agent"),
        overview=_overview(prior, cumulative),
        donors=donors,
        organisations=_grouped(
            LedgerEntry.organisation_id,
            sa.select(Organisation.id, Organisation.name, sa.null()),
            prior_end,
            year_end,
            allocations=(
                programme_services.allocations_by_organisation(prior_end),
                programme_services.allocations_by_organisation(year_end),
            ),
        ),
        programmes=programmes,
        cumulative=cumulative,
    )


# Frozen figures: the report as plain JSON values and back (no queries) ------------------------------------


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def to_figures(report: AnnualReport) -> dict[str, Any]:
    """The report's figures as JSON values (amounts as exact decimal strings): what a frozen statement stores."""
    status = report.cumulative
    return {
        "year": report.year,
        "fund_name": report.fund_name,
        "fund_code": report.fund_code,
        "agent": report.agent,
        "overview": [
            [section, [[x.label, x.kind, _amount(x.prior), _amount(x.current), _amount(x.cumulative)] for x in lines]]
            for section, lines in report.overview
        ],
        "donors": [[name, *(str(v) for v in values)] for name, *values in report.donors],
        "organisations": [_three_json(r) for r in report.organisations],
        "programmes": [_three_json(r) for r in report.programmes],
        "cumulative": {
            "as_of": status.as_of.isoformat() if status.as_of else None,
            **{name: str(getattr(status, name)) for name in _STATUS_AMOUNTS},
        },
    }


def from_figures(figures: dict[str, Any], frozen_at: datetime | None = None) -> AnnualReport:
    """The report a frozen statement stored, rebuilt without a query: it shows what was true at the close."""
    status = figures["cumulative"]
    return AnnualReport(
        year=figures["year"],
        fund_name=figures["fund_name"],
        fund_code=figures["fund_code"],
        agent=figures["agent"],
        overview=[
            (section, [Line(x[0], x[1], _decimal(x[2]), _decimal(x[3]), _decimal(x[4])) for x in lines])
            for section, lines in figures["overview"]
        ],
        donors=[(name, *(Decimal(v) for v in values)) for name, *values in figures["donors"]],
        organisations=[_three_from(r) for r in figures["organisations"]],
        programmes=[_three_from(r) for r in figures["programmes"]],
        cumulative=ledger.FundingStatus(
            as_of=date.fromisoformat(status["as_of"]) if status["as_of"] else None,
            **{name: Decimal(status[name]) for name in _STATUS_AMOUNTS},
        ),
        frozen_at=frozen_at,
    )


_STATUS_AMOUNTS = (
    "contributions",
    "interest_fund",
    "interest_organisations",
    "transfers",
    "refunds",
    "fee",
    "direct_costs",
    "bank_charges",
    "expenditure",
    "allocations",
    "balance_with_agent",
)


def _three_json(row: ThreeColumns) -> list[Any]:
    return [row.label, {key: [str(v) for v in values] for key, values in row.values.items()}]


def _three_from(row: list[Any]) -> ThreeColumns:
    label, values = row
    return ThreeColumns(label, {key: tuple(Decimal(v) for v in three) for key, three in values.items()})


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
