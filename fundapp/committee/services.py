"""Committee business rules: seats, criteria, decision settings, conflicts, reviews and scores, meetings,
votes, decisions and the light joint programme document; and the query services the pages read. Flush, never
commit (the view edge commits once per request).

Reviews. A note enters the committee's review through CONCEPT_NOTE (eligible → under_review). While the
review is open each voting member scores it 1–5 per criterion of the call's set (or the fund's default) with a
comment, and sees only their own scores. When the chair closes the review, the averages, weighted total,
spread and every member's scores become visible to the committee members who are not recused.

Conflicts of interest: a member is recused automatically when the organisation of their seat is a
participating organization of the note (lead or partner) or when they hold a country seat for a country the
note covers; a member may also declare a conflict, with the reason. A recused member cannot see the note's
scores, score it or vote on it.

Decisions. Every decision checks the quorum first (rules.decide over the meeting's attendance) and is refused
with the reason if the quorum or the votes it needs are missing:

- endorse, approve funding, approve (other business): the vote must pass under the fund's rule;
- reject: every eligible member has voted and the motion did not pass;
- defer, return for revision: the quorum (a procedural decision of the meeting).

A funding decision allocates the amount through the fund ledger in the same transaction (the ledger's
advisory lock on PostgreSQL serialises competing allocations, so two decisions racing for the last money
cannot both succeed) and moves the note to funded.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from fundapp.auth.models import Organisation, User
from fundapp.committee import permissions, workflow
from fundapp.committee.models import (
    CONSTITUENCY_LABELS,
    AgendaItem,
    Attendance,
    CommitteeSeat,
    CommitteeSettings,
    Constituency,
    ItemKind,
    JointProgrammeDocument,
    Meeting,
    Outcome,
    ProgrammeBudgetLine,
    Recusal,
    Review,
    ReviewSummary,
    ScoreLine,
    ScoreSheet,
    ScoringCriterion,
    VoteRecord,
)
from fundapp.committee.rules import (
    MAX_SCORE,
    MIN_SCORE,
    TOTAL_WEIGHT,
    DecisionConfig,
    DecisionRule,
    MajorityBase,
    RuleOutcome,
    ScoreSummary,
    Threshold,
    Vote,
    check_quorum,
    decide,
    summarise,
)
from fundapp.concept_notes.models import ConceptNote, Participant, concept_note_countries
from fundapp.concept_notes.workflow import CONCEPT_NOTE, ELIGIBLE, status_label
from fundapp.contributions import ledger
from fundapp.core import cache, clock, signals
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, NotAllowed, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.i18n import DEFAULT_LANGUAGE, _, force_locale
from fundapp.core.money import MoneyInputError, format_money, parse_money, to_money
from fundapp.core.permissions import COMMITTEE_ROLES, Role
from fundapp.core.templating import format_date
from fundapp.reference.models import Country
from fundapp.reference.services import DATA_DIR, get_fund

# Seats --------------------------------------------------------------------------------------------


def on_record(text: Callable[[], object]) -> str:
    """Text kept in the records (a decision's rule text, the minutes' quorum, event notes): written in the fund's
    default language whoever acts, as stored values are; what people read now is translated where it is shown."""
    with force_locale(DEFAULT_LANGUAGE):
        return str(text())


@dataclass
class SeatInput:
    """What the secretariat enters for a seat (plain values, so CLI and imports use the same rules)."""

    constituency: Constituency | str
    user_id: int
    term_start_on: date
    organisation_id: int | None = None  # defaults to the member's organisation
    country_code: str | None = None
    term_end_on: date | None = None
    is_voting: bool = True


def _check_seat(data: SeatInput, seat: CommitteeSeat | None = None) -> tuple[Constituency, User, Organisation]:
    """Every rule on a seat, reported together with the field each belongs to."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    constituency = Constituency(data.constituency)
    user = db.session.get(User, data.user_id)
    organisation = db.session.get(Organisation, data.organisation_id) if data.organisation_id else None
    if user is None or not user.is_active:
        fail("user_id", _("Choose an active user."))
    elif organisation is None:
        organisation = user.organisation
    if data.organisation_id and organisation is None:
        fail("organisation_id", _("Unknown organisation."))
    if data.term_end_on is not None and data.term_end_on < data.term_start_on:
        fail("term_end_on", _("The term cannot end before it starts."))
    if constituency.is_country_seat:
        if not data.country_code:
            fail(
                "country_code",
                _("A seat for a %(constituency)s needs the country.", constituency=constituency.label.lower()),
            )
        elif db.session.get(Country, data.country_code) is None:
            fail("country_code", _("Unknown country."))
    elif data.country_code:
        fail("country_code", _("Only country seats (origin, transit, destination) name a country."))
    if constituency is Constituency.chair and not data.is_voting:
        fail("is_voting", _("The chair votes: an observer cannot hold the chair."))
    if constituency.observes and data.is_voting:
        fail(
            "is_voting",
            _("The %(constituency)s observes: its seat does not vote.", constituency=constituency.label.lower()),
        )
    if user is not None and user.is_active:
        if constituency is Constituency.chair and not user.has_role(Role.committee_chair):
            fail("user_id", _("%(member)s does not have the steering committee chair role.", member=user.name))
        elif data.is_voting and not user.has_any_role(*COMMITTEE_ROLES):
            fail("user_id", _("%(member)s is not a steering committee member; give the role first.", member=user.name))
        if seat is None or seat.is_active:
            other = db.session.scalar(
                sa.select(CommitteeSeat).where(
                    CommitteeSeat.user_id == user.id,
                    CommitteeSeat.is_active,
                    CommitteeSeat.id != (seat.id if seat else -1),
                )
            )
            if other is not None:
                fail(
                    "user_id",
                    _(
                        "%(member)s already holds an active seat (%(seat)s).",
                        member=user.name,
                        seat=other.constituency.label,
                    ),
                )
    if constituency is Constituency.chair and (seat is None or seat.is_active):
        chair = db.session.scalar(
            sa.select(CommitteeSeat).where(
                CommitteeSeat.constituency == Constituency.chair,
                CommitteeSeat.is_active,
                CommitteeSeat.id != (seat.id if seat else -1),
            )
        )
        if chair is not None:
            fail(
                "constituency",
                _("The chair is already held by %(member)s; end that term first.", member=chair.user.name),
            )
    if errors:
        raise ValidationFailed(errors)
    assert user is not None and organisation is not None  # noqa: PT018  (narrowing for the type checker)
    return constituency, user, organisation


def _seat_details(seat: CommitteeSeat) -> dict[str, Any]:
    return {
        "constituency": seat.constituency.value,
        "user": seat.user.email,
        "organisation": seat.organisation.code,
        "country": seat.country_code,
        "term_start_on": seat.term_start_on.isoformat(),
        "term_end_on": seat.term_end_on.isoformat() if seat.term_end_on else None,
        "is_voting": seat.is_voting,
    }


def create_seat(actor: User | None, data: SeatInput) -> CommitteeSeat:
    constituency, user, organisation = _check_seat(data)
    seat = CommitteeSeat(
        constituency=constituency,
        user=user,
        organisation=organisation,
        country_code=data.country_code or None,
        term_start_on=data.term_start_on,
        term_end_on=data.term_end_on,
        is_voting=data.is_voting,
        is_active=True,
    )
    db.session.add(seat)
    db.session.flush()
    record_change(actor, "committee.seat_created", "committee_seats", seat.id, _seat_details(seat))
    return seat


def update_seat(actor: User | None, seat: CommitteeSeat, data: SeatInput, today: date | None = None) -> None:
    """Correct a seat's details; an ended seat stays ended (a new term is a new seat).

    A running term may carry its planned end date, but not a past one: that is what ending the term is for.
    """
    constituency, user, organisation = _check_seat(data, seat)
    if not seat.is_active and data.term_end_on is None:
        raise DomainError(_("An ended term keeps its end date; create a new seat for a new term."), field="term_end_on")
    if seat.is_active and data.term_end_on is not None and data.term_end_on < (today or clock.today()):
        raise DomainError(_("That date has passed: use “End term” to end the term."), field="term_end_on")
    before = _seat_details(seat)
    seat.constituency = constituency
    seat.user = user
    seat.organisation = organisation
    seat.country_code = data.country_code or None
    seat.term_start_on = data.term_start_on
    seat.term_end_on = data.term_end_on
    seat.is_voting = data.is_voting
    db.session.flush()
    after = _seat_details(seat)
    changes = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if changes:
        record_change(actor, "committee.seat_updated", "committee_seats", seat.id, changes)


def end_term(actor: User | None, seat: CommitteeSeat, end_on: date, today: date | None = None) -> None:
    """End a member's term: the seat stays in the history (minutes cite it) but no longer sits.

    The last day is today or earlier; a planned end date is set by editing the seat.
    """
    if not seat.is_active:
        raise DomainError(_("This term has already ended."), field="term_end_on")
    if end_on < seat.term_start_on:
        raise DomainError(_("The term cannot end before it started."), field="term_end_on")
    if end_on > (today or clock.today()):
        raise DomainError(
            "A term ends today at the latest; set a planned end date by editing the seat.", field="term_end_on"
        )
    seat.term_end_on = end_on
    seat.is_active = False
    db.session.flush()
    record_change(actor, "committee.term_ended", "committee_seats", seat.id, {"term_end_on": end_on.isoformat()})


def _seats_query(active: bool | None = True) -> sa.Select:
    """Seats in the committee's usual order: chair, constituencies, then the member's name."""
    order = sa.case({c.value: i for i, c in enumerate(Constituency)}, value=CommitteeSeat.constituency)
    query = (
        sa.select(CommitteeSeat)
        .join(CommitteeSeat.user)
        .options(
            selectinload(CommitteeSeat.user),
            selectinload(CommitteeSeat.organisation),
            selectinload(CommitteeSeat.country),
        )
        .order_by(order, User.name, CommitteeSeat.id)
    )
    if active is not None:
        query = query.where(CommitteeSeat.is_active.is_(active))
    return query


def active_seats() -> list[CommitteeSeat]:
    return list(db.session.scalars(_seats_query(active=True)))


def seat_of(user: User) -> CommitteeSeat | None:
    """The active seat the user holds, if any."""
    return db.session.scalar(sa.select(CommitteeSeat).where(CommitteeSeat.user_id == user.id, CommitteeSeat.is_active))


def committee_summary() -> dict[str, Any]:
    """The public part: how many seats vote and observe, by constituency (one query)."""
    rows = db.session.execute(
        sa.select(CommitteeSeat.constituency, CommitteeSeat.is_voting, sa.func.count())
        .where(CommitteeSeat.is_active)
        .group_by(CommitteeSeat.constituency, CommitteeSeat.is_voting)
    ).all()
    by_constituency: dict[str, int] = {}
    for constituency, _voting, count in rows:
        by_constituency[constituency.value] = by_constituency.get(constituency.value, 0) + count
    return {
        "voting_seats": sum(count for _c, voting, count in rows if voting),
        "observer_seats": sum(count for _c, voting, count in rows if not voting),
        "seats_by_constituency": dict(sorted(by_constituency.items())),
    }


def seats_page(status: str, constituency: str, page: int) -> dict[str, Any]:
    """One page of seats, current ("active"), ended ("ended") or all, optionally of one constituency; and how
    many voting and observer seats sit today.
    """
    query = _seats_query(active={"active": True, "ended": False}.get(status))
    if constituency in Constituency.__members__:
        query = query.where(CommitteeSeat.constituency == Constituency(constituency))
    pagination: Pagination = db.paginate(query, page=page, per_page=25, error_out=False)
    counts = dict(
        db.session.execute(
            sa.select(CommitteeSeat.is_voting, sa.func.count())
            .where(CommitteeSeat.is_active)
            .group_by(CommitteeSeat.is_voting)
        ).all()
    )
    return {"page": pagination, "voting": counts.get(True, 0), "observers": counts.get(False, 0)}


def seat_form_choices() -> dict[str, list[tuple[Any, str]]]:
    """The seat form's choices: active users (with their organisation), active organisations, countries."""
    users = db.session.execute(
        sa.select(User.id, User.name, User.email, Organisation.code)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(User.is_active)
        .order_by(User.name)
    )
    organisations = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.code)
        .where(Organisation.is_active)
        .order_by(Organisation.name)
    )
    countries = db.session.execute(sa.select(Country.code, Country.name).order_by(Country.name))
    return {
        "user_choices": [(r.id, f"{r.name} ({r.code}) · {r.email}") for r in users],
        "organisation_choices": [(r.id, f"{r.name} ({r.code})") for r in organisations],
        "country_choices": [(r.code, r.name) for r in countries],
    }


def committee_page(user: User) -> dict[str, Any]:
    """The read-only committee page: who sits, the quorum and rule in force, the scoring criteria."""
    seats = active_seats()
    config = decision_config()
    voting = [s for s in seats if s.is_voting]
    return {
        "seats": seats,
        "voting": voting,
        "observers": [s for s in seats if not s.is_voting],
        "config": config,
        "quorum_needed": config.quorum.needed(len(voting)),
        "consensus": config.rule is DecisionRule.consensus,
        "criteria": criteria_for(None),
        "my_seat": next((s for s in seats if s.user_id == user.id), None),
    }


# Scoring criteria ---------------------------------------------------------------------------------


def _normalise_rows(criteria: Sequence[Sequence[Any]]) -> list[tuple[str, str, Any, str]]:
    rows = []
    for row in criteria:
        code, name, weight, *rest = row
        rows.append(((code or "").strip(), (name or "").strip(), weight, (rest[0] if rest else "") or ""))
    return rows


def check_criteria(criteria: Sequence[Sequence[Any]]) -> list[tuple[str, str, int, str]]:
    """Every rule on a criteria set; field names are rows-<i>-<field> and 'total', as in the form."""
    errors: dict[str, list[str]] = {}
    rows = _normalise_rows(criteria)
    if not rows:
        errors["total"] = [_("Give at least one criterion.")]
    seen: dict[str, int] = {}
    checked = []
    for i, (code, name, weight, description) in enumerate(rows):
        if not code:
            errors.setdefault(f"rows-{i}-code", []).append(_("A code is required."))
        elif len(code) > 20:
            errors.setdefault(f"rows-{i}-code", []).append(_("At most 20 characters."))
        elif code.lower() in seen:
            errors.setdefault(f"rows-{i}-code", []).append(_("The code %(code)s is used twice.", code=code))
        else:
            seen[code.lower()] = i
        if not name:
            errors.setdefault(f"rows-{i}-name", []).append(_("A name is required."))
        valid = not isinstance(weight, bool) and isinstance(weight, int) and 1 <= weight <= TOTAL_WEIGHT
        if not valid:
            errors.setdefault(f"rows-{i}-weight", []).append(_("A whole number from 1 to 100."))
        checked.append((code, name, weight if valid else 0, description))
    names = [name.lower() for _c, name, _w, _d in checked if name]
    for i, (_code, name, _w, _d) in enumerate(checked):
        if name and names.count(name.lower()) > 1:
            errors.setdefault(f"rows-{i}-name", []).append(_("This name is used twice."))
    total = sum(w for _c, _n, w, _d in checked)
    if rows and total != TOTAL_WEIGHT:
        errors.setdefault("total", []).append(
            _("The weights add up to %(total)s; they must add up to %(needed)s.", total=total, needed=TOTAL_WEIGHT)
        )
    if errors:
        raise ValidationFailed(errors)
    return checked


def criteria_for(call_id: int | None = None) -> list[ScoringCriterion]:
    """A call's own set if it has one, else the fund's default set, in order."""
    if call_id is not None:
        own = list(
            db.session.scalars(
                sa.select(ScoringCriterion)
                .where(ScoringCriterion.call_id == call_id)
                .order_by(ScoringCriterion.position, ScoringCriterion.id)
            )
        )
        if own:
            return own
    return list(
        db.session.scalars(
            sa.select(ScoringCriterion)
            .where(ScoringCriterion.call_id.is_(None))
            .order_by(ScoringCriterion.position, ScoringCriterion.id)
        )
    )


def weights_for(call_id: int | None = None) -> dict[str, int]:
    """code → weight, in order: the input scoring.summarise() takes."""
    return {c.code: c.weight for c in criteria_for(call_id)}


def set_criteria(
    actor: User | None, criteria: Sequence[Sequence[Any]], call_id: int | None = None
) -> list[ScoringCriterion]:
    """Replace a criteria set (the fund's default, or a call's) in one go.

    Refused whole, with the field of each problem, if a code or name repeats or the weights do not sum to
    100. Criteria keep their row (and id) when their code stays, so scores that cite them stay attached.
    """
    rows = check_criteria(criteria)
    existing = {
        c.code.lower(): c
        for c in db.session.scalars(
            sa.select(ScoringCriterion).where(
                ScoringCriterion.call_id.is_(None) if call_id is None else ScoringCriterion.call_id == call_id
            )
        )
    }
    before = {c.code: [c.name, c.weight] for c in sorted(existing.values(), key=lambda c: c.position)}
    keep = {code.lower() for code, _n, _w, _d in rows}
    for key, criterion in existing.items():
        if key not in keep:
            db.session.delete(criterion)
    db.session.flush()
    result = []
    for position, (code, name, weight, description) in enumerate(rows, start=1):
        criterion = existing.get(code.lower())
        if criterion is None:
            criterion = ScoringCriterion(call_id=call_id, code=code)
            db.session.add(criterion)
        criterion.code = code
        criterion.name = name
        criterion.weight = weight
        criterion.description = description
        criterion.position = position
        result.append(criterion)
    db.session.flush()
    after = {c.code: [c.name, c.weight] for c in result}
    if list(before.items()) != list(after.items()):
        record_change(
            actor,
            "committee.criteria_set",
            "scoring_criteria",
            call_id,
            {"call_id": call_id, "from": before, "to": after},
        )
    return result


def default_criteria_from_file(path: str | Path | None = None) -> list[tuple[str, str, int, str]]:
    """The fund's default criteria from the reference file's "scoring_criteria" section."""
    data = json.loads(Path(path or DATA_DIR / "migration-mptf.json").read_text(encoding="utf-8"))
    return [(c["code"], c["name"], int(c["weight"]), c.get("description", "")) for c in data["scoring_criteria"]]


def load_default_criteria(actor: User | None = None, path: str | Path | None = None) -> int:
    """Create the fund's default set from the reference file unless a default set exists already."""
    if db.session.scalar(sa.select(ScoringCriterion.id).where(ScoringCriterion.call_id.is_(None)).limit(1)):
        return 0
    return len(set_criteria(actor, default_criteria_from_file(path)))


def criteria_page(call_id: int | None) -> dict[str, Any]:
    """The criteria form's rows and whether they are saved.

    A call without its own set starts from the fund's default set; a fund without a default set starts from the
    reference file's criteria (not saved yet).
    """
    own = [c for c in criteria_for(call_id) if c.call_id == call_id]
    shown = own or (criteria_for(None) if call_id is not None else [])
    rows = [(c.code, c.name, c.weight, c.description) for c in shown] or default_criteria_from_file()
    return {"rows": rows, "saved": bool(own)}


# Decision settings --------------------------------------------------------------------------------


def decision_config() -> DecisionConfig:
    """The fund's rule (FundSettings.decision_rule) with the committee's quorum and majority settings."""
    fund = get_fund()
    rule = DecisionRule(fund.decision_rule if fund else DecisionRule.consensus)
    settings = db.session.scalar(sa.select(CommitteeSettings).limit(1))
    if settings is None:
        return DecisionConfig(rule=rule)
    return DecisionConfig(
        rule=rule,
        quorum=Threshold(settings.quorum_numerator, settings.quorum_denominator, settings.quorum_strict),
        quorum_requires_chair=settings.quorum_requires_chair,
        majority=Threshold(settings.majority_numerator, settings.majority_denominator, settings.majority_strict),
        majority_base=settings.majority_base,
    )


#: Thresholds the settings page offers, by key: the wording a committee's rules use.
THRESHOLDS = {
    "more_than_half": Threshold(1, 2, strict=True),
    "at_least_half": Threshold(1, 2, strict=False),
    "two_thirds": Threshold(2, 3, strict=False),
    "three_quarters": Threshold(3, 4, strict=False),
}


def threshold_key(threshold: Threshold) -> str | None:
    return next((key for key, value in THRESHOLDS.items() if value == threshold), None)


def set_decision_settings(
    actor: User | None,
    rule: DecisionRule | str,
    quorum: Threshold,
    quorum_requires_chair: bool,
    majority: Threshold,
    majority_base: MajorityBase | str,
) -> DecisionConfig:
    """Record the committee's decision rule (FundSettings.decision_rule) and its quorum and majority settings."""
    fund = get_fund()
    if fund is None:
        raise DomainError(_("Load the fund's reference data first."))
    rule = DecisionRule(rule)
    before = _config_details(decision_config())
    fund.decision_rule = rule.value
    settings = db.session.scalar(sa.select(CommitteeSettings).limit(1))
    if settings is None:
        settings = CommitteeSettings()
        db.session.add(settings)
    settings.quorum_numerator, settings.quorum_denominator = quorum.numerator, quorum.denominator
    settings.quorum_strict = quorum.strict
    settings.quorum_requires_chair = quorum_requires_chair
    settings.majority_numerator, settings.majority_denominator = majority.numerator, majority.denominator
    settings.majority_strict = majority.strict
    settings.majority_base = MajorityBase(majority_base)
    db.session.flush()
    config = decision_config()
    after = _config_details(config)
    changes = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if changes:
        record_change(actor, "committee.decision_settings_changed", "committee_settings", settings.id, changes)
    return config


def _config_details(config: DecisionConfig) -> dict[str, Any]:
    return {
        "rule": config.rule.value,
        "quorum": config.quorum.describe(),
        "quorum_requires_chair": config.quorum_requires_chair,
        "majority": config.majority.describe(),
        "majority_base": config.majority_base.value,
    }


def decision_settings_page() -> dict[str, Any]:
    """The settings in force and what they mean for today's committee (voting seats, votes needed)."""
    config = decision_config()
    voting = len(roll(clock.today()).voting)
    return {
        "config": config,
        "consensus": config.rule is DecisionRule.consensus,
        "voting": voting,
        "quorum_needed": config.quorum.needed(voting),
        "majority_needed": config.majority.needed(voting),
    }


# The committee's roll, for meetings -----------------------------------------------------------------


@dataclass(frozen=True)
class Roll:
    """Who sits on a given day, in the plain values rules.decide() takes (seat ids)."""

    on: date
    voting: tuple[int, ...]
    observers: tuple[int, ...]
    chair: int | None
    #: seat id → the name decide() uses in its reasons ("Norway, Ministry of Foreign Affairs").
    labels: dict[int, str]
    #: seat id → the member's user id (to find a member's seat when they vote).
    members: dict[int, int]


def roll(on: date) -> Roll:
    """The seats whose term covers the day (an ended term still counts for the days it ran)."""
    seats = list(
        db.session.scalars(
            _seats_query(active=None).where(
                CommitteeSeat.term_start_on <= on,
                sa.or_(CommitteeSeat.term_end_on.is_(None), CommitteeSeat.term_end_on >= on),
            )
        )
    )
    return Roll(
        on=on,
        voting=tuple(s.id for s in seats if s.is_voting),
        observers=tuple(s.id for s in seats if not s.is_voting),
        chair=next((s.id for s in seats if s.constituency is Constituency.chair), None),
        labels={s.id: s.label for s in seats},
        members={s.id: s.user_id for s in seats},
    )


# Conflicts of interest ----------------------------------------------------------------------------

AUTOMATIC = "automatic"
DECLARED = "declared"


@dataclass(frozen=True)
class Conflict:
    seat_id: int
    kind: str  # automatic | declared
    reason: str


def conflicts_by_note(note_ids: Iterable[int], seats: Iterable[CommitteeSeat]) -> dict[int, dict[int, Conflict]]:
    """note id → seat id → the conflict (declared first, else automatic), in three queries for any number of notes."""
    note_ids = list(note_ids)
    seats = list(seats)
    result: dict[int, dict[int, Conflict]] = {note_id: {} for note_id in note_ids}
    if not note_ids or not seats:
        return result
    # The lead is a participant too (is_lead), so one query gives every participating organization.
    participants: dict[int, set[int]] = {}
    leads: dict[int, int] = {}
    for note_id, org_id, is_lead in db.session.execute(
        sa.select(Participant.concept_note_id, Participant.organisation_id, Participant.is_lead).where(
            Participant.concept_note_id.in_(note_ids)
        )
    ):
        participants.setdefault(note_id, set()).add(org_id)
        if is_lead:
            leads[note_id] = org_id
    countries: dict[int, set[str]] = {}
    for note_id, code in db.session.execute(
        sa.select(concept_note_countries.c.concept_note_id, concept_note_countries.c.country_code).where(
            concept_note_countries.c.concept_note_id.in_(note_ids)
        )
    ):
        countries.setdefault(note_id, set()).add(code)
    declared = {
        (r.concept_note_id, r.seat_id): r.reason
        for r in db.session.scalars(sa.select(Recusal).where(Recusal.concept_note_id.in_(note_ids)))
    }
    for note_id in note_ids:
        orgs = participants.get(note_id, set())
        for seat in seats:
            if (note_id, seat.id) in declared:
                result[note_id][seat.id] = Conflict(seat.id, DECLARED, declared[note_id, seat.id])
            elif seat.organisation_id in orgs:
                if seat.organisation_id == leads.get(note_id):
                    reason = _(
                        "%(organisation)s is a participating organization (lead).", organisation=seat.organisation.name
                    )
                else:
                    reason = _(
                        "%(organisation)s is a participating organization (partner).",
                        organisation=seat.organisation.name,
                    )
                result[note_id][seat.id] = Conflict(seat.id, AUTOMATIC, reason)
            elif seat.country_code and seat.country_code in countries.get(note_id, set()):
                result[note_id][seat.id] = Conflict(
                    seat.id,
                    AUTOMATIC,
                    _("Holds the seat of %(country)s, a country the programme covers.", country=seat.country.name),
                )
    return result


def conflicts_for(note: ConceptNote, seats: Iterable[CommitteeSeat] | None = None) -> dict[int, Conflict]:
    """seat id → conflict for one note, over the given seats (default: the active seats)."""
    if seats is None:
        seats = db.session.scalars(
            sa.select(CommitteeSeat)
            .where(CommitteeSeat.is_active)
            .options(selectinload(CommitteeSeat.organisation), selectinload(CommitteeSeat.country))
        )
    return conflicts_by_note([note.id], seats)[note.id]


def conflict_of(note: ConceptNote, seat: CommitteeSeat | None) -> Conflict | None:
    if seat is None:
        return None
    return conflicts_for(note, [seat]).get(seat.id)


def declare_conflict(actor: User, note: ConceptNote, reason: str) -> Recusal:
    """The member declares a conflict of interest on a note; any scores they gave it are withdrawn."""
    seat = seat_of(actor)
    if seat is None:
        raise NotAllowed(_("Only a member holding a committee seat declares a conflict of interest."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the conflict of interest."), field="reason")
    existing = db.session.scalar(
        sa.select(Recusal).where(Recusal.concept_note_id == note.id, Recusal.seat_id == seat.id)
    )
    if existing is not None:
        raise DomainError(_("You have already declared a conflict of interest on this note."), field="reason")
    recusal = Recusal(concept_note_id=note.id, seat_id=seat.id, reason=reason)
    db.session.add(recusal)
    sheet = _sheet(note.id, seat.id)
    if sheet is not None:
        db.session.delete(sheet)
    db.session.flush()
    details: dict[str, Any] = {"seat_id": seat.id, "reason": reason}
    review = review_of(note)
    if sheet is not None and review is not None and review.is_closed:
        # Closed: the frozen summary no longer counts this member's withdrawn scores (the audit row says so).
        details["summary_recomputed"] = str(store_summary(note, review).weighted_total)
    record_change(actor, "committee.conflict_declared", "concept_notes", note.id, details)
    return recusal


# Reviews ------------------------------------------------------------------------------------------


def review_of(note: ConceptNote) -> Review | None:
    return db.session.scalar(sa.select(Review).where(Review.concept_note_id == note.id))


#: Days members have to score a note when the review's closing date is not given.
REVIEW_DAYS = 21


def default_review_closing(on: date) -> date:
    return on + timedelta(days=REVIEW_DAYS)


def open_review(actor: User | None, note: ConceptNote, closes_on: date | None = None) -> Review:
    """Put an eligible (or deferred) note before the committee for scoring, with the day scores are due
    (default: REVIEW_DAYS from today)."""
    today = clock.today()
    if closes_on is not None and closes_on < today:
        raise DomainError(_("The scores cannot be due before today."), field="closes_on")
    action = "open_review" if note.status == ELIGIBLE else "review_again"
    CONCEPT_NOTE.fire(note, action, actor)
    review = review_of(note)
    if review is None:
        review = Review(concept_note_id=note.id, opened_by_id=getattr(actor, "id", None))
        db.session.add(review)
    else:
        if action == "open_review":
            # A note returned for revision and resubmitted is a new version: it is scored afresh (the audit
            # log keeps the earlier scores). After a deferral the members keep, and may revise, theirs.
            for sheet in db.session.scalars(sa.select(ScoreSheet).where(ScoreSheet.concept_note_id == note.id)):
                db.session.delete(sheet)
        review.closed_at = None
        review.closed_by_id = None
        review.opened_at = clock.now()
        # Scoring is open again: the summary frozen at the last closing no longer stands.
        db.session.execute(sa.delete(ReviewSummary).where(ReviewSummary.review_id == review.id))
    review.closes_on = closes_on or default_review_closing(today)
    db.session.flush()
    return review


def close_review(actor: User | None, note: ConceptNote) -> Review:
    """The chair closes scoring: the results become visible to the committee."""
    if not (actor is None or actor.has_role(Role.committee_chair)):
        raise NotAllowed(_("Only the chair closes a review."))
    review = review_of(note)
    if review is None or note.status != workflow.UNDER_REVIEW:
        raise DomainError(_("This note is not under committee review."))
    if review.is_closed:
        raise DomainError(_("The review is already closed."))
    if not sheets_for(note):
        raise DomainError(_("No member has scored this note yet: there is nothing to reveal."))
    review.closed_at = clock.now()
    review.closed_by_id = getattr(actor, "id", None)
    db.session.flush()
    summary = store_summary(note, review)
    record_change(
        actor,
        "committee.review_closed",
        "concept_notes",
        note.id,
        {"review_id": review.id, "members": summary.members, "weighted_total": str(summary.weighted_total)},
    )
    return review


def store_summary(note: ConceptNote, review: Review) -> ReviewSummary:
    """Freeze the note's score summary (the scores cannot change once the review is closed): the pipeline
    ranks by it in SQL, and every page, pack and export shows these figures.
    """
    weights = {c.code: c.weight for c in criteria_for(note.call_id)}
    summary = summary_from_sheets(sheets_for(note), weights)
    row = db.session.scalar(sa.select(ReviewSummary).where(ReviewSummary.review_id == review.id))
    if row is None:
        row = ReviewSummary(review_id=review.id, concept_note_id=note.id)
        db.session.add(row)
    row.set_from(summary)
    db.session.flush()
    return row


def stored_summaries(note_ids: Iterable[int]) -> dict[int, ScoreSummary]:
    """note id → the summary frozen when its review was closed (notes without a closed review are absent)."""
    note_ids = list(note_ids)
    if not note_ids:
        return {}
    rows = db.session.scalars(sa.select(ReviewSummary).where(ReviewSummary.concept_note_id.in_(note_ids)))
    return {row.concept_note_id: row.as_summary() for row in rows}


def backfill_summaries() -> int:
    """Store the summary of every closed review that has none (the migration that adds the table calls this
    logic in its own terms; kept here for a database restored from an older dump). Returns how many."""
    missing = db.session.execute(
        sa.select(ConceptNote, Review)
        .join(Review, Review.concept_note_id == ConceptNote.id)
        .outerjoin(ReviewSummary, ReviewSummary.review_id == Review.id)
        .where(Review.closed_at.is_not(None), ReviewSummary.id.is_(None))
        .order_by(Review.id)
    ).all()
    for note, review in missing:
        store_summary(note, review)
    return len(missing)


# Scores -------------------------------------------------------------------------------------------


def _sheet(note_id: int, seat_id: int) -> ScoreSheet | None:
    return db.session.scalar(
        sa.select(ScoreSheet)
        .where(ScoreSheet.concept_note_id == note_id, ScoreSheet.seat_id == seat_id)
        .options(selectinload(ScoreSheet.lines))
    )


def is_scoring_open(note: ConceptNote, review: Review | None) -> bool:
    """Members score a note while it is under review and the chair has not closed the review."""
    return review is not None and not review.is_closed and note.status == workflow.UNDER_REVIEW


def is_declaring_open(note: ConceptNote, review: Review | None) -> bool:
    """The page offers to declare a conflict before the committee has seen the scores."""
    return (review is None or not review.is_closed) and note.status in (ELIGIBLE, workflow.UNDER_REVIEW)


def _check_can_score(note: ConceptNote, seat: CommitteeSeat | None) -> None:
    """Raise NotAllowed/DomainError unless this seat may score the note now (the server-side check)."""
    if seat is None or not seat.is_voting or not seat.is_active:
        raise NotAllowed(_("Only voting members of the committee score concept notes."))
    if conflict_of(note, seat) is not None:
        raise NotAllowed(_("You are recused from this note (conflict of interest): you cannot score it."))
    review = review_of(note)
    if note.status != workflow.UNDER_REVIEW or review is None:
        raise DomainError(_("This note is not under committee review."))
    if review.is_closed:
        raise DomainError(_("The chair has closed this review: scores can no longer change."))


def submit_scores(actor: User, note: ConceptNote, scores: dict[str, Any], comment: str = "") -> ScoreSheet:
    """Record (or revise, while the review is open) the member's scores of a note."""
    seat = seat_of(actor)
    _check_can_score(note, seat)
    assert seat is not None
    criteria = criteria_for(note.call_id)
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for criterion in criteria:
        value = scores.get(criterion.code)
        try:
            number = int(value) if value is not None and not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or not MIN_SCORE <= number <= MAX_SCORE:
            errors.setdefault(f"score_{criterion.code}", []).append(
                _("Score %(criterion)s from 1 to 5.", criterion=criterion.local_name)
            )
        else:
            clean[criterion.code] = number
    unknown = set(scores) - {c.code for c in criteria}
    if unknown:
        errors.setdefault("", []).append(_("Unknown criteria: %(codes)s.", codes=", ".join(sorted(unknown))))
    if errors:
        lead = [_("Give every criterion a score from 1 to 5."), *errors.pop("", [])]
        raise ValidationFailed({"": lead, **errors})
    sheet = _sheet(note.id, seat.id)
    if sheet is None:
        sheet = ScoreSheet(concept_note_id=note.id, seat_id=seat.id)
        db.session.add(sheet)
    sheet.comment = (comment or "").strip()
    sheet.scored_at = clock.now()
    # Revise the existing lines in place: replacing the list would insert the new rows before the old ones are
    # deleted, against the (sheet, code) unique constraint.
    lines = {line.code: line for line in sheet.lines}
    for code, value in clean.items():
        if code in lines:
            lines[code].score = value
        else:
            sheet.lines.append(ScoreLine(code=code, score=value))
    for code, line in lines.items():
        if code not in clean:
            sheet.lines.remove(line)
    db.session.flush()
    record_change(actor, "committee.scored", "concept_notes", note.id, {"seat_id": seat.id, "scores": clean})
    return sheet


def sheets_for(note: ConceptNote) -> list[ScoreSheet]:
    return list(
        db.session.scalars(
            sa.select(ScoreSheet)
            .where(ScoreSheet.concept_note_id == note.id)
            .options(selectinload(ScoreSheet.lines), selectinload(ScoreSheet.seat).selectinload(CommitteeSeat.user))
            .order_by(ScoreSheet.id)
        )
    )


def summary_from_sheets(sheets: Iterable[ScoreSheet], weights: dict[str, int]) -> ScoreSummary:
    """The scoring summary over the sheets that cover the current criteria (a set changed later skips the rest)."""
    scores = {s.seat_id: s.as_dict() for s in sheets if set(s.as_dict()) == set(weights)}
    return summarise(scores, weights)


# Who sees what, and the review pages ----------------------------------------------------------------


def _committee_seat(user: User) -> CommitteeSeat | None:
    """The seat of a committee member or chair (no query for anyone else)."""
    return seat_of(user) if user.has_any_role(*COMMITTEE_ROLES) else None


def _scores_data(
    user: User,
    note: ConceptNote,
    review: Review | None,
    seat: CommitteeSeat | None,
    conflict: Conflict | None,
    weights: dict[str, int],
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "concept_note": note.reference,
        "review": "closed" if review and review.is_closed else ("open" if review else "not_opened"),
        "criteria": weights,
        "recused": conflict is not None,
    }
    if conflict is not None:
        data["recusal_reason"] = conflict.reason
        return data
    if seat is not None:
        mine = _sheet(note.id, seat.id)
        data["my_scores"] = mine.as_dict() if mine else None
        data["my_comment"] = mine.comment if mine else None
    if permissions.can_see_scores(user, review, seat, conflict):
        sheets = sheets_for(note)
        # The figures frozen at closing (can_see_scores implies a closed review), as the pipeline ranks them.
        summary = stored_summaries([note.id]).get(note.id) or summary_from_sheets(sheets, weights)
        data["results"] = {
            "members": summary.members,
            "weighted_total": str(summary.weighted_total) if summary.weighted_total is not None else None,
            "total_spread": str(summary.total_spread) if summary.total_spread is not None else None,
            "criteria": [
                {"code": c.code, "weight": c.weight, "mean": str(c.mean), "spread": c.spread} for c in summary.criteria
            ],
            "members_scores": [
                {"member": s.seat.user.name, "seat": s.seat.label, "scores": s.as_dict(), "comment": s.comment}
                for s in sheets
            ],
        }
    return data


def scores_view(user: User, note: ConceptNote) -> dict[str, Any]:
    """What this user may see of the note's scores: the JSON the page and the API share."""
    seat = _committee_seat(user)
    weights = {c.code: c.weight for c in criteria_for(note.call_id)}
    return _scores_data(user, note, review_of(note), seat, conflict_of(note, seat), weights)


def review_page(user: User, note: ConceptNote, with_recusals: bool = False) -> dict[str, Any]:
    """The committee's page of one note: its review, what this user may see of the scores, the member's own
    standing (seat, conflict), and every member's recusal when asked (the chair and the secretariat see them).
    """
    review = review_of(note)
    seat = _committee_seat(user)
    criteria = criteria_for(note.call_id)
    recusals: list[tuple[CommitteeSeat, Conflict]] = []
    if with_recusals:
        seats = active_seats()
        conflicts = conflicts_by_note([note.id], seats)[note.id]
        recusals = sorted(((s, conflicts[s.id]) for s in seats if s.id in conflicts), key=lambda pair: pair[0].id)
        conflict = conflicts.get(seat.id) if seat is not None else None  # seat_of() gives an active seat
    else:
        conflict = conflict_of(note, seat)
    weights = {c.code: c.weight for c in criteria}
    return {
        "note": note,
        "review": review,
        "seat": seat,
        "conflict": conflict,
        "criteria": criteria,
        "data": _scores_data(user, note, review, seat, conflict, weights),
        "scoring_open": is_scoring_open(note, review),
        "declaring_open": is_declaring_open(note, review),
        "conflicts": recusals,
        "document": programme_document(note),
    }


def _scored_note_ids(seat: CommitteeSeat, note_ids: list[int]) -> set[int]:
    """The notes (of these) the seat has scored, in one query."""
    if not note_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(ScoreSheet.concept_note_id).where(
                ScoreSheet.seat_id == seat.id, ScoreSheet.concept_note_id.in_(note_ids)
            )
        )
    )


#: Notes on a page of a member's scoring queue.
QUEUE_PER_PAGE = 25


def scoring_queue(user: User, page: int = 1, per_page: int | None = None) -> dict[str, Any]:
    """The member's scoring queue: one page (in SQL) of the notes under review, open reviews first, each recused,
    scored or still to score; and how many the member still has to score, counted in SQL (conflict_clause)."""
    seat = seat_of(user)
    under = (
        sa.select(ConceptNote)
        .join(Review, Review.concept_note_id == ConceptNote.id)
        .where(ConceptNote.status == workflow.UNDER_REVIEW)
    )
    pagination = db.paginate(
        under.order_by(Review.closed_at.is_not(None), ConceptNote.id),
        page=page,
        per_page=per_page or QUEUE_PER_PAGE,
        max_per_page=100,
        error_out=False,
    )
    note_ids = [n.id for n in pagination.items]
    reviews = (
        {
            r.concept_note_id: r
            for r in db.session.scalars(sa.select(Review).where(Review.concept_note_id.in_(note_ids)))
        }
        if note_ids
        else {}
    )
    conflicts = conflicts_by_note(note_ids, [seat] if seat else [])
    scored = _scored_note_ids(seat, note_ids) if seat is not None else set()
    pagination.items = [
        {
            "note": n,
            "review": reviews[n.id],
            "conflict": conflicts[n.id].get(seat.id) if seat else None,
            "scored": n.id in scored,
        }
        for n in pagination.items
    ]
    to_score = 0
    if seat is not None:
        mine = sa.exists().where(ScoreSheet.concept_note_id == ConceptNote.id, ScoreSheet.seat_id == seat.id)
        to_score = db.session.scalar(
            sa.select(sa.func.count()).select_from(
                under.where(Review.closed_at.is_(None), ~mine, ~conflict_clause(seat)).subquery()
            )
        )
    return {"entries": pagination, "seat": seat, "to_score": to_score}


#: Notes on a page of each list of the reviews page.
REVIEWS_PER_PAGE = 25


def reviews_overview(page: int = 1, waiting_page: int = 1, per_page: int | None = None) -> dict[str, Any]:
    """The chair's and secretariat's reviews page, both lists paginated in SQL (four queries whatever their
    length): the notes under review, open reviews first, with the number of score sheets (items are (note,
    review)), and the eligible or deferred notes waiting for a review (`waiting_page`)."""
    per_page = per_page or REVIEWS_PER_PAGE
    eligible = db.paginate(
        sa.select(ConceptNote).where(ConceptNote.status.in_((ELIGIBLE, workflow.DEFERRED))).order_by(ConceptNote.id),
        page=waiting_page,
        per_page=per_page,
        max_per_page=100,
        error_out=False,
    )
    under = db.paginate(
        sa.select(ConceptNote)
        .join(Review, Review.concept_note_id == ConceptNote.id)
        .where(ConceptNote.status == workflow.UNDER_REVIEW)
        .order_by(Review.closed_at.is_not(None), ConceptNote.id),
        page=page,
        per_page=per_page,
        max_per_page=100,
        error_out=False,
    )
    note_ids = [n.id for n in under.items]
    reviews = (
        {
            r.concept_note_id: r
            for r in db.session.scalars(sa.select(Review).where(Review.concept_note_id.in_(note_ids)))
        }
        if note_ids
        else {}
    )
    counts = (
        dict(
            db.session.execute(
                sa.select(ScoreSheet.concept_note_id, sa.func.count())
                .where(ScoreSheet.concept_note_id.in_(note_ids))
                .group_by(ScoreSheet.concept_note_id)
            ).all()
        )
        if note_ids
        else {}
    )
    under.items = [(n, reviews[n.id]) for n in under.items]
    return {"eligible": eligible, "under": under, "counts": counts}


def _closed_reviews(note_ids: Iterable[int]) -> dict[int, Review]:
    return {
        r.concept_note_id: r
        for r in db.session.scalars(
            sa.select(Review).where(Review.concept_note_id.in_(list(note_ids)), Review.closed_at.is_not(None))
        )
    }


def closed_note_ids(note_ids: Iterable[int]) -> set[int]:
    """The notes (of these) whose review the chair has closed (one query)."""
    return set(_closed_reviews(note_ids))


def visible_score_note_ids(user: User, note_ids: Iterable[int], seat: CommitteeSeat | None = None) -> set[int]:
    """The notes (of these) whose scores this user may see (permissions.can_see_scores), in at most five queries.

    `seat`: the user's seat when the caller has it already.
    """
    note_ids = list(note_ids)
    if not note_ids or not user.is_authenticated:
        return set()
    closed = _closed_reviews(note_ids)
    if seat is None and not user.has_role(Role.secretariat):
        seat = _committee_seat(user)
    conflicts = conflicts_by_note(list(closed), [seat]) if seat is not None else {}
    return {
        note_id
        for note_id, review in closed.items()
        if permissions.can_see_scores(user, review, seat, conflicts[note_id].get(seat.id) if seat else None)
    }


def conflict_clause(seat: CommitteeSeat) -> sa.ColumnElement[bool]:
    """SQL twin of conflicts_by_note for one seat, over ConceptNote rows: the seat is recused from the note.

    Declared, or the seat's organisation participates (lead or partner), or the note covers the seat's country.
    """
    clauses = [
        sa.exists().where(Recusal.concept_note_id == ConceptNote.id, Recusal.seat_id == seat.id),
        sa.exists().where(
            Participant.concept_note_id == ConceptNote.id, Participant.organisation_id == seat.organisation_id
        ),
    ]
    if seat.country_code:
        clauses.append(
            sa.exists().where(
                concept_note_countries.c.concept_note_id == ConceptNote.id,
                concept_note_countries.c.country_code == seat.country_code,
            )
        )
    return sa.or_(*clauses)


@dataclass(frozen=True)
class ScoreVisibility:
    """What one viewer may see of the notes' scores, as SQL over ConceptNote rows (permissions.can_see_scores).

    `visible`: the note's review is closed and the viewer may see its scores (the secretariat; a member holding
    a seat who is not recused). `recused`: the viewer's seat is recused from the note (to say why a score is
    not shown). Queries that rank, total or explain by score use `visible`, so nothing derived from a hidden
    score reaches the viewer.
    """

    visible: sa.ColumnElement[bool]
    recused: sa.ColumnElement[bool]
    #: `visible` but for the recusal (visible = allowed AND NOT recused), so a query can evaluate `recused` once.
    allowed: sa.ColumnElement[bool]
    #: What the three depend on, as plain values (a cache key): the role, or the seat and what recuses it.
    viewer: tuple[Any, ...]


def score_visibility(user: User) -> ScoreVisibility:
    closed = sa.exists().where(Review.concept_note_id == ConceptNote.id, Review.closed_at.is_not(None))
    if not user.is_authenticated:
        return ScoreVisibility(sa.false(), sa.false(), sa.false(), ("anonymous",))
    if user.has_role(Role.secretariat):
        return ScoreVisibility(closed, sa.false(), closed, ("secretariat",))
    seat = _committee_seat(user)
    if seat is None:
        return ScoreVisibility(sa.false(), sa.false(), sa.false(), ("no seat",))
    recused = conflict_clause(seat)
    viewer = ("seat", seat.id, seat.organisation_id, seat.country_code)
    return ScoreVisibility(sa.and_(closed, sa.not_(recused)), recused, closed, viewer)


# Meetings and agendas -------------------------------------------------------------------------------

#: Outcomes each kind of item may have.
OUTCOMES = {
    ItemKind.endorsement: (Outcome.endorse, Outcome.reject, Outcome.defer, Outcome.return_),
    ItemKind.funding: (Outcome.approve_funding, Outcome.reject, Outcome.defer),
    ItemKind.other: (Outcome.approve, Outcome.reject, Outcome.defer),
}
#: The note's transition for each outcome of an endorsement item.
NOTE_ACTIONS = {Outcome.endorse: "endorse", Outcome.reject: "reject", Outcome.defer: "defer", Outcome.return_: "return"}


def create_meeting(actor: User | None, title: str, held_on: date, location: str = "") -> Meeting:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the meeting a title."), field="title")
    meeting = Meeting(title=title, held_on=held_on, location=(location or "").strip())
    meeting.created_by_id = getattr(actor, "id", None)
    db.session.add(meeting)
    workflow.MEETING.fire(meeting, "create", actor, f"{title}, {held_on.isoformat()}")
    return meeting


def _check_open_agenda(meeting: Meeting) -> None:
    if meeting.status == workflow.CLOSED:
        raise DomainError(_("The meeting is closed: its agenda can no longer change."))


def add_item(
    actor: User | None, meeting: Meeting, kind: ItemKind | str, note: ConceptNote | None = None, title: str = ""
) -> AgendaItem:
    """Put a note (for endorsement or funding) or other business on the agenda."""
    _check_open_agenda(meeting)
    kind = ItemKind(kind)
    if kind is not ItemKind.other:
        if note is None:
            raise DomainError(_("Choose the concept note."), field="concept_note_id")
        wanted = workflow.UNDER_REVIEW if kind is ItemKind.endorsement else workflow.READY
        if note.status != wanted:
            if kind is ItemKind.endorsement:
                message = _("%(reference)s is not under committee review.", reference=note.reference)
            else:
                message = _("%(reference)s is not ready for implementation.", reference=note.reference)
            raise DomainError(message, field="concept_note_id")
        pending = db.session.scalar(
            sa.select(AgendaItem.id).where(
                AgendaItem.concept_note_id == note.id,
                AgendaItem.kind == kind,
                AgendaItem.status == workflow.PENDING,
            )
        )
        if pending is not None:
            raise DomainError(
                _("%(reference)s is already on an agenda for this.", reference=note.reference), field="concept_note_id"
            )
        title = title.strip() or f"{note.reference} {note.title}"
    elif not (title or "").strip():
        raise DomainError(_("Describe the item."), field="title")
    position = (max((i.position for i in meeting.items), default=0)) + 1
    item = AgendaItem(
        meeting=meeting,
        kind=kind,
        concept_note_id=note.id if note else None,
        title=title.strip()[:250],
        position=position,
    )
    db.session.add(item)
    workflow.AGENDA_ITEM.fire(item, "create", actor, on_record(lambda: f"meeting {meeting.id}: {kind.label}"))
    return item


def withdraw_item(actor: User | None, item: AgendaItem, reason: str) -> None:
    """The secretariat takes an undecided item off the agenda (the note stays where it is)."""
    if item.meeting.status == workflow.CLOSED:
        raise DomainError(_("The meeting is closed: its agenda can no longer change."))
    workflow.AGENDA_ITEM.fire(item, "withdraw", actor, (reason or "").strip())


def open_meeting(actor: User | None, meeting: Meeting) -> None:
    workflow.MEETING.fire(meeting, "open", actor)


def close_meeting(actor: User | None, meeting: Meeting) -> None:
    meeting.quorum_text = on_record(lambda: quorum(meeting)[1])
    workflow.MEETING.fire(meeting, "close", actor)


# Attendance -----------------------------------------------------------------------------------------


def meeting_roll(meeting: Meeting) -> Roll:
    return roll(meeting.held_on)


def present_seat_ids(meeting: Meeting) -> set[int]:
    return set(db.session.scalars(sa.select(Attendance.seat_id).where(Attendance.meeting_id == meeting.id)))


def record_attendance(actor: User | None, meeting: Meeting, present: list[int]) -> tuple[bool, str]:
    """The chair takes attendance at the meeting: the seats present (others absent). Returns the quorum now."""
    if meeting.status != workflow.IN_SESSION:
        raise DomainError(_("Attendance is taken while the meeting is in session: open it first."))
    sitting = meeting_roll(meeting)
    seats = set(sitting.voting) | set(sitting.observers)
    unknown = [s for s in present if s not in seats]
    if unknown:
        raise DomainError(_("Only seats that sit on the meeting day can be present."), field="present")
    decided = any(i.status == workflow.DECIDED for i in meeting.items)
    before = present_seat_ids(meeting)
    if decided and not before <= set(present):
        raise DomainError(_("Decisions have been recorded: members can join, but no one can be removed now."))
    for attendance in list(meeting.attendance):
        if attendance.seat_id not in present:
            meeting.attendance.remove(attendance)
    for seat_id in set(present) - before:
        meeting.attendance.append(Attendance(seat_id=seat_id))
    db.session.flush()
    record_change(
        actor, "committee_meeting.attendance", "committee_meeting", meeting.id, {"present": sorted(set(present))}
    )
    return quorum(meeting)


def quorum(meeting: Meeting) -> tuple[bool, str]:
    sitting = meeting_roll(meeting)
    return check_quorum(present_seat_ids(meeting), sitting.voting, sitting.chair, decision_config())


# Votes ----------------------------------------------------------------------------------------------


def recused_seats(item: AgendaItem, seats: list[CommitteeSeat] | None = None) -> dict[int, Conflict]:
    if item.concept_note is None:
        return {}
    if seats is None:
        sitting = meeting_roll(item.meeting)
        seats = list(
            db.session.scalars(
                sa.select(CommitteeSeat)
                .where(CommitteeSeat.id.in_(sitting.labels))
                .options(selectinload(CommitteeSeat.organisation), selectinload(CommitteeSeat.country))
            )
        )
    return conflicts_for(item.concept_note, seats)


def cast_vote(actor: User, item: AgendaItem, vote: Vote | str, rationale: str = "") -> VoteRecord:
    """A present, non-recused voting member votes on a pending item of a meeting in session.

    One vote per member and item: the item is locked first (so two votes of one member, or a vote and the
    decision, never interleave), a new vote replaces the member's earlier one until the decision, and
    the same vote sent again is refused with a message.
    """
    seat = seat_of(actor)
    if seat is None or not seat.is_voting:
        raise NotAllowed(_("Only voting members of the committee vote."))
    item = _lock_item(item)
    meeting = item.meeting
    if meeting.status != workflow.IN_SESSION:
        raise DomainError(_("Votes are cast while the meeting is in session."))
    if item.status != workflow.PENDING:
        raise DomainError(_("This item has been decided."))
    if seat.term_start_on > meeting.held_on or (seat.term_end_on is not None and seat.term_end_on < meeting.held_on):
        raise NotAllowed(_("Your seat does not vote at this meeting."))
    present = db.session.scalar(
        sa.select(Attendance.id).where(Attendance.meeting_id == meeting.id, Attendance.seat_id == seat.id)
    )
    if present is None:
        raise NotAllowed(_("You are not recorded as present: ask the chair to record your attendance."))
    if item.concept_note is not None and conflict_of(item.concept_note, seat) is not None:
        raise NotAllowed(_("You are recused from this item (conflict of interest): you cannot vote."))
    try:
        vote = Vote(vote)
    except ValueError as exc:
        raise DomainError(_("Choose approve, object or abstain."), field="vote") from exc
    record = db.session.scalar(
        sa.select(VoteRecord).where(VoteRecord.item_id == item.id, VoteRecord.seat_id == seat.id)
    )
    rationale = (rationale or "").strip()
    if record is not None and record.vote is vote and record.rationale == rationale:
        raise DomainError(
            _("Your vote (%(vote)s) on this item is already recorded.", vote=workflow.VOTE_LABELS[vote.value].lower()),
            field="vote",
        )
    if record is None:
        record = VoteRecord(item=item, seat_id=seat.id, vote=vote)
        db.session.add(record)
    record.vote = vote
    record.rationale = rationale
    record.cast_at = clock.now()
    db.session.flush()
    record_change(actor, "committee.vote", "committee_agenda_item", item.id, {"seat_id": seat.id, "vote": vote.value})
    return record


def tally(item: AgendaItem) -> RuleOutcome:
    """rules.decide() over the item's votes, the meeting's attendance and the recusals."""
    meeting = item.meeting
    sitting = meeting_roll(meeting)
    votes = {v.seat_id: v.vote for v in item.votes}
    recused = set(recused_seats(item))
    return decide(
        votes,
        present_seat_ids(meeting),
        sitting.voting,
        recused=recused,
        rule=decision_config(),
        chair=sitting.chair,
        labels=sitting.labels,
    )


# Decisions ------------------------------------------------------------------------------------------


@dataclass
class DecisionInput:
    outcome: Outcome | str
    rationale: str = ""
    shared_comment: str = ""
    amount: Decimal | str | None = None
    #: A funding decision's new programme dates: required when the planned start is before the decision.
    starts_on: date | None = None
    ends_on: date | None = None


def _lock_item(item: AgendaItem) -> AgendaItem:
    """Re-read the item under a row lock (PostgreSQL), so two requests cannot decide it twice."""
    query = sa.select(AgendaItem).where(AgendaItem.id == item.id).execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalar(query)


def record_decision(actor: User | None, item: AgendaItem, data: DecisionInput) -> AgendaItem:
    """The chair records the committee's decision on an item; refused, with the reason, without quorum or votes."""
    if actor is not None and not actor.has_role(Role.committee_chair):
        raise NotAllowed(_("Only the chair records the committee's decisions."))
    item = _lock_item(item)
    meeting = item.meeting
    if meeting.status != workflow.IN_SESSION:
        raise DomainError(_("Decisions are recorded while the meeting is in session."))
    if item.status != workflow.PENDING:
        raise DomainError(_("This item has already been decided."))
    try:
        outcome = Outcome(data.outcome)
    except ValueError as exc:
        raise DomainError(_("Choose the decision."), field="outcome") from exc
    if outcome not in OUTCOMES[item.kind]:
        raise DomainError(_("%(outcome)s is not a decision on this item.", outcome=outcome.label), field="outcome")
    result = tally(item)
    if not result.quorum_met:
        raise DomainError(_("Refused: %(reason)s.", reason=result.reason), field="outcome")
    if outcome.is_approval and not result.passed:
        raise DomainError(_("Refused: the vote has not passed. %(reason)s.", reason=result.reason), field="outcome")
    if outcome is Outcome.reject:
        if result.missing:
            raise DomainError(_("Refused: %(reason)s.", reason=result.reason), field="outcome")
        if result.passed:
            raise DomainError(
                _("Refused: the vote passed (%(reason)s); it cannot be a rejection.", reason=result.reason),
                field="outcome",
            )
    rationale = (data.rationale or "").strip()
    shared = (data.shared_comment or "").strip()
    if outcome in (Outcome.reject, Outcome.return_) and not (shared or rationale):
        raise DomainError(_("Give the reason (shared with the applicant)."), field="shared_comment")
    note = item.concept_note
    if item.kind is ItemKind.endorsement:
        review = review_of(note)
        if outcome is not Outcome.defer and (review is None or not review.is_closed):
            raise DomainError(
                _("The chair closes the review before the committee decides on the note."), field="outcome"
            )
    item.amount = None
    if outcome is Outcome.approve_funding:
        item.amount = _fund(actor, item, note, data, meeting.held_on)
    item.outcome = outcome
    item.rationale = rationale
    item.shared_comment = shared
    item.rule_text = on_record(lambda: tally(item).reason)
    item.decided_at = clock.now()
    item.decided_by_id = getattr(actor, "id", None)
    workflow.AGENDA_ITEM.fire(item, "decide", actor, on_record(lambda: outcome.label))
    record_change(
        actor,
        "committee.decision",
        "committee_agenda_item",
        item.id,
        {
            "outcome": outcome.value,
            "concept_note_id": item.concept_note_id,
            "amount": f"{item.amount:.2f}" if item.amount is not None else None,
            "votes": {str(v.seat_id): v.vote.value for v in item.votes},
            "rule": item.rule_text,
        },
    )
    if item.kind is ItemKind.endorsement:
        CONCEPT_NOTE.fire(
            note, NOTE_ACTIONS[outcome], actor, shared or (rationale if outcome is not Outcome.endorse else None)
        )
    elif outcome is Outcome.approve_funding:
        CONCEPT_NOTE.fire(note, "fund", actor, shared or None)
    db.session.flush()
    return item


def _fund(actor: User | None, item: AgendaItem, note: ConceptNote, data: DecisionInput, on: date) -> Decimal:
    """Allocate the approved amount through the ledger (area's earmarked pool first); refused if it does not fit.

    A programme cannot start before it is funded: when the document's planned start is before the decision, the
    decision gives new dates and the programme runs on them (else its reports would be overdue at once)."""
    if note.status != workflow.READY:
        raise DomainError(
            _("%(reference)s is not ready for implementation.", reference=note.reference), field="outcome"
        )
    document = programme_document(note)
    if document is None or document.approved_at is None:
        raise DomainError(_("The joint programme document has not been approved."), field="outcome")
    if document.starts_on < on or data.starts_on is not None or data.ends_on is not None:
        _replan(actor, document, on, data.starts_on, data.ends_on)
    amount = data.amount
    if amount in (None, ""):
        amount = document.total
    try:
        value = parse_money(amount)
    except MoneyInputError as exc:
        raise DomainError(str(exc), field="amount") from exc
    if value <= 0:
        raise DomainError(_("The amount must be more than zero."), field="amount")
    if value > document.total:
        raise DomainError(
            _("The amount exceeds the programme's budget of US$ %(amount)s.", amount=format_money(document.total)),
            field="amount",
        )
    ledger.check_postable(on, field="outcome", what=_("The allocation (dated the meeting's day)"))
    ledger.allocate(
        actor,
        value,
        note.thematic_area_id,
        document.id,
        on,
        organisation_id=note.organisation_id,
        description=f"{note.reference} funding approved by the steering committee ({item.meeting.title})",
    )
    signals.funding_approved.send(document, actor=actor, on=on)
    return value


def planned_dates_past(document: JointProgrammeDocument | None, on: date) -> bool:
    """Whether a funding decision on this day must give the programme new dates (its planned start is past)."""
    return document is not None and document.starts_on < on


def _replan(
    actor: User | None, document: JointProgrammeDocument, on: date, starts_on: date | None, ends_on: date | None
) -> None:
    """Move the programme to the dates the funding decision gives: from the decision day on, end after start."""
    errors: dict[str, list[str]] = {}
    past = planned_dates_past(document, on)
    planned = _("%(start)s to %(end)s", start=format_date(document.starts_on), end=format_date(document.ends_on))
    decided = format_date(on)
    if starts_on is None:
        errors["starts_on"] = [
            _(
                "The planned dates (%(planned)s) start before this decision (%(date)s): give the new start.",
                planned=planned,
                date=decided,
            )
            if past
            else _("Give the new start date, or leave both dates empty to keep the planned ones.")
        ]
    elif starts_on < on:
        errors["starts_on"] = [_("The programme cannot start before it is funded (%(date)s).", date=decided)]
    if ends_on is None:
        errors["ends_on"] = [_("Give the new end date.")]
    elif starts_on is not None and ends_on <= starts_on:
        errors["ends_on"] = [_("The end date comes after the start date.")]
    if errors:
        raise ValidationFailed(errors)
    before = {"starts_on": document.starts_on.isoformat(), "ends_on": document.ends_on.isoformat()}
    document.starts_on, document.ends_on = starts_on, ends_on  # type: ignore[assignment]  (checked above)
    db.session.flush()
    record_change(
        actor,
        "committee.programme_dates_changed",
        "joint_programme_documents",
        document.id,
        {"before": before, "after": {"starts_on": str(starts_on), "ends_on": str(ends_on)}, "decided_on": str(on)},
    )


# The light joint programme document -----------------------------------------------------------------


def programme_document(note: ConceptNote) -> JointProgrammeDocument | None:
    return db.session.scalar(
        sa.select(JointProgrammeDocument)
        .where(JointProgrammeDocument.concept_note_id == note.id)
        .options(selectinload(JointProgrammeDocument.budget_lines))
    )


def _budget_amounts(note: ConceptNote, budget: dict[int, Decimal | str | None]) -> tuple[dict[int, Decimal], list[str]]:
    """Each participating organization's amount, from numbers or from text as typed ("1,070,000.00")."""
    codes = {p.organisation_id: p.organisation.code for p in note.participants}
    amounts: dict[int, Decimal] = {}
    problems: list[str] = []
    for org_id, raw in budget.items():
        if org_id not in codes:
            problems.append(_("Budgets go to the note's participating organizations only."))
            continue
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        try:
            amounts[org_id] = parse_money("0" if blank else raw, negative=True)
        except MoneyInputError as exc:
            plain = not any(c.isdigit() for c in str(raw))
            problems.append(
                _(
                    "%(organisation)s: %(problem)s",
                    organisation=codes[org_id],
                    problem=_("not a number.") if plain else exc,
                )
            )
    return amounts, problems


def save_programme_document(
    actor: User | None,
    note: ConceptNote,
    summary: str,
    starts_on: date,
    ends_on: date,
    budget: dict[int, Decimal | str | None],
    approve: bool = False,
) -> JointProgrammeDocument:
    """Record the light document of an endorsed note: a summary, dates and a budget per participating organization.

    `budget` maps an organisation id to its amount (a number, or the text typed in the form). With `approve`,
    the saved document is approved at once (approve_programme_document): one transaction for both.
    """
    amounts, problems = _budget_amounts(note, budget)
    if problems:
        # Amounts that are not numbers are reported on their own: the other checks need the numbers.
        raise ValidationFailed({"budget": problems})
    if note.status != workflow.ENDORSED:
        raise DomainError(_("Only an endorsed note gets its joint programme document."))
    errors: dict[str, list[str]] = {}
    if not (summary or "").strip():
        errors["summary"] = [_("Give a summary.")]
    if ends_on <= starts_on:
        errors["ends_on"] = [_("The programme ends after it starts.")]
    lines = {}
    for org_id, amount in amounts.items():
        value = to_money(amount)
        if value < 0:
            errors.setdefault("budget", []).append(_("Amounts cannot be negative."))
        elif value > 0:
            lines[org_id] = value
    if not lines:
        errors.setdefault("budget", []).append(_("Give a budget for at least one participating organization."))
    if errors:
        raise ValidationFailed(errors)
    document = programme_document(note)
    if document is None:
        document = JointProgrammeDocument(concept_note_id=note.id)
        db.session.add(document)
    document.summary = summary.strip()
    document.starts_on = starts_on
    document.ends_on = ends_on
    document.approved_at = None
    document.budget_lines = [ProgrammeBudgetLine(organisation_id=o, amount=a) for o, a in lines.items()]
    db.session.flush()
    record_change(
        actor,
        "committee.programme_document_saved",
        "concept_notes",
        note.id,
        {"total": f"{document.total:.2f}", "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    if approve:
        approve_programme_document(actor, note)
    return document


def approve_programme_document(actor: User | None, note: ConceptNote) -> JointProgrammeDocument:
    """Approve the document: the note becomes ready for implementation."""
    document = programme_document(note)
    if document is None:
        raise DomainError(_("Record the joint programme document first."))
    if document.approved_at is not None:
        raise DomainError(_("The document is already approved."))
    document.approved_at = clock.now()
    document.approved_by_id = getattr(actor, "id", None)
    CONCEPT_NOTE.fire(note, "mark_ready", actor)
    signals.document_approved.send(document, actor=actor, on=document.approved_at.date())
    return document


def programme_document_page(note: ConceptNote, propose: bool = False) -> dict[str, Any]:
    """The note's document and the budget the form shows: the document's lines, or (`propose`, no document
    yet) the note's own budget per participating organization.
    """
    document = programme_document(note)
    if document is not None:
        amounts = {line.organisation_id: line.amount for line in document.budget_lines}
    elif propose:
        amounts = {p.organisation_id: p.total for p in note.participants}
    else:
        amounts = {}
    return {"document": document, "amounts": amounts}


# Meeting pages --------------------------------------------------------------------------------------


def meeting_list(page: int) -> dict[str, Any]:
    """One page of meetings, latest first, with the number of items on each agenda."""
    pagination = db.paginate(
        sa.select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc()), page=page, per_page=20, error_out=False
    )
    counts = dict(
        db.session.execute(
            sa.select(AgendaItem.meeting_id, sa.func.count())
            .where(AgendaItem.meeting_id.in_([m.id for m in pagination.items]))
            .group_by(AgendaItem.meeting_id)
        ).all()
    )
    return {"page": pagination, "counts": counts}


def agenda_note_choices() -> list[tuple[int, str]]:
    """The notes an agenda can take: under review (for endorsement) or ready (for funding)."""
    notes = db.session.execute(
        sa.select(ConceptNote.id, ConceptNote.title, ConceptNote.status)
        .where(ConceptNote.status.in_((workflow.UNDER_REVIEW, workflow.READY)))
        .order_by(ConceptNote.id)
    )
    return [(0, "—")] + [(r.id, f"CN-{r.id:04d} {r.title[:80]} ({status_label(r.status).lower()})") for r in notes]


def load_meeting(meeting_id: int) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.items).selectinload(AgendaItem.votes),
            selectinload(Meeting.items).selectinload(AgendaItem.concept_note).selectinload(ConceptNote.participants),
            selectinload(Meeting.items).selectinload(AgendaItem.concept_note).selectinload(ConceptNote.countries),
            selectinload(Meeting.attendance),
        )
    )


def load_item(item_id: int) -> AgendaItem | None:
    return db.session.scalar(
        sa.select(AgendaItem).where(AgendaItem.id == item_id).options(selectinload(AgendaItem.votes))
    )


def meeting_page(user: User, meeting: Meeting) -> dict[str, Any]:
    """meeting_overview() as this user may see it: scores of open reviews and of notes the user is recused
    from are removed (also from the minutes and the pack); with the user's own seat.
    """
    overview = meeting_overview(meeting)
    seat = _committee_seat(user)
    note_ids = [e["item"].concept_note_id for e in overview["items"] if e["item"].concept_note_id]
    visible = visible_score_note_ids(user, note_ids, seat)
    for entry in overview["items"]:
        if entry["item"].concept_note_id not in visible:
            entry["summary"] = None
    overview["seat"] = seat
    return overview


def meeting_overview(meeting: Meeting) -> dict[str, Any]:
    """Everything the meeting page, the minutes and the pack show, in a bounded number of queries."""
    sitting = meeting_roll(meeting)
    seats = {
        s.id: s
        for s in db.session.scalars(
            sa.select(CommitteeSeat)
            .where(CommitteeSeat.id.in_(list(sitting.labels)))
            .options(
                selectinload(CommitteeSeat.user),
                selectinload(CommitteeSeat.organisation),
                selectinload(CommitteeSeat.country),
            )
        )
    }
    present = {a.seat_id for a in meeting.attendance}
    notes = [i.concept_note for i in meeting.items if i.concept_note is not None]
    conflicts = conflicts_by_note([n.id for n in notes], list(seats.values()))
    summaries = stored_summaries([n.id for n in notes])
    config = decision_config()
    quorum_met, quorum_text = check_quorum(present, sitting.voting, sitting.chair, config)
    items = []
    for item in meeting.items:
        recused = conflicts.get(item.concept_note_id, {}) if item.concept_note_id else {}
        votes = {v.seat_id: v.vote for v in item.votes}
        result = (
            decide(
                votes,
                present,
                sitting.voting,
                recused=set(recused),
                rule=config,
                chair=sitting.chair,
                labels=sitting.labels,
            )
            if item.status == workflow.PENDING
            else None
        )
        items.append(
            {
                "item": item,
                "recused": [(seats[s], c) for s, c in recused.items() if s in seats],
                "recused_ids": set(recused),
                "votes": [(seats.get(v.seat_id), v) for v in item.votes],
                "result": result,
                "summary": summaries.get(item.concept_note_id) if item.concept_note_id else None,
                "outcomes": OUTCOMES[item.kind],
            }
        )
    return {
        "roll": sitting,
        "seats": seats,
        "voting": [seats[s] for s in sitting.voting if s in seats],
        "observers": [seats[s] for s in sitting.observers if s in seats],
        "present": present,
        "quorum_met": quorum_met,
        "quorum_text": quorum_text,
        "items": items,
        "config": config,
    }


# Work lists and names: what the role inboxes and the audit log ask ----------------------------------


@dataclass(frozen=True)
class ReviewWork:
    """A note under open review: the review (its `closes_on`), and how many members scored / may score it."""

    note: ConceptNote
    review: Review
    scored: int = 0
    scorers: int = 0


def _open_reviews() -> sa.Select:
    return (
        sa.select(ConceptNote, Review)
        .join(Review, Review.concept_note_id == ConceptNote.id)
        .where(ConceptNote.status == workflow.UNDER_REVIEW, Review.closed_at.is_(None))
        .order_by(Review.closes_on.is_(None), Review.closes_on, Review.opened_at, ConceptNote.id)
    )


def reviews_to_score(user: User, limit: int) -> tuple[int, list[ReviewWork]]:
    """The open reviews this member may score and has not scored yet, the one closing soonest first.

    Five queries: the seat, the reviews, and the conflicts of interest (notes the member is recused from are
    left out, as the scoring page refuses them).
    """
    seat = seat_of(user)
    if seat is None or not seat.is_voting:
        return 0, []
    scored = sa.exists().where(ScoreSheet.concept_note_id == ConceptNote.id, ScoreSheet.seat_id == seat.id)
    rows = db.session.execute(_open_reviews().where(~scored)).all()
    conflicts = conflicts_by_note([note.id for note, _review in rows], [seat])
    work = [ReviewWork(note, review) for note, review in rows if seat.id not in conflicts[note.id]]
    return len(work), work[:limit]


def reviews_to_close(on: date, limit: int) -> tuple[int, list[ReviewWork]]:
    """The chair's open reviews that can be closed: scores due by `on`, or every member who may score has.

    Six queries whatever the number of reviews: the reviews, the voting seats, their conflicts, the scores.
    """
    rows = db.session.execute(_open_reviews()).all()
    if not rows:
        return 0, []
    note_ids = [note.id for note, _review in rows]
    seats = [s for s in active_seats() if s.is_voting]
    conflicts = conflicts_by_note(note_ids, seats)
    sheets = dict(
        db.session.execute(
            sa.select(ScoreSheet.concept_note_id, sa.func.count())
            .where(ScoreSheet.concept_note_id.in_(note_ids))
            .group_by(ScoreSheet.concept_note_id)
        ).all()
    )
    work = []
    for note, review in rows:
        scorers = len([s for s in seats if s.id not in conflicts[note.id]])
        scored = sheets.get(note.id, 0)
        if scored and ((review.closes_on is not None and review.closes_on <= on) or scored >= scorers):
            work.append(ReviewWork(note, review, scored, scorers))
    return len(work), work[:limit]


@dataclass(frozen=True)
class MeetingWork:
    """A meeting not closed yet, as one person sees it: its pending agenda, their recusals and attendance."""

    meeting: Meeting
    pending_items: int
    #: Pending items on notes the person is recused from (their seat's conflicts of interest).
    recused_items: int = 0
    #: Recorded present (True) or absent (False) once the chair took attendance; None before, or without a seat.
    present: bool | None = None
    #: The pending items' titles, in the agenda's order.
    agenda: tuple[str, ...] = ()


def meetings_ahead(user: User, limit: int) -> tuple[int, list[MeetingWork]]:
    """Meetings not closed, the soonest first, with the agenda and the user's seat's recusals and attendance.

    At most seven queries: the meetings, their pending items, the seat, its attendance and its conflicts.
    """
    meetings = list(
        db.session.scalars(
            sa.select(Meeting).where(Meeting.status != workflow.CLOSED).order_by(Meeting.held_on, Meeting.id)
        )
    )
    if not meetings:
        return 0, []
    ids = [m.id for m in meetings]
    items = db.session.execute(
        sa.select(AgendaItem.meeting_id, AgendaItem.concept_note_id, AgendaItem.title)
        .where(AgendaItem.meeting_id.in_(ids), AgendaItem.status == workflow.PENDING)
        .order_by(AgendaItem.position, AgendaItem.id)
    ).all()
    seat = seat_of(user) if user.has_any_role(*COMMITTEE_ROLES) else None
    conflicts: dict[int, dict[int, Conflict]] = {}
    attended: dict[int, bool] = {}
    if seat is not None:
        conflicts = conflicts_by_note({n for _m, n, _t in items if n is not None}, [seat])
        taken = set(
            db.session.scalars(sa.select(Attendance.meeting_id).where(Attendance.meeting_id.in_(ids)).distinct())
        )
        mine = set(
            db.session.scalars(
                sa.select(Attendance.meeting_id).where(Attendance.meeting_id.in_(ids), Attendance.seat_id == seat.id)
            )
        )
        attended = {meeting_id: meeting_id in mine for meeting_id in taken}
    work = []
    for meeting in meetings:
        pending = [(n, title) for m, n, title in items if m == meeting.id]
        recused = len(
            [n for n, _t in pending if seat is not None and n is not None and seat.id in conflicts.get(n, {})]
        )
        agenda = tuple(title for _n, title in pending)
        work.append(MeetingWork(meeting, len(pending), recused, attended.get(meeting.id), agenda))
    return len(work), work[:limit]


@dataclass(frozen=True)
class DocumentWork:
    """An endorsed note whose joint programme document the secretariat prepares and approves."""

    note: ConceptNote
    document: JointProgrammeDocument | None
    endorsed_on: date | None


def documents_to_prepare(limit: int) -> tuple[int, list[DocumentWork]]:
    """Endorsed notes waiting for their programme document to be prepared or approved, endorsed longest ago
    first (two queries): approving the document makes the note ready for implementation."""
    # Each endorsed note's own agenda items (by the note's index), not every item of every meeting grouped; the
    # page is chosen on narrow rows, then its notes are loaded (sorting every endorsed note whole is most of
    # the cost on a large fund).
    endorsed = (
        sa.select(sa.func.max(AgendaItem.decided_at))
        .where(AgendaItem.concept_note_id == ConceptNote.id, AgendaItem.outcome == Outcome.endorse)
        .correlate(ConceptNote)
        .scalar_subquery()
    )
    page = (
        sa.select(ConceptNote.id, endorsed.label("decided_at"))
        .where(ConceptNote.status == workflow.ENDORSED)
        .subquery()
    )
    # The page is the same for every reader: kept while the records have not changed (core.cache).
    chosen = cache.cached(
        ("documents-to-prepare", limit),
        lambda: [
            tuple(row)
            for row in db.session.execute(
                sa.select(page.c.id, page.c.decided_at, sa.func.count().over().label("total"))
                .order_by(page.c.decided_at.is_(None), page.c.decided_at, page.c.id)
                .limit(limit)
            )
        ],
    )
    if not chosen:
        return 0, []
    found = {
        note.id: (note, document)
        for note, document in db.session.execute(
            sa.select(ConceptNote, JointProgrammeDocument)
            .outerjoin(JointProgrammeDocument, JointProgrammeDocument.concept_note_id == ConceptNote.id)
            .where(ConceptNote.id.in_([note_id for note_id, _decided_at, _total in chosen]))
        )
    }
    return chosen[0][2], [
        DocumentWork(*found[note_id], decided_at.date() if decided_at else None)
        for note_id, decided_at, _total in chosen
    ]


#: Audit object types of the committee, and what they are called.
_MEETING_TYPES = ("committee_meeting",)
_ITEM_TYPES = ("committee_agenda_item",)
_SEAT_TYPES = ("committee_seats",)


def describe_objects(object_type: str, ids: Iterable[str]) -> dict[str, str] | None:
    """Names of meetings, agenda items and seats for the audit log (`signals.describe_objects`), one query."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if object_type in _MEETING_TYPES:
        rows = db.session.execute(sa.select(Meeting.id, Meeting.title, Meeting.held_on).where(Meeting.id.in_(numbers)))
        return {
            str(i): _("meeting ‘%(title)s’ of %(date)s", title=title, date=format_date(held_on))
            for i, title, held_on in rows
        }
    if object_type in _ITEM_TYPES:
        rows = db.session.execute(
            sa.select(AgendaItem.id, AgendaItem.title, Meeting.title)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.id.in_(numbers))
        )
        return {
            str(i): _("agenda item ‘%(title)s’ (%(meeting)s)", title=title, meeting=meeting)
            for i, title, meeting in rows
        }
    if object_type in _SEAT_TYPES:
        rows = db.session.execute(
            sa.select(CommitteeSeat.id, User.name, CommitteeSeat.constituency)
            .join(User, User.id == CommitteeSeat.user_id)
            .where(CommitteeSeat.id.in_(numbers))
        )
        return {
            str(i): _("seat of %(member)s (%(constituency)s)", member=name, constituency=CONSTITUENCY_LABELS[c])
            for i, name, c in rows
        }
    if object_type == "committee_settings":
        return dict.fromkeys(ids, _("the committee's decision rules"))
    if object_type == "scoring_criteria":
        return dict.fromkeys(ids, _("the scoring criteria"))
    return None
