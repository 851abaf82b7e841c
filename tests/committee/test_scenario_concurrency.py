"""One last run per person on PostgreSQL: the same person running the scenarios from several tabs at once gets
every run through (each replaces the one before), never a unique-constraint 500, and one run remains."""

import threading
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.auth.models import User
from fundapp.committee.models import ScenarioLine, ScenarioRun
from fundapp.contributions import services as contributions
from fundapp.core.extensions import db as _db
from tests.committee.decision_helpers import meeting_in_session
from tests.committee.pipeline_helpers import endorsed_note, scores, undp_note_kwargs
from tests.concurrency import committed, needs_postgresql, signed_in
from tests.contributions import factories

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def committed_pipeline(app):
    """Two endorsed notes and money in the pools, committed for real; every row created is deleted afterwards."""
    needs_postgresql()
    with committed(app):
        with app.app_context():
            meeting = meeting_in_session(title="Scenario race")
            endorsed_note(meeting, scores(4))
            endorsed_note(meeting, scores(3), **undp_note_kwargs())
            agreement = factories.agreement("PHL", currency="USD", amount="5000000.00", reference="CONC-SCENARIOS")
            contributions.record_deposit(None, agreement, Decimal("1500000.00"), date(2026, 2, 1))
            _db.session.commit()
            _db.session.remove()
        yield


def test_runs_at_once_by_the_same_person_replace_each_other(app, committed_pipeline):
    with app.app_context():
        chair_id = _db.session.scalar(sa.select(User.id).where(User.email == "chair@example.org"))
        _db.session.remove()
    clients = [signed_in(app, "chair@example.org") for _ in range(4)]  # four tabs, each its own session
    barrier = threading.Barrier(4)
    statuses: list[tuple[int, str | None]] = []

    def run(client, share: str) -> None:
        barrier.wait(5)
        response = client.post("/committee/pipeline/scenario", data={"min_area": share})
        statuses.append((response.status_code, response.location))

    threads = [
        threading.Thread(target=run, args=(c, f"TA4={n}")) for c, n in zip(clients, (5, 10, 15, 20), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [(302, "/committee/pipeline/scenario")] * 4
    with app.app_context():
        runs = _db.session.scalars(sa.select(ScenarioRun).where(ScenarioRun.user_id == chair_id)).all()
        assert len(runs) == 1
        lines = _db.session.scalar(
            sa.select(sa.func.count()).select_from(ScenarioLine).where(ScenarioLine.run_id == runs[0].id)
        )
        assert lines == runs[0].items + runs[0].hidden == 2
        _db.session.remove()
