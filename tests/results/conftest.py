from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.core import signals
from fundapp.reference.models import ThematicArea
from fundapp.results import services


@pytest.fixture
def secretariat(user):
    return user("secretariat@example.org")


@pytest.fixture
def area(db):
    """Return a callable fetching a thematic area by code."""

    def _get(code: str) -> ThematicArea:
        return db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == code))

    return _get


def indicator_input(**changes) -> services.IndicatorInput:
    """A valid count indicator; override any field."""
    values = {
        "code": "1.1.a",
        "name": "Number of government institutions with strengthened capacity to use migration data",
        "unit": "count",
        "baseline_value": Decimal(0),
        "baseline_year": 2019,
        "target_value": Decimal(40),
        "target_year": 2024,
        "means_of_verification": "Progress reports",
        "by_sex": False,
        "by_age_group": False,
        "by_migratory_status": False,
    }
    values.update(changes)
    return services.IndicatorInput(**values)


@pytest.fixture
def make_outcome(db, secretariat, area):
    """Return a callable creating an outcome in an area."""

    def _make(area_code: str = "TA1", code: str = "1.1", statement: str = "Governments use migration data."):
        return services.create_outcome(secretariat, area(area_code), code, statement)

    return _make


@pytest.fixture
def linked():
    """Register a link counter claiming programme indicators link to the given fund indicator ids."""
    counts: dict[int, int] = {}

    def counter(ids):
        return {i: counts[i] for i in ids if i in counts}

    with signals.indicator_links.connected_to(counter):
        yield counts
