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
from tests.contributions import factories

pytestmark = pytest.mark.postgres_only


def _tables_with_ids() -> list[sa.Table]:
    return [t for t in _db.metadata.sorted_tables if "id" in t.c]


@pytest.fixture
def committed_pipeline(app):
    """Two endorsed notes and money in the pools, committed for real; every row created is deleted afterwards."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent PostgreSQL connections")
    with _db.engine.connect() as conn:
        before = {t.name: conn.scalar(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))) for t in _tables_with_ids()}
    with app.app_context():
        meeting = meeting_in_session(title="Scenario race")
        endorsed_note(meeting, scores(4))
        endorsed_note(meeting, scores(3), **undp_note_kwargs())
        agreement = factories.agreement("PHL", currency="USD", amount="5000000.00", reference="CONC-SCENARIOS")
        contributions.record_deposit(None, agreement, Decimal("1500000.00"), date(2026, 2, 1))
        _db.session.commit()
        _db.session.remove()
    yield
    with _db.engine.begin() as conn:
        for table in reversed(_tables_with_ids()):
            conn.execute(sa.delete(table).where(table.c.id > before[table.name]))


def test_runs_at_once_by_the_same_person_replace_each_other(app, committed_pipeline):
    with app.app_context():
        chair = _db.session.scalar(sa.select(User).where(User.email == "chair@example.org"))
        chair_id, session_id = chair.id, chair.get_id()
        _db.session.remove()
    barrier = threading.Barrier(4)
    statuses: list[tuple[int, str | None]] = []

    def run(share: str) -> None:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
        barrier.wait(5)
        response = client.post("/committee/pipeline/scenario", data={"min_area": share})
        statuses.append((response.status_code, response.location))

    threads = [threading.Thread(target=run, args=(f"TA4={n}",)) for n in (5, 10, 15, 20)]
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
