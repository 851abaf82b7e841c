"""Joint programme business rules: creation from the funded note, budget by UN category, tranches,
expenditure, refunds, delivery and the lifecycle; the portfolio and the programme page. Flush, never commit;
every money event goes through the fund ledger (`fundapp.contributions.ledger`) with ``programme_id`` = the
programme (document) id. Results frameworks, progress reports and alignment are in `reporting`.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import astuple, dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, defaultload, joinedload, selectinload

from fundapp.auth.models import Organisation, User, UserRole
from fundapp.committee import pipeline
from fundapp.committee.models import JointProgrammeDocument, ProgrammeBudgetLine, programme_reference
from fundapp.committee.models import programme_label as label_of
from fundapp.concept_notes.models import (
    LONG_TEXTS,
    ConceptNote,
    Participant,
    concept_note_countries,
    note_reference,
)
from fundapp.contributions import ledger
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core import cache, search
from fundapp.core.args import as_id
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, NotAllowed, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.i18n import DEFAULT_LANGUAGE, _, force_locale
from fundapp.core.locks import lock_keys, lock_row
from fundapp.core.money import CENTS, MoneyInputError, money_str, parse_money, split_by_weights, to_money
from fundapp.core.permissions import Role
from fundapp.notifications import discussions
from fundapp.programmes import permissions, reporting
from fundapp.programmes.models import (
    AlignmentAssessment,
    BudgetCategory,
    BudgetItem,
    ExpenditureKind,
    ExpenditureReport,
    JointProgramme,
    ProgrammeIndicator,
    ProgrammeMessage,
    ProgrammeOutcome,
    ProgrammeOutput,
    ProgressReport,
    Tranche,
)
from fundapp.programmes.texts import amount as _amount_text
from fundapp.programmes.texts import decimal, long_date
from fundapp.programmes.workflow import (
    ACTIVE,
    APPROVED,
    FINANCIALLY_CLOSED,
    OPERATIONALLY_CLOSED,
    PIPELINE,
    PROGRAMME,
    REPORT_APPROVED,
    SPENDING_STATES,
    STATUS_LABELS,
    TRANSFER_STATES,
)
from fundapp.reference import services as reference
from fundapp.reference.models import Country, Region, ThematicArea

ZERO = Decimal("0.00")
DEFAULT_MIN_SPENT = Decimal("70.00")


# Creation -----------------------------------------------------------------------------------------


def _new_programme(document: JointProgrammeDocument, on: date) -> JointProgramme:
    note = document.concept_note or db.session.get(ConceptNote, document.concept_note_id)
    programme = JointProgramme(
        id=document.id,
        title=note.title or note.reference,
        national_partners=note.government_partners or "",
        approved_on=on,
    )
    programme.status = None  # type: ignore[assignment]  # the creation transition sets it
    db.session.add(programme)
    return programme


def prepare_programme(actor: User | None, document: JointProgrammeDocument, on: date) -> JointProgramme:
    """The full programme document of a note made ready for implementation (idempotent): status pipeline,
    so its budget by category and results framework can be completed before the committee funds it."""
    programme = db.session.get(JointProgramme, document.id)
    if programme is None:
        programme = _new_programme(document, on)
        PROGRAMME.fire(programme, "prepare", actor)
    return programme


def start_programme(actor: User | None, document: JointProgrammeDocument, on: date) -> JointProgramme:
    """The programme record of a funded document (idempotent): a prepared one moves from pipeline to approved;
    otherwise it is created with title, partners and dates from the note."""
    programme = db.session.get(JointProgramme, document.id)
    if programme is not None:
        if programme.status == PIPELINE:
            programme.approved_on = on
            PROGRAMME.fire(programme, "fund", actor)
        return programme
    programme = _new_programme(document, on)
    PROGRAMME.fire(programme, "approve", actor)
    return programme


def on_document_approved(document: JointProgrammeDocument, actor: User | None, on: date) -> None:
    """Receiver of document_approved: the committee approved the document (the note is ready for implementation)."""
    prepare_programme(actor, document, on)


def on_funding(document: JointProgrammeDocument, actor: User | None, on: date) -> None:
    """Receiver of funding_approved: the committee's funding decision is allocated."""
    start_programme(actor, document, on)


def programme_guard(programme_id: int) -> None:
    """Ledger guard: no money event may touch a financially closed programme."""
    status = db.session.scalar(sa.select(JointProgramme.status).where(JointProgramme.id == programme_id))
    if status == FINANCIALLY_CLOSED:
        raise ledger.LedgerError(
            _(
                "%(reference)s is financially closed; no money event can touch it any more.",
                reference=programme_reference(programme_id),
            ),
            field="amount",
        )


def programme_label(programme_id: int) -> str | None:
    """'JP-0007 (CN-0037) Title'. In a request every programme is read once (one query, however many rows a table
    labels)."""
    query = sa.select(JointProgramme.id, JointProgramme.title, JointProgrammeDocument.concept_note_id).join(
        JointProgrammeDocument, JointProgrammeDocument.id == JointProgramme.id
    )
    if has_request_context():
        if "programme_titles" not in g:
            g.programme_titles = {pid: (title, note_id) for pid, title, note_id in db.session.execute(query)}
        found = g.programme_titles.get(programme_id)
    else:
        found = db.session.execute(query.where(JointProgramme.id == programme_id)).one_or_none()
        found = found[1:] if found else None
    if not found:
        return None
    title, note_id = found
    return label_of(programme_id, note_reference(note_id), title)


def load(programme_id: int) -> JointProgramme | None:
    return db.session.scalar(
        sa.select(JointProgramme)
        .where(JointProgramme.id == programme_id)
        .options(
            selectinload(JointProgramme.document).selectinload(JointProgrammeDocument.budget_lines),
            selectinload(JointProgramme.document)
            .selectinload(JointProgrammeDocument.concept_note)
            .selectinload(ConceptNote.countries)
            .selectinload(Country.region),
            selectinload(JointProgramme.document)
            .selectinload(JointProgrammeDocument.concept_note)
            .selectinload(ConceptNote.participants)
            .selectinload(Participant.organisation),
            selectinload(JointProgramme.document)
            .selectinload(JointProgrammeDocument.concept_note)
            .selectinload(ConceptNote.objectives),
            selectinload(JointProgramme.budget_items),
            selectinload(JointProgramme.tranches),
        )
    )


# Budget -------------------------------------------------------------------------------------------


def isc_rate() -> Decimal:
    fund = reference.get_fund()
    return fund.indirect_support_cost_rate if fund else Decimal("0")


def indirect_costs(direct: Decimal, rate: Decimal) -> Decimal:
    """Indirect support costs on direct costs, rounded half up to the cent."""
    return (to_money(direct) * rate).quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass
class BudgetRow:
    organisation: Organisation
    #: The approved budget (the committee document's line): direct plus indirect costs.
    approved: Decimal
    categories: dict[BudgetCategory, Decimal] = field(default_factory=dict)
    rate: Decimal = Decimal("0")

    @property
    def direct(self) -> Decimal:
        return sum(self.categories.values(), ZERO)

    @property
    def indirect(self) -> Decimal:
        return indirect_costs(self.direct, self.rate)

    @property
    def total(self) -> Decimal:
        return self.direct + self.indirect

    @property
    def has_breakdown(self) -> bool:
        return bool(self.categories)

    @property
    def matches(self) -> bool:
        return self.has_breakdown and self.total == self.approved


@dataclass
class Budget:
    rows: list[BudgetRow]
    rate: Decimal

    def category_total(self, category: BudgetCategory) -> Decimal:
        return sum((r.categories.get(category, ZERO) for r in self.rows), ZERO)

    @property
    def direct(self) -> Decimal:
        return sum((r.direct for r in self.rows), ZERO)

    @property
    def indirect(self) -> Decimal:
        return sum((r.indirect for r in self.rows), ZERO)

    @property
    def approved(self) -> Decimal:
        return sum((r.approved for r in self.rows), ZERO)


def budget(programme: JointProgramme, organisations: dict[int, Organisation] | None = None) -> Budget:
    rate = isc_rate()
    rows: dict[int, BudgetRow] = {}
    for line in programme.document.budget_lines:
        rows[line.organisation_id] = BudgetRow(line.organisation, line.amount, rate=rate)
    for item in programme.budget_items:
        if item.organisation_id in rows:
            rows[item.organisation_id].categories[item.category] = item.amount
    return Budget(list(rows.values()), rate)


def save_budget(
    actor: User, programme: JointProgramme, organisation_id: int, amounts: Mapping[str, Decimal | str | None]
) -> BudgetRow:
    """Set an organization's direct costs by UN category; its approved budget becomes direct + ISC.

    Refused below what the organization has already received, and (once funded) above the programme's
    net allocation in total.
    """
    if programme.status == FINANCIALLY_CLOSED:
        raise DomainError(_("The programme is financially closed."))
    if organisation_id not in programme.participating_ids:
        raise DomainError(_("Budgets go to the programme's participating organizations only."), field="organisation")
    errors: dict[str, list[str]] = {}
    values: dict[BudgetCategory, Decimal] = {}
    for category in BudgetCategory:
        raw = amounts.get(category.value)
        try:
            value = parse_money(raw or 0, negative=True)
        except MoneyInputError as exc:
            errors.setdefault(category.value, []).append(str(exc))
            continue
        if value < 0:
            errors.setdefault(category.value, []).append(_("Cannot be negative."))
        values[category] = value
    if errors:
        raise ValidationFailed(errors)
    lock_keys(ledger.programme_key(programme.id))  # the transfers and allocation it is checked against
    rate = isc_rate()
    direct = sum(values.values(), ZERO)
    if direct <= 0:
        raise DomainError(_("Give the direct costs in at least one category."), field=BudgetCategory.staff.value)
    total = direct + indirect_costs(direct, rate)
    flows = money_flows([programme.id])[programme.id]
    received = flows.get(organisation_id, OrgFlow()).net_transferred
    if total < received:
        raise DomainError(
            _(
                "The organization has already received US$ %(received)s; its budget cannot be lower.",
                received=_amount_text(received),
            ),
            field=BudgetCategory.staff.value,
        )
    others = sum(
        (line.amount for line in programme.document.budget_lines if line.organisation_id != organisation_id), ZERO
    )
    allocated = net_allocation(programme.id)
    if allocated > 0 and others + total > allocated:
        raise DomainError(
            _(
                "The programme's budget would be US$ %(total)s, above its allocation of US$ %(allocated)s.",
                total=_amount_text(others + total),
                allocated=_amount_text(allocated),
            ),
            field=BudgetCategory.staff.value,
        )
    existing = {(i.organisation_id, i.category): i for i in programme.budget_items}
    for category, value in values.items():
        item = existing.get((organisation_id, category))
        if item is None:
            programme.budget_items.append(BudgetItem(organisation_id=organisation_id, category=category, amount=value))
        else:
            item.amount = value
    line = next((x for x in programme.document.budget_lines if x.organisation_id == organisation_id), None)
    before = line.amount if line else ZERO
    if line is None:
        programme.document.budget_lines.append(ProgrammeBudgetLine(organisation_id=organisation_id, amount=total))
    else:
        line.amount = total
    db.session.flush()
    record_change(
        actor,
        "programmes.budget_saved",
        "joint_programmes",
        programme.id,
        {
            "organisation_id": organisation_id,
            "direct": f"{direct:.2f}",
            "indirect": f"{total - direct:.2f}",
            "total": {"from": f"{before:.2f}", "to": f"{total:.2f}"},
        },
    )
    db.session.expire(programme.document, ["budget_lines"])
    return next(r for r in budget(programme).rows if r.organisation.id == organisation_id)


# Money flows --------------------------------------------------------------------------------------


@dataclass
class OrgFlow:
    budget: Decimal = ZERO
    allocated: Decimal = ZERO
    transferred: Decimal = ZERO
    refunded: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def net_transferred(self) -> Decimal:
        """The net funded amount: transfers less refunds."""
        return self.transferred - self.refunded

    @property
    def balance(self) -> Decimal:
        return self.net_transferred - self.spent

    @property
    def delivery_rate(self) -> Decimal | None:
        """Expenditure ÷ net funded amount, in percent (None before any transfer)."""
        if self.net_transferred <= 0:
            return None
        return (self.spent * 100 / self.net_transferred).quantize(CENTS, rounding=ROUND_HALF_UP)

    def add(self, other: "OrgFlow") -> None:
        self.budget += other.budget
        self.allocated += other.allocated
        self.transferred += other.transferred
        self.refunded += other.refunded
        self.spent += other.spent


_FLOW_FIELD = {
    EntryKind.allocation: "allocated",
    EntryKind.transfer: "transferred",
    EntryKind.refund: "refunded",
    EntryKind.expenditure: "spent",
}


def _ledger_sums(ids: list[int], categories: list[EntryKind]) -> sa.Result:
    """(programme id, organization id, category, sum in USD) of these programmes' ledger rows (reversals netted)."""
    return db.session.execute(
        sa.select(
            LedgerEntry.programme_id,
            LedgerEntry.organisation_id,
            LedgerEntry.category,
            sa.func.sum(LedgerEntry.amount_usd),
        )
        .where(LedgerEntry.programme_id.in_(ids), LedgerEntry.category.in_(categories))
        .group_by(LedgerEntry.programme_id, LedgerEntry.organisation_id, LedgerEntry.category)
    )


def money_flows(programme_ids: Iterable[int]) -> dict[int, dict[int | None, OrgFlow]]:
    """Per programme, per organization: ledger sums (reversals netted), the approved budget and the
    organization's share of the allocation (see allocation_shares), in two queries."""
    ids = list(programme_ids)
    result: dict[int, dict[int | None, OrgFlow]] = {pid: defaultdict(OrgFlow) for pid in ids}
    if not ids:
        return result
    rows = _ledger_sums(ids, list(_FLOW_FIELD))
    booked: dict[int, dict[int | None, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for pid, org_id, category, total in rows:
        if category is EntryKind.allocation:
            booked[pid][org_id] += to_money(total or 0)
            continue
        flow = result[pid][org_id]
        setattr(flow, _FLOW_FIELD[category], getattr(flow, _FLOW_FIELD[category]) + to_money(total or 0))
    budgets = _budget_weights(ids)
    for pid, org_id, amount in budgets:
        result[pid][org_id].budget = to_money(amount)
    for pid, shares in split_allocations(booked, budgets).items():
        for org_id, share in shares.items():
            result[pid][org_id].allocated += share
    return result


def transfer_flows(programme_ids: Iterable[int]) -> dict[int, dict[int | None, OrgFlow]]:
    """money_flows without the budgets and the allocation split (one query): what the tranche conditions read
    (transferred, refunded, spent: the delivery rate), for many tranches at once."""
    ids = list(programme_ids)
    result: dict[int, dict[int | None, OrgFlow]] = {pid: defaultdict(OrgFlow) for pid in ids}
    if not ids:
        return result
    fields = {kind: name for kind, name in _FLOW_FIELD.items() if kind is not EntryKind.allocation}
    rows = _ledger_sums(ids, list(fields))
    for pid, org_id, category, total in rows:
        flow = result[pid][org_id]
        setattr(flow, fields[category], getattr(flow, fields[category]) + to_money(total or 0))
    return result


def _budget_weights(programme_ids: Iterable[int] | None) -> list[tuple[int, int, Decimal]]:
    """(programme id, organisation id, approved budget) of the budget lines, in line order (one query)."""
    query = sa.select(
        ProgrammeBudgetLine.document_id, ProgrammeBudgetLine.organisation_id, ProgrammeBudgetLine.amount
    ).order_by(ProgrammeBudgetLine.document_id, ProgrammeBudgetLine.id)
    if programme_ids is not None:
        query = query.where(ProgrammeBudgetLine.document_id.in_(list(programme_ids)))
    return [(pid, org_id, to_money(amount)) for pid, org_id, amount in db.session.execute(query)]


def split_allocations(
    booked: Mapping[int, Mapping[int | None, Decimal]], budgets: Iterable[tuple[int, int, Decimal]]
) -> dict[int, dict[int | None, Decimal]]:
    """Each programme's net allocation split among its participating organizations by their approved budgets.

    `booked`: per programme, the allocation as the ledger books it (per organization named by the row);
    `budgets`: (programme, organization, approved budget) lines. The split is by the largest remainder,
    so the shares add up to the allocation to the cent; a programme with no budget keeps the booking.
    """
    weights: dict[int, dict[int | None, Decimal]] = defaultdict(dict)
    for pid, org_id, amount in budgets:
        weights[pid][org_id] = amount
    result: dict[int, dict[int | None, Decimal]] = {}
    for pid, by_org in booked.items():
        total = sum(by_org.values(), ZERO)
        shares = split_by_weights(total, weights.get(pid, {}))
        result[pid] = shares if shares else {org_id: to_money(v) for org_id, v in by_org.items()}
    return result


def allocation_shares(
    programme_ids: Iterable[int] | None = None, as_of: date | None = None
) -> dict[int, dict[int | None, Decimal]]:
    """Per programme, each participating UN organization's share of its net allocation (two queries).

    The steering committee allocates to the joint programme and the ledger books the allocation against the
    convening organization; each participating organization's allocation (the fund's commitment to it) is
    its share of the approved budget (the programme document's budget lines) applied to the programme's
    net allocation, by the largest remainder, so the shares add up to the allocation exactly. A programme
    without a budget keeps the ledger's booking (key None when the row names no organization). With
    `as_of`, the allocations dated up to that day. Every channel (transparency page and CSV, annual report,
    API, IATI) takes organizations' allocations from here.
    """
    ids = None if programme_ids is None else list(programme_ids)
    query = (
        sa.select(LedgerEntry.programme_id, LedgerEntry.organisation_id, sa.func.sum(LedgerEntry.amount_usd))
        .where(LedgerEntry.programme_id.is_not(None), LedgerEntry.category == EntryKind.allocation)
        .group_by(LedgerEntry.programme_id, LedgerEntry.organisation_id)
    )
    if ids is not None:
        query = query.where(LedgerEntry.programme_id.in_(ids))
    if as_of is not None:
        query = query.where(LedgerEntry.entry_on <= as_of)
    booked: dict[int, dict[int | None, Decimal]] = defaultdict(dict)
    for pid, org_id, total in db.session.execute(query):
        booked[pid][org_id] = to_money(total or 0)
    if not booked:
        return {}
    return split_allocations(booked, _budget_weights(ids))


def allocations_by_organisation(as_of: date | None = None) -> dict[int | None, Decimal]:
    """Organisation id -> the sum of its shares of every programme's net allocation (see allocation_shares)."""
    totals: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    for shares in allocation_shares(as_of=as_of).values():
        for org_id, share in shares.items():
            totals[org_id] += share
    return dict(totals)


def programme_total(flows: dict[int | None, OrgFlow]) -> OrgFlow:
    total = OrgFlow()
    for flow in flows.values():
        total.add(flow)
    return total


def net_allocation(programme_id: int) -> Decimal:
    totals = ledger.category_totals(programme_id=programme_id)
    return totals[EntryKind.allocation] - totals[EntryKind.refund]


def _amount(value: Decimal | str | None) -> Decimal:
    """An amount given to a money service: exact cents (core.money's rule) or a message next to the field."""
    try:
        return parse_money(value if value not in (None, "") else 0)
    except MoneyInputError as exc:
        raise DomainError(str(exc), field="amount") from exc


# Tranches -----------------------------------------------------------------------------------------


def plan_tranche(
    actor: User,
    programme: JointProgramme,
    organisation_id: int,
    planned_on: date,
    amount: Decimal | str,
    needs_report_approved: bool = False,
    min_spent_percent: Decimal | str | None = None,
) -> Tranche:
    """A planned tranche; the organization's planned tranches never add up to more than its approved budget."""
    if programme.status not in TRANSFER_STATES:
        raise DomainError(_("Tranches are planned while the programme is approved or active."))
    line = next((x for x in programme.document.budget_lines if x.organisation_id == organisation_id), None)
    if line is None:
        raise DomainError(_("The organization has no approved budget in this programme."), field="organisation")
    value = _amount(amount)
    if value <= 0:
        raise DomainError(_("The amount must be more than zero."), field="amount")
    lock_keys(ledger.programme_key(programme.id))  # two plans at once cannot both fit the budget
    planned = to_money(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Tranche.amount), 0)).where(
                Tranche.programme_id == programme.id, Tranche.organisation_id == organisation_id
            )
        )
        or 0
    )
    if planned + value > line.amount:
        raise DomainError(
            _(
                "Tranches to %(organization)s would total US$ %(total)s, above its approved budget of US$ %(budget)s.",
                organization=line.organisation.code,
                total=_amount_text(planned + value),
                budget=_amount_text(line.amount),
            ),
            field="amount",
        )
    share = None
    if min_spent_percent not in (None, ""):
        share = Decimal(str(min_spent_percent)).quantize(CENTS)
        if not (0 <= share <= 100):
            raise DomainError(_("A percentage between 0 and 100."), field="min_spent_percent")
    tranche = Tranche(
        organisation_id=organisation_id,
        planned_on=planned_on,
        amount=value,
        needs_report_approved=bool(needs_report_approved),
        min_spent_percent=share,
    )
    programme.tranches.append(tranche)
    db.session.flush()
    record_change(
        actor,
        "programmes.tranche_planned",
        "programme_tranches",
        tranche.id,
        {"programme_id": programme.id, "organisation_id": organisation_id, "amount": f"{value:.2f}"},
    )
    return tranche


def unmet_conditions(
    tranche: Tranche, flow: OrgFlow, on: date, report_statuses: Mapping[str, str] | None = None
) -> list[str]:
    """Why the tranche cannot be released now (empty when every condition is met).

    `report_statuses`: the programme's report status by period when the caller has them (no query then).
    """
    reasons = []
    if tranche.min_spent_percent is not None and flow.net_transferred > 0:
        rate = flow.delivery_rate or ZERO
        if rate < tranche.min_spent_percent:
            reasons.append(
                _(
                    "%(organization)s has spent %(rate)s%% of the US$ %(received)s it received; this tranche needs "
                    "%(needed)s%%.",
                    organization=tranche.organisation.code,
                    rate=decimal(rate),
                    received=_amount_text(flow.net_transferred),
                    needed=decimal(tranche.min_spent_percent),
                )
            )
    if tranche.needs_report_approved:
        reason = reporting.report_condition(tranche.programme, on, report_statuses)
        if reason:
            reasons.append(reason)
    return reasons


def release_blockers(tranche: Tranche, on: date) -> list[str]:
    """Why a pending tranche could not be released on that date (empty when it can, or once released)."""
    if tranche.is_released:
        return []
    flow = money_flows([tranche.programme_id])[tranche.programme_id][tranche.organisation_id]
    return unmet_conditions(tranche, flow, on)


def release_tranche(actor: User, tranche: Tranche, on: date, justification: str = "") -> Tranche:
    """Transfer the tranche through the ledger. A blocked tranche only by the chair, with a justification.

    Locks the tranche (released once, whatever the concurrency) and the programme's money, then re-checks.
    """
    tranche = lock_row(Tranche, tranche.id) or tranche
    programme = tranche.programme
    if tranche.is_released:
        raise DomainError(_("The tranche has already been released."))
    if programme.status not in TRANSFER_STATES:
        raise DomainError(_("Transfers go out only while the programme is approved or active."))
    lock_keys(ledger.programme_key(programme.id))
    ledger.check_postable(on, field="released_on", what="A transfer")
    flows = money_flows([programme.id])[programme.id]
    flow = flows[tranche.organisation_id]
    reasons = unmet_conditions(tranche, flow, on)
    justification = (justification or "").strip()
    roles = actor.role_names
    if reasons:
        if Role.committee_chair.value not in roles:
            raise NotAllowed(
                _(
                    "Blocked: %(reasons)s Only the chair can release it, with a justification.",
                    reasons=" ".join(reasons),
                )
            )
        if not justification:
            raise DomainError(_("Record the justification for releasing a blocked tranche."), field="justification")
    elif not roles & {Role.secretariat.value, Role.committee_chair.value}:
        raise NotAllowed(_("Only the secretariat releases tranches."))
    if flow.net_transferred + tranche.amount > flow.budget:
        raise DomainError(
            _(
                "A transfer of US$ %(amount)s would bring %(organization)s above its approved budget of US$ "
                "%(budget)s (US$ %(received)s received).",
                amount=_amount_text(tranche.amount),
                organization=tranche.organisation.code,
                budget=_amount_text(flow.budget),
                received=_amount_text(flow.net_transferred),
            ),
            field="amount",
        )
    entry = ledger.post_transfer(
        actor,
        tranche.amount,
        programme.id,
        tranche.organisation_id,
        on,
        description=f"{programme.reference} tranche to {tranche.organisation.code}",
    )
    tranche.released_on = on
    tranche.released_by_id = actor.id
    tranche.ledger_entry_id = entry.id
    tranche.override_justification = justification if reasons else ""
    tranche.unmet_at_release = " ".join(reasons)
    db.session.flush()
    record_change(
        actor,
        "programmes.tranche_released",
        "programme_tranches",
        tranche.id,
        {"amount": f"{tranche.amount:.2f}", "override": bool(reasons), "justification": justification or None},
    )
    if programme.status == APPROVED:
        PROGRAMME.fire(programme, "activate", actor)
    return tranche


# Expenditure and refunds --------------------------------------------------------------------------


def certification_deadline(year: int, month_day: str | None = None) -> date:
    """Final expenditure for a year is certified by this date of the next year (FundSettings, default 30 April;
    `month_day`: the setting already read, for a list of years)."""
    month, day = (int(x) for x in (month_day or _deadline_month_day()).split("-"))
    return date(year + 1, month, day)


def _deadline_month_day() -> str:
    fund = reference.get_fund()
    return (fund.year_end_expenditure_deadline if fund else None) or "04-30"


def _certified(programme_id: int, organisation_id: int, year: int) -> ExpenditureReport | None:
    return db.session.scalar(
        sa.select(ExpenditureReport).where(
            ExpenditureReport.programme_id == programme_id,
            ExpenditureReport.organisation_id == organisation_id,
            ExpenditureReport.year == year,
            ExpenditureReport.kind == ExpenditureKind.final,
        )
    )


def record_expenditure(
    actor: User, programme: JointProgramme, organisation_id: int, year: int, kind: str, amount: Decimal | str, on: date
) -> ExpenditureReport:
    """Interim expenditure (an amount spent, any time) or the certified final figure for a year.

    A final report gives the year's certified total; the ledger receives what exceeds the interim figures.
    Never above what the organization holds for the programme (the ledger refuses); a certified year is closed.
    """
    if programme.status not in SPENDING_STATES:
        raise DomainError(_("Expenditure is reported while the programme is active or operationally closed."))
    lock_keys(ledger.programme_key(programme.id))  # the balance and the year's certification, re-read below
    ledger.check_postable(on, field="reported_on", what="Expenditure")
    kind_value = ExpenditureKind(kind)
    if organisation_id not in programme.participating_ids:
        raise DomainError(_("Not a participating organization of this programme."), field="organisation")
    first = programme.document.starts_on.year
    if not (first <= year <= on.year):
        raise DomainError(_("A year from %(first)s to %(last)s.", first=first, last=on.year), field="year")
    if _certified(programme.id, organisation_id, year) is not None:
        raise DomainError(_("The %(year)s expenditure is already certified final.", year=year), field="year")
    value = _amount(amount)
    if kind_value is ExpenditureKind.interim:
        if value <= 0:
            raise DomainError(_("The amount must be more than zero."), field="amount")
        added, certified = value, None
    else:
        if value < 0:
            raise DomainError(_("The amount cannot be negative."), field="amount")
        interim = to_money(
            db.session.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(ExpenditureReport.amount), 0)).where(
                    ExpenditureReport.programme_id == programme.id,
                    ExpenditureReport.organisation_id == organisation_id,
                    ExpenditureReport.year == year,
                )
            )
            or 0
        )
        if value < interim:
            raise DomainError(
                _(
                    "Interim figures for %(year)s already total US$ %(interim)s; the certified figure cannot be "
                    "lower. Reverse the interim ledger entries first.",
                    year=year,
                    interim=_amount_text(interim),
                ),
                field="amount",
            )
        added, certified = value - interim, value
    entry = None
    if added > 0:
        entry = ledger.post_expenditure(
            actor,
            added,
            programme.id,
            organisation_id,
            on,
            description=f"{programme.reference} {year} expenditure ({kind_value.value})",
        )
    report = ExpenditureReport(
        programme_id=programme.id,
        organisation_id=organisation_id,
        year=year,
        kind=kind_value,
        amount=added,
        certified_total=certified,
        reported_on=on,
        ledger_entry_id=entry.id if entry else None,
        created_by_id=actor.id,
    )
    db.session.add(report)
    db.session.flush()
    record_change(
        actor,
        "programmes.expenditure_reported",
        "programme_expenditure_reports",
        report.id,
        {
            "year": year,
            "kind": kind_value.value,
            "posted": f"{added:.2f}",
            "certified_total": certified and f"{certified:.2f}",
        },
    )
    return report


def record_refund(
    actor: User, programme: JointProgramme, organisation_id: int, amount: Decimal | str, on: date
) -> list[LedgerEntry]:
    """An unspent balance returned by an organization, credited back to the pools (ledger.post_refund)."""
    if programme.status not in SPENDING_STATES:
        raise DomainError(_("Refunds are recorded while the programme is active or operationally closed."))
    if organisation_id not in programme.participating_ids:
        raise DomainError(_("Not a participating organization of this programme."), field="organisation")
    ledger.check_postable(on, field="refunded_on", what="A refund")
    return ledger.post_refund(
        actor, amount, programme.id, organisation_id, on, description=f"{programme.reference} unspent balance refunded"
    )


def expenditure_reports(programme_id: int) -> list[ExpenditureReport]:
    return list(
        db.session.scalars(
            sa.select(ExpenditureReport)
            .where(ExpenditureReport.programme_id == programme_id)
            .order_by(ExpenditureReport.year, ExpenditureReport.organisation_id, ExpenditureReport.id)
        )
    )


@dataclass
class Certification:
    organisation: Organisation
    year: int
    deadline: date
    certified_on: date | None

    @property
    def late(self) -> bool:
        return self.certified_on is not None and self.certified_on > self.deadline

    def overdue(self, today: date) -> bool:
        return self.certified_on is None and today > self.deadline


def certifications(
    programme: JointProgramme,
    today: date,
    flows: dict[int | None, OrgFlow] | None = None,
    reports: list[ExpenditureReport] | None = None,
) -> list[Certification]:
    """Each organization that received money × each year from its first tranche up to the last ended one (`flows`
    and `reports`: the programme's money_flows() and expenditure_reports() when the caller has read them)."""
    if flows is None:
        flows = money_flows([programme.id])[programme.id]
    if reports is None:
        reports = expenditure_reports(programme.id)
    orgs = {line.organisation_id: line.organisation for line in programme.document.budget_lines}
    finals = {(r.organisation_id, r.year): r.reported_on for r in reports if r.kind is ExpenditureKind.final}
    month_day = _deadline_month_day()
    last = min(programme.document.ends_on.year, today.year - 1)
    if programme.status in (OPERATIONALLY_CLOSED, FINANCIALLY_CLOSED):
        last = max(last, min(programme.document.ends_on.year, today.year))
    first_transfer: dict[int, int] = {}
    for tranche in programme.tranches:
        if tranche.released_on is not None:
            year = tranche.released_on.year
            first_transfer[tranche.organisation_id] = min(first_transfer.get(tranche.organisation_id, year), year)
    rows = []
    for org_id, org in orgs.items():
        if flows.get(org_id, OrgFlow()).transferred <= 0:
            continue
        start = first_transfer.get(org_id, programme.document.starts_on.year)
        for year in range(start, last + 1):
            rows.append(Certification(org, year, certification_deadline(year, month_day), finals.get((org_id, year))))
    return rows


# Lifecycle ----------------------------------------------------------------------------------------


def close_operationally(actor: User, programme: JointProgramme, report_on: date, summary: str, today: date) -> None:
    """End date passed and the final narrative report received."""
    if today <= programme.document.ends_on:
        raise DomainError(_("The programme runs until %(date)s.", date=long_date(programme.document.ends_on)))
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(_("Summarise the final narrative report."), field="summary")
    if report_on > today:
        raise DomainError(_("The report cannot be received in the future."), field="report_on")
    programme.final_report_on = report_on
    programme.final_report_summary = summary
    PROGRAMME.fire(programme, "close_operationally", actor, f"Final narrative report received {report_on:%d %B %Y}")


def closure_blockers(programme: JointProgramme, today: date) -> list[str]:
    """What still stands between an operationally closed programme and its financial closure."""
    blockers = []
    flows = money_flows([programme.id])[programme.id]
    for row in certifications(programme, max(today, date(programme.document.ends_on.year + 1, 1, 1))):
        if row.certified_on is None:
            blockers.append(
                _(
                    "%(organization)s: %(year)s expenditure not certified final.",
                    organization=row.organisation.code,
                    year=row.year,
                )
            )
    for org_id, flow in flows.items():
        if org_id is not None and flow.balance != 0:
            org = db.session.get(Organisation, org_id)
            blockers.append(
                _(
                    "%(organization)s: unspent balance of US$ %(balance)s not refunded.",
                    organization=org.code,
                    balance=_amount_text(flow.balance),
                )
            )
    return blockers


def close_financially(actor: User, programme: JointProgramme, today: date) -> None:
    if programme.status != OPERATIONALLY_CLOSED:
        raise DomainError(_("Close the programme operationally first."))
    lock_keys(ledger.programme_key(programme.id))  # no money event slips in between the check and the closure
    blockers = closure_blockers(programme, today)
    if blockers:
        raise DomainError(_("Cannot close financially: %(blockers)s", blockers=" ".join(blockers)))
    PROGRAMME.fire(programme, "close_financially", actor, "Final expenditure certified, balances refunded")


# Public summary -----------------------------------------------------------------------------------


def area_money() -> dict[str, dict[str, str]]:
    """Thematic area code → money transferred to and spent by its programmes (net of refunds and
    reversals; money strings), in one aggregate query."""
    rows = db.session.execute(
        sa.select(ThematicArea.code, LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd))
        .join(JointProgrammeDocument, JointProgrammeDocument.id == LedgerEntry.programme_id)
        .join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
        .join(ThematicArea, ThematicArea.id == ConceptNote.thematic_area_id)
        .where(LedgerEntry.category.in_([EntryKind.transfer, EntryKind.refund, EntryKind.expenditure]))
        .group_by(ThematicArea.code, LedgerEntry.category)
    )
    totals: dict[str, dict[EntryKind, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for code, category, total in rows:
        totals[code][category] = to_money(total or 0)
    codes = db.session.scalars(sa.select(ThematicArea.code))
    return {
        code: {
            "transfers_usd": money_str(totals[code][EntryKind.transfer] - totals[code][EntryKind.refund]),
            "expenditure_usd": money_str(totals[code][EntryKind.expenditure]),
        }
        for code in codes
    }


# The programme page -------------------------------------------------------------------------------


def programme_page(programme: JointProgramme, today: date) -> dict[str, Any]:
    """Everything the programme page shows (what the reader may do is asked of the permissions in the page)."""
    flows = money_flows([programme.id])[programme.id]
    reports = expenditure_reports(programme.id)
    note = programme.document.concept_note
    outcomes = reporting.framework(programme.id)
    alignment = reporting.latest_alignment([programme.id]).get(programme.id)
    return {
        "programme": programme,
        "note": note,
        "budget": budget(programme),
        "categories": list(BudgetCategory),
        "flows": flows,
        "total": programme_total(flows),
        "tranche_rows": [
            (t, [] if t.is_released else unmet_conditions(t, flows[t.organisation_id], today))
            for t in programme.tranches
        ],
        "expenditures": reports,
        "certifications": certifications(programme, today, flows, reports),
        "timeline": PROGRAMME.timeline(programme.id),
        "today": today,
        "end_date_passed": programme.status == ACTIVE and programme.document.ends_on < today,
        "outcomes": outcomes,
        "progress": reporting.programme_progress(programme.id, outcomes),
        "reporting": reporting.reporting_status(programme, today),
        "alignment": alignment,
        "alignment_chart": reporting.alignment_chart(alignment.principle_scores, reference.guiding_principles())
        if alignment
        else None,
        "alignment_history": reporting.alignment_history(programme.id),
        "self_assessment": reporting.self_assessment(note),
        "closure_blockers": closure_blockers(programme, today) if programme.status == OPERATIONALLY_CLOSED else [],
        "discussion": discussion_counts(programme),
    }


# The portfolio ------------------------------------------------------------------------------------

PER_PAGE = 20


@dataclass
class PortfolioFilters:
    area: str = ""
    region: str = ""
    country: str = ""
    organisation: int | None = None
    status: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "PortfolioFilters":
        """From a query string; unknown values are ignored."""
        org = args.get("organisation", "")
        return cls(
            area=args.get("area", "").strip(),
            region=args.get("region", "").strip(),
            country=args.get("country", "").strip().upper(),
            organisation=as_id(org),
            status=args.get("status", "") if args.get("status", "") in STATUS_LABELS else "",
        )


def _note_in_country(codes: sa.Select | list[str]) -> sa.ColumnElement:
    return sa.exists(
        sa.select(concept_note_countries.c.concept_note_id).where(
            concept_note_countries.c.concept_note_id == JointProgrammeDocument.concept_note_id,
            concept_note_countries.c.country_code.in_(codes),
        )
    )


def _has_org(org_id: int) -> sa.ColumnElement:
    return sa.exists(
        sa.select(ProgrammeBudgetLine.id).where(
            ProgrammeBudgetLine.document_id == JointProgramme.id, ProgrammeBudgetLine.organisation_id == org_id
        )
    )


def _portfolio_filter(filters: PortfolioFilters, user: User) -> sa.Select:
    """Programmes matching the filters (a focal point: only those its organization participates in). The concept
    note is joined for the thematic area only (its wide rows made the count and the breakdown cost ten times more)."""
    q = sa.select(JointProgramme).join(JointProgrammeDocument, JointProgrammeDocument.id == JointProgramme.id)
    if filters.area:
        q = (
            q.join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
            .join(ThematicArea, ThematicArea.id == ConceptNote.thematic_area_id)
            .where(ThematicArea.code == filters.area)
        )
    if filters.status:
        q = q.where(JointProgramme.status == filters.status)
    else:
        # The portfolio is what the fund funded; documents in the pipeline show when asked for.
        q = q.where(JointProgramme.status != PIPELINE)
    if filters.country:
        q = q.where(_note_in_country([filters.country]))
    if filters.region:
        q = q.where(_note_in_country(sa.select(Country.code).where(Country.region_code == filters.region)))
    if not permissions.can_view_all(user):
        q = q.where(_has_org(user.organisation_id))
    if filters.organisation:
        q = q.where(_has_org(filters.organisation))
    return q


def _portfolio_query(filters: PortfolioFilters, user: User) -> sa.Select:
    """Programmes matching the filters (a focal point: only those its organization participates in), with the
    document, budget lines and countries each row shows."""
    return (
        _portfolio_filter(filters, user)
        .order_by(JointProgramme.id)
        .options(
            selectinload(JointProgramme.document).selectinload(JointProgrammeDocument.budget_lines),
            selectinload(JointProgramme.document)
            .selectinload(JointProgrammeDocument.concept_note)
            .selectinload(ConceptNote.countries)
            .selectinload(Country.region),
        )
    )


@dataclass
class PortfolioRow:
    programme: JointProgramme
    flow: OrgFlow

    @property
    def note(self) -> ConceptNote:
        return self.programme.document.concept_note

    @property
    def region(self) -> str:
        return pipeline.region_of(self.note)


def _portfolio_rows(programmes: list[JointProgramme]) -> list[PortfolioRow]:
    flows = money_flows([p.id for p in programmes])
    return [PortfolioRow(p, programme_total(flows[p.id])) for p in programmes]


def _geography(filtered: sa.Select) -> dict[str, list[tuple[str, int, Decimal]]]:
    """(name, programmes, approved budget) per region and per country over the filtered portfolio, in two
    grouped queries whatever its size, each reading the portfolio's programmes, budget lines and countries only.

    A multi-country programme counts once in each of its countries with its whole budget (the fund does not
    split budgets by country), once under Multi-regional when its countries span regions, and under Global
    when it names none (pipeline.region_of, in SQL).
    """
    ids = filtered.with_only_columns(JointProgramme.id).subquery("portfolio_ids")
    total = (
        sa.select(sa.func.sum(ProgrammeBudgetLine.amount))
        .where(ProgrammeBudgetLine.document_id == JointProgrammeDocument.id)
        .scalar_subquery()
    )
    programmes = (
        sa.select(JointProgrammeDocument.id, JointProgrammeDocument.concept_note_id, total.label("total"))
        .join(ids, ids.c.id == JointProgrammeDocument.id)
        .cte("programmes")
        # Computed once (SQLite would otherwise inline it in the by-country join and scan every note's countries).
        .prefix_with("MATERIALIZED")
    )
    # pipeline.note_regions() over the portfolio's notes only (not every note of the fund).
    regions = (
        sa.select(
            concept_note_countries.c.concept_note_id.label("note_id"),
            sa.func.count(sa.distinct(Region.name)).label("count"),
            sa.func.min(Region.name).label("name"),
        )
        .join(Country, Country.code == concept_note_countries.c.country_code)
        .join(Region, Region.code == Country.region_code)
        .where(concept_note_countries.c.concept_note_id.in_(sa.select(programmes.c.concept_note_id)))
        .group_by(concept_note_countries.c.concept_note_id)
        .subquery("note_regions")
    )
    kind = sa.case((regions.c.count.is_(None), 0), (regions.c.count == 1, 1), else_=2)
    single = sa.case((regions.c.count == 1, regions.c.name), else_=None)
    amount = sa.func.sum(sa.func.coalesce(programmes.c.total, 0))
    by_region = db.session.execute(
        sa.select(kind, single, sa.func.count(), amount)
        .select_from(programmes)
        .outerjoin(regions, regions.c.note_id == programmes.c.concept_note_id)
        .group_by(kind, single)
    )
    by_country = db.session.execute(
        sa.select(Country.name, sa.func.count(), amount)
        .select_from(programmes)
        .join(concept_note_countries, concept_note_countries.c.concept_note_id == programmes.c.concept_note_id)
        .join(Country, Country.code == concept_note_countries.c.country_code)
        .group_by(Country.name)
    )
    names = {0: pipeline.GLOBAL, 2: pipeline.MULTI_REGIONAL}
    order = lambda item: (-item[2], item[0])  # noqa: E731
    return {
        "region": sorted(((names.get(k) or n, c, _amount(a)) for k, n, c, a in by_region), key=order),
        "country": sorted(((n, c, _amount(a)) for n, c, a in by_country), key=order),
    }


def _amount(total: Any) -> Decimal:
    """A sum of budget lines (the Money type reads the cents back as an amount), None for none."""
    return to_money(total or 0)


def _filter_options() -> dict[str, list]:
    """The choices of the filters: what the portfolio can be filtered by (each country and region a probe of the
    notes' countries by country, not a scan of them)."""
    named = sa.exists(
        sa.select(concept_note_countries.c.concept_note_id).where(concept_note_countries.c.country_code == Country.code)
    )
    regions = list(
        db.session.execute(
            sa.select(Region.code, Region.name)
            .where(Region.code.in_(sa.select(Country.region_code).where(named)))
            .order_by(Region.name)
        )
    )
    in_programme = sa.exists(
        sa.select(concept_note_countries.c.concept_note_id)
        .join(
            JointProgrammeDocument,
            JointProgrammeDocument.concept_note_id == concept_note_countries.c.concept_note_id,
        )
        .join(JointProgramme, JointProgramme.id == JointProgrammeDocument.id)
        .where(concept_note_countries.c.country_code == Country.code)
    )
    countries = list(
        db.session.execute(sa.select(Country.code, Country.name).where(in_programme).order_by(Country.name))
    )
    organisations = list(
        db.session.execute(
            sa.select(Organisation.id, Organisation.code)
            .where(
                Organisation.id.in_(
                    sa.select(ProgrammeBudgetLine.organisation_id).join(
                        JointProgramme, JointProgramme.id == ProgrammeBudgetLine.document_id
                    )
                )
            )
            .order_by(Organisation.code)
        )
    )
    areas = list(db.session.execute(sa.select(ThematicArea.code, ThematicArea.name).order_by(ThematicArea.position)))
    options = {"regions": regions, "countries": countries, "organisations": organisations, "areas": areas}
    return {key: [tuple(row) for row in rows] for key, rows in options.items()}  # plain data, kept by core.cache


def portfolio_page(filters: PortfolioFilters, user: User, page: int, today: date) -> dict[str, Any]:
    """One page of the portfolio (paginated in SQL) with its money flows, overdue reports, the filter options
    and the geographic breakdown of the whole filtered portfolio; a bounded number of queries."""
    query = _portfolio_query(filters, user)
    pagination: Pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    items = list(pagination.items)
    return {
        "page": pagination,
        "rows": _portfolio_rows(items),
        # Fund-wide figures, the same for every reader of the filters (and organization, for a focal point): kept
        # until the records change (core.cache).
        "options": cache.cached("portfolio-options", _filter_options),
        "overdue": reporting.overdue_counts([p.id for p in items], today),
        "geography": cache.cached(
            ("portfolio-geography", astuple(filters), None if permissions.can_view_all(user) else user.organisation_id),
            lambda: _geography(_portfolio_filter(filters, user)),
        ),
    }


PORTFOLIO_CSV_HEADER = [
    "reference",
    "concept_note_reference",
    "title",
    "status",
    "thematic_area",
    "region",
    "countries",
    "lead_organization",
    "participating_organizations",
    "starts_on",
    "ends_on",
    "approved_budget_usd",
    "allocated_usd",
    "transferred_usd",
    "refunded_usd",
    "expenditure_usd",
    "balance_usd",
    "delivery_rate_percent",
]


#: Programmes read per batch of the portfolio CSV.
CSV_BATCH = 250


def portfolio_batches(filters: PortfolioFilters, user: User) -> Iterator[list[PortfolioRow]]:
    """The whole filtered portfolio in order, CSV_BATCH programmes at a time: one cursor read in batches, each
    batch's documents, budget lines, notes (their long texts unread) and countries (selectinload over the batch)
    and money flows in a fixed number of queries, so the CSV holds one batch whatever the size of the portfolio."""
    note = defaultload(JointProgramme.document).defaultload(JointProgrammeDocument.concept_note)
    query = (
        _portfolio_query(filters, user)
        .options(*(note.defer(getattr(ConceptNote, name)) for name in LONG_TEXTS))
        .execution_options(yield_per=CSV_BATCH)
    )
    for programmes in db.session.scalars(query).partitions():
        yield _portfolio_rows(list(programmes))


def portfolio_csv_rows(filters: PortfolioFilters, user: User) -> Iterator[list[Any]]:
    """The whole filtered portfolio, one row per programme, as the CSV download lays it out, streamed a batch at
    a time (an export for machines: its status labels stay in English, whatever the reader's language)."""
    with force_locale(DEFAULT_LANGUAGE):
        yield from _portfolio_csv_rows(filters, user)


def _portfolio_csv_rows(filters: PortfolioFilters, user: User) -> Iterator[list[Any]]:
    for batch in portfolio_batches(filters, user):
        for r in batch:
            p, note, f = r.programme, r.note, r.flow
            yield [
                p.reference,
                note.reference,
                p.title,
                str(STATUS_LABELS.get(p.status, p.status)),
                note.thematic_area.code if note.thematic_area else "",
                r.region,
                "; ".join(c.name for c in note.countries),
                note.organisation.code,
                "; ".join(line.organisation.code for line in p.document.budget_lines),
                p.document.starts_on,
                p.document.ends_on,
                p.document.total,
                f.allocated,
                f.transferred,
                f.refunded,
                f.spent,
                f.balance,
                f.delivery_rate,
            ]


# Work lists, search and names: what the role inboxes, the overdue notices, the search box and the audit log ask


@dataclass(frozen=True)
class TrancheWork:
    """A planned tranche not released yet: whether it is blocked and late, and why it is blocked (empty: ready to
    release). The reasons are written out only when asked for: a list shows a few of many tranches."""

    tranche: Tranche
    overdue: bool
    blocked: bool
    flow: OrgFlow = field(repr=False, compare=False, default_factory=OrgFlow)
    on: date | None = field(default=None, repr=False, compare=False)
    statuses: Mapping[str, str] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def blockers(self) -> list[str]:
        if not self.blocked:
            return []
        return unmet_conditions(self.tranche, self.flow, self.on or self.tranche.planned_on, self.statuses)


def is_blocked(tranche: Tranche, flow: OrgFlow, on: date, report_statuses: Mapping[str, str]) -> bool:
    """unmet_conditions() is not empty, without writing the reasons out (formatting numbers and dates in the
    reader's language is most of its cost over a long list)."""
    spent = flow.delivery_rate or ZERO
    if tranche.min_spent_percent is not None and flow.net_transferred > 0 and spent < tranche.min_spent_percent:
        return True
    return bool(tranche.needs_report_approved) and not reporting.report_condition_met(
        tranche.programme, on, report_statuses
    )


def tranches_due(on: date, within_days: int = 0, overdue_only: bool = False) -> list[TrancheWork]:
    """Tranches planned by `on` + `within_days` (or before `on` with `overdue_only`) on programmes that may
    transfer, not released, with whether each is blocked: the earliest first. Four queries whatever their number."""
    horizon = on if overdue_only else on + timedelta(days=within_days)
    planned = Tranche.planned_on < on if overdue_only else Tranche.planned_on <= horizon
    tranches = list(
        db.session.scalars(
            sa.select(Tranche)
            .join(JointProgramme, JointProgramme.id == Tranche.programme_id)
            .where(Tranche.released_on.is_(None), planned, JointProgramme.status.in_(TRANSFER_STATES))
            # Joined, not selectin: a selectin load splits more than 500 programmes into more queries.
            .options(contains_eager(Tranche.programme))
            .order_by(Tranche.planned_on, Tranche.programme_id, Tranche.id)
        )
    )
    programme_ids = {t.programme_id for t in tranches}
    flows = transfer_flows(programme_ids)  # the conditions read the delivery rate only, not the allocation split
    statuses = reporting.report_statuses(programme_ids)
    work = []
    for t in tranches:
        flow = flows[t.programme_id][t.organisation_id]
        blocked = is_blocked(t, flow, on, statuses[t.programme_id])
        work.append(TrancheWork(t, t.planned_on < on, blocked, flow, on, statuses[t.programme_id]))
    return work


@dataclass(frozen=True)
class TranchesDue:
    """The first items of tranches_due() (the blocked or the ready), their number and how many are overdue."""

    total: int
    overdue: int
    items: list[TrancheWork]


def _scaled(column: Any) -> tuple[Any, int]:
    """A FixedDecimal(…, 2) column as stored, and its factor: cents on SQLite, the NUMERIC itself on PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.type_coerce(column, sa.Numeric()), 1
    return sa.type_coerce(column, sa.BigInteger()), 100


def _blocked_in_sql(
    on: date, horizon: date, years: tuple[int, int] | None
) -> tuple[list[tuple[Any, sa.ColumnElement[bool]]], sa.ColumnElement[bool]]:
    """is_blocked() in SQL, for a query of Tranche: what to outer join to it (the ledger flows of the tranches'
    organizations; each programme's latest period due by `on` and its report) and the condition (never NULL)."""
    L = LedgerEntry  # noqa: N806
    amount, factor = _scaled(L.amount_usd)

    def total(kind: EntryKind) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((L.category == kind, amount), else_=0)), 0)

    due = sa.select(Tranche.programme_id).where(Tranche.released_on.is_(None), Tranche.planned_on <= horizon)
    flows = (
        sa.select(
            L.programme_id,
            L.organisation_id,
            (total(EntryKind.transfer) - total(EntryKind.refund)).label("net"),
            total(EntryKind.expenditure).label("spent"),
        )
        .where(
            L.programme_id.in_(due),
            L.category.in_([EntryKind.transfer, EntryKind.refund, EntryKind.expenditure]),
        )
        .group_by(L.programme_id, L.organisation_id)
        .subquery("tranche_flows")
    )
    joins: list[tuple[Any, sa.ColumnElement[bool]]] = [
        (
            flows,
            sa.and_(flows.c.programme_id == Tranche.programme_id, flows.c.organisation_id == Tranche.organisation_id),
        )
    ]
    net = sa.func.coalesce(flows.c.net, 0)
    spent = sa.func.coalesce(flows.c.spent, 0)
    minimum, _factor = _scaled(Tranche.min_spent_percent)
    # round_half_up(100 × spent ÷ net, 2) < minimum  ⇔  20000 × spent < (200 × minimum − 1) × net (net > 0),
    # both sides times the factor squared to compare the stored values exactly.
    spending = sa.and_(
        Tranche.min_spent_percent.is_not(None),
        net > 0,
        spent * (20000 * factor) < (minimum * 200 - factor) * net,
    )
    if years is None:
        return joins, spending
    periods = reporting.calendar_table(*years)
    # Each programme's latest period due by `on` (due dates are distinct: the period is found again by its own).
    latest = (
        sa.select(JointProgrammeDocument.id.label("programme_id"), sa.func.max(periods.c.due_on).label("due_on"))
        .join(periods, reporting.on_calendar(periods))
        .where(periods.c.due_on <= on, JointProgrammeDocument.id.in_(due))
        .group_by(JointProgrammeDocument.id)
        .subquery("latest_due")
    )
    period = periods.alias("latest_period")
    report = sa.orm.aliased(ProgressReport, name="latest_report")
    joins += [
        (latest, latest.c.programme_id == Tranche.programme_id),
        (period, period.c.due_on == latest.c.due_on),
        (report, sa.and_(report.programme_id == Tranche.programme_id, report.period == period.c.period)),
    ]
    unapproved = sa.and_(
        Tranche.needs_report_approved.is_(True),
        latest.c.due_on.is_not(None),
        sa.func.coalesce(report.status, "") != REPORT_APPROVED,
    )
    return joins, sa.or_(spending, unapproved)


def tranches_due_page(on: date, within_days: int, blocked: bool, limit: int) -> TranchesDue:
    """The blocked (or the ready) part of tranches_due_split()."""
    return tranches_due_split(on, within_days, limit)[blocked]


def _tranche_ranks(on: date, within_days: int, limit: int) -> list[tuple[int, int, int, int, int]]:
    """The first `limit` tranches due, blocked and ready apart: (id, blocked, position, total, late) rows, the
    blocked (1) after the ready (0). The condition is worked out once per tranche (a subquery), and the three
    window functions share one window (one sort of the tranches due)."""
    horizon = on + timedelta(days=within_days)
    joins, condition = _blocked_in_sql(on, horizon, reporting.calendar_years(TRANSFER_STATES))
    query = (
        sa.select(
            Tranche.id,
            Tranche.planned_on,
            Tranche.programme_id,
            sa.case((condition, 1), else_=0).label("blocked"),
        )
        .join(JointProgramme, JointProgramme.id == Tranche.programme_id)
        .join(JointProgrammeDocument, JointProgrammeDocument.id == Tranche.programme_id)
        .where(
            Tranche.released_on.is_(None),
            Tranche.planned_on <= horizon,
            JointProgramme.status.in_(TRANSFER_STATES),
        )
    )
    for target, onclause in joins:
        query = query.outerjoin(target, onclause)
    classed = query.subquery("classed")
    whole = {
        "partition_by": classed.c.blocked,
        "order_by": (classed.c.planned_on, classed.c.programme_id, classed.c.id),
        "rows": (None, None),  # the whole partition: count and sum over all of it, in the same pass
    }
    ranked = sa.select(
        classed.c.id,
        classed.c.blocked,
        sa.func.row_number().over(**whole).label("position"),
        sa.func.count().over(**whole).label("total"),
        sa.func.sum(sa.case((classed.c.planned_on < on, 1), else_=0)).over(**whole).label("late"),
    ).subquery("ranked")
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(ranked).where(ranked.c.position <= limit).order_by(ranked.c.blocked, ranked.c.position)
        )
    ]


def tranches_due_split(on: date, within_days: int, limit: int) -> dict[bool, TranchesDue]:
    """tranches_due() worked out in SQL, blocked (True) and ready (False) apart: the first `limit` of each with
    their number and how many are overdue. Five queries whatever the number of tranches: the calendar's years,
    the pages, their tranches, and the flows and report statuses of the tranches shown (the reasons of the
    blocked are written out from them). The pages are the same for every reader: they are kept while the
    records have not changed (core.cache), the tranches themselves are read again."""
    rows = cache.cached(("tranches-due", on, within_days, limit), lambda: _tranche_ranks(on, within_days, limit))
    found = (
        {
            t.id: t
            for t in db.session.scalars(
                sa.select(Tranche)
                .where(Tranche.id.in_([r[0] for r in rows]))
                .options(joinedload(Tranche.programme, innerjoin=True))
            ).unique()
        }
        if rows
        else {}
    )
    programme_ids = {t.programme_id for t in found.values()}
    money = transfer_flows(programme_ids) if found else {}
    statuses = reporting.report_statuses(programme_ids) if found else {}
    split = {True: TranchesDue(0, 0, []), False: TranchesDue(0, 0, [])}
    for tranche_id, blocked, _position, total, late in rows:
        t = found[tranche_id]
        part = split[bool(blocked)]
        part.items.append(
            TrancheWork(
                t,
                t.planned_on < on,
                bool(blocked),
                money[t.programme_id][t.organisation_id],
                on,
                statuses[t.programme_id],
            )
        )
        split[bool(blocked)] = TranchesDue(total, int(late or 0), part.items)
    return split


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """SQL twin of `permissions.can_view`: the programmes this user may open (search)."""
    if permissions.can_view_all(user):
        return sa.true()
    if user.has_role(Role.applicant):
        return reporting.participates(user.organisation_id)
    return sa.false()


def search_programmes(user: User, query: str) -> sa.Select | None:
    """The search box over programmes the user may open: every word in the title, or the reference (JP-0002,
    or the CN- reference of the note it came from)."""
    words = search.terms(query)
    if not words:
        return None
    programme_number = search.reference_number(query, "JP")
    note_number = search.reference_number(query, "CN")
    exact = None
    if programme_number is not None:
        exact = JointProgramme.id == programme_number
    elif note_number is not None:
        exact = JointProgramme.id.in_(
            sa.select(JointProgrammeDocument.id).where(JointProgrammeDocument.concept_note_id == note_number)
        )
    found = search.contains_all(JointProgramme.title, words)
    columns = search.hits(
        "programme", JointProgramme.id, search.rank(exact, JointProgramme.title, query), JointProgramme.title
    )
    return sa.select(*columns).where(visible_to(user), found if exact is None else sa.or_(found, exact))


def programmes_by_id(ids: Iterable[int]) -> dict[int, JointProgramme]:
    """Programmes by id with their document and note (one query)."""
    ids = list(ids)
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(sa.select(JointProgramme).where(JointProgramme.id.in_(ids)))}


def _programme_names(numbers: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        sa.select(JointProgrammeDocument.id, sa.func.coalesce(JointProgramme.title, ConceptNote.title))
        .join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
        .outerjoin(JointProgramme, JointProgramme.id == JointProgrammeDocument.id)
        .where(JointProgrammeDocument.id.in_(numbers))
    )
    return {i: f"{programme_reference(i)} ‘{title}’" for i, title in rows}


def describe_objects(object_type: str, ids: Iterable[str]) -> dict[str, str] | None:
    """Names of programmes and their tranches, reports and frameworks for the audit log
    (`signals.describe_objects`): one query per type."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if object_type in ("joint_programmes", "joint_programme_documents"):  # a document is its programme's, by id
        return {str(i): name for i, name in _programme_names(numbers).items()}
    if object_type == "programme_tranches":
        rows = db.session.execute(
            sa.select(Tranche.id, Tranche.programme_id, Tranche.amount, Organisation.code)
            .join(Organisation, Organisation.id == Tranche.organisation_id)
            .where(Tranche.id.in_(numbers))
        )
        return {
            str(i): _(
                "tranche of US$ %(amount)s to %(organization)s (%(reference)s)",
                amount=_amount_text(amount),
                organization=code,
                reference=programme_reference(pid),
            )
            for i, pid, amount, code in rows
        }
    if object_type in ("programme_progress_reports", "progress_reports"):
        rows = db.session.execute(
            sa.select(ProgressReport.id, ProgressReport.programme_id, ProgressReport.period).where(
                ProgressReport.id.in_(numbers)
            )
        )
        return {
            str(i): _("progress report %(period)s of %(reference)s", period=period, reference=programme_reference(pid))
            for i, pid, period in rows
        }
    if object_type == "programme_expenditure_reports":
        rows = db.session.execute(
            sa.select(ExpenditureReport.id, ExpenditureReport.programme_id, ExpenditureReport.year, Organisation.code)
            .join(Organisation, Organisation.id == ExpenditureReport.organisation_id)
            .where(ExpenditureReport.id.in_(numbers))
        )
        return {
            str(i): _(
                "%(year)s expenditure of %(organization)s (%(reference)s)",
                year=year,
                organization=code,
                reference=programme_reference(pid),
            )
            for i, pid, year, code in rows
        }
    framework = {
        "programme_outcomes": (ProgrammeOutcome, _("outcome %(code)s of %(reference)s")),
        "programme_indicators": (ProgrammeIndicator, _("indicator %(code)s of %(reference)s")),
    }
    if object_type in framework:
        model, name = framework[object_type]
        rows = db.session.execute(sa.select(model.id, model.programme_id, model.code).where(model.id.in_(numbers)))
        return {str(i): name % {"code": code, "reference": programme_reference(pid)} for i, pid, code in rows}
    if object_type == "programme_outputs":
        rows = db.session.execute(
            sa.select(ProgrammeOutput.id, ProgrammeOutcome.programme_id, ProgrammeOutput.code)
            .join(ProgrammeOutcome, ProgrammeOutcome.id == ProgrammeOutput.outcome_id)
            .where(ProgrammeOutput.id.in_(numbers))
        )
        return {
            str(i): _("output %(code)s of %(reference)s", code=code, reference=programme_reference(pid))
            for i, pid, code in rows
        }
    if object_type == "programme_alignment_assessments":
        rows = db.session.execute(
            sa.select(AlignmentAssessment.id, AlignmentAssessment.programme_id, AlignmentAssessment.occasion).where(
                AlignmentAssessment.id.in_(numbers)
            )
        )
        return {
            str(i): _(
                "alignment assessment (%(occasion)s) of %(reference)s",
                occasion=reporting.occasion_label(occasion).lower(),
                reference=programme_reference(pid),
            )
            for i, pid, occasion in rows
        }
    return None


# The discussion ------------------------------------------------------------------------------------


def _discussion_link(programme: JointProgramme, message: ProgrammeMessage | None = None) -> str:
    anchor = f"#message-{message.id}" if message is not None else ""
    try:
        return url_for("programmes.discussion", programme_id=programme.id) + anchor
    except RuntimeError:  # outside a request (CLI, demo)
        return f"/programmes/{programme.id}/discussion{anchor}"


def _with_roles(*roles: Role) -> sa.Select:
    return sa.select(UserRole.user_id).where(UserRole.role.in_(roles))


def discussion_readers(programme: JointProgramme) -> list[User]:
    """Everyone who can read the programme's thread, so may be mentioned in it: the focal points of its
    participating organizations, the secretariat and the committee (programmes.permissions says the same)."""
    focal = sa.and_(User.organisation_id.in_(programme.participating_ids), User.id.in_(_with_roles(Role.applicant)))
    reviewers = User.id.in_(_with_roles(Role.secretariat, Role.committee_chair, Role.committee_member))
    who = sa.or_(focal, reviewers)
    return list(db.session.scalars(sa.select(User).where(User.is_active, who).order_by(User.name, User.id)))


def post_message(
    actor: User, programme: JointProgramme, body: str, is_question: bool = False, answers_id: int | None = None
) -> ProgrammeMessage:
    """Add a message to the programme's thread and notify its organizations and the secretariat (and whoever it
    mentions). The secretariat may flag a clarification question; a focal point answers it (answers_id)."""
    if not permissions.can_write_discussion(actor, programme):
        raise NotAllowed(_("Only the programme's organizations and the Fund Management Unit write in its discussion."))
    question = None
    if answers_id is not None:
        question = db.session.get(ProgrammeMessage, answers_id)
        if question is None or question.programme_id != programme.id:
            raise DomainError(_("Answer a question of this discussion."), field="answers_id")
    readers = discussion_readers(programme)
    draft = discussions.check_message(
        actor,
        body,
        readers=readers,
        may_ask=permissions.can_ask_clarification(actor, programme),
        may_answer=permissions.can_answer_clarification(actor, programme),
        is_question=is_question,
        answers=question,
    )
    message = ProgrammeMessage(programme_id=programme.id, **draft.columns(actor))
    db.session.add(message)
    db.session.flush()
    record_change(
        actor,
        "programmes.message_posted",
        "joint_programmes",
        programme.id,
        {"message": message.id, "question": message.is_question, "answers": message.answers_id},
    )
    participants = [u for u in readers if u.has_role(Role.secretariat) or permissions.is_focal_point(u, programme)]
    discussions.notify_thread(
        message,
        reference=programme.reference,
        participants=participants,
        mentioned=draft.mentioned,
        link=_discussion_link(programme, message),
    )
    return message


def discussion_messages(programme: JointProgramme) -> list[ProgrammeMessage]:
    return list(
        db.session.scalars(
            sa.select(ProgrammeMessage)
            .where(ProgrammeMessage.programme_id == programme.id)
            .order_by(ProgrammeMessage.id)
        )
    )


def discussion_page(programme: JointProgramme) -> dict[str, Any]:
    """The programme's thread with who can read it (a fixed number of queries)."""
    readers = discussion_readers(programme)
    lead_id = programme.document.concept_note.organisation_id
    described = {}
    for person in readers:
        if permissions.is_focal_point(person, programme):
            if person.organisation_id == lead_id:
                described[person.id] = _("%(organization)s, lead organization", organization=person.organisation.code)
            else:
                described[person.id] = _(
                    "%(organization)s, participating organization", organization=person.organisation.code
                )
        elif person.has_role(Role.secretariat):
            described[person.id] = _("Fund Management Unit")
        else:
            described[person.id] = _("steering committee (reads)")
    return {
        "programme": programme,
        "thread": discussions.thread(discussion_messages(programme), readers, described),
        "readers": readers,
    }


@dataclass(frozen=True)
class ProgrammeQuestion:
    """A clarification question of the Fund Management Unit in a programme's discussion, not answered yet."""

    message: ProgrammeMessage
    programme: JointProgramme


def questions_to_answer(organisation_id: int, limit: int) -> tuple[int, list[ProgrammeQuestion]]:
    """The clarification questions not answered yet in the discussions of the programmes the organisation takes
    part in (its focal points answer them): the oldest first (one query)."""
    rows = db.session.execute(
        sa.select(ProgrammeMessage, JointProgramme, sa.func.count().over().label("total"))
        .join(JointProgramme, JointProgramme.id == ProgrammeMessage.programme_id)
        .where(discussions.unanswered(ProgrammeMessage), reporting.participates(organisation_id))
        # The author's name only: their roles stay unloaded (a fixed number of queries whoever asked).
        .options(joinedload(ProgrammeMessage.author).lazyload(User.role_rows))
        .order_by(ProgrammeMessage.created_at, ProgrammeMessage.id)
        .limit(limit)
    ).all()
    return (rows[0].total if rows else 0), [ProgrammeQuestion(row[0], row[1]) for row in rows]


def discussion_counts(programme: JointProgramme) -> tuple[int, int]:
    """(messages, open clarification questions) of the programme's thread, for the link on its page."""
    messages = discussion_messages(programme)
    answered = {m.answers_id for m in messages if m.answers_id is not None}
    return len(messages), sum(1 for m in messages if m.is_question and m.id not in answered)
