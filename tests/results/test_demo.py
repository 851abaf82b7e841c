"""The demo results framework: 2–3 outcomes per area with 2–3 indicators each, idempotent."""

import sqlalchemy as sa

from fundapp.demo.results import FRAMEWORK, seed_results
from fundapp.reference.models import ThematicArea
from fundapp.results import services
from fundapp.results.models import AlignmentIndicator, FundIndicator, FundOutcome


def test_seed_results_builds_the_framework_once(db):
    created = seed_results()
    outcomes = sum(len(o) for o in FRAMEWORK.values())
    indicators = sum(len(i) for o in FRAMEWORK.values() for _c, _s, i in o)
    alignment = len(services.alignment_from_file())
    assert created == outcomes + indicators + alignment
    assert seed_results() == 0
    areas = db.session.scalars(sa.select(ThematicArea)).all()
    for area in areas:
        rows = services.framework(area.id)
        assert 2 <= len(rows) <= 3, area.code
        assert all(2 <= len(r.indicators) <= 3 for r in rows), area.code
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundIndicator)) == indicators
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundOutcome)) == outcomes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AlignmentIndicator)) == alignment
