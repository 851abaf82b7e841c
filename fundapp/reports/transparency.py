"""The public transparency portal's data: plain dataclasses built from the ledger and the committee's programmes.

Everything here is public: money figures are ledger aggregates (reversals netted), programmes are the
joint programme documents the ledger shows an allocation to, with their public fields only (title, area,
countries, participating organizations, dates, the approved summary, the self-assessed gender marker). No
score, vote, draft, screening comment or person is ever loaded into these dataclasses.

A fixed number of queries whatever the number of programmes, organizations or ledger rows.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from fundapp.auth.models import Organisation
from fundapp.committee import pipeline
from fundapp.committee.models import JointProgrammeDocument, ProgrammeBudgetLine
from fundapp.concept_notes import services as concept_notes
from fundapp.concept_notes.models import ConceptNote, MarkerScore, Participant
from fundapp.contributions import ledger
from fundapp.contributions import services as contributions
from fundapp.contributions.models import Agreement, Donor, EntryKind, LedgerEntry
from fundapp.core import cache as public_cache
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.i18n import _, language
from fundapp.core.money import to_money
from fundapp.programmes import reporting as programme_reporting
from fundapp.programmes import services as programme_services
from fundapp.reference import services as reference
from fundapp.reference.models import Country, GcmObjective, MarkerLevel, ThematicArea
from fundapp.results import alignment
from fundapp.results import services as results
from fundapp.results.models import AlignmentIndicator

ZERO = Decimal("0.00")
GENDER_MARKER = "GEN"
#: Funded programmes listed per page of the portal.
PER_PAGE = 20
#: Contributors the portal lists (and charts) by name, the largest first; the contributors page lists them all.
TOP_CONTRIBUTORS = 10
#: Contributors per page of the contributors page.
CONTRIBUTORS_PER_PAGE = 50
#: The money columns of every breakdown, in order: (key, heading).
MONEY_COLUMNS = (
    ("allocated", "Allocated"),
    ("transferred", "Transferred"),
    ("refunded", "Refunded"),
    ("expenditure", "Expenditure"),
)
KINDS = {
    "allocated": EntryKind.allocation,
    "transferred": EntryKind.transfer,
    "refunded": EntryKind.refund,
    "expenditure": EntryKind.expenditure,
}


@dataclass
class Money4:
    """Allocated, transferred, refunded and spent (USD) for one programme, organization, area or region."""

    allocated: Decimal = ZERO
    transferred: Decimal = ZERO
    refunded: Decimal = ZERO
    expenditure: Decimal = ZERO

    def add(self, other: "Money4") -> None:
        for key, _label in MONEY_COLUMNS:
            setattr(self, key, getattr(self, key) + getattr(other, key))

    @property
    def net_transferred(self) -> Decimal:
        return self.transferred - self.refunded

    @property
    def delivery_percent(self) -> Decimal | None:
        """Expenditure as a share of net transfers (the GATEWAY's delivery rate)."""
        if not self.net_transferred:
            return None
        return (self.expenditure * 100 / self.net_transferred).quantize(Decimal("0.1"))

    def values(self) -> list[Decimal]:
        return [getattr(self, key) for key, _label in MONEY_COLUMNS]


@dataclass
class BreakdownRow:
    key: str
    label: str
    money: Money4
    programmes: int = 0


@dataclass
class PublicProgramme:
    """A funded joint programme as the public sees it."""

    id: int
    #: The programme's reference (JP-0007) and the concept note it came from (CN-0037).
    reference: str
    note_reference: str
    title: str
    area_code: str
    area_name: str
    countries: list[tuple[str, str]]  # (ISO3, name)
    region: str
    lead: str
    organisations: list[tuple[str, str]]  # (code, name), lead first
    starts_on: date
    ends_on: date
    summary: str
    budget: Decimal
    budget_by_organisation: list[tuple[str, Decimal]]
    #: (code, name, allocated USD): each participating organization's share of the allocation (by budget).
    allocation_by_organisation: list[tuple[str, str, Decimal]]
    objectives: list[tuple[int, str]]
    gender_marker: int | None
    gender_marker_label: str | None
    money: Money4 = field(default_factory=Money4)

    @property
    def allocated_by_code(self) -> dict[str, Decimal]:
        return {code: amount for code, _name, amount in self.allocation_by_organisation}


@dataclass
class ProgrammeFilters:
    area: str | None = None  # thematic area code
    region: str | None = None  # M49 region code
    organisation: str | None = None  # organisation code
    country: str | None = None  # ISO3

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


# Funded programmes ----------------------------------------------------------------------------------


def funded_programme_ids() -> sa.Select:
    """Programme documents with a net allocation in the ledger: the funded joint programmes."""
    return (
        sa.select(LedgerEntry.programme_id)
        .where(LedgerEntry.category == EntryKind.allocation, LedgerEntry.programme_id.is_not(None))
        .group_by(LedgerEntry.programme_id)
        .having(sa.func.sum(LedgerEntry.amount_usd) > 0)
    )


def programme_query(filters: ProgrammeFilters | None = None) -> sa.Select:
    """SELECT of funded programme documents (newest start first), the filters applied in SQL."""
    filters = filters or ProgrammeFilters()
    query = (
        sa.select(JointProgrammeDocument)
        .where(JointProgrammeDocument.id.in_(funded_programme_ids()))
        .order_by(JointProgrammeDocument.starts_on.desc(), JointProgrammeDocument.id.desc())
    )
    if filters.as_args():
        # The concept notes' own filters, so the public list narrows exactly as the notes' lists do.
        notes = concept_notes.NoteFilters(
            thematic_area_code=filters.area,
            organisation_code=filters.organisation,
            country=filters.country,
            region=filters.region,
        )
        query = query.where(JointProgrammeDocument.concept_note_id.in_(concept_notes.matching_note_ids(notes)))
    return query


def funded_note_ids() -> sa.Select:
    """The concept notes of the funded programmes."""
    return sa.select(JointProgrammeDocument.concept_note_id).where(
        JointProgrammeDocument.id.in_(funded_programme_ids())
    )


def _load_options() -> list:
    return [
        selectinload(JointProgrammeDocument.concept_note).options(
            selectinload(ConceptNote.countries).selectinload(Country.region),
            selectinload(ConceptNote.participants),
            selectinload(ConceptNote.objectives),
            selectinload(ConceptNote.markers).selectinload(MarkerScore.marker),
        ),
        selectinload(JointProgrammeDocument.budget_lines).selectinload(ProgrammeBudgetLine.organisation),
    ]


def programme_money(programme_ids: Sequence[int] | None = None) -> dict[int, Money4]:
    """Per programme, its ledger totals (one query); every programme of the ledger when ids is None."""
    query = (
        sa.select(LedgerEntry.programme_id, LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd))
        .where(LedgerEntry.programme_id.is_not(None), LedgerEntry.category.in_(list(KINDS.values())))
        .group_by(LedgerEntry.programme_id, LedgerEntry.category)
    )
    if programme_ids is not None:
        query = query.where(LedgerEntry.programme_id.in_(list(programme_ids)))
    money: dict[int, Money4] = defaultdict(Money4)
    by_kind = {kind: key for key, kind in KINDS.items()}
    for programme_id, category, total in db.session.execute(query):
        setattr(money[programme_id], by_kind[category], to_money(total or 0))
    return money


def _marker_labels() -> dict[int, str]:
    return {level.score: level.label for level in db.session.scalars(sa.select(MarkerLevel))}


def _public(document: JointProgrammeDocument, money: Money4 | None, labels: dict[int, str]) -> PublicProgramme:
    note = document.concept_note
    participants = sorted(note.participants, key=lambda p: (not p.is_lead, p.position, p.id))
    lead = next((p.organisation for p in participants if p.is_lead), note.organisation)
    gender = next((m.score for m in note.markers if m.marker.code == GENDER_MARKER), None)
    money = money or Money4()
    shares = programme_services.split_allocations(
        {document.id: {lead.id: money.allocated}},
        [(document.id, line.organisation_id, line.amount) for line in document.budget_lines],
    )[document.id]
    return PublicProgramme(
        id=document.id,
        reference=document.reference,
        note_reference=note.reference,
        title=note.title,
        area_code=note.thematic_area.code if note.thematic_area else "—",
        area_name=note.thematic_area.local_name if note.thematic_area else _("No thematic area"),
        countries=[(c.code, c.local_name) for c in note.countries],
        region=pipeline.region_of(note),
        lead=lead.name,
        organisations=[(p.organisation.code, p.organisation.name) for p in participants],
        starts_on=document.starts_on,
        ends_on=document.ends_on,
        summary=document.summary,
        budget=document.total,
        budget_by_organisation=[(line.organisation.name, line.amount) for line in document.budget_lines],
        allocation_by_organisation=[
            (org.code, org.name, shares[org.id])
            for org in {
                **{p.organisation_id: p.organisation for p in participants},
                **{line.organisation_id: line.organisation for line in document.budget_lines},
            }.values()
            if org.id in shares
        ],
        objectives=[(o.number, o.local_title) for o in note.objectives],
        gender_marker=gender,
        gender_marker_label=labels.get(gender) if gender is not None else None,
        money=money,
    )


def programmes(documents: Sequence[JointProgrammeDocument]) -> list[PublicProgramme]:
    """Public views of already-loaded documents, with their ledger totals (one more query)."""
    money = programme_money([d.id for d in documents]) if documents else {}
    labels = _marker_labels()
    return [_public(d, money.get(d.id), labels) for d in documents]


def funded_documents(ids: Sequence[int] | None = None, options: list | None = None) -> list[JointProgrammeDocument]:
    """The funded programme documents with their public fields loaded (or what `options` load), oldest id first
    (the IATI export's order); only those of `ids` when given (the export loads them a batch at a time)."""
    query = programme_query().options(*(options or _load_options())).order_by(None).order_by(JointProgrammeDocument.id)
    if ids is not None:
        query = query.where(JointProgrammeDocument.id.in_(list(ids)))
    return list(db.session.scalars(query))


def funded_ids() -> list[int]:
    """The ids of the funded programme documents, oldest first (one query, plain integers)."""
    return list(db.session.scalars(funded_programme_ids().order_by(LedgerEntry.programme_id)))


def list_programmes(filters: ProgrammeFilters | None = None) -> list[PublicProgramme]:
    documents = db.session.scalars(programme_query(filters).options(*_load_options())).all()
    return programmes(documents)


#: Programmes loaded together by iter_programmes (the programmes CSV): its memory holds one batch.
BATCH = 100


def iter_programmes(filters: ProgrammeFilters | None = None) -> Iterator[PublicProgramme]:
    """Every programme the filters select, in the list's order, loaded a batch at a time (a fixed number of
    queries per batch): only the ids are read whole, so a download's memory does not grow with the fund."""
    ids = list(db.session.scalars(programme_query(filters).with_only_columns(JointProgrammeDocument.id)))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        found = {
            d.id: d
            for d in db.session.scalars(
                programme_query().where(JointProgrammeDocument.id.in_(batch)).options(*_load_options())
            )
        }
        yield from programmes([found[i] for i in batch if i in found])


def paginate_programmes(
    filters: ProgrammeFilters, page: int, per_page: int, max_per_page: int = 100
) -> tuple[list[PublicProgramme], Pagination]:
    """(public programmes of the page, the Pagination object) — paginated in SQL."""
    pagination = db.paginate(
        programme_query(filters).options(*_load_options()),
        page=page,
        per_page=per_page,
        max_per_page=max_per_page,
        error_out=False,
    )
    return programmes(pagination.items), pagination


def get_programme(programme_id: int) -> PublicProgramme | None:
    """A funded programme by id; None for an unknown or unfunded document (not public)."""
    document = db.session.scalar(
        programme_query().where(JointProgrammeDocument.id == programme_id).options(*_load_options())
    )
    return programmes([document])[0] if document else None


def programme_transactions(programme_id: int) -> list[tuple[date, str, str, Decimal]]:
    """(day, movement, organisation, USD) of the programme's ledger rows, oldest first; an allocation names
    the pool it drew on; reversals appear as negative rows of the category they correct."""
    rows = db.session.execute(
        sa.select(
            LedgerEntry.entry_on, LedgerEntry.category, Organisation.name, ThematicArea.code, LedgerEntry.amount_usd
        )
        .outerjoin(Organisation, Organisation.id == LedgerEntry.organisation_id)
        .outerjoin(ThematicArea, ThematicArea.id == LedgerEntry.thematic_area_id)
        .where(LedgerEntry.programme_id == programme_id, LedgerEntry.category.in_(list(KINDS.values())))
        .order_by(LedgerEntry.entry_on, LedgerEntry.id)
    )
    result = []
    for day, category, org, area, amount in rows:
        label = str(category.label)
        if category is EntryKind.allocation:
            label = (
                _("Allocation from the %(code)s earmarked pool", code=area)
                if area
                else _("Allocation from the unearmarked pool")
            )
        result.append((day, label, org or "—", to_money(amount)))
    return result


# Breakdowns -------------------------------------------------------------------------------------------


def _funded_breakdown(key: sa.ColumnElement, joins: Callable[[sa.Select], sa.Select]) -> dict[Any, BreakdownRow]:
    """key → the funded programmes' money (ledger totals by GROUP BY) and count, for a key over a programme's
    concept note: two aggregate queries, whatever the number of programmes."""
    funded = funded_programme_ids()
    money_query = joins(
        sa.select(key.label("key"), LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd))
        .select_from(LedgerEntry)
        .join(JointProgrammeDocument, JointProgrammeDocument.id == LedgerEntry.programme_id)
        .join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
    ).where(LedgerEntry.programme_id.in_(funded), LedgerEntry.category.in_(list(KINDS.values())))
    count_query = joins(
        sa.select(key.label("key"), sa.func.count())
        .select_from(JointProgrammeDocument)
        .join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
    ).where(JointProgrammeDocument.id.in_(funded))
    by_kind = {kind: name for name, kind in KINDS.items()}
    rows: dict[Any, BreakdownRow] = {}
    for value, count in db.session.execute(count_query.group_by(key)):
        rows[value] = BreakdownRow(value, value, Money4(), count)
    for value, category, total in db.session.execute(money_query.group_by(key, LedgerEntry.category)):
        row = rows.setdefault(value, BreakdownRow(value, value, Money4()))
        setattr(row.money, by_kind[category], to_money(total or 0))
    return rows


def _ordered(rows: Iterable[BreakdownRow]) -> list[BreakdownRow]:
    return sorted(rows, key=lambda r: (-r.money.allocated, r.label))


def by_area() -> list[BreakdownRow]:
    """Per thematic area, every area listed (zero when nothing is funded in it), aggregated in SQL."""
    found = _funded_breakdown(
        ThematicArea.code, lambda q: q.outerjoin(ThematicArea, ThematicArea.id == ConceptNote.thematic_area_id)
    )
    ordered = []
    for area in reference.thematic_areas():
        row = found.pop(area.code, None) or BreakdownRow(area.code, area.local_name, Money4())
        row.label = area.local_name
        ordered.append(row)
    for row in found.values():  # programmes without an area
        row.key, row.label = "—", _("No thematic area")
    return ordered + _ordered(found.values())


def by_region() -> list[BreakdownRow]:
    """Per region of the programmes' countries (committee.pipeline.region_of, in SQL), aggregated in SQL."""
    regions, label = pipeline._region_label()  # the pipeline's own SQL form of region_of()
    rows = _funded_breakdown(label, lambda q: q.outerjoin(regions, regions.c.note_id == ConceptNote.id))
    return _ordered(rows.values())


def funded_count() -> int:
    """How many joint programmes are funded (one query)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(funded_programme_ids().subquery())) or 0


def funded_organisations() -> list[tuple[str, str]]:
    """(code, name) of the participating organizations of funded programmes, by code: the list's filter."""
    return [
        (code, name)
        for code, name in db.session.execute(
            sa.select(Organisation.code, Organisation.name)
            .join(Participant, Participant.organisation_id == Organisation.id)
            .where(Participant.concept_note_id.in_(funded_note_ids()))
            .distinct()
            .order_by(Organisation.code)
        )
    ]


def by_organisation(as_of: date | None = None) -> list[BreakdownRow]:
    """Per participating organization: transfers, refunds and expenditure as the ledger records them against
    the organization that received or spent; allocations as each organization's share of every programme's
    allocation by approved budget (programmes.services.allocation_shares), so a joint programme's allocation
    is spread over its participating organizations instead of resting with the convening one."""
    query = (
        sa.select(LedgerEntry.organisation_id, LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd))
        .where(
            LedgerEntry.programme_id.is_not(None),
            LedgerEntry.organisation_id.is_not(None),
            LedgerEntry.category.in_([KINDS["transferred"], KINDS["refunded"], KINDS["expenditure"]]),
        )
        .group_by(LedgerEntry.organisation_id, LedgerEntry.category)
    )
    if as_of is not None:
        query = query.where(LedgerEntry.entry_on <= as_of)
    by_kind = {kind: key for key, kind in KINDS.items()}
    money: dict[int, Money4] = defaultdict(Money4)
    for org_id, category, total in db.session.execute(query):
        setattr(money[org_id], by_kind[category], to_money(total or 0))
    for org_id, allocated in programme_services.allocations_by_organisation(as_of).items():
        if org_id is not None:
            money[org_id].allocated += allocated
    organisations = db.session.execute(
        sa.select(Organisation.id, Organisation.code, Organisation.name).where(Organisation.id.in_(list(money)))
    )
    rows = {code: BreakdownRow(code, name, money[org_id]) for org_id, code, name in organisations}
    for code, count in concept_notes.participation_counts(funded_note_ids()).items():
        if code in rows:
            rows[code].programmes = count
    return sorted(rows.values(), key=lambda r: (-r.money.allocated, -r.money.transferred, r.label))


# Alignment ------------------------------------------------------------------------------------------

#: Sources of programme alignment assessments: each returns the assessed programmes as
#: results.alignment.ProgrammeAlignment values. The programmes' own assessments are always one of them.
_alignment_sources: list[Callable[[], list[alignment.ProgrammeAlignment]]] = [programme_reporting.assessed_programmes]


def register_alignment_source(source: Callable[[], list[alignment.ProgrammeAlignment]]) -> None:
    if source not in _alignment_sources:
        _alignment_sources.append(source)


def unregister_alignment_source(source: Callable[[], list[alignment.ProgrammeAlignment]]) -> None:
    if source in _alignment_sources:
        _alignment_sources.remove(source)


@dataclass
class AlignmentSection:
    indicators: list[AlignmentIndicator]  # the active ones
    principles: dict[str, str]  # code → name
    by_area: dict[str, alignment.PortfolioAlignment]
    fund: alignment.PortfolioAlignment | None

    @property
    def assessed(self) -> bool:
        return self.fund is not None


def _portfolio_alignment() -> tuple[dict[str, alignment.PortfolioAlignment], alignment.PortfolioAlignment | None]:
    assessed = [p for source in _alignment_sources for p in source()]
    return alignment.portfolio(assessed) if assessed else ({}, None)


def alignment_section() -> AlignmentSection:
    # The portfolio reads every assessed programme's latest assessment: kept in the public cache (plain data).
    by_area, fund = public_cache.cached(("transparency.alignment", tuple(_alignment_sources)), _portfolio_alignment)
    indicators = results.alignment_indicators(include_retired=False)
    principles = {p.code: p.local_name for p in reference.guiding_principles()}
    return AlignmentSection(indicators=indicators, principles=principles, by_area=by_area, fund=fund)


# The page -------------------------------------------------------------------------------------------


@dataclass
class Transparency:
    as_of: date
    status: ledger.FundingStatus
    capitalization: contributions.Capitalization
    pools: list[ledger.Pool]
    #: How many joint programmes are funded (the list below shows a page of them).
    funded: int
    by_area: list[BreakdownRow]
    by_organisation: list[BreakdownRow]
    by_region: list[BreakdownRow]
    pipeline: dict[str, Any]
    alignment: AlignmentSection
    objectives: int
    #: The programme list's filters, the page of programmes they select and the choices of each filter.
    filters: ProgrammeFilters
    listed: list[PublicProgramme]
    pages: Pagination
    areas: list[ThematicArea]
    regions: list[tuple[str, str]]
    #: (code, name) of the participating organizations of funded programmes, for the filter.
    organisations: list[tuple[str, str]]
    #: The largest contributors (by deposits) the page lists; the others are on the contributors page.
    top_contributors: list[tuple[str, Decimal, Decimal]]

    @property
    def more_contributors(self) -> int:
        return max(len(self.capitalization.by_donor) - len(self.top_contributors), 0)


def figures() -> dict[str, Any]:
    """The page's figures, the same whatever the list's filters and page: SQL aggregates, plain data (no ORM
    object), so the public cache keeps them once per language and records version (core.cache)."""
    today = clock.today()
    capitalization = contributions.capitalization()
    return {
        "as_of": today,
        "status": ledger.funding_status(today),
        "capitalization": capitalization,
        "pools": ledger.pool_balances(),
        "funded": funded_count(),
        "by_area": by_area(),
        "by_organisation": by_organisation(),
        "by_region": by_region(),
        "pipeline": pipeline.public_pipeline(),
        "objectives": db.session.scalar(sa.select(sa.func.count()).select_from(GcmObjective)) or 0,
        "regions": regions_in_use(),
        "organisations": funded_organisations(),
        "top_contributors": capitalization.by_donor[:TOP_CONTRIBUTORS],
    }


def build(filters: ProgrammeFilters | None = None, page: int = 1, per_page: int = PER_PAGE) -> Transparency:
    """Everything the public page shows, as of today, with the page of programmes the filters select: the
    figures (cached across filters, pages and visitors while the records do not change) and one page of the
    list, paginated in SQL."""
    filters = filters or ProgrammeFilters()
    listed, pages = paginate_programmes(filters, page, per_page)
    return Transparency(
        **public_cache.cached(("transparency.figures", language()), figures),
        alignment=alignment_section(),
        filters=filters,
        listed=listed,
        pages=pages,
        areas=reference.thematic_areas(),
    )


def public_money() -> dict[str, str]:
    """The programme money part of GET /api/v1/summary: the ledger's totals over funded programmes (USD)."""
    totals = total_money()
    return {f"{key}_usd": f"{getattr(totals, key):.2f}" for key, _label in MONEY_COLUMNS}


def total_money() -> Money4:
    result = Money4()
    for money in programme_money().values():
        result.add(money)
    return result


def contributors(
    page: int, per_page: int = CONTRIBUTORS_PER_PAGE
) -> tuple[list[tuple[str, Decimal, Decimal]], Pagination]:
    """(name, commitments USD, deposits USD) of a page of contributors, the largest deposits first (the order of
    the capitalization's `by_donor`), paginated in SQL; the page's commitments are counted as
    contributions.agreement_rows counts them (paid at the deposits' rates, the unpaid balance at the latest
    rate), from its own building blocks, for the page's donors only. Five queries whatever the number of donors:
    the total counts the donors with an agreement, without the deposits' sums the ranking is ordered by."""
    deposited = (
        sa.select(LedgerEntry.donor_id.label("donor_id"), sa.func.sum(LedgerEntry.amount_usd).label("usd"))
        .where(LedgerEntry.category == EntryKind.deposit, LedgerEntry.donor_id.is_not(None))
        .group_by(LedgerEntry.donor_id)
        .subquery("deposited")
    )
    usd = sa.func.coalesce(deposited.c.usd, 0)
    query = (
        sa.select(Donor, deposited.c.usd)
        .join(Organisation, Organisation.id == Donor.organisation_id)
        .outerjoin(deposited, deposited.c.donor_id == Donor.id)
        .where(contributions.donors_with_agreements())
        .order_by(usd.desc(), Organisation.name, Donor.id)
    )
    pagination = contributions.paginate_ranked(
        query, contributions.count_donors_with_agreements(), page, per_page, max_per_page=per_page, rows=True
    )
    donors = [donor for donor, _usd in pagination.items]
    deposits = {donor.id: total for donor, total in pagination.items}
    ids = [d.id for d in donors]
    agreements = db.session.execute(
        sa.select(Agreement.id, Agreement.donor_id, Agreement.committed_amount, Agreement.currency).where(
            Agreement.donor_id.in_(ids)
        )
    ).all()
    paid = contributions.paid_by_agreement([a.id for a in agreements])
    rates = contributions.latest_rates()
    committed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for agreement in agreements:
        paid_orig, paid_usd = paid.get(agreement.id, (ZERO, ZERO))
        outstanding = max(agreement.committed_amount - paid_orig, ZERO)
        rate = rates.get(agreement.currency)
        committed[agreement.donor_id] += paid_usd + (
            contributions.to_usd(outstanding, rate) if outstanding and rate else ZERO
        )
    rows = [(d.name, committed[d.id], to_money(deposits.get(d.id) or 0)) for d in donors]
    return rows, pagination


def regions_in_use() -> list[tuple[str, str]]:
    """(M49 code, name) of the regions of funded programmes' countries, for the filter."""
    return concept_notes.note_regions(funded_note_ids())


# The CSV tables: the numbers behind each table and chart of the page ------------------------------------

#: The tables the page offers as CSV, by the name in their URL.
TABLES = ("statement", "contributors", "areas", "organisations", "regions", "programmes")
MONEY_HEADINGS = [f"{label} (USD)" for _key, label in MONEY_COLUMNS]
PROGRAMME_HEADINGS = [
    "Reference",
    "Concept note",
    "Title",
    "Thematic area",
    "Countries",
    "Region",
    "Participating organizations",
    "Start",
    "End",
    "Budget (USD)",
    *MONEY_HEADINGS,
]


def _programme_row(p: PublicProgramme) -> list[Any]:
    return [
        p.reference,
        p.note_reference,
        p.title,
        p.area_code,
        "; ".join(name for _code, name in p.countries),
        p.region,
        "; ".join(code for code, _name in p.organisations),
        p.starts_on,
        p.ends_on,
        p.budget,
        *p.money.values(),
    ]


def _breakdown_table(table: str) -> tuple[str, list[BreakdownRow]]:
    if table == "organisations":
        return "Participating organization", by_organisation()
    if table == "areas":
        return "Thematic area", by_area()
    return "Region", by_region()


def csv_table(table: str, filters: ProgrammeFilters | None = None) -> tuple[str, list[str], Iterable[list[Any]]]:
    """(file name, header, rows) of one of the page's TABLES as of today; the programmes table takes the
    list's filters, and its rows are a generator over batches."""
    today = clock.today()
    if table == "statement":
        status = ledger.funding_status(today)
        rows = [[section, label, value, kind] for section, lines in status.sections() for label, value, kind in lines]
        return f"funding-status-{today}.csv", ["Section", "Line", "Value", "Unit"], rows
    if table == "contributors":
        rows = [list(row) for row in contributions.capitalization().by_donor]
        return f"contributors-{today}.csv", ["Contributor", "Commitments (USD)", "Deposits (USD)"], rows
    if table == "programmes":
        rows = (_programme_row(p) for p in iter_programmes(filters))  # read as the download is written
        return f"joint-programmes-{today}.csv", PROGRAMME_HEADINGS, rows
    label, breakdown = _breakdown_table(table)
    rows = [[r.label, r.programmes, *r.money.values()] for r in breakdown]
    return f"{table}-{today}.csv", [label, "Joint programmes", *MONEY_HEADINGS], rows
