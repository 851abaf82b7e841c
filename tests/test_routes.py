"""Every registered route × every role, with the expected status (tests/<domain>/routes.py)."""

import importlib
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from fundapp.api import tokens
from fundapp.auth.models import Organisation, User
from fundapp.committee import services as committee_services
from fundapp.committee.models import CommitteeSeat
from fundapp.demo.committee import seed_committee
from fundapp.notifications.services import notify
from fundapp.reference.models import GcmObjective, ThematicArea
from tests.api.helpers import bearer
from tests.committee.decision_helpers import note_under_review
from tests.concept_notes.helpers import make_call, make_note
from tests.routing import ROLE_EMAILS, ROLES, Route
from tests.security.downloads import DOWNLOAD_ENDPOINTS, is_file
from tests.transparency.helpers import funded_programme, unfunded_programme


def _all_routes() -> list[Route]:
    routes: list[Route] = []
    for path in sorted(Path(__file__).parent.glob("*/routes.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.routes")
        routes.extend(module.ROUTES)
    return routes


ROUTES = _all_routes()


class Lookup:
    """Finds the ids route URLs need, by natural keys of the demo data."""

    def __init__(self, session) -> None:
        self.session = session

    def _id(self, model, column, value) -> int:
        found = self.session.scalar(sa.select(model.id).where(column == value))
        assert found is not None, (model, value)
        return found

    def user_id(self, email: str) -> int:
        return self._id(User, User.email, email)

    def organisation_id(self, code: str) -> int:
        return self._id(Organisation, Organisation.code, code)

    def area_id(self, code: str) -> int:
        return self._id(ThematicArea, ThematicArea.code, code)

    def objective_id(self, number: int) -> int:
        return self._id(GcmObjective, GcmObjective.number, number)

    # Concept notes: the session database has none, so the first lookup creates them (rolled back per test).
    def call_id(self) -> int:
        call = make_call()
        self.session.commit()
        return call.id

    def note(self, org_code: str):
        """A submitted note led by org_code (UNDP: applicant@'s own; UNICEF: another organisation's)."""
        emails = {"UNDP": "applicant@example.org", "UNICEF": "applicant2@example.org"}
        note = make_note(org_code, emails[org_code], submit=True, attach=True)
        self.session.commit()  # a view's rollback after a refused action must not undo the set-up
        return note

    def notification_id(self, email: str) -> int:
        return notify(self.session.get(User, self.user_id(email)), "Test", "Body", "/home")[0].id

    def bearer(self, email: str) -> dict[str, str]:
        """API routes authenticate with a personal token, never the session: the role's token."""
        return bearer(email)

    def token_id(self, email: str) -> int:
        row, _token = tokens.create_token(self.session.get(User, self.user_id(email)), "Route table")
        self.session.commit()
        return row.id

    def seat_id(self, email: str) -> int:
        """The member's committee seat; the demo committee is seeded inside the test's transaction."""
        seed_committee()
        return self._id(CommitteeSeat, CommitteeSeat.user_id, self.user_id(email))

    def review_note_id(self) -> int:
        """A UNICEF-led note under committee review (member1@, UNDP, is not recused)."""
        note = note_under_review()
        self.session.commit()
        return note.id

    def meeting_id(self, with_item: bool = False) -> int:
        """A planned meeting (optionally with an item of other business)."""
        seed_committee()
        meeting = committee_services.create_meeting(None, "Route meeting", date(2026, 6, 10))
        item = committee_services.add_item(None, meeting, "other", title="Any other business") if with_item else None
        self.session.commit()
        return item.id if item else meeting.id

    def programme_id(self, funded: bool = True) -> int:
        """A funded joint programme (allocation in the ledger), or a document without one."""
        document = funded_programme() if funded else unfunded_programme()
        self.session.commit()
        return document.id


def test_every_route_is_in_the_table(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    listed = {route.endpoint for route in ROUTES}
    assert registered - listed == set(), "routes missing from the route × role table"
    assert listed - registered == set(), "table lists routes that no longer exist"


def test_every_route_lists_every_role():
    for route in ROUTES:
        assert set(route.expected) == set(ROLES), route.endpoint


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.endpoint}")
def test_route_status_for_role(client, login, db, route, role):
    if role != "anonymous":
        login(ROLE_EMAILS[role])
    lookup = Lookup(db.session)
    url = route.url(lookup) if callable(route.url) else route.url
    headers = lookup.bearer(ROLE_EMAILS[role]) if role != "anonymous" and url.startswith("/api/") else {}
    response = client.open(url, method=route.method, data=route.data, headers=headers)
    response.close()  # file responses (static, downloads) hold an open handle
    assert response.status_code == route.expected[role], f"{route.method} {url} as {role}"
    if is_file(response.mimetype, response.headers):
        assert route.endpoint in DOWNLOAD_ENDPOINTS, "a file route missing from tests/security/downloads.py"
