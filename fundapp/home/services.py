"""What the role home pages and the audit log read: page data built from the domains' public services.

The home pages sit at the top of the layers: they may read every domain, and no domain reads them.
Sign-in (auth) asks where a user lands through the `landing_page` signal, answered by `home_endpoint`.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from fundapp.api import tokens
from fundapp.auth import services as auth_services
from fundapp.auth import sessions as auth_sessions
from fundapp.auth import two_factor
from fundapp.auth.models import User
from fundapp.committee.services import seat_of
from fundapp.concept_notes.services import latest_notes, open_calls_first
from fundapp.contributions import ledger
from fundapp.contributions import services as contributions
from fundapp.core import cache, search
from fundapp.core.extensions import db
from fundapp.core.i18n import DEFAULT_LANGUAGE, force_locale, language
from fundapp.core.models import AuditEntry
from fundapp.core.permissions import ROLE_LABELS, Role
from fundapp.home import audit, inbox

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


# Role home pages: each a work inbox (home/inbox.py) and what the role keeps an eye on --------------------


def admin_page(user: User, on: date) -> dict[str, Any]:
    """The administrator's inbox, head counts of users and organisations, and the latest audit events."""
    return {
        "inbox": inbox.inbox(user, "admin", on),
        "users_by_role": auth_services.active_users_by_role(),
        "orgs_by_type": auth_services.active_organisations_by_type(),
        "recent": audit.readable(recent_audit_entries(10)),
    }


def secretariat_page(user: User, on: date) -> dict[str, Any]:
    """The Fund Management Unit's inbox, and the fund's figures (contributions' ledger: the statement and the
    pools, the same for every reader in a language, are kept while the records have not changed)."""
    status, pools = cache.cached(
        ("secretariat-figures", language()), lambda: (ledger.funding_status(), ledger.pool_balances())
    )
    return {"inbox": inbox.inbox(user, "secretariat", on), "status": status, "pools": pools, "books": ledger.books()}


def committee_page(user: User, on: date) -> dict[str, Any]:
    """The member's (or the chair's) inbox: reviews to score or close, meetings ahead."""
    return {"inbox": inbox.inbox(user, "committee", on), "seat": seat_of(user)}


def donor_page(user: User, on: date) -> dict[str, Any]:
    """The donor's inbox and its own figures, when the user's organisation is a registered contributor."""
    donor = contributions.donor_for_user(user)
    figures = contributions.donor_figures(donor) if donor else None
    return {"inbox": inbox.inbox(user, "donor", on), "donor": donor, "figures": figures}


#: Open calls the applicant's home page shows (the newest; the list of calls has them all).
OPEN_CALLS_SHOWN = 5


def applicant_page(user: User, on: date) -> dict[str, Any]:
    """The focal point's inbox, the organisation's latest notes whatever their status (to follow them), the newest
    open calls and how many are open (concept_notes) and the organisation's focal points."""
    return {
        "inbox": inbox.inbox(user, "applicant", on),
        "latest": latest_notes(user.organisation_id, 8),
        "colleagues": auth_services.colleagues(user, Role.applicant),
        **dict(zip(("open_calls", "calls"), open_calls_first(on, OPEN_CALLS_SHOWN), strict=True)),
    }


def inbox_section_page(user: User, key: str, on: date) -> inbox.Section | None:
    """One section of the user's inbox whole (None: not one of the user's sections, or not available)."""
    if key not in inbox.sections_for(user):
        return None
    return inbox.section(key, user, on, inbox.FULL)


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

    #: An action ("concept_note.mark_eligible") or the start of one ("auth.").
    action: str = ""
    object_type: str = ""
    #: Part of the actor's email or name.
    actor: str = ""
    #: ISO dates (or date-times); a value that does not parse filters nothing.
    since: str = ""
    until: str = ""
    #: Text the JSON details contain (a reference, an amount, "override":true …).
    contains: str = ""

    FIELDS = ("action", "object_type", "actor", "since", "until", "contains")


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
        query = query.where(AuditEntry.action.like(search.like_pattern(filters.action, prefix_only=True), escape="\\"))
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.actor:
        pattern = search.like_pattern(filters.actor.lower())
        named = sa.select(User.id).where(sa.func.lower(User.name).like(pattern, escape="\\"))
        query = query.where(
            sa.or_(sa.func.lower(AuditEntry.actor_email).like(pattern, escape="\\"), AuditEntry.actor_id.in_(named))
        )
    if filters.contains:
        query = query.where(AuditEntry.details.like(search.like_pattern(filters.contains), escape="\\"))
    since, until = _parse_day(filters.since), _parse_day(filters.until)
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if until:
        query = query.where(AuditEntry.created_at <= datetime.combine(until.date(), time.max))
    return query.order_by(AuditEntry.id.desc())


def audit_page(filters: AuditFilters, page: int = 1) -> Pagination:
    """One page of the audit log, filtered and paginated in SQL."""
    return db.paginate(_audit_query(filters), page=page, per_page=AUDIT_PER_PAGE, max_per_page=200, error_out=False)


def audit_log_page(filters: AuditFilters, page: int = 1) -> dict[str, Any]:
    """The audit log page: one page of entries as sentences, and the filters' choices (six or so queries)."""
    pagination = audit_page(filters, page)
    return {
        "page": pagination,
        "rows": audit.readable(list(pagination.items)),
        "object_types": [(t, audit.type_label(t)) for t in audit_object_types()],
        "actions": [(a, audit.action_label(a)) for a in audit_actions()],
    }


def audit_entries(filters: AuditFilters) -> list[AuditEntry]:
    """Every event the filters select, newest first (the CSV export)."""
    return list(db.session.scalars(_audit_query(filters)))


AUDIT_CSV_HEADER = ["id", "created_at", "actor", "action", "object_type", "object_id", "details", "hash", "summary"]


#: Audit rows read (and described) per round trip of the CSV export.
AUDIT_CSV_BATCH = 1000


def audit_entry_batches(filters: AuditFilters, batch: int | None = None) -> Iterator[list[sa.Row]]:
    """The entries the filters select, newest first, a batch at a time (keyset on the id, so each batch is an
    indexed range and memory holds one batch whatever the size of the log)."""
    batch = batch or AUDIT_CSV_BATCH
    before: int | None = None
    while True:
        # Plain rows with the entry's attribute names, not ORM objects: an export reads hundreds of thousands.
        query = _audit_query(filters).with_only_columns(*AuditEntry.__table__.columns).limit(batch)
        if before is not None:
            query = query.where(AuditEntry.id < before)
        entries = list(db.session.execute(query))
        if not entries:
            return
        yield entries  # the session's identity map holds its objects weakly: a written batch is let go
        before = entries[-1].id
        if len(entries) < batch:
            return


def audit_csv_rows(filters: AuditFilters) -> Iterator[list[Any]]:
    """The CSV export, streamed: each entry's stored fields (what its hash covers) and the readable sentence
    last; one batch of entries (and one description query per object type in it) at a time. An export for
    machines and archives: the sentence stays in English, whatever the reader's language."""
    with force_locale(DEFAULT_LANGUAGE):
        yield from _audit_csv_rows(filters)


def _audit_csv_rows(filters: AuditFilters) -> Iterator[list[Any]]:
    for entries in audit_entry_batches(filters):
        for row in audit.readable(entries):
            e = row.entry
            yield [
                e.id,
                e.created_at,
                e.actor_email or "",
                e.action,
                e.object_type,
                e.object_id,
                e.details,
                e.hash,
                audit.sentence(row),
            ]


def _distinct_values(column: sa.Column) -> list[str]:
    """The distinct values of an indexed column of the audit log, in order, by a loose index scan: a recursive
    query that seeks the index once per value (the next value after the last one found) instead of reading
    every row of the log, so the cost follows the number of values, not the size of the log."""
    found = sa.select(sa.func.min(column).label("value")).cte("found", recursive=True)
    following = sa.select(column).where(column > found.c.value).order_by(column).limit(1).scalar_subquery()
    found = found.union_all(sa.select(following).where(found.c.value.is_not(None)))
    return list(db.session.scalars(sa.select(found.c.value).where(found.c.value.is_not(None)).order_by(found.c.value)))


def audit_object_types() -> list[str]:
    """The object types the log names, for the filter's choices."""
    return _distinct_values(AuditEntry.object_type)


def audit_actions() -> list[str]:
    """The actions the log holds, for the filter's choices."""
    return _distinct_values(AuditEntry.action)


def recent_audit_entries(limit: int) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
