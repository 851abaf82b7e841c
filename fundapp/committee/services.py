"""Committee business rules: seats, scoring criteria, decision settings. Flush, never commit."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from fundapp.auth.models import Organisation, User
from fundapp.committee.models import CommitteeSeat, CommitteeSettings, Constituency, ScoringCriterion
from fundapp.committee.rules import DecisionConfig, DecisionRule, MajorityBase, Threshold
from fundapp.committee.scoring import TOTAL_WEIGHT
from fundapp.core import clock
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.permissions import COMMITTEE_ROLES, Role
from fundapp.reference.models import Country
from fundapp.reference.services import DATA_DIR, get_fund

# Seats --------------------------------------------------------------------------------------------


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
        fail("user_id", "Choose an active user.")
    elif organisation is None:
        organisation = user.organisation
    if data.organisation_id and organisation is None:
        fail("organisation_id", "Unknown organisation.")
    if data.term_end_on is not None and data.term_end_on < data.term_start_on:
        fail("term_end_on", "The term cannot end before it starts.")
    if constituency.is_country_seat:
        if not data.country_code:
            fail("country_code", f"A seat for a {constituency.label.lower()} needs the country.")
        elif db.session.get(Country, data.country_code) is None:
            fail("country_code", "Unknown country.")
    elif data.country_code:
        fail("country_code", "Only country seats (origin, transit, destination) name a country.")
    if constituency is Constituency.chair and not data.is_voting:
        fail("is_voting", "The chair votes: an observer cannot hold the chair.")
    if constituency.observes and data.is_voting:
        fail("is_voting", f"The {constituency.label.lower()} observes: its seat does not vote.")
    if user is not None and user.is_active:
        if constituency is Constituency.chair and not user.has_role(Role.committee_chair):
            fail("user_id", f"{user.name} does not have the steering committee chair role.")
        elif data.is_voting and not user.has_any_role(*COMMITTEE_ROLES):
            fail("user_id", f"{user.name} is not a steering committee member; give the role first.")
        if seat is None or seat.is_active:
            other = db.session.scalar(
                sa.select(CommitteeSeat).where(
                    CommitteeSeat.user_id == user.id,
                    CommitteeSeat.is_active,
                    CommitteeSeat.id != (seat.id if seat else -1),
                )
            )
            if other is not None:
                fail("user_id", f"{user.name} already holds an active seat ({other.constituency.label}).")
    if constituency is Constituency.chair and (seat is None or seat.is_active):
        chair = db.session.scalar(
            sa.select(CommitteeSeat).where(
                CommitteeSeat.constituency == Constituency.chair,
                CommitteeSeat.is_active,
                CommitteeSeat.id != (seat.id if seat else -1),
            )
        )
        if chair is not None:
            fail("constituency", f"The chair is already held by {chair.user.name}; end that term first.")
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


def create_seat(actor: Any, data: SeatInput) -> CommitteeSeat:
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


def update_seat(actor: Any, seat: CommitteeSeat, data: SeatInput, today: date | None = None) -> None:
    """Correct a seat's details; an ended seat stays ended (a new term is a new seat).

    A running term may carry its planned end date, but not a past one: that is what ending the term is for.
    """
    constituency, user, organisation = _check_seat(data, seat)
    if not seat.is_active and data.term_end_on is None:
        raise DomainError("An ended term keeps its end date; create a new seat for a new term.", field="term_end_on")
    if seat.is_active and data.term_end_on is not None and data.term_end_on < (today or clock.today()):
        raise DomainError("That date has passed: use “End term” to end the term.", field="term_end_on")
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


def end_term(actor: Any, seat: CommitteeSeat, end_on: date, today: date | None = None) -> None:
    """End a member's term: the seat stays in the history (minutes cite it) but no longer sits.

    The last day is today or earlier; a planned end date is set by editing the seat.
    """
    if not seat.is_active:
        raise DomainError("This term has already ended.", field="term_end_on")
    if end_on < seat.term_start_on:
        raise DomainError("The term cannot end before it started.", field="term_end_on")
    if end_on > (today or clock.today()):
        raise DomainError(
            "A term ends today at the latest; set a planned end date by editing the seat.", field="term_end_on"
        )
    seat.term_end_on = end_on
    seat.is_active = False
    db.session.flush()
    record_change(actor, "committee.term_ended", "committee_seats", seat.id, {"term_end_on": end_on.isoformat()})


def seats_query(active: bool | None = True) -> sa.Select:
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
    return list(db.session.scalars(seats_query(active=True)))


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
        errors["total"] = ["Give at least one criterion."]
    seen: dict[str, int] = {}
    checked = []
    for i, (code, name, weight, description) in enumerate(rows):
        if not code:
            errors.setdefault(f"rows-{i}-code", []).append("A code is required.")
        elif len(code) > 20:
            errors.setdefault(f"rows-{i}-code", []).append("At most 20 characters.")
        elif code.lower() in seen:
            errors.setdefault(f"rows-{i}-code", []).append(f"The code {code} is used twice.")
        else:
            seen[code.lower()] = i
        if not name:
            errors.setdefault(f"rows-{i}-name", []).append("A name is required.")
        valid = not isinstance(weight, bool) and isinstance(weight, int) and 1 <= weight <= TOTAL_WEIGHT
        if not valid:
            errors.setdefault(f"rows-{i}-weight", []).append("A whole number from 1 to 100.")
        checked.append((code, name, weight if valid else 0, description))
    names = [name.lower() for _c, name, _w, _d in checked if name]
    for i, (_code, name, _w, _d) in enumerate(checked):
        if name and names.count(name.lower()) > 1:
            errors.setdefault(f"rows-{i}-name", []).append("This name is used twice.")
    total = sum(w for _c, _n, w, _d in checked)
    if rows and total != TOTAL_WEIGHT:
        errors.setdefault("total", []).append(f"The weights add up to {total}; they must add up to {TOTAL_WEIGHT}.")
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


def set_criteria(actor: Any, criteria: Sequence[Sequence[Any]], call_id: int | None = None) -> list[ScoringCriterion]:
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


def load_default_criteria(actor: Any = None, path: str | Path | None = None) -> int:
    """Create the fund's default set from the reference file unless a default set exists already."""
    if db.session.scalar(sa.select(ScoringCriterion.id).where(ScoringCriterion.call_id.is_(None)).limit(1)):
        return 0
    return len(set_criteria(actor, default_criteria_from_file(path)))


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
    actor: Any,
    rule: DecisionRule | str,
    quorum: Threshold,
    quorum_requires_chair: bool,
    majority: Threshold,
    majority_base: MajorityBase | str,
) -> DecisionConfig:
    """Record the committee's decision rule (FundSettings.decision_rule) and its quorum and majority settings."""
    fund = get_fund()
    if fund is None:
        raise DomainError("Load the fund's reference data first.")
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
            seats_query(active=None).where(
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
