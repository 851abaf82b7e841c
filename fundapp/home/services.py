"""What the role home pages and the audit log read: page data built from the domains' public services.

The home pages sit at the top of the layers: they may read every domain, and no domain reads them.
Sign-in (auth) asks where a user lands through the `landing_page` signal, answered by `home_endpoint`.
"""

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from fundapp.api import tokens
from fundapp.auth import services as auth_services
from fundapp.auth import sessions as auth_sessions
from fundapp.auth import two_factor
from fundapp.auth.models import User
from fundapp.committee.services import member_overview
from fundapp.concept_notes.services import applicant_overview
from fundapp.contributions import ledger
from fundapp.contributions import services as contributions
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.models import AuditEntry
from fundapp.core.permissions import ROLE_LABELS, Role
from fundapp.reference.services import thematic_areas

#: Where each role lands after sign-in, in order of precedence for users with several roles.
HOME_ENDPOINTS = [
    (Role.admin, "home.admin"),
    (Role.secretariat, "home.secretariat"),
    (Role.committee_chair, "home.committee"),
    (Role.committee_member, "home.committee"),
    (Role.donor, "home.donor"),
    (Role.applicant, "home.applicant"),
]


def home_endpoint(user: User) -> str:
    """The endpoint of the user's home page; a user without a role lands on their profile."""
    for role, endpoint in HOME_ENDPOINTS:
        if user.has_role(role):
            return endpoint
    return "home.profile"


# Role home pages -------------------------------------------------------------------------------


def admin_page() -> dict[str, Any]:
    """Head counts of users and organisations, and the latest audit events."""
    return {
        "users_by_role": auth_services.active_users_by_role(),
        "orgs_by_type": auth_services.active_organisations_by_type(),
        "recent": recent_audit_entries(10),
    }


def secretariat_page() -> dict[str, Any]:
    """The fund's figures (contributions' ledger), how far the books are closed, and the thematic areas."""
    areas = thematic_areas()
    return {
        "areas": areas,
        "status": ledger.funding_status(),
        "pools": ledger.pool_balances(areas=areas),
        "books": ledger.books(),
    }


def committee_page(user: User) -> dict[str, Any]:
    """The member's scoring queue and the meetings to come (committee), and the thematic areas."""
    return {"areas": thematic_areas(), "overview": member_overview(user)}


def donor_page(user: User) -> dict[str, Any]:
    """The donor's own figures, when the user's organisation is a registered contributor."""
    donor = contributions.donor_for_user(user)
    figures = contributions.donor_figures(donor) if donor else None
    return {"areas": thematic_areas(), "donor": donor, "figures": figures}


def applicant_page(user: User) -> dict[str, Any]:
    """The organisation's concept notes and open calls (concept_notes), and its focal points."""
    return {
        "colleagues": auth_services.colleagues(user, Role.applicant),
        "overview": applicant_overview(user.organisation_id, clock.today()),
    }


# Profile ---------------------------------------------------------------------------------------


def profile_page(user: User) -> dict[str, Any]:
    """The profile's lists: signed-in sessions (this browser's marked), second factor, API tokens."""
    return {
        "sessions": [(row, auth_sessions.is_current(user, row)) for row in auth_sessions.active_sessions(user)],
        "describe_agent": auth_sessions.describe_agent,
        "two_factor_required": two_factor.required_for(user),
        "recovery_codes_left": two_factor.recovery_codes_left(user) if user.has_two_factor else 0,
        "tokens": tokens.user_tokens(user),
        "role_labels": ROLE_LABELS,
    }


# Audit log -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    """The audit log's filters, as typed in the page (the page and its CSV)."""

    action: str = ""
    object_type: str = ""
    actor: str = ""
    #: ISO dates (or date-times); a value that does not parse filters nothing.
    since: str = ""
    until: str = ""


#: Audit events per page.
AUDIT_PER_PAGE = 50


def _parse_day(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _audit_query(filters: AuditFilters) -> sa.Select:
    """The filtered select, newest first."""
    query = sa.select(AuditEntry)
    if filters.action:
        query = query.where(AuditEntry.action.like(f"{filters.action}%"))
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.actor:
        query = query.where(AuditEntry.actor_email.like(f"%{filters.actor.lower()}%"))
    since, until = _parse_day(filters.since), _parse_day(filters.until)
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if until:
        query = query.where(AuditEntry.created_at <= datetime.combine(until.date(), time.max))
    return query.order_by(AuditEntry.id.desc())


def audit_page(filters: AuditFilters, page: int = 1) -> Pagination:
    """One page of the audit log, filtered and paginated in SQL."""
    return db.paginate(_audit_query(filters), page=page, per_page=AUDIT_PER_PAGE, max_per_page=200, error_out=False)


def audit_entries(filters: AuditFilters) -> list[AuditEntry]:
    """Every event the filters select, newest first (the CSV export)."""
    return list(db.session.scalars(_audit_query(filters)))


def audit_object_types() -> list[str]:
    """The object types the log names, for the filter's choices."""
    return list(db.session.scalars(sa.select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)))


def recent_audit_entries(limit: int) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
