"""The API's query services: the lists each token sees (scoped as the pages scope them), and the public summary.

Views parse the request and call one of these; every query of the API lives here or in the domains' services.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload

from fundapp.auth.models import User
from fundapp.committee import pipeline as committee_pipeline
from fundapp.committee import services as committee_services
from fundapp.concept_notes import permissions as note_permissions
from fundapp.concept_notes import services as concept_note_services
from fundapp.contributions import services as contributions_services
from fundapp.contributions.models import Agreement, Deposit, Donor
from fundapp.core.extensions import db
from fundapp.core.money import money_str
from fundapp.core.permissions import Role
from fundapp.programmes import reporting as programme_reporting
from fundapp.programmes import services as programme_services
from fundapp.reference import services as reference_services
from fundapp.reports import transparency


def _page(query: sa.Select, page: int, per_page: int) -> Pagination:
    """One page of a select; the caller has bounded per_page (the API's documented maximum)."""
    return db.paginate(query, page=page, per_page=per_page, max_per_page=None, error_out=False)


# Concept notes -----------------------------------------------------------------------------------------


def concept_notes(user: User, filters: concept_note_services.NoteFilters, page: int, per_page: int) -> Pagination:
    """The notes the pages list for the user: the secretariat and the committee every note submitted at
    least once ("Concept notes"), an applicant every note of their organisation, drafts included ("My
    concept notes")."""
    if user.has_any_role(*note_permissions.LIST_ROLES):
        query = concept_note_services.notes_query(filters)
    else:
        query = concept_note_services.notes_query(filters, organisation_id=user.organisation_id, include_drafts=True)
    return _page(query, page, per_page)


# Contributions -----------------------------------------------------------------------------------------


def _visible_donor_ids(user: User) -> sa.Select | None:
    """None: every donor (secretariat); otherwise the donors of the user's organisation."""
    if user.has_role(Role.secretariat):
        return None
    return sa.select(Donor.id).where(Donor.organisation_id == user.organisation_id)


def agreements(user: User, donor_id: int | None, status: str | None, page: int, per_page: int) -> Pagination:
    """One page of the agreements the user may see, oldest first, filtered and paginated in SQL (the status,
    derived from the deposits, too); the items are AgreementRows."""
    query = contributions_services.agreements_query(donor_id, status, donor_ids=_visible_donor_ids(user))
    return contributions_services.agreements_page(query, page, per_page, max_per_page=None)


def agreement_detail(agreement: Agreement) -> tuple[contributions_services.AgreementRow, list[Deposit]]:
    """An agreement's row (paid, outstanding, status) and its deposits, oldest first."""
    row = next(r for r in contributions_services.agreement_rows(agreement.donor_id) if r.agreement.id == agreement.id)
    deposits = db.session.scalars(
        sa.select(Deposit).where(Deposit.agreement_id == agreement.id).order_by(Deposit.deposited_on, Deposit.id)
    ).all()
    return row, list(deposits)


@dataclass
class DepositFilters:
    donor_id: int | None = None
    agreement_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def deposits(user: User, filters: DepositFilters, page: int, per_page: int) -> Pagination:
    """The deposits the user may see, newest first, filtered in SQL."""
    query = (
        sa.select(Deposit)
        .options(joinedload(Deposit.agreement), joinedload(Deposit.donor).joinedload(Donor.organisation))
        .order_by(Deposit.deposited_on.desc(), Deposit.id.desc())
    )
    scope = _visible_donor_ids(user)
    if scope is not None:
        query = query.where(Deposit.donor_id.in_(scope))
    if filters.donor_id:
        query = query.where(Deposit.donor_id == filters.donor_id)
    if filters.agreement_id:
        query = query.where(Deposit.agreement_id == filters.agreement_id)
    if filters.date_from:
        query = query.where(Deposit.deposited_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Deposit.deposited_on <= filters.date_to)
    return _page(query, page, per_page)


# The public summary: grows with each capability -----------------------------------------------------------

#: Donors the summary names in `deposits_by_donor` (the largest depositors; /contributors pages through all).
SUMMARY_DONORS = 10


def contribution_totals() -> dict[str, str]:
    """The fund's capitalization target, commitments and deposits (USD), as the capitalization page counts them."""
    cap = contributions_services.capitalization()
    return {
        "target_usd": money_str(cap.target_usd),
        "commitments_usd": money_str(cap.commitments_usd),
        "deposits_usd": money_str(cap.deposits_usd),
    }


def organization_totals() -> dict[str, Any]:
    """Per participating organization: its programmes and money (transparency.by_organisation), as JSON values."""
    rows = [
        {
            "code": r.key,
            "name": r.label,
            "joint_programmes": r.programmes,
            **{f"{key}_usd": money_str(getattr(r.money, key)) for key, _label in transparency.MONEY_COLUMNS},
        }
        for r in transparency.by_organisation()
    ]
    return {"organizations": rows}


def _public_contributions() -> dict[str, Any]:
    """The contributions part of the summary, naming the SUMMARY_DONORS largest depositors only: a bounded
    document whatever the number of donors."""
    part = contributions_services.public_contributions()
    donors = part["donors"]
    donors["deposits_by_donor"] = donors["deposits_by_donor"][:SUMMARY_DONORS]
    return part


def public_summary() -> dict[str, Any]:
    fund = reference_services.get_fund()
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
        "guiding_principles": [{"code": p.code, "name": p.name} for p in reference_services.guiding_principles()],
        "alignment_score": alignment["fund"],
        "concept_notes": concept_note_services.summary(),
        **_public_contributions(),
        "steering_committee": committee_services.committee_summary(),
        **committee_pipeline.public_pipeline(),
        "programme_money": transparency.public_money(),
    }
