"""A programme with a results framework (two indicators, one linked to a fund indicator) for tests."""

from decimal import Decimal

import sqlalchemy as sa

from fundapp.core.extensions import db
from fundapp.demo.results import seed_results
from fundapp.programmes import reporting
from fundapp.results.models import FundIndicator
from tests.concept_notes.helpers import user
from tests.programmes.helpers import SECRETARIAT, make_programme

FOCAL = "applicant2@example.org"  # UNICEF, the lead


def fund_indicator(code: str = "4.1.b") -> FundIndicator:
    seed_results()
    return db.session.scalar(sa.select(FundIndicator).where(FundIndicator.code == code))


def with_framework(programme=None, link: str | None = "4.1.b"):
    """(programme, [people indicator (count, by sex), policy indicator (yes/no)])."""
    programme = programme or make_programme()
    outcome = reporting.add_outcome(user(SECRETARIAT), programme, "1", "Migrant workers are recruited fairly.")
    output = reporting.add_output(user(SECRETARIAT), outcome, "1.1", "Recruiters trained.")
    fund = fund_indicator(link) if link else None
    people = reporting.add_indicator(
        user(FOCAL),
        programme,
        reporting.IndicatorInput(
            outcome_id=outcome.id,
            output_id=output.id,
            code="1.1.a",
            name="Migrant workers placed through fair recruitment",
            unit=fund.unit.value if fund else "count",
            baseline_value=Decimal(0),
            baseline_year=2025,
            target_value=Decimal(1000),
            fund_indicator_id=fund.id if fund else None,
            disaggregations=["sex"],
        ),
    )
    policy = reporting.add_indicator(
        user(FOCAL),
        programme,
        reporting.IndicatorInput(
            outcome_id=outcome.id,
            code="1.b",
            name="Fair recruitment regulation adopted",
            unit="yes_no",
            baseline_value=Decimal(0),
            baseline_year=2025,
            target_value=Decimal(1),
        ),
    )
    return programme, [people, policy]
