"""Calls, concept notes, submission rules, screening, versions, attachments and the lists' queries.

Every business rule lives here, so the pages, the demo seeder and any import obey the same rules. The query
services at the end build what the pages show, and the public filters other domains ask (transparency).
"""

import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy.orm import Session, SessionTransaction, aliased, joinedload, selectinload

from fundapp.auth.models import Organisation, OrganisationType, User, UserRole
from fundapp.concept_notes import permissions
from fundapp.concept_notes.models import (
    N_,
    NARRATIVES,
    SCOPE_LABELS,
    Attachment,
    AttachmentKind,
    Call,
    ConceptNote,
    ConceptNoteVersion,
    MarkerScore,
    NoteMessage,
    Participant,
    PrincipleStatement,
    Scope,
    Screening,
    concept_note_countries,
    concept_note_objectives,
    note_reference,
)
from fundapp.concept_notes.pdf import concept_note_pdf
from fundapp.concept_notes.workflow import (
    CONCEPT_NOTE,
    DRAFT,
    EDITABLE_STATES,
    ELIGIBLE,
    INELIGIBLE,
    RETURNED,
    STATUS_LABELS,
    SUBMITTED,
    WITHDRAWN,
    status_label,
)
from fundapp.core import clock, search, uploads
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, IllegalTransition, NotAllowed, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _l
from fundapp.core.money import CENTS, format_money, to_money
from fundapp.core.permissions import Role
from fundapp.core.templating import format_date
from fundapp.notifications import discussions
from fundapp.notifications.services import notify
from fundapp.reference import services as reference
from fundapp.reference.models import (
    Country,
    GcmObjective,
    GuidingPrinciple,
    Marker,
    MarkerLevel,
    Region,
    ThematicArea,
)

log = logging.getLogger(__name__)

#: The eligibility settings a new call starts with (the Migration MPTF's own).
DEFAULT_MIN_ORGANISATIONS = 2
DEFAULT_BUDGET_CEILING = Decimal("3000000.00")
DEFAULT_MIN_DURATION = 12
DEFAULT_MAX_DURATION = 36

#: Screening checks a person must tick; the automatic ones come from check_submission().
MANUAL_CHECKS = [
    ("endorsement_genuine", _l("The government endorsement letter is genuine and from the competent authority")),
    ("partners_confirmed", _l("Every participating UN organization confirmed its participation")),
    ("budget_consistent", _l("The budget is consistent with the activities and results described")),
    ("no_duplication", _l("The programme does not duplicate ongoing or funded programmes")),
]

#: The rules check_submission() applies, keyed like its errors, for the screening checklist.
AUTOMATIC_CHECKS = [
    ("call", _l("Submitted while the call was open")),
    ("title", _l("Title given")),
    ("organisations", _l("Enough participating UN organizations")),
    ("budget", _l("Budget complete and within the ceiling")),
    ("duration_months", _l("Duration within the call's range")),
    ("thematic_area_id", _l("Thematic area eligible for the call")),
    ("objective_ids", _l("At least one GCM objective in the thematic area")),
    ("scope", _l("Scope given")),
    ("country_codes", _l("Countries given for the scope")),
    ("endorsement", _l("Government endorsement letter attached when required")),
    ("gender_budget_share", _l("Gender-equality budget share given")),
    ("narratives", _l("Every narrative section written")),
    ("principles", _l("Every guiding principle addressed")),
    ("markers", _l("Every marker self-assessed")),
]


def _id_of(actor: User | None) -> int | None:
    """Who acts: a signed-in user, or None for the system (the demo's historical notes, imports)."""
    return actor.id if actor is not None else None


# Calls -------------------------------------------------------------------------------------------


@dataclass
class CallData:
    title: str
    opens_on: date
    closes_on: date | None
    is_rolling: bool
    envelope: Decimal
    thematic_area_ids: list[int]
    description: str = ""
    min_organisations: int = DEFAULT_MIN_ORGANISATIONS
    budget_ceiling: Decimal = DEFAULT_BUDGET_CEILING
    min_duration_months: int = DEFAULT_MIN_DURATION
    max_duration_months: int = DEFAULT_MAX_DURATION
    endorsement_required: bool = True


def _apply_call(call: Call, data: CallData) -> None:
    title = (data.title or "").strip()
    if not title:
        raise DomainError(_("A call needs a title."), field="title")
    if data.is_rolling and data.closes_on is None:
        closes_on = None
    elif data.closes_on is None:
        raise DomainError(_("Give a closing date, or make the call rolling."), field="closes_on")
    else:
        closes_on = data.closes_on
    if closes_on is not None and closes_on < data.opens_on:
        raise DomainError(_("The call cannot close before it opens."), field="closes_on")
    if data.min_organisations < 1:
        raise DomainError(_("At least one organization."), field="min_organisations")
    if data.min_duration_months < 1 or data.max_duration_months < data.min_duration_months:
        raise DomainError(_("The longest duration must not be shorter than the shortest."), field="max_duration_months")
    if to_money(data.budget_ceiling) <= 0:
        raise DomainError(_("The budget ceiling must be positive."), field="budget_ceiling")
    if to_money(data.envelope) < 0:
        raise DomainError(_("The envelope cannot be negative."), field="envelope")
    areas = list(db.session.scalars(sa.select(ThematicArea).where(ThematicArea.id.in_(data.thematic_area_ids or []))))
    if not areas:
        raise DomainError(_("Choose at least one eligible thematic area."), field="thematic_area_ids")
    call.title = title
    call.description = (data.description or "").strip()
    call.opens_on = data.opens_on
    call.closes_on = closes_on
    call.is_rolling = bool(data.is_rolling)
    call.envelope = to_money(data.envelope)
    call.min_organisations = data.min_organisations
    call.budget_ceiling = to_money(data.budget_ceiling)
    call.min_duration_months = data.min_duration_months
    call.max_duration_months = data.max_duration_months
    call.endorsement_required = bool(data.endorsement_required)
    call.thematic_areas = sorted(areas, key=lambda a: a.position)


def create_call(actor: User | None, data: CallData) -> Call:
    call = Call(created_by_id=_id_of(actor))
    _apply_call(call, data)
    db.session.add(call)
    db.session.flush()
    record_change(actor, "call.created", "calls", call.id, {"title": call.title})
    return call


def update_call(actor: User | None, call: Call, data: CallData) -> None:
    _apply_call(call, data)
    db.session.flush()
    record_change(actor, "call.updated", "calls", call.id, {"title": call.title})


def _open_calls(on: date) -> sa.Select:
    return (
        sa.select(Call)
        .options(selectinload(Call.thematic_areas))
        .where(Call.opens_on <= on, sa.or_(Call.closes_on.is_(None), Call.closes_on >= on))
        .order_by(Call.opens_on.desc(), Call.id.desc())
    )


def open_calls(on: date) -> list[Call]:
    return list(db.session.scalars(_open_calls(on)))


def any_open_call(on: date) -> bool:
    """Whether a call is open on that day (one indexed query, whatever the number of calls)."""
    return bool(db.session.scalar(sa.select(_open_calls(on).with_only_columns(Call.id).limit(1).exists())))


def open_calls_first(on: date, limit: int) -> tuple[int, list[Call]]:
    """The newest `limit` open calls and how many are open (two queries: the calls, their thematic areas)."""
    total, rows = _with_total(_open_calls(on), limit)
    return total, [row[0] for row in rows]


# Concept notes: creating and editing -------------------------------------------------------------


@dataclass
class NoteData:
    """Everything the form edits, as plain values (ids, codes, Decimals)."""

    title: str = ""
    lead_direct_costs: Decimal | None = None
    #: (organisation id, direct costs) for the other participating UN organizations.
    partners: list[tuple[int, Decimal | None]] = field(default_factory=list)
    thematic_area_id: int | None = None
    objective_ids: list[int] = field(default_factory=list)
    scope: str | None = None
    country_codes: list[str] = field(default_factory=list)
    government_partners: str = ""
    duration_months: int | None = None
    gender_budget_share: Decimal | None = None
    narratives: dict[str, str] = field(default_factory=dict)
    #: principle id -> how the programme applies it.
    principles: dict[int, str] = field(default_factory=dict)
    #: marker id -> self-assessed score (None: not yet scored).
    markers: dict[int, int | None] = field(default_factory=dict)


def create_note(
    actor: User | None, call: Call, organisation: Organisation, title: str = "", on: date | None = None
) -> ConceptNote:
    """A new draft led by the actor's organisation, under an open call."""
    on = on or clock.today()
    if organisation.type != OrganisationType.un_entity:
        raise NotAllowed(_("Only participating UN organizations lead concept notes."))
    if not call.is_open(on):
        raise DomainError(_("The call “%(title)s” is not open.", title=call.title), field="call_id")
    note = ConceptNote(
        call=call,
        organisation=organisation,
        title=(title or "").strip()[:250],
        created_by_id=_id_of(actor),
        status=None,
    )
    note.participants.append(Participant(organisation=organisation, is_lead=True, position=0))
    db.session.add(note)
    # No flush before fire(): the row is inserted by the transition itself, already in its first state.
    CONCEPT_NOTE.fire(note, "create", actor)
    return note


def _isc_rate() -> Decimal:
    fund = reference.get_fund()
    return fund.indirect_support_cost_rate if fund else Decimal("0")


def indirect_costs(direct: Decimal, rate: Decimal) -> Decimal:
    """Indirect support costs on direct costs, rounded half up to the cent."""
    return (to_money(direct) * rate).quantize(CENTS, rounding=ROUND_HALF_UP)


def _clean_amount(value: Decimal | None) -> Decimal:
    if value is None:
        return Decimal("0.00")
    amount = to_money(value)
    if amount < 0:
        raise DomainError(_("Budgets cannot be negative."), field="budget")
    return amount


def _set_participants(note: ConceptNote, data: NoteData) -> None:
    lead_id = note.organisation_id
    partner_ids = [org_id for org_id, _ in data.partners]
    if lead_id in partner_ids:
        raise DomainError(_("The lead organization is already listed; list only the others."), field="organisations")
    duplicates = [org_id for org_id, count in Counter(partner_ids).items() if count > 1]
    if duplicates:
        raise DomainError(_("Each organization may appear only once."), field="organisations")
    orgs = {
        o.id: o
        for o in db.session.scalars(
            sa.select(Organisation).where(
                Organisation.id.in_(partner_ids), Organisation.type == OrganisationType.un_entity
            )
        )
    }
    if len(orgs) != len(partner_ids):
        raise DomainError(_("Participating organizations must be UN entities."), field="organisations")
    rate = _isc_rate()
    existing = {p.organisation_id: p for p in note.participants}
    wanted = [(lead_id, data.lead_direct_costs), *data.partners]
    keep = []
    for position, (org_id, amount) in enumerate(wanted):
        participant = existing.get(org_id) or Participant(organisation_id=org_id, organisation=orgs.get(org_id))
        participant.is_lead = org_id == lead_id
        participant.position = position
        participant.direct_costs = _clean_amount(amount)
        participant.indirect_costs = indirect_costs(participant.direct_costs, rate)
        participant.currency = note.currency
        keep.append(participant)
    note.participants = keep
    note.direct_costs_total = sum((p.direct_costs for p in keep), Decimal("0.00"))
    note.indirect_costs_total = sum((p.indirect_costs for p in keep), Decimal("0.00"))
    note.budget_total = note.direct_costs_total + note.indirect_costs_total


def _apply_note(note: ConceptNote, data: NoteData) -> None:
    note.title = (data.title or "").strip()[:250]
    _set_participants(note, data)
    area = db.session.get(ThematicArea, data.thematic_area_id) if data.thematic_area_id else None
    if data.thematic_area_id and area is None:
        raise DomainError(_("Unknown thematic area."), field="thematic_area_id")
    note.thematic_area = area
    objectives = list(db.session.scalars(sa.select(GcmObjective).where(GcmObjective.id.in_(data.objective_ids or []))))
    if len(objectives) != len(set(data.objective_ids or [])):
        raise DomainError(_("Unknown GCM objective."), field="objective_ids")
    note.objectives = sorted(objectives, key=lambda o: o.number)
    if data.scope:
        try:
            note.scope = Scope(data.scope)
        except ValueError as exc:
            raise DomainError(_("Unknown scope."), field="scope") from exc
    else:
        note.scope = None
    codes = sorted(set(data.country_codes or []))
    countries = list(db.session.scalars(sa.select(Country).where(Country.code.in_(codes))))
    if len(countries) != len(codes):
        raise DomainError(_("Unknown country."), field="country_codes")
    note.countries = sorted(countries, key=lambda c: c.name)
    note.government_partners = (data.government_partners or "").strip()
    if data.duration_months is not None and data.duration_months <= 0:
        raise DomainError(_("The duration must be a positive number of months."), field="duration_months")
    note.duration_months = data.duration_months
    share = data.gender_budget_share
    if share is not None and not (Decimal(0) <= share <= Decimal(100)):
        raise DomainError(_("A share between 0 and 100 per cent."), field="gender_budget_share")
    note.gender_budget_share = None if share is None else share.quantize(CENTS, rounding=ROUND_HALF_UP)
    for attr, _label, _help in NARRATIVES:
        setattr(note, attr, (data.narratives.get(attr) or "").strip())
    principles = {p.id for p in db.session.scalars(sa.select(GuidingPrinciple))}
    statements = {s.principle_id: s for s in note.principles}
    for principle_id, text in data.principles.items():
        if principle_id not in principles:
            raise DomainError(_("Unknown guiding principle."), field="principles")
        statement = statements.get(principle_id)
        if statement is None:
            statement = PrincipleStatement(principle_id=principle_id)
            note.principles.append(statement)
        statement.text = (text or "").strip()
    scores = set(db.session.scalars(sa.select(MarkerLevel.score)))
    markers = {m.id for m in db.session.scalars(sa.select(Marker))}
    current = {m.marker_id: m for m in note.markers}
    for marker_id, score in data.markers.items():
        if marker_id not in markers:
            raise DomainError(_("Unknown marker."), field="markers")
        if score is None:
            if marker_id in current:
                note.markers.remove(current[marker_id])
            continue
        if score not in scores:
            raise DomainError(_("Scores go from 0 to 3."), field="markers")
        if marker_id in current:
            current[marker_id].score = score
        else:
            note.markers.append(MarkerScore(marker_id=marker_id, score=score))
    note.updated_at = clock.now()


def _check_editable(actor: User | None, note: ConceptNote) -> None:
    if note.status not in EDITABLE_STATES:
        raise IllegalTransition(
            _("A note that is %(status)s cannot be edited.", status=status_label(note.status).lower())
        )
    if actor is not None and actor.organisation_id != note.organisation_id:
        raise NotAllowed(_("Only the lead organization's focal points edit a note."))


def save_draft(actor: User | None, note: ConceptNote, data: NoteData) -> None:
    """Save whatever is filled in; the submission rules are not applied to a draft."""
    _check_editable(actor, note)
    _apply_note(note, data)
    db.session.flush()
    record_change(actor, "concept_note.saved", "concept_notes", note.id, {"status": note.status})


# Submission rules --------------------------------------------------------------------------------


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def check_submission(note: ConceptNote, on: date) -> dict[str, list[str]]:
    """Every unmet submission rule at once: field name -> messages. Empty when the note may be submitted."""
    errors: dict[str, list[str]] = {}

    def fail(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    call = note.call
    # The call must be open for a first submission; a returned note may come back after the call closed.
    if note.version_count == 0 and not call.is_open(on):
        fail(
            "call",
            _(
                "The call “%(title)s” is closed: it closed on %(date)s.",
                title=call.title,
                date=format_date(call.closes_on),
            )
            if call.closes_on and on > call.closes_on
            else _("The call “%(title)s” is not open yet.", title=call.title),
        )
    if _blank(note.title):
        fail("title", _("Give the note a title."))
    count = len(note.participants)
    if count < call.min_organisations:
        fail(
            "organisations",
            _(
                "At least %(minimum)s participating UN organizations are required; the note has %(count)s.",
                minimum=call.min_organisations,
                count=count,
            ),
        )
    missing = [p.organisation.code for p in note.participants if p.direct_costs <= 0]
    if missing:
        fail(
            "budget",
            _(
                "Enter the direct costs of every participating organization (missing: %(organisations)s).",
                organisations=", ".join(missing),
            ),
        )
    if note.budget_total > call.budget_ceiling:
        fail(
            "budget",
            _(
                "The total budget of US$ %(total)s (indirect support costs included) is over the ceiling of "
                "US$ %(ceiling)s.",
                total=format_money(note.budget_total),
                ceiling=format_money(call.budget_ceiling),
            ),
        )
    low, high = call.min_duration_months, call.max_duration_months
    if note.duration_months is None:
        fail("duration_months", _("Give the duration in months (%(low)s to %(high)s).", low=low, high=high))
    elif not low <= note.duration_months <= high:
        fail(
            "duration_months",
            _(
                "The duration must be between %(low)s and %(high)s months; it is %(duration)s.",
                low=low,
                high=high,
                duration=note.duration_months,
            ),
        )
    if note.thematic_area is None:
        fail("thematic_area_id", _("Choose a thematic area."))
    else:
        if note.thematic_area.id not in {a.id for a in call.thematic_areas}:
            fail("thematic_area_id", _("The call does not cover %(area)s.", area=note.thematic_area.code))
        area_objectives = {o.id for o in note.thematic_area.objectives}
        if not any(o.id in area_objectives for o in note.objectives):
            numbers = ", ".join(str(o.number) for o in note.thematic_area.objectives)
            fail(
                "objective_ids",
                _(
                    "Choose at least one GCM objective of %(area)s (objectives %(numbers)s).",
                    area=note.thematic_area.code,
                    numbers=numbers,
                ),
            )
    if note.thematic_area is None and not note.objectives:
        fail("objective_ids", _("Choose at least one GCM objective."))
    if note.scope is None:
        fail("scope", _("Choose the scope."))
    elif note.scope != Scope.global_:
        if not note.countries:
            fail("country_codes", _("Choose at least one country."))
        elif note.scope == Scope.national and len(note.countries) != 1:
            fail("country_codes", _("A national programme covers exactly one country."))
    if note.scope == Scope.national and call.endorsement_required:
        if _blank(note.government_partners):
            fail("endorsement", _("Name the government partners of this national programme."))
        if not any(a.kind == AttachmentKind.endorsement for a in note.attachments):
            fail("endorsement", _("Attach the government's endorsement letter (the call requires it)."))
    if note.gender_budget_share is None:
        fail("gender_budget_share", _("Give the share of the budget for gender equality (0 to 100%)."))
    for attr, label, _help in NARRATIVES:
        if _blank(getattr(note, attr)):
            fail(attr, _("Write the section “%(section)s”.", section=_(label)))
            errors.setdefault("narratives", []).append(_(label))
    all_principles = reference.guiding_principles()
    texts = {s.principle_id: s.text for s in note.principles}
    blank = [p for p in all_principles if _blank(texts.get(p.id))]
    if blank:
        fail(
            "principles",
            _(
                "Explain how the programme applies every guiding principle; left blank: %(principles)s.",
                principles=", ".join(p.local_name for p in blank),
            ),
        )
        for p in blank:
            fail(f"principle_{p.id}", _("Explain how the programme applies this principle."))
    scored = {m.marker_id for m in note.markers}
    unscored = [m for m in reference.markers() if m.id not in scored]
    if unscored:
        fail(
            "markers",
            _("Score every marker; not scored: %(markers)s.", markers=", ".join(m.local_name for m in unscored)),
        )
        for m in unscored:
            fail(f"marker_{m.id}", _("Choose a score."))
    if "narratives" in errors:
        errors["narratives"] = [
            _("Write every narrative section; missing: %(sections)s.", sections=", ".join(errors["narratives"]))
        ]
    return errors


def snapshot(note: ConceptNote) -> dict[str, Any]:
    """The note's content as plain, readable values: what a version freezes and what the diff compares."""
    principles = {s.principle_id: s.text for s in note.principles}
    markers = {m.marker_id: m.score for m in note.markers}
    data: dict[str, Any] = {
        N_("Title"): note.title,
        N_("Call"): note.call.title,
        N_("Lead organization"): note.organisation.code,
        N_("Participating organizations"): ", ".join(p.organisation.code for p in note.participants),
        N_("Budget"): "\n".join(
            f"{p.organisation.code}: direct {p.direct_costs:,.2f} + indirect {p.indirect_costs:,.2f} = {p.total:,.2f}"
            for p in note.participants
        ),
        N_("Total budget (USD)"): f"{note.budget_total:,.2f}",
        N_("Thematic area"): f"{note.thematic_area.code} {note.thematic_area.name}" if note.thematic_area else "",
        N_("GCM objectives"): ", ".join(str(o.number) for o in note.objectives),
        N_("Scope"): SCOPE_LABELS[note.scope] if note.scope else "",
        N_("Countries"): ", ".join(c.code for c in note.countries),
        N_("Government partners"): note.government_partners,
        N_("Duration (months)"): "" if note.duration_months is None else str(note.duration_months),
        N_("Gender-equality budget share (%)"): ""
        if note.gender_budget_share is None
        else f"{note.gender_budget_share:.2f}",
    }
    for attr, label, _help in NARRATIVES:
        data[label] = getattr(note, attr)
    for p in reference.guiding_principles():
        data[f"Principle: {p.name}"] = principles.get(p.id, "")
    for m in reference.markers():
        data[f"Marker: {m.name}"] = "" if m.id not in markers else str(markers[m.id])
    data[N_("Attachments")] = ", ".join(f"{a.filename} ({a.kind.english})" for a in note.attachments)
    return data


def field_label(key: str) -> str:
    """A frozen version's key (English, see snapshot()) in the reader's language."""
    for prefix, pattern in (("Principle: ", _l("Principle: %(name)s")), ("Marker: ", _l("Marker: %(name)s"))):
        if key.startswith(prefix):
            return str(pattern) % {"name": key.removeprefix(prefix)}
    return _(key)


@dataclass
class Submission:
    """What saving (and asking to submit) gave: the frozen version, or the rules the note does not meet yet; the
    file attached or removed with the save, or why a file could not be attached (the draft is saved anyway)."""

    version: ConceptNoteVersion | None = None
    #: check_submission()'s problems: field or section key -> messages (empty once submitted).
    problems: dict[str, list[str]] = field(default_factory=dict)
    attached: Attachment | None = None
    removed: str | None = None
    file_problem: str | None = None


@dataclass
class NewFile:
    """A file uploaded with the note's form: its name as sent, its bytes and what it is (AttachmentKind)."""

    filename: str | None
    data: bytes
    kind: str


def submit(actor: User | None, note: ConceptNote, on: date | None = None) -> ConceptNoteVersion:
    """Check every rule, freeze a version and move to submitted (from a draft or a returned note)."""
    submission = submit_if_ready(actor, note, on)
    if submission.version is None:
        raise ValidationFailed(submission.problems)
    return submission.version


def submit_if_ready(actor: User | None, note: ConceptNote, on: date | None = None) -> Submission:
    """Submit when every rule is met; otherwise change nothing and return the problems (not an error).

    Not raising lets the caller keep the rest of its work in the same transaction (the saved draft).
    """
    on = on or clock.today()
    _check_editable(actor, note)
    problems = check_submission(note, on)
    if problems:
        return Submission(problems=problems)
    return Submission(version=_freeze_and_submit(actor, note, on))


def _freeze_and_submit(actor: User | None, note: ConceptNote, on: date) -> ConceptNoteVersion:
    action = "resubmit" if note.status == RETURNED else "submit"
    note.version_count += 1
    version = ConceptNoteVersion(
        concept_note_id=note.id,
        number=note.version_count,
        submitted_on=on,
        submitted_by_id=_id_of(actor),
        content=json.dumps(snapshot(note), sort_keys=True),
    )
    db.session.add(version)
    note.first_submitted_on = note.first_submitted_on or on
    note.last_submitted_on = on
    CONCEPT_NOTE.fire(note, action, actor, reason=f"Version {version.number}")
    _notify_focal_points(
        note,
        _("%(reference)s submitted (version %(number)s)", reference=note.reference, number=version.number),
        _("“%(title)s” was submitted to the Fund Management Unit for eligibility screening.", title=note.title),
    )
    notify(
        _users_with_role(Role.secretariat),
        _("%(reference)s resubmitted for screening", reference=note.reference)
        if action == "resubmit"
        else _("%(reference)s submitted for screening", reference=note.reference),
        f"{note.organisation.code}: “{note.title}”.",
        _note_link(note),
    )
    return version


def save_note(
    actor: User | None,
    note: ConceptNote,
    data: NoteData,
    submitting: bool = False,
    on: date | None = None,
    upload: NewFile | None = None,
    remove_attachment_id: int | None = None,
) -> Submission:
    """Save the form as the draft and, when asked, submit it, attach a file or remove one: one transaction.

    A note that does not meet the rules yet stays saved as a draft; its problems come back in the
    Submission instead of an error, so the draft is committed with them. So does a file that cannot be
    attached (empty, too big, not PDF/DOCX/XLSX): the text typed with it is saved, never lost. Bad values
    (an unknown organization, a negative budget) still raise, and nothing is saved.
    """
    save_draft(actor, note, data)
    if upload is not None:
        try:
            checked = uploads.check_upload(upload.filename, upload.data)
        except DomainError as exc:
            return Submission(file_problem=_("File not attached: %(reason)s", reason=exc.message))
        return Submission(attached=add_attachment(actor, note, checked, upload.kind))
    if remove_attachment_id is not None:
        attachment = next((a for a in note.attachments if a.id == remove_attachment_id), None)
        if attachment is None:
            raise DomainError(_("That attachment is not one of this note's."), field="attachments")
        remove_attachment(actor, attachment)
        return Submission(removed=attachment.filename)
    return submit_if_ready(actor, note, on) if submitting else Submission()


# Screening ---------------------------------------------------------------------------------------


def automatic_checks(note: ConceptNote) -> list[tuple[str, str, bool, list[str]]]:
    """(key, label, passed, messages) for each rule, evaluated on the day the note was last submitted."""
    errors = check_submission(note, note.last_submitted_on or clock.today())
    return [(key, label, key not in errors, errors.get(key, [])) for key, label in AUTOMATIC_CHECKS]


def screen(
    actor: User | None, note: ConceptNote, decision: str, manual_checks: list[str], comments: str = ""
) -> Screening:
    """Record the eligibility decision with its checklist and tell the note's focal points."""
    actions = {ELIGIBLE: "mark_eligible", INELIGIBLE: "mark_ineligible", RETURNED: "return"}
    if decision not in actions:
        raise DomainError(_("Choose a decision."), field="decision")
    comments = (comments or "").strip()
    if decision == INELIGIBLE and not comments:
        raise DomainError(_("Give the reason the note is ineligible."), field="comments")
    if decision == RETURNED and not comments:
        raise DomainError(_("Tell the applicant what to revise."), field="comments")
    known = {key for key, _label in MANUAL_CHECKS}
    ticked = [c for c in manual_checks if c in known]
    automatic = automatic_checks(note) if note.status == SUBMITTED else []
    if decision == ELIGIBLE:
        failed = [label for _k, label, ok, _m in automatic if not ok]
        if failed:
            raise DomainError(
                _(
                    "An eligible note must pass every automatic check; failed: %(checks)s.",
                    checks="; ".join(str(label) for label in failed),
                ),
                field="decision",
            )
        unticked = [label for key, label in MANUAL_CHECKS if key not in ticked]
        if unticked:
            raise DomainError(
                _(
                    "Tick every manual check before marking the note eligible: %(checks)s.",
                    checks="; ".join(str(label) for label in unticked),
                ),
                field="manual_checks",
            )
    CONCEPT_NOTE.fire(note, actions[decision], actor, reason=comments or None)
    screening = Screening(
        concept_note_id=note.id,
        version_number=note.version_count,
        decision=decision,
        checks=json.dumps(
            {"automatic": {k: ok for k, _l, ok, _m in automatic}, "manual": {k: k in ticked for k in sorted(known)}},
            sort_keys=True,
        ),
        comments=comments,
        screened_by_id=_id_of(actor),
    )
    db.session.add(screening)
    db.session.flush()
    subjects = {
        ELIGIBLE: _("%(reference)s is eligible", reference=note.reference),
        INELIGIBLE: _("%(reference)s is not eligible", reference=note.reference),
        RETURNED: _("%(reference)s was returned for revision", reference=note.reference),
    }
    body = (
        _("“%(title)s”.\n\nComments from the Fund Management Unit:\n%(comments)s", title=note.title, comments=comments)
        if comments
        else f"“{note.title}”."
    )
    _notify_focal_points(note, subjects[decision], body)
    return screening


def withdraw(actor: User | None, note: ConceptNote, reason: str = "") -> None:
    if actor is not None and actor.organisation_id != note.organisation_id:
        raise NotAllowed(_("Only the lead organization withdraws its note."))
    CONCEPT_NOTE.fire(note, "withdraw", actor, reason=(reason or "").strip() or None)
    if note.version_count:
        notify(
            _users_with_role(Role.secretariat),
            _("%(reference)s withdrawn", reference=note.reference),
            f"“{note.title}”.",
            _note_link(note),
        )


# Attachments -------------------------------------------------------------------------------------


def attach_file(actor: User | None, note: ConceptNote, filename: str | None, data: bytes, kind: str) -> Attachment:
    """Check an uploaded file (content, size) and attach it; a refusal says the file was not attached."""
    try:
        return add_attachment(actor, note, uploads.check_upload(filename, data), kind)
    except DomainError as exc:
        raise DomainError(_("File not attached: %(reason)s", reason=exc.message), field=exc.field) from exc


def add_attachment(actor: User | None, note: ConceptNote, upload: uploads.CheckedUpload, kind: str) -> Attachment:
    """Store a checked file for an editable note. The file is written only once every check passed."""
    _check_editable(actor, note)
    try:
        kind_enum = AttachmentKind(kind)
    except ValueError as exc:
        raise DomainError(_("Choose what the document is."), field="kind") from exc
    stored_name = uploads.store(upload)
    _files(_WRITTEN).append(stored_name)
    attachment = Attachment(
        concept_note=note,
        kind=kind_enum,
        filename=upload.filename,
        stored_name=stored_name,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        uploaded_by_id=_id_of(actor),
    )
    db.session.add(attachment)
    db.session.flush()
    record_change(
        actor,
        "concept_note.attachment_added",
        "concept_notes",
        note.id,
        {"attachment": attachment.id, "filename": attachment.filename, "sha256": upload.sha256},
    )
    return attachment


def remove_attachment(actor: User | None, attachment: Attachment) -> None:
    """Detach a document from an editable note; its file is deleted once the transaction commits.

    Earlier versions keep its name in their snapshot; the bytes go, as the applicant asked.
    """
    note = attachment.concept_note
    _check_editable(actor, note)
    _files(_RELEASED).append(attachment.stored_name)
    note.attachments.remove(attachment)
    db.session.flush()
    record_change(
        actor,
        "concept_note.attachment_removed",
        "concept_notes",
        note.id,
        {"attachment": attachment.id, "filename": attachment.filename},
    )


# The files follow the transaction: a file written for an attachment is removed again when the transaction
# rolls back (nothing half-stored when the database refuses), and a removed attachment's file is deleted only
# once the removal is committed. The names wait in the session's info until one or the other happens.
_WRITTEN = "concept_notes.files_written"
_RELEASED = "concept_notes.files_released"


def _files(key: str) -> list[str]:
    return db.session.info.setdefault(key, [])


@sa.event.listens_for(Session, "after_commit")
def _files_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction is not over yet
        return
    session.info.pop(_WRITTEN, None)
    for stored_name in session.info.pop(_RELEASED, []):
        uploads.remove(stored_name)


@sa.event.listens_for(Session, "after_soft_rollback")
def _files_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint or a flush rolled back, not the transaction
        return
    session.info.pop(_RELEASED, None)
    for stored_name in session.info.pop(_WRITTEN, []):
        uploads.remove(stored_name)


# Reading -----------------------------------------------------------------------------------------


def _note_link(note: ConceptNote) -> str:
    try:
        return url_for("concept_notes.detail", note_id=note.id)
    except RuntimeError:  # outside a request (CLI, demo): the path is stable
        return f"/concept-notes/{note.id}"


def _users_with_role(role: Role) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).join(UserRole).where(UserRole.role == role, User.is_active).order_by(User.id)
        )
    )


def focal_points(*organisation_ids: int) -> list[User]:
    """The active focal points (applicants) of these organizations, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole)
            .where(User.organisation_id.in_(organisation_ids), UserRole.role == Role.applicant, User.is_active)
            .order_by(User.name, User.id)
        )
    )


def _organisation_ids(note: ConceptNote) -> list[int]:
    """The lead and every partner organization."""
    return list(dict.fromkeys([note.organisation_id, *(p.organisation_id for p in note.participants)]))


def _notify_focal_points(note: ConceptNote, subject: Any, body: Any) -> None:
    """A joint note's news goes to the focal points of every participating organization, not the lead's only."""
    notify(focal_points(*_organisation_ids(note)), subject, body, _note_link(note))


def timeline(note: ConceptNote) -> list[dict[str, Any]]:
    """The note's transitions with who did them, oldest first (two queries)."""
    events = CONCEPT_NOTE.timeline(note.id)
    ids = {e.actor_id for e in events if e.actor_id}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    return [
        {
            "event": e,
            "actor": users.get(e.actor_id),
            "from_label": status_label(e.from_state) if e.from_state else None,
            "to_label": status_label(e.to_state),
        }
        for e in events
    ]


def versions(note: ConceptNote) -> list[ConceptNoteVersion]:
    return list(
        db.session.scalars(
            sa.select(ConceptNoteVersion)
            .where(ConceptNoteVersion.concept_note_id == note.id)
            .order_by(ConceptNoteVersion.number)
        )
    )


def diff_versions(old: ConceptNoteVersion, new: ConceptNoteVersion) -> list[tuple[str, str, str]]:
    """(field, before, after) for every field that changed between two versions, in the form's order."""
    before, after = json.loads(old.content), json.loads(new.content)
    order = list(after) + [k for k in before if k not in after]
    return [
        (field_label(k), str(before.get(k, "")), str(after.get(k, ""))) for k in order if before.get(k) != after.get(k)
    ]


def screenings(note: ConceptNote) -> list[Screening]:
    return list(
        db.session.scalars(sa.select(Screening).where(Screening.concept_note_id == note.id).order_by(Screening.id))
    )


# The pages' data --------------------------------------------------------------------------------


#: Calls on a page of the calls page.
CALLS_PER_PAGE = 20


def calls_page(page: int = 1, per_page: int | None = None) -> dict[str, Any]:
    """One page of the calls, newest first (paginated in SQL), with how many notes were submitted under each
    of them (four queries whatever the number of calls)."""
    calls = db.paginate(
        sa.select(Call).options(selectinload(Call.thematic_areas)).order_by(Call.opens_on.desc(), Call.id.desc()),
        page=page,
        per_page=per_page or CALLS_PER_PAGE,
        max_per_page=100,
        error_out=False,
    )
    ids = [c.id for c in calls.items]
    counts = (
        dict(
            db.session.execute(
                sa.select(ConceptNote.call_id, sa.func.count())
                .where(ConceptNote.version_count > 0, ConceptNote.call_id.in_(ids))
                .group_by(ConceptNote.call_id)
            ).all()
        )
        if ids
        else {}
    )
    return {"calls": calls, "counts": counts}


def marker_levels() -> list[MarkerLevel]:
    """The marker scale (0–3) with its labels."""
    return list(db.session.scalars(sa.select(MarkerLevel).order_by(MarkerLevel.score)))


def note_page(note: ConceptNote, with_problems: bool = False) -> dict[str, Any]:
    """What the note's page shows; with_problems adds what still stops its submission (for its editors)."""
    return {
        "note": note,
        "narratives": NARRATIVES,
        "principles": reference.guiding_principles(),
        "markers": reference.markers(),
        "texts": {s.principle_id: s.text for s in note.principles},
        "scores": {m.marker_id: m.score for m in note.markers},
        "levels": {level.score: level.local_label for level in marker_levels()},
        "timeline": timeline(note),
        "versions": versions(note),
        "screenings": screenings(note),
        "problems": check_submission(note, clock.today()) if with_problems else {},
        "discussion": discussion_counts(note),
    }


@dataclass
class NoteFormChoices:
    """The reference data the note form is built from: its principles, markers, levels and select options."""

    principles: list[GuidingPrinciple]
    markers: list[Marker]
    levels: list[MarkerLevel]
    #: (id, "code – name") of the active UN entities other than the lead.
    partners: list[tuple[str, str]]
    areas: list[ThematicArea]
    #: (id, "number. title (areas)") of every GCM objective.
    objectives: list[tuple[int, str]]
    countries: list[tuple[str, str]]


def note_form_choices(note: ConceptNote) -> NoteFormChoices:
    """Everything the edit form offers, in a fixed number of queries."""
    partners = db.session.execute(
        sa.select(Organisation.id, Organisation.code, Organisation.name)
        .where(
            Organisation.type == OrganisationType.un_entity,
            Organisation.is_active,
            Organisation.id != note.organisation_id,
        )
        .order_by(Organisation.code)
    ).all()
    areas = reference.thematic_areas()
    by_objective: dict[int, list[str]] = {}
    for area in areas:
        for objective in area.objectives:
            by_objective.setdefault(objective.id, []).append(area.code)
    objectives = db.session.scalars(sa.select(GcmObjective).order_by(GcmObjective.number)).all()
    return NoteFormChoices(
        principles=reference.guiding_principles(),
        markers=reference.markers(),
        levels=marker_levels(),
        partners=[(str(o.id), f"{o.code} – {o.name}") for o in partners],
        areas=areas,
        objectives=[
            (o.id, f"{o.number}. {o.local_title} ({', '.join(by_objective.get(o.id, []))})") for o in objectives
        ],
        countries=reference.country_choices(),
    )


def edit_page(note: ConceptNote) -> dict[str, Any]:
    """Beside the form: the fund's indirect support cost rate, and the comments that returned the note."""
    return {
        "note": note,
        "narratives": NARRATIVES,
        "isc_rate": _isc_rate(),
        "last_screening": (screenings(note) or [None])[-1] if note.status == RETURNED else None,
    }


def screening_page(note: ConceptNote) -> dict[str, Any]:
    """The screening form's companions: the automatic checks, the versions and the timeline."""
    return {
        "note": note,
        "checks": automatic_checks(note),
        "versions": versions(note),
        "timeline": timeline(note),
    }


def compare_versions(note: ConceptNote, old_number: int | None, new_number: int | None) -> dict[str, Any] | None:
    """Two submitted versions and what changed between them (by default the last two); None if there is none."""
    by_number = {v.number: v for v in versions(note)}
    if not by_number:
        return None
    numbers = sorted(by_number)
    new_number = new_number or numbers[-1]
    old_number = old_number or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    if old_number not in by_number or new_number not in by_number:
        return None
    old, new = by_number[old_number], by_number[new_number]
    return {"versions": list(by_number.values()), "old": old, "new": new, "changes": diff_versions(old, new)}


def note_pdf(note: ConceptNote) -> bytes:
    """The note as a PDF for a committee pack."""
    fund = reference.get_fund()
    return concept_note_pdf(
        note, reference.guiding_principles(), reference.markers(), timeline(note), fund.code if fund else ""
    )


# Lists of notes and the public filters -----------------------------------------------------------


@dataclass
class NoteFilters:
    """What a list of notes is narrowed to. Areas and organizations go by id (the pages' selects) or by code
    (the public transparency pages); regions match a region or a sub-region of one of the note's countries."""

    call_id: int | None = None
    status: str | None = None
    thematic_area_id: int | None = None
    region: str | None = None
    country: str | None = None
    organisation_id: int | None = None
    q: str = ""
    sort: str = "submitted"
    direction: str = "desc"
    thematic_area_code: str | None = None
    organisation_code: str | None = None


SORTS = {
    "reference": ConceptNote.id,
    "title": ConceptNote.title,
    "submitted": ConceptNote.last_submitted_on,
    "budget": ConceptNote.budget_total,
    "status": ConceptNote.status,
    "duration": ConceptNote.duration_months,
}

#: Lists show this many notes a page unless asked (per_page, up to MAX_PER_PAGE).
PER_PAGE, MAX_PER_PAGE = 25, 100


def note_criteria(filters: NoteFilters) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses over ConceptNote that the filters ask for (sorting and visibility aside)."""
    criteria: list[sa.ColumnElement[bool]] = []
    if filters.call_id:
        criteria.append(ConceptNote.call_id == filters.call_id)
    if filters.status:
        criteria.append(ConceptNote.status == filters.status)
    if filters.thematic_area_id:
        criteria.append(ConceptNote.thematic_area_id == filters.thematic_area_id)
    if filters.thematic_area_code:
        criteria.append(ConceptNote.thematic_area.has(ThematicArea.code == filters.thematic_area_code))
    if filters.country:
        criteria.append(
            sa.exists().where(
                concept_note_countries.c.concept_note_id == ConceptNote.id,
                concept_note_countries.c.country_code == filters.country,
            )
        )
    if filters.region:
        criteria.append(
            sa.exists()
            .where(concept_note_countries.c.concept_note_id == ConceptNote.id)
            .where(concept_note_countries.c.country_code == Country.code)
            .where(sa.or_(Country.region_code == filters.region, Country.sub_region_code == filters.region))
        )
    if filters.organisation_id:
        criteria.append(
            sa.exists().where(
                Participant.concept_note_id == ConceptNote.id, Participant.organisation_id == filters.organisation_id
            )
        )
    if filters.organisation_code:
        criteria.append(
            sa.exists().where(
                Participant.concept_note_id == ConceptNote.id,
                Participant.organisation_id == Organisation.id,
                Organisation.code == filters.organisation_code,
            )
        )
    if filters.q:
        criteria.append(sa.func.lower(ConceptNote.title).like(f"%{filters.q.lower()}%"))
    return criteria


def matching_note_ids(filters: NoteFilters) -> sa.Select:
    """SELECT of the ids of the notes (drafts included) the filters match: for other domains' lists of
    what came out of notes (programme documents), so they filter exactly as the notes' lists do."""
    return sa.select(ConceptNote.id).where(*note_criteria(filters))


def notes_query(filters: NoteFilters, organisation_id: int | None = None, include_drafts: bool = False) -> sa.Select:
    """The filtered, sorted, eagerly loaded select behind every list of notes."""
    query = sa.select(ConceptNote).options(
        selectinload(ConceptNote.participants),
        selectinload(ConceptNote.countries),
        selectinload(ConceptNote.objectives),
    )
    return _filtered_notes(query, filters, organisation_id, include_drafts)


def _filtered_notes(
    query: sa.Select, filters: NoteFilters, organisation_id: int | None, include_drafts: bool
) -> sa.Select:
    """`query` (a select from concept_notes) with a list's filters and order."""
    if organisation_id is not None:
        # The organisation's notes: those it leads and the joint notes it is a partner of.
        query = query.where(
            sa.or_(
                ConceptNote.organisation_id == organisation_id,
                sa.exists().where(
                    Participant.concept_note_id == ConceptNote.id, Participant.organisation_id == organisation_id
                ),
            )
        )
    if not include_drafts:
        # Drafts belong to their authors until submitted; a withdrawn draft was never submitted either.
        query = query.where(ConceptNote.version_count > 0)
    query = query.where(*note_criteria(filters))
    column = SORTS.get(filters.sort, ConceptNote.last_submitted_on)
    order = column.asc() if filters.direction == "asc" else column.desc()
    return query.order_by(order.nulls_last() if filters.direction != "asc" else order, ConceptNote.id.desc())


def note_list(
    filters: NoteFilters,
    page: int = 1,
    per_page: int = PER_PAGE,
    organisation_id: int | None = None,
    include_drafts: bool = False,
) -> Pagination:
    """One page of the filtered notes, paginated in SQL (a page out of range is empty, not an error)."""
    query = notes_query(filters, organisation_id, include_drafts)
    count = _filtered_notes(sa.select(sa.func.count(ConceptNote.id)), filters, organisation_id, include_drafts)
    return _CountedPagination(
        select=query,
        count_select=count.order_by(None),
        session=db.session,
        page=page,
        per_page=per_page,
        max_per_page=MAX_PER_PAGE,
        error_out=False,
    )


class _CountedPagination(SelectPagination):
    """Flask-SQLAlchemy's pagination whose total comes from a given count (the list's filters over the notes'
    ids, neither their columns, their order nor their eager loads)."""

    def _query_count(self) -> int:
        return self._query_args["session"].execute(self._query_args["count_select"]).scalar_one()


def note_totals(filters: NoteFilters) -> dict[str, Any]:
    """Count and total budget of the submitted notes the filters match (one query, for the list's footer; with
    no filter, an index holding version_count and budget_total answers it)."""
    query = sa.select(sa.func.count(ConceptNote.id), sa.func.coalesce(sa.func.sum(ConceptNote.budget_total), 0))
    count, total = db.session.execute(_filtered_notes(query, filters, None, False).order_by(None)).one()
    return {"count": count, "budget": to_money(total)}


def filter_options() -> dict[str, Any]:
    """The choices of the list's filters: calls, statuses, areas, regions, the countries notes name, UN entities."""
    used_countries = sa.select(sa.distinct(concept_note_countries.c.country_code))
    return {
        "calls": db.session.execute(sa.select(Call.id, Call.title).order_by(Call.opens_on.desc())).all(),
        "statuses": list(STATUS_LABELS.items()),
        # Records, not rows: the template shows their names in the reader's language (local_name).
        "areas": db.session.scalars(sa.select(ThematicArea).order_by(ThematicArea.position)).all(),
        "regions": db.session.execute(
            sa.select(Region.code, Region.name).where(Region.level.in_(("region", "sub_region"))).order_by(Region.name)
        ).all(),
        "countries": sorted(
            db.session.scalars(sa.select(Country).where(Country.code.in_(used_countries))), key=lambda c: c.local_name
        ),
        "organisations": db.session.execute(
            sa.select(Organisation.id, Organisation.code)
            .where(Organisation.type == OrganisationType.un_entity)
            .order_by(Organisation.code)
        ).all(),
    }


#: The columns of the notes' CSV export, one row per note (export_rows()).
CSV_HEADER = [
    "reference",
    "title",
    "call",
    "status",
    "lead_organization",
    "participating_organizations",
    "thematic_area",
    "gcm_objectives",
    "scope",
    "countries",
    "duration_months",
    "direct_costs_usd",
    "indirect_support_costs_usd",
    "total_budget_usd",
    "gender_budget_share_percent",
    "first_submitted_on",
    "last_submitted_on",
    "versions",
]


#: Notes read per batch of the CSV export: the export holds one batch (plain rows) at a time.
CSV_BATCH = 500


def export_batches(
    filters: NoteFilters, organisation_id: int | None = None, include_drafts: bool = False
) -> Iterator[list[sa.Row]]:
    """The notes a list shows, with its filters and in its order, CSV_BATCH at a time, as plain rows: one
    cursor read in batches (each note's columns with its call's title, its lead's code and its area's code), so
    the memory an export needs does not grow with the number of notes. The joined tables are aliases, so the
    filters' own subqueries on organizations and areas stay their own."""
    call, lead, area = aliased(Call), aliased(Organisation), aliased(ThematicArea)
    columns = sa.select(
        ConceptNote.id,
        ConceptNote.title,
        call.title.label("call"),
        ConceptNote.status,
        lead.code.label("lead"),
        area.code.label("area"),
        ConceptNote.scope,
        ConceptNote.duration_months,
        ConceptNote.direct_costs_total,
        ConceptNote.indirect_costs_total,
        ConceptNote.budget_total,
        ConceptNote.gender_budget_share,
        ConceptNote.first_submitted_on,
        ConceptNote.last_submitted_on,
        ConceptNote.version_count,
    )
    query = (
        columns.select_from(ConceptNote)
        .join(call, call.id == ConceptNote.call_id)
        .join(lead, lead.id == ConceptNote.organisation_id)
        .outerjoin(area, area.id == ConceptNote.thematic_area_id)
    )
    query = _filtered_notes(query, filters, organisation_id, include_drafts)
    yield from db.session.execute(query.execution_options(yield_per=CSV_BATCH)).partitions()


def _codes_by_note(query: sa.Select) -> dict[int, list[str]]:
    """note id → the codes `query` selects as (note id, code), in the query's order."""
    codes: dict[int, list[str]] = {}
    for note_id, code in db.session.execute(query):
        codes.setdefault(note_id, []).append(code)
    return codes


def export_rows(
    filters: NoteFilters, organisation_id: int | None = None, include_drafts: bool = False
) -> Iterator[list[Any]]:
    """The notes a list shows, with its filters, as CSV_HEADER rows (the list page and "mine" share it),
    streamed a batch at a time: per batch, one query each for its participants, objectives and countries."""
    for notes in export_batches(filters, organisation_id, include_drafts):
        ids = [note.id for note in notes]
        participants = _codes_by_note(
            sa.select(Participant.concept_note_id, Organisation.code)
            .join(Organisation, Organisation.id == Participant.organisation_id)
            .where(Participant.concept_note_id.in_(ids))
            .order_by(Participant.concept_note_id, Participant.position, Participant.id)
        )
        objectives = _codes_by_note(
            sa.select(concept_note_objectives.c.concept_note_id, GcmObjective.number)
            .join(GcmObjective, GcmObjective.id == concept_note_objectives.c.objective_id)
            .where(concept_note_objectives.c.concept_note_id.in_(ids))
            .order_by(concept_note_objectives.c.concept_note_id, GcmObjective.number)
        )
        countries = _codes_by_note(
            sa.select(concept_note_countries.c.concept_note_id, Country.code)
            .join(Country, Country.code == concept_note_countries.c.country_code)
            .where(concept_note_countries.c.concept_note_id.in_(ids))
            .order_by(concept_note_countries.c.concept_note_id, Country.name)
        )
        for note in notes:
            yield [
                note_reference(note.id),
                note.title,
                note.call,
                note.status,
                note.lead,
                " ".join(code.replace(" ", "_") for code in participants.get(note.id, [])),
                note.area or "",
                " ".join(str(number) for number in objectives.get(note.id, [])),
                note.scope.value if note.scope else "",
                " ".join(countries.get(note.id, [])),
                note.duration_months,
                note.direct_costs_total,
                note.indirect_costs_total,
                note.budget_total,
                note.gender_budget_share,
                note.first_submitted_on,
                note.last_submitted_on,
                note.version_count,
            ]


def note_regions(note_ids: sa.Select) -> list[tuple[str, str]]:
    """(M49 code, name) of the regions the countries of these notes lie in, by name."""
    return [
        (code, name)
        for code, name in db.session.execute(
            sa.select(Region.code, Region.name)
            .join(Country, Country.region_code == Region.code)
            .join(concept_note_countries, concept_note_countries.c.country_code == Country.code)
            .where(concept_note_countries.c.concept_note_id.in_(note_ids))
            .distinct()
            .order_by(Region.name)
        )
    ]


def participation_counts(note_ids: sa.Select) -> dict[str, int]:
    """organization code → in how many of these notes it is a participating organization (lead included)."""
    return dict(
        db.session.execute(
            sa.select(Organisation.code, sa.func.count(sa.distinct(Participant.concept_note_id)))
            .join(Organisation, Organisation.id == Participant.organisation_id)
            .where(Participant.concept_note_id.in_(note_ids))
            .group_by(Organisation.code)
        ).all()
    )


def summary() -> dict[str, Any]:
    """The public summary's concept note figures: ever submitted, and how many are in each status now."""
    submitted = db.session.scalar(
        sa.select(sa.func.count()).select_from(ConceptNote).where(ConceptNote.version_count > 0)
    )
    rows = db.session.execute(
        sa.select(ConceptNote.status, sa.func.count())
        .where(ConceptNote.version_count > 0)
        .group_by(ConceptNote.status)
        .order_by(ConceptNote.status)
    ).all()
    return {"submitted": submitted or 0, "by_status": dict(rows)}


# Work lists, search and names: what the role inboxes, the search box and the audit log ask ----------


@dataclass(frozen=True)
class NoteWork:
    """A note waiting for someone's action: since when, by when (its call's closing date), why."""

    note: ConceptNote
    since: date | None
    due_on: date | None = None
    #: The secretariat's comments when it returned the note for revision.
    comment: str = ""


def _with_total(query: sa.Select, limit: int) -> tuple[int, list[sa.Row]]:
    """The first `limit` rows of a query and how many rows it has in all, in one statement."""
    rows = db.session.execute(query.add_columns(sa.func.count().over().label("total")).limit(limit)).all()
    return (rows[0].total if rows else 0), rows


def notes_to_screen(limit: int) -> tuple[int, list[NoteWork]]:
    """Submitted notes waiting for the secretariat's screening, the longest waiting first (two queries: the page
    is chosen on narrow rows, then its notes are loaded; sorting every submitted note whole costs more)."""
    total, rows = _with_total(
        sa.select(ConceptNote.id)
        .where(ConceptNote.status == SUBMITTED)
        .order_by(ConceptNote.last_submitted_on.asc(), ConceptNote.id),
        limit,
    )
    found = _notes_by_id([row.id for row in rows])
    return total, [NoteWork(found[row.id], found[row.id].last_submitted_on) for row in rows]


def _notes_by_id(ids: list[int]) -> dict[int, ConceptNote]:
    if not ids:
        return {}
    return {note.id: note for note in db.session.scalars(sa.select(ConceptNote).where(ConceptNote.id.in_(ids)))}


def drafts_to_finish(organisation_id: int, limit: int) -> tuple[int, list[NoteWork]]:
    """The organisation's drafts, the one whose call closes soonest first (rolling calls last), then the oldest."""
    total, rows = _with_total(
        sa.select(ConceptNote)
        .join(Call, Call.id == ConceptNote.call_id)
        .where(ConceptNote.organisation_id == organisation_id, ConceptNote.status == DRAFT)
        .order_by(Call.closes_on.is_(None), Call.closes_on, ConceptNote.created_at, ConceptNote.id),
        limit,
    )
    return total, [NoteWork(row[0], row[0].created_at.date(), row[0].call.closes_on) for row in rows]


def returned_notes(organisation_id: int, limit: int) -> tuple[int, list[NoteWork]]:
    """The organisation's notes returned for revision, the longest waiting first, with the comments (one query)."""
    # The latest return of each of the organisation's returned notes (by the note's index), not of every note.
    latest = (
        sa.select(sa.func.max(Screening.id))
        .where(Screening.concept_note_id == ConceptNote.id, Screening.decision == RETURNED)
        .correlate(ConceptNote)
        .scalar_subquery()
    )
    total, rows = _with_total(
        sa.select(ConceptNote, Screening.screened_at, Screening.comments)
        .join(Screening, Screening.id == latest)
        .where(ConceptNote.organisation_id == organisation_id, ConceptNote.status == RETURNED)
        .order_by(Screening.screened_at, ConceptNote.id),
        limit,
    )
    return total, [NoteWork(row[0], row.screened_at.date(), None, row.comments or "") for row in rows]


@dataclass(frozen=True)
class NoteQuestion:
    """A clarification question of the Fund Management Unit in a note's discussion, not answered yet."""

    message: NoteMessage
    note: ConceptNote


def questions_to_answer(organisation_id: int, limit: int) -> tuple[int, list[NoteQuestion]]:
    """The clarification questions not answered yet in the discussions of the notes the organisation leads or
    takes part in (its focal points answer them), withdrawn notes left out: the oldest first."""
    # The page is chosen on narrow rows (no note loaded with its call and organization for each of the
    # organization's notes), then its questions are loaded with their notes: two queries. The questions lead
    # (each checked against its own note and the note's partners, by their keys), not the organization's notes:
    # an organization may have thousands of notes and no open question.
    partner = sa.exists().where(
        Participant.concept_note_id == ConceptNote.id, Participant.organisation_id == organisation_id
    )
    of_note = sa.exists().where(
        ConceptNote.id == NoteMessage.concept_note_id,
        ConceptNote.status != WITHDRAWN,
        sa.or_(ConceptNote.organisation_id == organisation_id, partner),
    )
    total, rows = _with_total(
        sa.select(NoteMessage.id)
        .where(discussions.unanswered(NoteMessage), of_note)
        .order_by(NoteMessage.created_at, NoteMessage.id),
        limit,
    )
    # Run even when none waits: the inbox runs the same statements whatever the data.
    found = {
        message.id: (message, note)
        for message, note in db.session.execute(
            sa.select(NoteMessage, ConceptNote)
            .join(ConceptNote, ConceptNote.id == NoteMessage.concept_note_id)
            .where(NoteMessage.id.in_([row.id for row in rows]))
            # The author's name only: their roles stay unloaded (a fixed number of queries whoever asked).
            .options(joinedload(NoteMessage.author).lazyload(User.role_rows))
        )
    }
    return total, [NoteQuestion(*found[row.id]) for row in rows]


def latest_notes(organisation_id: int, limit: int) -> list[ConceptNote]:
    """The organisation's notes changed most recently, whatever their status (one query): the applicant follows them."""
    return list(
        db.session.scalars(
            sa.select(ConceptNote)
            .where(ConceptNote.organisation_id == organisation_id)
            .order_by(ConceptNote.updated_at.desc(), ConceptNote.id.desc())
            .limit(limit)
        )
    )


# The discussion ------------------------------------------------------------------------------------


def _discussion_link(note: ConceptNote, message: NoteMessage | None = None) -> str:
    anchor = f"#message-{message.id}" if message is not None else ""
    try:
        return url_for("concept_notes.discussion", note_id=note.id) + anchor
    except RuntimeError:  # outside a request (CLI, demo)
        return f"/concept-notes/{note.id}/discussion{anchor}"


def discussion_readers(note: ConceptNote) -> list[User]:
    """Everyone who can read the note's thread, so may be mentioned in it: the focal points of its organizations
    and, once it was submitted, the secretariat and the committee (concept_notes.permissions says the same)."""
    focal = sa.and_(User.organisation_id.in_(_organisation_ids(note)), User.id.in_(_with_roles(Role.applicant)))
    reviewers = User.id.in_(_with_roles(Role.secretariat, Role.committee_chair, Role.committee_member))
    who = sa.or_(focal, reviewers) if note.version_count > 0 else focal
    return list(db.session.scalars(sa.select(User).where(User.is_active, who).order_by(User.name, User.id)))


def _with_roles(*roles: Role) -> sa.Select:
    return sa.select(UserRole.user_id).where(UserRole.role.in_(roles))


def _thread_participants(note: ConceptNote, readers: list[User]) -> list[User]:
    """Who hears of every message: the note's organizations and the secretariat (the committee reads, and is told
    only when mentioned)."""
    organisations = set(_organisation_ids(note))
    return [
        u
        for u in readers
        if u.has_role(Role.secretariat) or (u.has_role(Role.applicant) and u.organisation_id in organisations)
    ]


def post_message(
    actor: User, note: ConceptNote, body: str, is_question: bool = False, answers_id: int | None = None
) -> NoteMessage:
    """Add a message to the note's thread and notify: its organizations and the secretariat of every message,
    the people it mentions that they were. The secretariat may flag a clarification question; a focal point of
    the note's organizations answers it (answers_id)."""
    if not permissions.can_write_discussion(actor, note):
        raise NotAllowed(_("Only the note's organizations and the Fund Management Unit write in its discussion."))
    question = None
    if answers_id is not None:
        question = db.session.get(NoteMessage, answers_id)
        if question is None or question.concept_note_id != note.id:
            raise DomainError(_("Answer a question of this discussion."), field="answers_id")
    readers = discussion_readers(note)
    draft = discussions.check_message(
        actor,
        body,
        readers=readers,
        may_ask=permissions.can_ask_clarification(actor, note),
        may_answer=permissions.can_answer_clarification(actor, note),
        is_question=is_question,
        answers=question,
    )
    message = NoteMessage(concept_note_id=note.id, **draft.columns(actor))
    db.session.add(message)
    db.session.flush()
    record_change(
        actor,
        "concept_note.message_posted",
        "concept_notes",
        note.id,
        {
            "message": message.id,
            "question": message.is_question,
            "answers": message.answers_id,
            "mentions": message.mentioned_ids,
        },
    )
    discussions.notify_thread(
        message,
        reference=note.reference,
        participants=_thread_participants(note, readers),
        mentioned=draft.mentioned,
        link=_discussion_link(note, message),
    )
    return message


def discussion_messages(note: ConceptNote) -> list[NoteMessage]:
    return list(
        db.session.scalars(
            sa.select(NoteMessage).where(NoteMessage.concept_note_id == note.id).order_by(NoteMessage.id)
        )
    )


def _describe(people: list[User], note: ConceptNote) -> dict[int, str]:
    """What each reader is in the thread: 'UNDP, lead', 'ILO, partner', 'Fund Management Unit', 'committee'."""
    described = {}
    for person in people:
        if person.has_role(Role.applicant) and person.organisation_id == note.organisation_id:
            described[person.id] = _("%(organisation)s, lead organization", organisation=person.organisation.code)
        elif person.has_role(Role.applicant) and person.organisation_id in _organisation_ids(note):
            described[person.id] = _("%(organisation)s, partner organization", organisation=person.organisation.code)
        elif person.has_role(Role.secretariat):
            described[person.id] = _("Fund Management Unit")
        else:
            described[person.id] = _("steering committee (reads)")
    return described


def discussion_page(note: ConceptNote) -> dict[str, Any]:
    """The thread of a note with who can read it (a fixed number of queries)."""
    readers = discussion_readers(note)
    return {
        "note": note,
        "thread": discussions.thread(discussion_messages(note), readers, _describe(readers, note)),
        "readers": readers,
    }


def discussion_counts(note: ConceptNote) -> tuple[int, int]:
    """(messages, open clarification questions) of the note's thread, for the link on the note's page."""
    messages = discussion_messages(note)
    answered = {m.answers_id for m in messages if m.answers_id is not None}
    return len(messages), sum(1 for m in messages if m.is_question and m.id not in answered)


def of_organisation(organisation_id: int | None) -> sa.ColumnElement[bool]:
    """SQL twin of `permissions.is_participant`: the notes the organisation leads or takes part in."""
    partner = sa.select(Participant.concept_note_id).where(Participant.organisation_id == organisation_id)
    return sa.or_(ConceptNote.organisation_id == organisation_id, ConceptNote.id.in_(partner))


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """SQL twin of `permissions.can_view`: the notes this user may open (lists, search): the ones their
    organization leads or is a partner of, and, for reviewers, every note submitted once."""
    clauses: list[sa.ColumnElement[bool]] = []
    if user.has_role(Role.applicant) and user.organisation_id is not None:
        clauses.append(of_organisation(user.organisation_id))
    if user.has_any_role(Role.secretariat, Role.committee_member, Role.committee_chair):
        clauses.append(ConceptNote.version_count > 0)
    return sa.or_(sa.false(), *clauses)


def search_notes(user: User, query: str) -> sa.Select | None:
    """The search box over notes the user may open: every word in the title, or the reference (CN-0037)."""
    words = search.terms(query)
    if not words:
        return None
    number = search.reference_number(query, "CN")
    exact = ConceptNote.id == number if number is not None else None
    found = search.contains_all(ConceptNote.title, words)
    return sa.select(
        *search.hits("note", ConceptNote.id, search.rank(exact, ConceptNote.title, query), ConceptNote.title)
    ).where(visible_to(user), sa.or_(found, exact) if exact is not None else found)


def notes_by_id(ids: Iterable[int]) -> dict[int, ConceptNote]:
    """Notes by id, with their lead organization (one query)."""
    ids = list(ids)
    if not ids:
        return {}
    return {n.id: n for n in db.session.scalars(sa.select(ConceptNote).where(ConceptNote.id.in_(ids)))}


#: The audit log's object types that are notes (workflow events name the machine, services the table) and calls.
NOTE_OBJECT_TYPES = ("concept_note", "concept_notes")


def describe_objects(object_type: str, ids: Iterable[str]) -> dict[str, str] | None:
    """Names of notes and calls for the audit log (`signals.describe_objects`), one query; None: not ours."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if object_type in NOTE_OBJECT_TYPES:
        rows = db.session.execute(sa.select(ConceptNote.id, ConceptNote.title).where(ConceptNote.id.in_(numbers)))
        return {str(i): f"{note_reference(i)} ‘{title or _('(untitled)')}’" for i, title in rows}
    if object_type == "calls":
        rows = db.session.execute(sa.select(Call.id, Call.title).where(Call.id.in_(numbers)))
        return {str(i): _("call ‘%(title)s’", title=title) for i, title in rows}
    return None
