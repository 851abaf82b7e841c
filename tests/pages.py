"""The main pages, API endpoints and exports, as the people who use them open them: the list the scale tests
(query counts at 1× and 10×) and scripts/bench (timings at 1×, 10×, 100×) both walk.

Ids are those of the demo fund (the first copy of a scaled fund is the demo itself, with the same ids).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, render_template
from flask.testing import FlaskClient

from fundapp import create_app
from fundapp.core.extensions import db
from fundapp.demo.services import DEMO_PASSWORD


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    #: Who opens it (None: the public).
    email: str | None = None
    #: "page", "api" or "export" (the bench measures the peak memory of exports).
    kind: str = "page"


SECRETARIAT = "secretariat@example.org"
CHAIR = "chair@example.org"
MEMBER = "member1@example.org"
DONOR = "donor@example.org"
APPLICANT = "applicant@example.org"
ADMIN = "admin@example.org"

#: The bare layout: what every ratio is measured against (added by add_floor, for the anonymous and for a
#: signed-in user).
FLOOR = Page("floor: bare layout", "/_floor")
FLOOR_SIGNED_IN = Page("floor: bare layout, signed in", "/_floor", SECRETARIAT)

PAGES = [
    Page("landing page", "/"),
    Page("transparency page", "/transparency/"),
    Page("transparency: results report", "/transparency/results-report"),
    Page("transparency: contributors", "/transparency/contributors"),
    Page("annual report", "/transparency/annual-report", SECRETARIAT),
    Page("transparency: programme", "/transparency/programmes/2"),
    Page("secretariat inbox", "/secretariat", SECRETARIAT),
    Page("donors and agreements", "/contributions/donors", SECRETARIAT),
    Page("donor page", "/contributions/donors/1", SECRETARIAT),
    Page("capitalization", "/contributions/capitalization", SECRETARIAT),
    Page("funding status", "/contributions/funding-status", SECRETARIAT),
    Page("ledger", "/contributions/ledger", SECRETARIAT),
    Page("exchange rates", "/contributions/rates", SECRETARIAT),
    Page("deposit", "/contributions/deposits/1", SECRETARIAT),
    Page("concept notes", "/concept-notes/", SECRETARIAT),
    Page("concept note", "/concept-notes/1", SECRETARIAT),
    Page("calls", "/concept-notes/calls", SECRETARIAT),
    Page("portfolio", "/programmes", SECRETARIAT),
    Page("programme", "/programmes/2", SECRETARIAT),
    Page("results dashboard", "/programmes/results", SECRETARIAT),
    Page("alignment dashboard", "/programmes/alignment", SECRETARIAT),
    Page("search", "/search?q=migration&kind=note", SECRETARIAT),
    Page("committee inbox", "/committee", CHAIR),
    Page("committee pipeline", "/committee/pipeline", CHAIR),
    Page("committee reviews", "/committee/reviews", CHAIR),
    Page("committee reviews: eligible, page 2", "/committee/reviews?waiting=2", CHAIR),
    Page("committee meetings", "/committee/meetings", CHAIR),
    Page("meeting", "/committee/meetings/1", CHAIR),
    Page("scoring queue", "/committee/scoring", MEMBER),
    Page("applicant inbox", "/applicant", APPLICANT),
    Page("my concept notes", "/concept-notes/mine", APPLICANT),
    Page("donor inbox", "/donor", DONOR),
    Page("donor portal", "/contributions/my", DONOR),
    Page("donor portal: attribution, page 2", "/contributions/my?uses=2", DONOR),
    Page("donor attribution (report)", "/contributions/donors/1/report", DONOR),
    Page("notifications", "/notifications/", DONOR),
    Page("audit log", "/admin/audit?object_type=concept_notes", ADMIN),
    Page("users", "/admin/users", ADMIN),
    Page("invitations", "/admin/invitations", ADMIN),
    Page("invite form", "/admin/invitations/new", ADMIN),
    Page("API summary", "/api/v1/summary", kind="api"),
    Page("API funding status", "/api/v1/funding-status", kind="api"),
    Page("API contributors", "/api/v1/contributors", kind="api"),
    Page("API contributors, page 2", "/api/v1/contributors?page=2&per_page=5", kind="api"),
    Page("API programmes", "/api/v1/programmes", kind="api"),
    Page("API organizations", "/api/v1/organizations", kind="api"),
    Page("audit log CSV", "/admin/audit.csv", ADMIN, "export"),
    Page("ledger CSV", "/contributions/ledger.csv", SECRETARIAT, "export"),
    Page("concept notes CSV", "/concept-notes/export.csv", SECRETARIAT, "export"),
    Page("portfolio CSV", "/programmes.csv", SECRETARIAT, "export"),
    Page("pipeline CSV", "/committee/pipeline.csv", CHAIR, "export"),
    Page("IATI XML", "/api/v1/iati.xml", kind="export"),
    Page("results report PDF", "/transparency/results-report/2021.pdf", kind="export"),
    Page("meeting pack PDF", "/committee/meetings/1/pack.pdf", CHAIR, "export"),
]


def add_floor(app: Flask) -> None:
    """The floor route: the layout with nothing in it, for whoever asks (benchmarks and scale tests only)."""
    if "bench_floor" not in app.view_functions:
        app.add_url_rule("/_floor", "bench_floor", lambda: render_template("base.html"))


def bench_app() -> Flask:
    """The app with the floor route, for gunicorn in scripts/bench (`tests.pages:bench_app()`)."""
    app = create_app()
    add_floor(app)
    return app


def client_for(app: Flask, email: str | None) -> FlaskClient:
    """A test client, signed in as `email` (the demo password) unless None."""
    client = app.test_client()
    if email:
        answer = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert answer.status_code == 302, f"{email} could not sign in ({answer.status_code})"
    return client


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def _before(_conn, _cursor, statement, _params, _context, _executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", _before)
