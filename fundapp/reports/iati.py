"""IATI 2.03 export of the fund.

`fund_activity()` builds the fund as a hierarchy-1 activity (plain data); `render(activities)` writes an
``iati-activities`` document from such data without touching the database.

What the fund activity holds:

- iati-identifier: ``<IATI_REPORTING_ORG_REF>-<fund code>``, e.g. ``XM-DAC-41114-MIG00`` (config
  ``IATI_REPORTING_ORG_REF``, default the MPTF Office's ``XM-DAC-41114``); the administrative agent is the
  reporting organisation (type 40, multilateral).
- participating-org: each donor with an agreement, role 1 (funding), its IATI organisation type from the
  donor type; the administrative agent, role 2 (accountable) and role 3 (extending); each organisation the
  ledger shows a transfer to, role 4 (implementing). Every organisation element carries the organisation's IATI
  identifier (`Organisation.iati_ref`, from the reference file: the identifier the IATI Registry lists for it)
  when it has one.
- transaction type 11 (incoming commitment): one per agreement, in USD as the capitalization page counts it
  (paid at the deposits' rates plus the unpaid balance at the latest rate), dated the signing day;
  type 1 (incoming funds): one per deposit that has not been reversed, its USD value, dated the day received.
  The totals by type equal the ledger's deposit total and the capitalization page's commitments (tested).
- sector: the thematic areas in the reporting organisation's vocabulary (99, its vocabulary-uri the public
  summary that lists them), in proportion to the allocations to each area's programmes (split evenly while
  nothing is allocated); beside them the areas' OECD DAC purpose codes (vocabulary 1) in the same proportions.
- recipient countries and regions: where the allocated money goes, each programme's allocation split evenly over
  its countries (a global programme's to the OECD DAC region 998, developing countries unspecified); 998 alone
  while nothing is allocated. Percentages add up to 100.
- activity status 2 (implementation), actual start the fund's establishment.
- No budget: the fund has a capitalization target, not annual budgets.
- related-activity type 2 (child) for each funded joint programme.
- last-updated-datetime: the latest change of what it shows (ledger rows, agreements, exchange rates), not the
  time of the export.

Each funded joint programme (a JointProgrammeDocument with an allocation in the ledger) is a hierarchy-2
activity ``<fund identifier>-<programme reference>`` (``XM-DAC-41114-MIG00-JP-0007``: the reference the programme
has on every page, list and report), with the identifier it was published under before programmes had their own
reference, ``<fund identifier>-<concept note reference>``, as an other-identifier of type B1 (previous activity
identifier) so that readers of earlier files can follow it: related-activity type 1 (parent) to the fund; the
administrative agent funding (1) and extending (3); each participating UN organization implementing (4);
the programme's reference (JP-…) as other-identifier (A1, the reporting organisation's own); activity status from
its life cycle (approved, not started: 1 pipeline; active: 2 implementation; operationally closed: 3
finalisation; financially closed: 4 closed); planned start and end dates, the actual start (its first transfer)
and the actual end (its operational closure); the programme document's budget as original committed budgets in
periods of at most a year (in proportion to their days); recipient countries (even split) or, for a global
programme, the OECD DAC region 998; its thematic area as sector (vocabulary 99) and the area's OECD DAC purpose
code (vocabulary 1); last-updated-datetime the latest change of what it shows (its ledger rows, status, budget,
results framework and approved reports); the gender policy marker from the concept note's self-assessed
gender marker (3 → principal, 2 → significant, else not targeted) until programmes carry the secretariat's;
transactions 2 (the fund's commitments to each participating organization: each allocation split by the books'
per-organization shares, `_commitments`), 3 (transfers, receiver-activity-id the programme; refunds as negative
disbursements) and 4 (expenditure) from the ledger row by row, so the totals by type equal the ledger's.

Results: each programme outcome is a result of type 2 (outcome) carrying its outcome-level indicators, each output
a result of type 1 (output) carrying the indicators attached to it (a result without indicators is left out, as
the schema wants at least one). Each indicator has its measure (1 unit for numbers, amounts and yes/no; 2
percentage; 4 ordinal for scores), its baseline (year and value) and one period per APPROVED progress report
only: period-start/period-end the reporting period clipped to the programme's dates, the indicator's end target
and the report's actual, which is cumulative since the programme started (said in the actual's comment). Draft,
submitted or returned reports never appear.
"""

import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from lxml import etree
from sqlalchemy.orm import joinedload, selectinload

from fundapp.auth.models import Organisation
from fundapp.committee import pipeline
from fundapp.committee.models import JointProgrammeDocument, programme_reference
from fundapp.concept_notes.models import ConceptNote, MarkerScore, Participant, concept_note_countries
from fundapp.contributions import services as contributions
from fundapp.contributions.models import Agreement, Deposit, Donor, DonorType, EntryKind, ExchangeRate, LedgerEntry
from fundapp.core import cache, clock
from fundapp.core.extensions import db
from fundapp.core.models import AuditEntry, StateEvent
from fundapp.core.money import split_by_weights
from fundapp.programmes import services as programme_services
from fundapp.programmes.models import (
    JointProgramme,
    ProgrammeIndicator,
    ProgrammeOutcome,
    ProgrammeOutput,
    ProgressReport,
)
from fundapp.programmes.workflow import (
    ACTIVE,
    APPROVED,
    FINANCIALLY_CLOSED,
    OPERATIONALLY_CLOSED,
    PIPELINE,
    PROGRAMME,
    PROGRESS_REPORT,
    REPORT_APPROVED,
)
from fundapp.reference import services as reference
from fundapp.reference.models import Country, ThematicArea
from fundapp.reports import iati_rules, transparency
from fundapp.reports.results_report import approved_actuals
from fundapp.results.rollup import Direction, period_key

VERSION = "2.03"
DEFAULT_REPORTING_ORG_REF = "XM-DAC-41114"


class TransactionType:
    INCOMING_FUNDS = "1"
    OUTGOING_COMMITMENT = "2"
    DISBURSEMENT = "3"
    EXPENDITURE = "4"
    INCOMING_COMMITMENT = "11"


class OtherIdentifierType:
    #: "Previous activity identifier": what the activity was reported as before (programmes were identified by
    #: their concept note's reference, <fund>-CN-0037, until they got their own, <fund>-JP-0007).
    PREVIOUS = "B1"


class Role:
    FUNDING = "1"
    ACCOUNTABLE = "2"
    EXTENDING = "3"
    IMPLEMENTING = "4"


#: IATI OrganisationType codelist.
DONOR_ORG_TYPE = {
    DonorType.member_state: "10",  # Government
    DonorType.multilateral: "40",
    DonorType.foundation: "60",
    DonorType.private_sector: "70",
    DonorType.other: "90",
}
MULTILATERAL = "40"


@dataclass(frozen=True)
class Org:
    name: str
    type: str
    ref: str | None = None


@dataclass
class Transaction:
    type: str
    on: date
    value: Decimal
    description: str
    provider: Org | None = None
    receiver: Org | None = None
    provider_activity_id: str | None = None
    receiver_activity_id: str | None = None
    currency: str = "USD"


@dataclass
class Sector:
    code: str
    name: str
    percentage: Decimal
    vocabulary: str = "99"  # SectorVocabulary: 1 OECD DAC 5-digit, 99 the reporting organisation's
    vocabulary_uri: str | None = None


@dataclass
class Period:
    start: date
    end: date
    target: Decimal
    actual: Decimal


@dataclass
class Indicator:
    title: str
    measure: str  # IndicatorMeasure: 1 unit, 2 percentage, 4 ordinal
    baseline_year: int
    baseline: Decimal
    periods: list[Period] = field(default_factory=list)
    ascending: bool = True


@dataclass
class Result:
    type: str  # ResultType: 1 output, 2 outcome
    title: str
    indicators: list[Indicator]


@dataclass
class Activity:
    identifier: str
    hierarchy: int
    reporting_org: Org
    title: str
    description: str
    #: (role, organisation, its activity id if it reports one)
    participating: list[tuple[str, Org, str | None]]
    status: str  # ActivityStatus codelist: 2 implementation
    #: (ActivityDateType code, day): 1 planned start, 2 actual start, 3 planned end, 4 actual end
    dates: list[tuple[str, date]]
    #: (OtherIdentifierType code, identifier, owner organisation)
    other_identifiers: list[tuple[str, str, Org]] = field(default_factory=list)
    scope: str | None = None  # ActivityScope: 1 global
    #: (ISO 3166-1 alpha-2, name, percentage); when empty, recipient_regions apply.
    recipient_countries: list[tuple[str, str, Decimal]] = field(default_factory=list)
    #: (OECD DAC region code, name, percentage)
    recipient_regions: list[tuple[str, str, Decimal]] = field(default_factory=list)
    sectors: list[Sector] = field(default_factory=list)
    #: (PolicyMarker code, PolicySignificance code, description), OECD DAC vocabulary
    policy_markers: list[tuple[str, str, str]] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    #: (RelatedActivityType code, identifier): 1 parent, 2 child
    related: list[tuple[str, str]] = field(default_factory=list)
    default_currency: str = "USD"
    default_finance_type: str | None = "110"  # standard grant
    #: (period start, period end, USD): original committed budgets, each period at most a year
    budgets: list[tuple[date, date, Decimal]] = field(default_factory=list)
    results: list["Result"] = field(default_factory=list)
    last_updated: datetime | None = None


# Builders (query) ------------------------------------------------------------------------------------


def reporting_org_ref() -> str:
    return current_app.config.get("IATI_REPORTING_ORG_REF") or DEFAULT_REPORTING_ORG_REF


def fund_identifier() -> str:
    fund = reference.get_fund()
    return f"{reporting_org_ref()}-{fund.code if fund else 'FUND'}"


def _even_split(count: int) -> list[Decimal]:
    """Percentages with two decimals summing to exactly 100 (the last takes the rounding)."""
    if not count:
        return []
    share = (Decimal(100) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return [share] * (count - 1) + [Decimal(100) - share * (count - 1)]


def _proportional_split(values: list[Decimal]) -> list[Decimal]:
    """Percentages with two decimals in proportion to values, summing to exactly 100."""
    whole = sum(values, Decimal(0))
    shares = [(v * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for v in values[:-1]]
    return [*shares, Decimal(100) - sum(shares, Decimal(0))]


def public_url(endpoint: str) -> str:
    """The absolute address of a page of this site (PUBLIC_BASE_URL, else the request's), for URIs the export
    names; built from the URL map, so it works in a request and in `flask iati export` alike."""
    base = current_app.config.get("PUBLIC_BASE_URL") or (request.url_root if has_request_context() else "")
    path = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT")).build(endpoint)
    return base.rstrip("/") + path


def sector_vocabulary_uri() -> str:
    """Where the fund's own sector codes (its thematic areas) are listed: the public summary (JSON)."""
    return public_url("api.summary")


def _area_sectors(areas: list[ThematicArea], shares: list[Decimal]) -> list[Sector]:
    """The areas in the fund's vocabulary (99) and, beside them, their OECD DAC purpose codes (vocabulary 1) in
    the same proportions (areas sharing a code add up)."""
    uri = sector_vocabulary_uri()
    sectors = [Sector(a.code, a.name, p, "99", uri) for a, p in zip(areas, shares, strict=True)]
    dac: dict[str, Decimal] = {}
    for area, share in zip(areas, shares, strict=True):
        if area.dac_sector:
            dac[area.dac_sector] = dac.get(area.dac_sector, Decimal(0)) + share
    total = sum(dac.values(), Decimal(0))
    if dac and total != 100:  # an area without a DAC code: the others' shares, in proportion, make 100
        dac = dict(zip(dac, _proportional_split(list(dac.values())), strict=True))
    return sectors + [Sector(code, DAC_SECTOR_NAMES.get(code, code), p, "1") for code, p in dac.items()]


#: Names of the OECD DAC purpose codes the reference file uses (others are named by their code).
DAC_SECTOR_NAMES = {"15190": "Facilitation of orderly, safe, regular and responsible migration and mobility"}


def _fund_sectors(areas: list[ThematicArea]) -> list[Sector]:
    allocated = pipeline.allocations_by_area()
    funded = [a for a in areas if allocated.get(a.id, Decimal(0)) > 0]
    if not funded:
        return _area_sectors(areas, _even_split(len(areas)))
    return _area_sectors(funded, _proportional_split([allocated[a.id] for a in funded]))


def funded_countries() -> dict[int, list[tuple[str, str]]]:
    """programme id → (ISO alpha-2, name) of its countries, for every funded programme (empty for a global one):
    one query of plain rows, no programme loaded."""
    rows = db.session.execute(
        sa.select(JointProgrammeDocument.id, Country.alpha2, Country.name)
        .join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
        .outerjoin(concept_note_countries, concept_note_countries.c.concept_note_id == ConceptNote.id)
        .outerjoin(Country, Country.code == concept_note_countries.c.country_code)
        .where(JointProgrammeDocument.id.in_(transparency.funded_programme_ids()))
        .order_by(JointProgrammeDocument.id, Country.name)
    )
    found: dict[int, list[tuple[str, str]]] = {}
    for programme_id, alpha2, name in rows:
        places = found.setdefault(programme_id, [])
        if name is not None:
            places.append((alpha2, name))
    return found


def _fund_recipients(
    countries_by_programme: dict[int, list[tuple[str, str]]], allocated: dict[int, Decimal]
) -> tuple[list[tuple[str, str, Decimal]], list[tuple[str, str, Decimal]]]:
    """(countries, regions) the allocated money goes to: each programme's net allocation split evenly over its
    countries, a global programme's to region 998; percentages of the whole, adding up to 100."""
    places: dict[tuple[str, str, str], Decimal] = {}
    for programme_id, countries in countries_by_programme.items():
        amount = allocated.get(programme_id, Decimal(0))
        if amount <= 0:
            continue
        if not countries:
            key = ("region", *UNSPECIFIED_REGION)
            places[key] = places.get(key, Decimal(0)) + amount
        for alpha2, name in countries:
            key = ("country", alpha2, name)
            places[key] = places.get(key, Decimal(0)) + amount / len(countries)
    if not places:
        return [], [(*UNSPECIFIED_REGION, Decimal("100.00"))]
    keys = sorted(places, key=lambda k: (k[0], k[2]))
    shares = _proportional_split([places[k] for k in keys])
    countries = [(code, name, p) for (kind, code, name), p in zip(keys, shares, strict=True) if kind == "country"]
    regions = [(code, name, p) for (kind, code, name), p in zip(keys, shares, strict=True) if kind == "region"]
    return countries, regions


def _latest(*stamps: datetime | None) -> datetime | None:
    found = [s for s in stamps if s is not None]
    return max(found) if found else None


def _fund_last_updated() -> datetime | None:
    """The latest change of what the fund activity shows: its ledger rows (deposits, allocations, transfers),
    agreements and the exchange rates its commitments are counted at (3 queries)."""
    return _latest(
        db.session.scalar(sa.select(sa.func.max(LedgerEntry.created_at))),
        db.session.scalar(sa.select(sa.func.max(Agreement.created_at))),
        db.session.scalar(sa.select(sa.func.max(ExchangeRate.updated_at))),
    )


def fund_activity() -> Activity:
    """The fund as a hierarchy-1 activity: a fixed number of queries, whatever the number of deposits."""
    fund = reference.get_fund()
    identifier = fund_identifier()
    agent = Org(fund.administrative_agent if fund else "Administrative agent", MULTILATERAL, reporting_org_ref())
    areas = reference.thematic_areas()

    rows = contributions.agreement_rows()
    donors: dict[int, Org] = {}

    def donor_org(donor: Donor) -> Org:
        return donors.setdefault(
            donor.id,
            Org(donor.name, DONOR_ORG_TYPE.get(donor.donor_type, "90"), donor.organisation.iati_ref),
        )

    transactions: list[Transaction] = []
    for row in rows:
        transactions.append(
            Transaction(
                TransactionType.INCOMING_COMMITMENT,
                row.agreement.signed_on,
                row.commitment_usd,
                f"Contribution agreement {row.agreement.reference}: "
                f"{row.agreement.committed_amount:.2f} {row.agreement.currency}"
                + (f", earmarked for {row.agreement.thematic_area.code}" if row.agreement.thematic_area else ""),
                provider=donor_org(row.agreement.donor),
                receiver=agent,
                receiver_activity_id=identifier,
            )
        )
    deposits = db.session.scalars(
        sa.select(Deposit)
        .options(joinedload(Deposit.agreement), joinedload(Deposit.donor))
        .where(contributions.live_deposits())
        .order_by(Deposit.deposited_on, Deposit.id)
    )
    for deposit in deposits:
        transactions.append(
            Transaction(
                TransactionType.INCOMING_FUNDS,
                deposit.deposited_on,
                deposit.amount_usd,
                f"Deposit under {deposit.agreement.reference}: {deposit.amount:.2f} {deposit.currency}",
                provider=donor_org(deposit.donor),
                receiver=agent,
                receiver_activity_id=identifier,
            )
        )
    implementers = db.session.scalars(
        sa.select(Organisation)
        .where(
            Organisation.id.in_(
                sa.select(LedgerEntry.organisation_id).where(LedgerEntry.category == EntryKind.transfer).distinct()
            )
        )
        .order_by(Organisation.name)
    ).all()

    participating: list[tuple[str, Org, str | None]] = [
        (Role.FUNDING, org, None) for org in sorted(donors.values(), key=lambda o: o.name)
    ]
    participating += [(Role.ACCOUNTABLE, agent, identifier), (Role.EXTENDING, agent, identifier)]
    participating += [(Role.IMPLEMENTING, Org(o.name, MULTILATERAL, o.iati_ref), None) for o in implementers]

    start = (
        fund.established_on
        if fund and fund.established_on
        else min((r.agreement.signed_on for r in rows), default=None)
    )
    dates = [("2", start)] if start else [("1", clock.today())]
    name = fund.name if fund else "Trust fund"
    description = (
        f"{name}: a pooled multi-partner trust fund administered by {agent.name}. "
        f"It finances joint programmes under its thematic areas: {'; '.join(a.name for a in areas)}."
    )
    countries, regions = _fund_recipients(funded_countries(), _net_allocations())
    return Activity(
        identifier=identifier,
        hierarchy=1,
        reporting_org=agent,
        title=name,
        description=description,
        participating=participating,
        status=STATUS_IMPLEMENTATION,
        dates=dates,
        scope="1",
        recipient_countries=countries,
        recipient_regions=regions,
        sectors=_fund_sectors(areas),
        transactions=sorted(transactions, key=lambda t: (t.on, t.type)),
        last_updated=_fund_last_updated(),
    )


def _net_allocations() -> dict[int, Decimal]:
    """programme id → its net allocation (allocations less their reversals), one query."""
    return {
        pid: Decimal(total)
        for pid, total in db.session.execute(
            sa.select(LedgerEntry.programme_id, sa.func.sum(LedgerEntry.amount_usd))
            .where(LedgerEntry.category == EntryKind.allocation, LedgerEntry.programme_id.is_not(None))
            .group_by(LedgerEntry.programme_id)
        )
    }


#: UN gender equality marker (0-3) → OECD DAC PolicySignificance for the gender policy marker (code 1):
#: 3 principal objective → 2, 2 significant objective → 1, 0 and 1 → 0 not targeted.
GENDER_SIGNIFICANCE = {0: "0", 1: "0", 2: "1", 3: "2"}
GENDER_POLICY_MARKER = "1"
#: OECD DAC region "Developing countries, unspecified": for a global programme with no country.
UNSPECIFIED_REGION = ("998", "Developing countries, unspecified")


def budget_periods(start: date, end: date, total: Decimal) -> list[tuple[date, date, Decimal]]:
    """The programme budget over its dates in periods of at most a year (IATI's rule), in proportion to the
    days of each period; the last period takes the rounding, so the periods add up to the total."""
    periods: list[tuple[date, date]] = []
    cursor = start
    while cursor <= end:
        try:
            next_start = cursor.replace(year=cursor.year + 1)
        except ValueError:  # 29 February
            next_start = cursor.replace(year=cursor.year + 1, day=28)
        period_end = min(next_start - timedelta(days=1), end)
        periods.append((cursor, period_end))
        cursor = period_end + timedelta(days=1)
    days = (end - start).days + 1
    values = [
        (total * ((b - a).days + 1) / days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for a, b in periods[:-1]
    ]
    values.append(total - sum(values, Decimal("0.00")))
    return [(a, b, v) for (a, b), v in zip(periods, values, strict=True)]


def programme_identifier(fund_id: str, reference: str) -> str:
    return f"{fund_id}-{reference}"


#: ActivityStatus codes.
STATUS_PIPELINE, STATUS_IMPLEMENTATION, STATUS_FINALISATION, STATUS_CLOSED = "1", "2", "3", "4"
#: The programme's life cycle (programmes/workflow.py) as an IATI activity status: funded but not started yet is
#: still being prepared (1), active is implementation (2), operationally closed is finalisation (3: activities
#: over, financial closure pending), financially closed is closed (4).
PROGRAMME_STATUS = {
    PIPELINE: STATUS_PIPELINE,
    APPROVED: STATUS_PIPELINE,
    ACTIVE: STATUS_IMPLEMENTATION,
    OPERATIONALLY_CLOSED: STATUS_FINALISATION,
    FINANCIALLY_CLOSED: STATUS_CLOSED,
}


@dataclass
class ProgrammeFacts:
    """What the export reads of a joint programme beside the ledger (a fixed number of queries for all)."""

    reference: str
    status: str
    #: The day its first transfer left (its actual start), and its operational closure (its actual end).
    started_on: date | None
    ended_on: date | None
    last_updated: datetime | None


def programme_facts(ids: list[int]) -> dict[int, ProgrammeFacts]:
    """programme id → its reference, status, actual dates and the latest change of what its activity shows:
    ledger rows, status changes, budget (audit of the programme), results framework and approved reports."""
    programmes = {p.id: p for p in db.session.scalars(sa.select(JointProgramme).where(JointProgramme.id.in_(ids)))}

    def by_programme(query: sa.Select) -> dict[int, Any]:
        return dict(db.session.execute(query).all())

    first_transfer = by_programme(
        sa.select(LedgerEntry.programme_id, sa.func.min(LedgerEntry.entry_on))
        .where(LedgerEntry.programme_id.in_(ids), LedgerEntry.category == EntryKind.transfer)
        .group_by(LedgerEntry.programme_id)
    )
    ledger_change = by_programme(
        sa.select(LedgerEntry.programme_id, sa.func.max(LedgerEntry.created_at))
        .where(LedgerEntry.programme_id.in_(ids))
        .group_by(LedgerEntry.programme_id)
    )
    status_change = by_programme(
        sa.select(StateEvent.object_id, sa.func.max(StateEvent.created_at))
        .where(StateEvent.machine == PROGRAMME.name, StateEvent.object_id.in_(ids))
        .group_by(StateEvent.object_id)
    )
    report_change = by_programme(
        sa.select(ProgressReport.programme_id, sa.func.max(StateEvent.created_at))
        .join(
            StateEvent, sa.and_(StateEvent.machine == PROGRESS_REPORT.name, StateEvent.object_id == ProgressReport.id)
        )
        .where(ProgressReport.programme_id.in_(ids), StateEvent.to_state == REPORT_APPROVED)
        .group_by(ProgressReport.programme_id)
    )
    audited = by_programme(
        sa.select(sa.cast(AuditEntry.object_id, sa.Integer), sa.func.max(AuditEntry.created_at))
        .where(AuditEntry.object_type == "joint_programmes", AuditEntry.object_id.in_([str(i) for i in ids]))
        .group_by(AuditEntry.object_id)
    )
    framework_change = by_programme(
        sa.select(ProgrammeIndicator.programme_id, sa.func.max(AuditEntry.created_at))
        .join(
            AuditEntry,
            sa.and_(
                AuditEntry.object_type == "programme_indicators",
                AuditEntry.object_id == sa.cast(ProgrammeIndicator.id, sa.String),
            ),
        )
        .where(ProgrammeIndicator.programme_id.in_(ids))
        .group_by(ProgrammeIndicator.programme_id)
    )
    facts = {}
    for pid, programme in programmes.items():
        ended = programme.final_report_on if programme.status in (OPERATIONALLY_CLOSED, FINANCIALLY_CLOSED) else None
        facts[pid] = ProgrammeFacts(
            programme.reference,
            PROGRAMME_STATUS.get(programme.status, STATUS_IMPLEMENTATION),
            first_transfer.get(pid) if programme.status != APPROVED else None,
            ended,
            _latest(
                ledger_change.get(pid),
                status_change.get(pid),
                report_change.get(pid),
                audited.get(pid),
                framework_change.get(pid),
                programme.document.approved_at,
            ),
        )
    return facts


def _document_options() -> list:
    """What a programme's activity reads of its document and concept note, loaded for a whole batch at once."""
    return [
        selectinload(JointProgrammeDocument.concept_note).options(
            joinedload(ConceptNote.thematic_area),
            joinedload(ConceptNote.organisation),
            selectinload(ConceptNote.countries),
            selectinload(ConceptNote.participants).joinedload(Participant.organisation),
            selectinload(ConceptNote.markers).joinedload(MarkerScore.marker),
        ),
        selectinload(JointProgrammeDocument.budget_lines),
    ]


def programme_activities(fund: Activity, ids: list[int] | None = None) -> list[Activity]:
    """Each funded joint programme (of `ids` when given: a batch of the streamed export) as a hierarchy-2
    activity, child of the fund; a fixed number of queries.

    Transactions are the programme's ledger rows (reversals carry the original's category and a negative
    value): allocations are outgoing commitments (2) from the fund to each participating organization (its
    share, see `_commitments`),
    transfers disbursements (3) from the administrative agent to the receiving organization, refunds
    negative disbursements, expenditure (4) reported by the organization that spent it.
    """
    documents = transparency.funded_documents(ids, _document_options())
    if not documents:
        return []
    # Plain rows named like the entry's attributes, not ORM entries: a batch's ledger costs little memory.
    rows = db.session.execute(
        sa.select(
            LedgerEntry.id,
            LedgerEntry.programme_id,
            LedgerEntry.organisation_id,
            LedgerEntry.category,
            LedgerEntry.entry_on,
            LedgerEntry.amount_usd,
            LedgerEntry.description,
            Organisation.name.label("org_name"),
            Organisation.iati_ref.label("org_ref"),
        )
        .outerjoin(Organisation, Organisation.id == LedgerEntry.organisation_id)
        .where(
            LedgerEntry.programme_id.in_([d.id for d in documents]),
            LedgerEntry.category.in_(
                [EntryKind.allocation, EntryKind.transfer, EntryKind.refund, EntryKind.expenditure]
            ),
        )
        .order_by(LedgerEntry.entry_on, LedgerEntry.id)
    ).all()
    by_programme: dict[int, list[tuple[Any, Org | None]]] = {}
    for entry in rows:
        org = Org(entry.org_name, MULTILATERAL, entry.org_ref) if entry.org_name else None
        by_programme.setdefault(entry.programme_id, []).append((entry, org))
    agent = fund.reporting_org
    facts = programme_facts([d.id for d in documents])
    org_shares = programme_services.allocation_shares([d.id for d in documents])
    by_results = programme_results({d.id: (d.starts_on, d.ends_on) for d in documents})
    activities = []
    for document in documents:
        note = document.concept_note
        fact = facts[document.id]
        identifier = programme_identifier(fund.identifier, document.reference)
        participants = sorted(note.participants, key=lambda p: (not p.is_lead, p.position, p.id))
        orgs = [Org(p.organisation.name, MULTILATERAL, p.organisation.iati_ref) for p in participants]
        lead = orgs[0] if orgs else Org(note.organisation.name, MULTILATERAL, note.organisation.iati_ref)
        entries = by_programme.get(document.id, [])
        by_id = {p.organisation_id: org for p, org in zip(participants, orgs, strict=True)}
        transactions = _commitments(
            [e for e, _org in entries if e.category is EntryKind.allocation],
            org_shares.get(document.id, {}),
            by_id,
            lead,
            document.reference,
            (fund.identifier, identifier, agent),
        )
        transactions += [
            _programme_transaction(entry, org or lead, document.reference, fund.identifier, identifier, agent)
            for entry, org in entries
            if entry.category is not EntryKind.allocation
        ]
        transactions.sort(key=lambda t: (t.on, t.type))
        countries = [(c.alpha2, c.name) for c in note.countries]
        shares = _even_split(len(countries))
        gender = next((m.score for m in note.markers if m.marker.code == transparency.GENDER_MARKER), None)
        area = note.thematic_area
        dates = [("1", document.starts_on), ("3", document.ends_on)]
        if fact.started_on:
            dates.append(("2", fact.started_on))
        if fact.ended_on:
            dates.append(("4", fact.ended_on))
        activities.append(
            Activity(
                identifier=identifier,
                hierarchy=2,
                reporting_org=agent,
                other_identifiers=[
                    (OTHER_IDENTIFIER_INTERNAL, fact.reference, agent),
                    (OtherIdentifierType.PREVIOUS, programme_identifier(fund.identifier, note.reference), agent),
                ],
                title=note.title,
                description=document.summary,
                participating=[(Role.FUNDING, agent, fund.identifier), (Role.EXTENDING, agent, fund.identifier)]
                + [(Role.IMPLEMENTING, org, None) for org in orgs],
                status=fact.status,
                dates=sorted(dates),
                scope=None,
                recipient_countries=[
                    (code, name, share) for (code, name), share in zip(countries, shares, strict=True)
                ],
                recipient_regions=[] if countries else [(*UNSPECIFIED_REGION, Decimal("100.00"))],
                sectors=_area_sectors([area], [Decimal("100.00")]) if area else [],
                policy_markers=[
                    (GENDER_POLICY_MARKER, GENDER_SIGNIFICANCE[gender], "Gender equality (self-assessed gender marker)")
                ]
                if gender in GENDER_SIGNIFICANCE
                else [],
                budgets=budget_periods(document.starts_on, document.ends_on, document.total),
                transactions=transactions,
                results=by_results.get(document.id, []),
                related=[("1", fund.identifier)],
                last_updated=fact.last_updated,
            )
        )
    return activities


def _commitments(
    allocations: list[Any],
    shares: dict[int | None, Decimal],
    orgs: dict[int, Org],
    lead: Org,
    reference: str,
    ids: tuple[str, str, Org],
) -> list[Transaction]:
    """The fund's commitments to each participating organization (outgoing commitments, type 2): each allocation
    of the programme, in date order, split among the organizations as the books split the programme's net
    allocation (programmes.services.allocation_shares: by approved budget, largest remainder). Each day's
    commitment to an organization is the growth of its share of the allocations to date, so an organization's
    commitments add up to its share, and all of them to the ledger's allocations, to the cent."""
    fund_id, identifier, agent = ids
    weights = {org_id: share for org_id, share in shares.items() if org_id is not None and share > 0}
    found: list[Transaction] = []
    to_date, before = Decimal("0.00"), {}
    for entry in sorted(allocations, key=lambda e: (e.entry_on, e.id)):
        to_date += entry.amount_usd
        now = split_by_weights(to_date, weights) if weights else {entry.organisation_id: to_date}
        for org_id, amount in now.items():
            grown = amount - before.get(org_id, Decimal("0.00"))
            if grown:
                org = orgs.get(org_id, lead)
                found.append(
                    Transaction(
                        TransactionType.OUTGOING_COMMITMENT,
                        entry.entry_on,
                        grown,
                        f"Allocation to {reference}: {org.name}'s share"
                        if grown > 0
                        else f"Allocation to {reference} reduced: {org.name}'s share (negative)",
                        provider=agent,
                        receiver=org,
                        provider_activity_id=fund_id,
                        receiver_activity_id=identifier,
                    )
                )
        before = now
    return found


#: OtherIdentifierType A1: the reporting organisation's own reference for the activity.
OTHER_IDENTIFIER_INTERNAL = "A1"


def _programme_transaction(
    entry: Any, org: Org, reference: str, fund_id: str, identifier: str, agent: Org
) -> Transaction:
    kind = entry.category
    if kind in (EntryKind.transfer, EntryKind.refund):
        sign = 1 if kind is EntryKind.transfer else -1
        return Transaction(
            TransactionType.DISBURSEMENT,
            entry.entry_on,
            sign * entry.amount_usd,
            entry.description or (f"Transfer to {org.name}" if sign > 0 else f"Refund from {org.name} (negative)"),
            provider=agent,
            receiver=org,
            provider_activity_id=fund_id,
            receiver_activity_id=identifier,
        )
    return Transaction(
        TransactionType.EXPENDITURE,
        entry.entry_on,
        entry.amount_usd,
        entry.description or f"Expenditure reported by {org.name}",
        provider=org,
        provider_activity_id=identifier,
    )


#: IndicatorMeasure codes by indicator unit.
MEASURE = {"count": "1", "amount_usd": "1", "yes_no": "1", "percentage": "2", "score": "4"}


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def period_dates(period: str, starts_on: date, ends_on: date) -> tuple[date, date]:
    """A reporting period ('2026-H1', '2026', '2026-Q3') as dates, clipped to the programme's."""
    year, end_month = period_key(period)
    suffix = period.partition("-")[2]
    start_month = {"H2": 7, "Q2": 4, "Q3": 7, "Q4": 10}.get(suffix, 1)
    end = (date(year + 1, 1, 1) if end_month == 12 else date(year, end_month + 1, 1)) - timedelta(days=1)
    start, end = max(date(year, start_month, 1), starts_on), min(end, ends_on)
    return start, max(start, end)


def programme_results(dates: dict[int, tuple[date, date]]) -> dict[int, list[Result]]:
    """programme id → its results with indicators and the actuals of its approved progress reports (4 queries of
    plain rows: no ORM object per indicator, so a batch of programmes costs little memory)."""
    if not dates:
        return {}
    ids = list(dates)
    outcomes = db.session.execute(
        sa.select(ProgrammeOutcome.id, ProgrammeOutcome.programme_id, ProgrammeOutcome.code, ProgrammeOutcome.statement)
        .where(ProgrammeOutcome.programme_id.in_(ids))
        .order_by(ProgrammeOutcome.programme_id, ProgrammeOutcome.code)
    ).all()
    outputs: dict[int, list[Any]] = {}
    for row in db.session.execute(
        sa.select(ProgrammeOutput.id, ProgrammeOutput.outcome_id, ProgrammeOutput.code, ProgrammeOutput.statement)
        .join(ProgrammeOutcome, ProgrammeOutcome.id == ProgrammeOutput.outcome_id)
        .where(ProgrammeOutcome.programme_id.in_(ids))
        .order_by(ProgrammeOutput.code)
    ):
        outputs.setdefault(row.outcome_id, []).append(row)
    indicators: dict[int, list[Any]] = {}
    for row in db.session.execute(
        sa.select(
            ProgrammeIndicator.id,
            ProgrammeIndicator.programme_id,
            ProgrammeIndicator.outcome_id,
            ProgrammeIndicator.output_id,
            ProgrammeIndicator.code,
            ProgrammeIndicator.name,
            ProgrammeIndicator.unit,
            ProgrammeIndicator.direction,
            ProgrammeIndicator.baseline_value,
            ProgrammeIndicator.baseline_year,
            ProgrammeIndicator.target_value,
        )
        .where(ProgrammeIndicator.programme_id.in_(ids))
        .order_by(ProgrammeIndicator.code)
    ):
        indicators.setdefault(row.outcome_id, []).append(row)
    actuals = approved_actuals(ids)

    def indicator(ind: Any) -> Indicator:
        starts_on, ends_on = dates[ind.programme_id]
        periods = []
        for period, actual in sorted(actuals.get(ind.id, []), key=lambda pa: period_key(pa[0])):
            start, end = period_dates(period, starts_on, ends_on)
            periods.append(Period(start, end, ind.target_value, actual))
        return Indicator(
            f"{ind.code} {ind.name}",
            MEASURE.get(ind.unit.value, "1"),
            ind.baseline_year,
            ind.baseline_value,
            periods,
            ascending=ind.direction is Direction.increase,
        )

    found: dict[int, list[Result]] = {}
    for outcome in outcomes:
        results = found.setdefault(outcome.programme_id, [])
        attached = indicators.get(outcome.id, [])
        own = [i for i in attached if i.output_id is None]
        if own:
            results.append(Result("2", f"Outcome {outcome.code}: {outcome.statement}", [indicator(i) for i in own]))
        for output in outputs.get(outcome.id, []):
            linked = [i for i in attached if i.output_id == output.id]
            if linked:
                results.append(Result("1", f"Output {output.code}: {output.statement}", [indicator(i) for i in linked]))
    return found


#: Funded programmes loaded, built and written together by the streamed export: its memory holds one batch.
BATCH = 100


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def iter_activities(batch: int | None = None) -> Iterator[Activity]:
    """The fund, then its funded programmes a batch at a time (each batch a fixed number of queries), parent and
    children linked both ways: only the programmes' ids are read before the first activity is written."""
    ids = transparency.funded_ids()
    fund = fund_activity()
    fund.related = [("2", programme_identifier(fund.identifier, programme_reference(i))) for i in ids]
    yield fund
    for chunk in _batches(ids, batch or BATCH):
        # The batch's ORM objects are only referenced from here: the session's identity map is weak, so they are
        # freed once the batch is written.
        yield from programme_activities(fund, chunk)


def activities() -> list[Activity]:
    """The fund and its funded programmes, parent and children linked both ways."""
    return list(iter_activities())


def stream(batch: int | None = None) -> Iterator[bytes]:
    """The whole export as pieces of XML, one activity at a time: the fund (hierarchy 1) and each funded joint
    programme (hierarchy 2), built from batched queries, so its memory does not grow with the fund."""
    return _chunks(iter_activities(batch), generated=clock.now())


# The published file -----------------------------------------------------------------------------------------
#
# The file is the same for every reader until the records change, and a registry, a dashboard and a crawler ask
# for it again and again: once written whole it is kept on disk under the public cache's version (the audit log's
# head and today, core.cache), and later requests get those bytes (with an ETag) instead of a new export. The first
# request after a change still streams as it is built, writing the file as it goes; a file left unfinished (the
# reader left, an error, a stopped worker) is never served. Off with the public cache (PUBLIC_FIGURES_CACHE).

#: An unfinished file older than this is a stopped worker's, removed by the next complete write.
_STALE_PARTIAL_SECONDS = 3600


def _published_path() -> Path | None:
    """Where the file of the records as they are now is kept, or None when the public cache is off."""
    if not cache.enabled():
        return None
    head, day = cache.version()
    return Path(current_app.config["EXPORT_CACHE_FOLDER"]) / f"iati-{head}-{day}.xml"


@dataclass(frozen=True)
class Published:
    file: BinaryIO
    etag: str
    modified: datetime


def open_published() -> Published | None:
    """The kept file of the records as they are now, open for reading, or None (not written yet, cache off)."""
    path = _published_path()
    if path is None:
        return None
    try:
        file = path.open("rb")  # opened, not checked: a newer writer may remove it at any moment
    except FileNotFoundError:
        return None
    return Published(file, path.stem, datetime.fromtimestamp(os.fstat(file.fileno()).st_mtime, tz=UTC))


def stream_published(batch: int | None = None) -> Iterator[bytes]:
    """stream(), also written to the kept file when the public cache is on; the file takes its name only once
    complete (an atomic rename), and then replaces the older ones."""
    target = _published_path()
    if target is None:
        yield from stream(batch)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    complete = False
    try:
        with partial.open("wb") as out:
            for chunk in stream(batch):
                out.write(chunk)
                yield chunk
        partial.replace(target)
        complete = True
    finally:
        if not complete:
            partial.unlink(missing_ok=True)
    _remove_older(target)


def _remove_older(kept: Path) -> None:
    now = time.time()
    for old in kept.parent.glob("iati-*.xml"):
        if old != kept:
            old.unlink(missing_ok=True)  # a reader that opened it still reads it whole (POSIX)
    for partial in kept.parent.glob(".iati-*.partial"):
        try:
            if now - partial.stat().st_mtime > _STALE_PARTIAL_SECONDS:
                partial.unlink(missing_ok=True)
        except FileNotFoundError:
            pass


def export() -> bytes:
    """The whole export in one piece (the command line, the tests)."""
    return b"".join(stream())


def validate_export(data: bytes) -> list[iati_rules.Finding]:
    """The findings a registry's checks would report on an export (schema, IATI ruleset, codelists), as of today."""
    return iati_rules.validate(data, clock.today())


# Renderer (no queries) --------------------------------------------------------------------------------

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Characters XML 1.0 cannot hold (C0 controls but tab, LF, CR): lxml refuses them, a pasted title may hold one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _narrative(parent: etree._Element, text: str) -> None:
    etree.SubElement(parent, "narrative").text = _NOT_XML.sub("", text) if text else text


def _org(parent: etree._Element, tag: str, org: Org, **attrs: str | None) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if org.ref:
        element.set("ref", org.ref)
    element.set("type", org.type)
    _narrative(element, org.name)
    return element


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _activity(root: etree._Element, activity: Activity) -> None:
    attrs = {"hierarchy": str(activity.hierarchy), "default-currency": activity.default_currency, XML_LANG: "en"}
    if activity.last_updated:
        attrs["last-updated-datetime"] = activity.last_updated.replace(microsecond=0).isoformat() + "Z"
    el = etree.SubElement(root, "iati-activity", attrs)
    etree.SubElement(el, "iati-identifier").text = activity.identifier
    reporting = etree.SubElement(
        el, "reporting-org", {"ref": activity.reporting_org.ref or "", "type": activity.reporting_org.type}
    )
    _narrative(reporting, activity.reporting_org.name)
    _narrative(etree.SubElement(el, "title"), activity.title)
    _narrative(etree.SubElement(el, "description", {"type": "1"}), activity.description)
    for role, org, activity_id in activity.participating:
        _org(el, "participating-org", org, role=role, **{"activity-id": activity_id})
    for kind, ref, owner in activity.other_identifiers:
        other = etree.SubElement(el, "other-identifier", {"ref": ref, "type": kind})
        owner_org = etree.SubElement(other, "owner-org", {"ref": owner.ref} if owner.ref else {})
        _narrative(owner_org, owner.name)
    etree.SubElement(el, "activity-status", {"code": activity.status})
    for kind, day in activity.dates:
        etree.SubElement(el, "activity-date", {"type": kind, "iso-date": day.isoformat()})
    if activity.scope:
        etree.SubElement(el, "activity-scope", {"code": activity.scope})
    for code, name, percentage in activity.recipient_countries:
        _narrative(etree.SubElement(el, "recipient-country", {"code": code, "percentage": f"{percentage:.2f}"}), name)
    for code, name, percentage in activity.recipient_regions:
        region = etree.SubElement(
            el, "recipient-region", {"code": code, "vocabulary": "1", "percentage": f"{percentage:.2f}"}
        )
        _narrative(region, name)
    for sector in activity.sectors:
        attrs = {"vocabulary": sector.vocabulary}
        if sector.vocabulary_uri:
            attrs["vocabulary-uri"] = sector.vocabulary_uri
        s = etree.SubElement(el, "sector", {**attrs, "code": sector.code, "percentage": f"{sector.percentage:.2f}"})
        _narrative(s, sector.name)
    for code, significance, name in activity.policy_markers:
        marker = etree.SubElement(el, "policy-marker", {"vocabulary": "1", "code": code, "significance": significance})
        _narrative(marker, name)
    if activity.default_finance_type:
        etree.SubElement(el, "default-finance-type", {"code": activity.default_finance_type})
    for start, end, amount in activity.budgets:
        budget = etree.SubElement(el, "budget", {"type": "1", "status": "2"})
        etree.SubElement(budget, "period-start", {"iso-date": start.isoformat()})
        etree.SubElement(budget, "period-end", {"iso-date": end.isoformat()})
        value = etree.SubElement(budget, "value", {"currency": "USD", "value-date": start.isoformat()})
        value.text = _money(amount)
    for t in activity.transactions:
        tr = etree.SubElement(el, "transaction")
        etree.SubElement(tr, "transaction-type", {"code": t.type})
        etree.SubElement(tr, "transaction-date", {"iso-date": t.on.isoformat()})
        value = etree.SubElement(tr, "value", {"currency": t.currency, "value-date": t.on.isoformat()})
        value.text = _money(t.value)
        _narrative(etree.SubElement(tr, "description"), t.description)
        if t.provider:
            _org(tr, "provider-org", t.provider, **{"provider-activity-id": t.provider_activity_id})
        if t.receiver:
            _org(tr, "receiver-org", t.receiver, **{"receiver-activity-id": t.receiver_activity_id})
    for kind, ref in activity.related:
        etree.SubElement(el, "related-activity", {"ref": ref, "type": kind})
    for result in activity.results:
        _result(el, result)


def _result(parent: etree._Element, result: Result) -> None:
    el = etree.SubElement(parent, "result", {"type": result.type, "aggregation-status": "0"})
    _narrative(etree.SubElement(el, "title"), result.title)
    for ind in result.indicators:
        attrs = {"measure": ind.measure, "ascending": "1" if ind.ascending else "0"}
        indicator = etree.SubElement(el, "indicator", attrs)
        _narrative(etree.SubElement(indicator, "title"), ind.title)
        etree.SubElement(indicator, "baseline", {"year": str(ind.baseline_year), "value": _plain(ind.baseline)})
        for p in ind.periods:
            period = etree.SubElement(indicator, "period")
            etree.SubElement(period, "period-start", {"iso-date": p.start.isoformat()})
            etree.SubElement(period, "period-end", {"iso-date": p.end.isoformat()})
            etree.SubElement(period, "target", {"value": _plain(p.target)})
            actual = etree.SubElement(period, "actual", {"value": _plain(p.actual)})
            _narrative(etree.SubElement(actual, "comment"), "Cumulative since the programme started.")


def _chunks(activities: Iterable[Activity], generated: datetime | None = None) -> Iterator[bytes]:
    """The iati-activities document in pieces: its opening, each activity as it comes, its end."""
    attrs = {"version": VERSION}
    if generated:
        attrs["generated-datetime"] = generated.replace(microsecond=0).isoformat() + "Z"
    # The root element is written empty and split at its end tag, so its attributes go through lxml's quoting.
    empty = etree.tostring(etree.Element("iati-activities", attrs), encoding="UTF-8", xml_declaration=True)
    head = empty[: -len(b"/>")] + b">\n"
    yield head
    for activity in activities:
        holder = etree.Element("iati-activities")
        _activity(holder, activity)
        yield etree.tostring(holder[0], pretty_print=True, encoding="UTF-8")
    yield b"</iati-activities>\n"


def render(activities: Iterable[Activity], generated: datetime | None = None) -> bytes:
    return b"".join(_chunks(activities, generated))
