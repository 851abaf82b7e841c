"""Seat and criteria rules in the services, with the field each message belongs to."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from fundapp.auth.models import Organisation, OrganisationType
from fundapp.committee import services
from fundapp.committee.models import CommitteeSeat, CommitteeSettings, Constituency, ScoringCriterion
from fundapp.committee.rules import DecisionRule, MajorityBase
from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.models import AuditEntry
from fundapp.core.permissions import Role
from fundapp.demo.committee import seed_committee
from fundapp.reference.services import get_fund
from tests.concept_notes.helpers import make_call

C = Constituency


def test_seed_committee_creates_twelve_voting_seats_and_two_observers(db):
    assert seed_committee() == 14
    seats = services.active_seats()
    assert sum(s.is_voting for s in seats) == 12
    observers = {s.user.email: s.constituency for s in seats if not s.is_voting}
    assert observers == {"secretariat@example.org": C.secretariat, "mptfo@example.org": C.administrative_agent}
    by_email = {s.user.email: s for s in seats}
    assert by_email["chair@example.org"].constituency is C.chair
    assert by_email["chair@example.org"].organisation.code == "IOM"
    assert [by_email[f"member{i}@example.org"].constituency for i in (1, 4, 7, 8, 9, 10, 11)] == [
        C.un_network,
        C.donor,
        C.country_of_destination,
        C.country_of_transit,
        C.country_of_origin,
        C.civil_society,
        C.migrant_organization,
    ]
    assert [by_email[f"member{i}@example.org"].country_code for i in (7, 8, 9)] == ["MAR", "GTM", "BGD"]
    assert by_email["member6@example.org"].label == "Norway, Ministry of Foreign Affairs"
    assert by_email["member9@example.org"].label == "Bangladesh"
    assert {s.term_start_on for s in seats} == {date(2019, 5, 8)}
    mptfo = db.session.scalar(sa.select(Organisation).where(Organisation.code == "MPTFO"))
    assert (mptfo.name, mptfo.type) == ("UNDP Multi-Partner Trust Fund Office", OrganisationType.other)
    assert by_email["mptfo@example.org"].user.roles == {Role.committee_member}
    assert services.weights_for() == {
        "RELEVANCE": 25,
        "PRINCIPLES": 25,
        "FEASIBILITY": 20,
        "VALUE": 15,
        "SUSTAINABILITY": 15,
    }
    assert seed_committee() == 0


def test_create_seat_records_an_audit_row(db, seat_input, user):
    seat = services.create_seat(user("secretariat@example.org"), seat_input("member4@example.org"))
    assert seat.organisation.code == "DEU"  # the member's own organisation by default
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert (entry.action, entry.object_id, entry.actor_email) == (
        "committee.seat_created",
        str(seat.id),
        "secretariat@example.org",
    )


def _errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.errors if isinstance(exc.value, ValidationFailed) else {exc.value.field: [exc.value.message]}


@pytest.mark.parametrize(
    ("email", "constituency", "kwargs", "field", "message"),
    [
        ("member4@example.org", C.donor, {"term_end_on": date(2019, 1, 1)}, "term_end_on", "cannot end before"),
        ("member7@example.org", C.country_of_origin, {}, "country_code", "needs the country"),
        ("member7@example.org", C.country_of_origin, {"country_code": "XXX"}, "country_code", "Unknown country"),
        ("member4@example.org", C.donor, {"country_code": "DEU"}, "country_code", "Only country seats"),
        ("chair@example.org", C.chair, {"is_voting": False}, "is_voting", "observer cannot hold the chair"),
        ("secretariat@example.org", C.secretariat, {"is_voting": True}, "is_voting", "observes"),
        ("mptfo@example.org", C.administrative_agent, {"is_voting": True}, "is_voting", "observes"),
        ("applicant@example.org", C.un_network, {}, "user_id", "not a steering committee member"),
        ("member1@example.org", C.chair, {}, "user_id", "chair role"),
    ],
)
def test_create_seat_refuses_with_the_field(db, seat_input, email, constituency, kwargs, field, message):
    if email == "mptfo@example.org":
        seed_committee()
    with pytest.raises(DomainError) as exc:
        services.create_seat(None, seat_input(email, constituency, **kwargs))
    assert any(message in m for m in _errors(exc)[field])


def test_observer_seat_for_a_user_without_committee_role(db, seat_input):
    seat = services.create_seat(None, seat_input("secretariat@example.org", C.secretariat, is_voting=False))
    assert not seat.is_voting


def test_one_active_seat_per_user(db, seat_input):
    services.create_seat(None, seat_input("member4@example.org"))
    with pytest.raises(ValidationFailed) as exc:
        services.create_seat(None, seat_input("member4@example.org", C.un_network))
    assert exc.value.errors["user_id"] == ["Katrin Weber already holds an active seat (Donor)."]


def test_the_chair_is_unique(db, seat_input, new_member):
    services.create_seat(None, seat_input("chair@example.org", C.chair))
    new_member("deputy@example.org", Role.committee_chair)
    with pytest.raises(ValidationFailed) as exc:
        services.create_seat(None, seat_input("deputy@example.org", C.chair))
    assert exc.value.errors["constituency"] == ["The chair is already held by Amina Diallo; end that term first."]


def test_end_term_frees_the_member_and_the_chair(db, seat_input, new_member):
    chair = services.create_seat(None, seat_input("chair@example.org", C.chair))
    services.end_term(None, chair, date(2021, 6, 30))
    assert (chair.is_active, chair.term_end_on) == (False, date(2021, 6, 30))
    new_member("deputy@example.org", Role.committee_chair)
    successor = services.create_seat(None, seat_input("deputy@example.org", C.chair, term_start_on=date(2021, 7, 1)))
    assert successor.is_active
    again = services.create_seat(None, seat_input("chair@example.org", C.un_network, term_start_on=date(2021, 7, 1)))
    assert again.is_active  # the same person may take a new seat after the term ended


@pytest.mark.parametrize(
    ("end_on", "message"),
    [
        (date(2019, 5, 7), "cannot end before it started"),
        (date(2021, 1, 1), "already ended"),
        (date(2099, 1, 1), "ends today at the latest"),
    ],
)
def test_end_term_refuses(db, seat_input, end_on, message):
    seat = services.create_seat(None, seat_input("member5@example.org"))
    if message == "already ended":
        services.end_term(None, seat, date(2020, 1, 1))
    with pytest.raises(DomainError, match=message) as exc:
        services.end_term(None, seat, end_on)
    assert exc.value.field == "term_end_on"


def test_update_seat_changes_details_and_keeps_an_ended_term_ended(db, seat_input):
    seat = services.create_seat(None, seat_input("member7@example.org", C.country_of_origin, country_code="MAR"))
    services.update_seat(None, seat, seat_input("member7@example.org", C.country_of_transit, country_code="MAR"))
    assert seat.constituency is C.country_of_transit
    services.end_term(None, seat, date(2020, 12, 31))
    with pytest.raises(DomainError, match="keeps its end date"):
        services.update_seat(None, seat, seat_input("member7@example.org", C.country_of_transit, country_code="MAR"))
    services.update_seat(
        None,
        seat,
        seat_input("member7@example.org", C.country_of_transit, country_code="MAR", term_end_on=date(2020, 11, 30)),
    )
    assert seat.term_end_on == date(2020, 11, 30)
    assert not seat.is_active


def test_update_seat_takes_a_planned_end_but_not_a_past_one(db, seat_input):
    seat = services.create_seat(None, seat_input("member4@example.org"))
    planned = seat_input("member4@example.org", term_end_on=date(2022, 5, 7))
    services.update_seat(None, seat, planned, today=date(2021, 1, 1))
    assert (seat.term_end_on, seat.is_active) == (date(2022, 5, 7), True)
    with pytest.raises(DomainError, match="use “End term”") as exc:
        services.update_seat(None, seat, planned, today=date(2022, 6, 1))
    assert exc.value.field == "term_end_on"


@pytest.mark.parametrize("constraint", ["user", "chair"])
def test_database_refuses_a_second_active_seat_even_past_the_service(db, seat_input, user, constraint):
    if constraint == "user":
        services.create_seat(None, seat_input("member4@example.org"))
        duplicate = CommitteeSeat(
            constituency=C.un_network,
            user_id=user("member4@example.org").id,
            organisation_id=user("member4@example.org").organisation_id,
            term_start_on=date(2020, 1, 1),
        )
    else:
        services.create_seat(None, seat_input("chair@example.org", C.chair))
        duplicate = CommitteeSeat(
            constituency=C.chair,
            user_id=user("member1@example.org").id,
            organisation_id=user("member1@example.org").organisation_id,
            term_start_on=date(2020, 1, 1),
        )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.flush()


def test_committee_summary_counts_seats(committee):
    assert services.committee_summary() == {
        "voting_seats": 12,
        "observer_seats": 2,
        "seats_by_constituency": {
            "administrative_agent": 1,
            "chair": 1,
            "civil_society": 1,
            "country_of_destination": 1,
            "country_of_origin": 1,
            "country_of_transit": 1,
            "donor": 3,
            "migrant_organization": 1,
            "secretariat": 1,
            "un_network": 3,
        },
    }


# Scoring criteria -----------------------------------------------------------------------------------

DEFAULTS = [
    ("RELEVANCE", "Relevance", 25),
    ("PRINCIPLES", "Principles", 25),
    ("FEASIBILITY", "Feasibility", 20),
    ("VALUE", "Value for money", 15),
    ("SUSTAINABILITY", "Sustainability", 15),
]


def test_set_criteria_refuses_weights_that_do_not_sum_to_100(db):
    with pytest.raises(ValidationFailed) as exc:
        services.set_criteria(None, [*DEFAULTS[:4], ("SUSTAINABILITY", "Sustainability", 10)])
    assert exc.value.errors == {"total": ["The weights add up to 95; they must add up to 100."]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScoringCriterion)) == 0


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        ([*DEFAULTS[:4], ("relevance", "Again", 15)], "rows-4-code", "The code relevance is used twice."),
        ([*DEFAULTS[:4], ("OTHER", "Relevance", 15)], "rows-4-name", "This name is used twice."),
        ([*DEFAULTS[:4], ("", "Sustainability", 15)], "rows-4-code", "A code is required."),
        ([*DEFAULTS[:4], ("SUSTAINABILITY", "", 15)], "rows-4-name", "A name is required."),
        ([*DEFAULTS[:4], ("SUSTAINABILITY", "S", 0), ("X", "X", 15)], "rows-4-weight", "A whole number from 1 to 100."),
        ([], "total", "Give at least one criterion."),
    ],
)
def test_set_criteria_refuses_with_the_field(db, rows, field, message):
    with pytest.raises(ValidationFailed) as exc:
        services.set_criteria(None, rows)
    assert message in exc.value.errors[field]


def test_set_criteria_replaces_the_set_and_keeps_rows_of_kept_codes(db):
    first = {c.code: c.id for c in services.set_criteria(None, DEFAULTS)}
    services.set_criteria(
        None, [("RELEVANCE", "Relevance", 40), ("VALUE", "Value for money", 30), ("INNOVATION", "Innovation", 30)]
    )
    now = services.criteria_for()
    assert [(c.code, c.weight, c.position) for c in now] == [
        ("RELEVANCE", 40, 1),
        ("VALUE", 30, 2),
        ("INNOVATION", 30, 3),
    ]
    assert now[0].id == first["RELEVANCE"]
    assert now[1].id == first["VALUE"]
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "scoring_criteria")).all()
    assert actions == ["committee.criteria_set", "committee.criteria_set"]


def test_a_call_has_its_own_set_or_falls_back_to_the_default(db):
    own, other = make_call().id, make_call(title="Another call").id
    services.set_criteria(None, DEFAULTS)
    assert services.weights_for(call_id=own) == services.weights_for()
    services.set_criteria(None, [("RELEVANCE", "Relevance", 60), ("VALUE", "Value", 40)], call_id=own)
    assert services.weights_for(call_id=own) == {"RELEVANCE": 60, "VALUE": 40}
    assert services.weights_for(call_id=other) == services.weights_for()
    assert len(services.criteria_for()) == 5


def test_load_default_criteria_from_the_reference_file_once(db):
    assert services.load_default_criteria() == 5
    criteria = services.criteria_for()
    assert criteria[0].name == "Relevance to the Global Compact and the thematic area"
    assert criteria[0].description
    assert sum(c.weight for c in criteria) == 100
    assert services.load_default_criteria() == 0


# Decision settings ----------------------------------------------------------------------------------


def test_decision_config_defaults_to_consensus_chair_plus_majority(db):
    config = services.decision_config()
    assert config.rule is DecisionRule.consensus
    assert config.quorum_requires_chair
    assert config.quorum.needed(12) == 7


def test_decision_config_reads_the_fund_rule_and_committee_settings(db):
    get_fund().decision_rule = "majority"
    db.session.add(
        CommitteeSettings(
            majority_numerator=2, majority_denominator=3, majority_strict=False, majority_base=MajorityBase.eligible
        )
    )
    db.session.flush()
    config = services.decision_config()
    assert config.rule is DecisionRule.majority
    assert config.majority.needed(12) == 8
    assert config.majority_base is MajorityBase.eligible


def test_set_decision_settings_records_rule_and_thresholds(db, user):
    config = services.set_decision_settings(
        user("secretariat@example.org"),
        "majority",
        services.THRESHOLDS["at_least_half"],
        False,
        services.THRESHOLDS["two_thirds"],
        "eligible",
    )
    assert get_fund().decision_rule == "majority"
    assert (config.quorum.needed(12), config.quorum_requires_chair) == (6, False)
    assert (config.majority.needed(12), config.majority_base) == (8, MajorityBase.eligible)
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry.action == "committee.decision_settings_changed"
    assert '"rule":{"from":"consensus","to":"majority"}' in entry.details
    assert services.threshold_key(config.majority) == "two_thirds"


def test_roll_lists_who_sits_on_a_day(committee, seat_input):
    norway = next(s for s in committee if s.user.email == "member6@example.org")
    services.end_term(None, norway, date(2020, 12, 31))
    successor = services.create_seat(None, seat_input("member6@example.org", term_start_on=date(2021, 3, 1)))
    before = services.roll(date(2020, 6, 1))
    assert len(before.voting) == 12
    assert len(before.observers) == 2
    assert norway.id in before.voting
    assert before.labels[before.chair] == "International Organization for Migration"
    gap = services.roll(date(2021, 1, 15))
    assert len(gap.voting) == 11
    after = services.roll(date(2021, 6, 1))
    assert successor.id in after.voting
    assert norway.id not in after.voting
    assert after.members[successor.id] == norway.user_id
    assert services.roll(date(2019, 5, 7)).voting == ()
