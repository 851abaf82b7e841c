from datetime import date

import pytest

from fundapp.auth import services as auth_services
from fundapp.auth.models import Organisation
from fundapp.committee import services
from fundapp.committee.models import Constituency
from fundapp.core.permissions import Role
from fundapp.demo.committee import seed_committee


@pytest.fixture
def committee(db):
    """The demo committee (12 voting seats, 2 observers) and the default scoring criteria."""
    seed_committee()
    return services.active_seats()


@pytest.fixture
def seat_input(user):
    """Return a callable building a SeatInput for a demo user, with sensible defaults."""

    def _build(email: str, constituency=Constituency.donor, **kwargs) -> services.SeatInput:
        values = {"term_start_on": date(2019, 5, 8), **kwargs}
        return services.SeatInput(constituency=constituency, user_id=user(email).id, **values)

    return _build


@pytest.fixture
def new_member(db):
    """Return a callable creating a user with a committee role (the demo has no spare ones)."""

    def _create(email: str, role: Role = Role.committee_member):
        org = db.session.scalar(db.select(Organisation).where(Organisation.code == "FAO"))
        return auth_services.create_user(None, email, email.split("@", maxsplit=1)[0], org, [role], "a-long-password-1")

    return _create
