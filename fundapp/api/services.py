"""Builds the public summary from the domains. Grows with each capability."""

from typing import Any

from fundapp.committee import pipeline as committee_pipeline
from fundapp.committee import services as committee_services
from fundapp.concept_notes import services as concept_note_services
from fundapp.contributions import services as contributions_services
from fundapp.core.extensions import db
from fundapp.core.money import money_str
from fundapp.programmes import reporting as programme_reporting
from fundapp.programmes import services as programme_services
from fundapp.reference import services as reference_services
from fundapp.reference.models import GuidingPrinciple
from fundapp.reports import transparency


def public_summary() -> dict[str, Any]:
    fund = reference_services.get_fund()
    principles = db.session.scalars(db.select(GuidingPrinciple).order_by(GuidingPrinciple.position))
    allocations = committee_pipeline.area_allocations()
    programme_money = programme_services.area_money()
    alignment = programme_reporting.alignment_summary()
    return {
        "fund": None
        if fund is None
        else {
            "code": fund.code,
            "name": fund.name,
            "currency": fund.currency,
            "capitalization_target_usd": money_str(fund.capitalization_target_usd),
        },
        "thematic_areas": [
            {
                "code": a.code,
                "name": a.name,
                "objectives": [o.number for o in a.objectives],
                "allocations_usd": allocations.get(a.code, "0.00"),
                **programme_money.get(a.code, {"transfers_usd": "0.00", "expenditure_usd": "0.00"}),
                "alignment_score": alignment["areas"].get(a.code),
            }
            for a in reference_services.thematic_areas()
        ],
        "guiding_principles": [{"code": p.code, "name": p.name} for p in principles],
        "alignment_score": alignment["fund"],
        "concept_notes": concept_note_services.summary(),
        **contributions_services.public_contributions(),
        "steering_committee": committee_services.committee_summary(),
        **committee_pipeline.public_pipeline(),
        "programme_money": transparency.public_money(),
    }
