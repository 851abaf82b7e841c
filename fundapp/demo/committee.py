"""Demo steering committee: the 12 voting seats of the demo accounts, two observers, the default criteria."""

from datetime import date

import sqlalchemy as sa

from fundapp.auth import services as auth_services
from fundapp.auth.models import Organisation, OrganisationType, User
from fundapp.committee import services as committee_services
from fundapp.committee.models import CommitteeSeat, Constituency
from fundapp.core.extensions import db
from fundapp.core.permissions import Role
from fundapp.demo import DEMO_PASSWORD
from fundapp.demo.story import Process, tell
from fundapp.reference import services as reference_services

#: The fund's establishment: every founding seat's term starts then.
TERM_START = date(2019, 5, 8)

#: (email, constituency, country) for each seat, following COMMITTEE_SEATS in demo/services.py; a
#: country seat takes one of the roles its government is named for there.
SEATS = [
    ("chair@example.org", Constituency.chair, None),
    ("member1@example.org", Constituency.un_network, None),
    ("member2@example.org", Constituency.un_network, None),
    ("member3@example.org", Constituency.un_network, None),
    ("member4@example.org", Constituency.donor, None),
    ("member5@example.org", Constituency.donor, None),
    ("member6@example.org", Constituency.donor, None),
    ("member7@example.org", Constituency.country_of_destination, "MAR"),
    ("member8@example.org", Constituency.country_of_transit, "GTM"),
    ("member9@example.org", Constituency.country_of_origin, "BGD"),
    ("member10@example.org", Constituency.civil_society, None),
    ("member11@example.org", Constituency.migrant_organization, None),
    # Observers.
    ("secretariat@example.org", Constituency.secretariat, None),
    ("mptfo@example.org", Constituency.administrative_agent, None),
]

MPTFO = ("MPTFO", "UNDP Multi-Partner Trust Fund Office")
MPTFO_USER = ("mptfo@example.org", "Hana Sato")


def _administrative_agent() -> User:
    """The administrative agent's observer: its organisation and account, created once."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.code == MPTFO[0]))
    if org is None:
        org = reference_services.create_organisation(None, MPTFO[0], MPTFO[1], OrganisationType.other)
    user = db.session.scalar(sa.select(User).where(User.email == MPTFO_USER[0]))
    if user is None:
        user = auth_services.create_user(
            None, MPTFO_USER[0], MPTFO_USER[1], org, [Role.committee_member], DEMO_PASSWORD, demo=True
        )
    return user


def seed_committee() -> int:
    """Seats and the default scoring criteria, on the fund's first day; returns the number of seats created
    (idempotent)."""
    created = [0]
    tell(seats_story(created))
    return created[0]


def seats_story(created: list[int]) -> Process:
    """The committee is seated on the day the fund is established."""
    yield TERM_START
    created[0] = _seat_everyone()


def _seat_everyone() -> int:
    _administrative_agent()
    committee_services.load_default_criteria()
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_([s[0] for s in SEATS])))}
    seated = set(db.session.scalars(sa.select(CommitteeSeat.user_id).where(CommitteeSeat.is_active)))
    created = 0
    for email, constituency, country in SEATS:
        user = users.get(email)
        if user is None or user.id in seated:
            continue
        committee_services.create_seat(
            None,
            committee_services.SeatInput(
                constituency=constituency,
                user_id=user.id,
                country_code=country,
                term_start_on=TERM_START,
                is_voting=not constituency.observes,
            ),
        )
        created += 1
    return created
