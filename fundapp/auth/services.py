"""Accounts: password hashing, sign-in with throttling, user administration, password changes.

Also the queries the account pages read: the user list (filtered and paginated in SQL), organisation
choices, head counts by role and by organisation type, an organisation's colleagues.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_sqlalchemy.pagination import Pagination

from fundapp.auth.models import LoginAttempt, Organisation, OrganisationType, User, UserRole
from fundapp.core import clock, search, signals
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, NotAllowed
from fundapp.core.extensions import db
from fundapp.core.permissions import Role

MIN_PASSWORD_LENGTH = 10


class DuplicateEmail(DomainError):
    field = "email"


class WeakPassword(DomainError):
    field = "new_password"


def _hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=current_app.config["PASSWORD_HASH_TIME_COST"],
        memory_cost=current_app.config["PASSWORD_HASH_MEMORY_COST"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str, email: str = "") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if email and password.lower() == email.lower():
        raise WeakPassword("The password must not be your email address.")
    if len(set(password)) < 5:
        raise WeakPassword("Use a password with more varied characters.")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# Sign-in ---------------------------------------------------------------------------------------


@dataclass
class SignInResult:
    user: User | None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def _recent_failures(email: str) -> int:
    """Failures for this account inside the window, since its last successful sign-in."""
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    since = clock.now() - window
    last_success = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    if last_success and last_success > since:
        since = last_success
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at > since
        )
    )


def authenticate(email: str, password: str, remote_addr: str | None = None) -> SignInResult:
    """Check credentials; every outcome is recorded, so the caller commits whatever happens.

    The same message is given for an unknown account and a wrong password, so the form does not
    tell an attacker which emails exist.
    """
    email = normalise_email(email)
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    if _recent_failures(email) >= limit:
        minutes = current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"]
        record_change(None, "auth.login_throttled", "users", None, {"email": email, "remote_addr": remote_addr})
        return SignInResult(
            None,
            f"Too many failed sign-in attempts for this account. Try again in {minutes} minutes "
            "or ask an administrator to check your account.",
        )
    user = db.session.scalar(sa.select(User).where(User.email == email))
    ok = user is not None and verify_password(user, password)
    db.session.add(LoginAttempt(email=email, succeeded=ok, remote_addr=remote_addr))
    if not ok:
        db.session.flush()
        record_change(
            None, "auth.login_failed", "users", user.id if user else None, {"email": email, "remote_addr": remote_addr}
        )
        return SignInResult(None, "Email or password is not correct.")
    if not user.is_active or not user.organisation.is_active:
        record_change(user, "auth.login_refused_inactive", "users", user.id, {"remote_addr": remote_addr})
        return SignInResult(None, "This account is deactivated. Ask an administrator if you need access.")
    user.last_login_at = clock.now()
    db.session.flush()
    record_change(user, "auth.login", "users", user.id, {"remote_addr": remote_addr})
    return SignInResult(user)


def record_logout(user: User) -> None:
    record_change(user, "auth.logout", "users", user.id)


def change_password(user: User, current: str, new: str) -> None:
    """Changing the password ends the user's other sessions (session_version is part of the login id)."""
    if not verify_password(user, current):
        raise DomainError("The current password is not correct.", field="current_password")
    check_password_strength(new, user.email)
    if current == new:
        raise WeakPassword("Choose a password different from the current one.")
    user.password_hash = hash_password(new)
    user.session_version += 1
    db.session.flush()
    record_change(user, "auth.password_changed", "users", user.id)


# Administration --------------------------------------------------------------------------------


def _check_roles(roles: list[Role | str]) -> set[Role]:
    if not roles:
        raise DomainError("Give the user at least one role.", field="roles")
    return {Role(r) for r in roles}


def create_user(
    actor: User | None, email: str, name: str, organisation: Organisation, roles: list[Role | str], password: str
) -> User:
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise DuplicateEmail(f"A user with the email {email} already exists.")
    role_set = _check_roles(roles)
    try:
        check_password_strength(password, email)
    except WeakPassword as exc:
        raise DomainError(exc.message, field="password") from exc
    user = User(
        email=email,
        name=name.strip(),
        organisation=organisation,
        password_hash=hash_password(password),
        role_rows=[UserRole(role=r) for r in sorted(role_set)],
    )
    db.session.add(user)
    db.session.flush()
    record_change(
        actor,
        "user.created",
        "users",
        user.id,
        {"email": email, "organisation": organisation.code, "roles": sorted(r.value for r in role_set)},
    )
    return user


def update_user(actor: User | None, user: User, name: str, organisation: Organisation, roles: list[Role | str]) -> None:
    role_set = _check_roles(roles)
    if actor is not None and actor.id == user.id and Role.admin in user.roles and Role.admin not in role_set:
        raise NotAllowed("You cannot remove your own administrator role.", field="roles")
    changes: dict[str, Any] = {}
    if user.name != name.strip():
        changes["name"] = {"from": user.name, "to": name.strip()}
        user.name = name.strip()
    if user.organisation_id != organisation.id:
        changes["organisation"] = {"from": user.organisation.code, "to": organisation.code}
        user.organisation = organisation
    if user.roles != role_set:
        changes["roles"] = {"from": sorted(r.value for r in user.roles), "to": sorted(r.value for r in role_set)}
        keep = [row for row in user.role_rows if row.role in role_set]
        user.role_rows = keep + [UserRole(role=r) for r in sorted(role_set - user.roles)]
    db.session.flush()
    if changes:
        record_change(actor, "user.updated", "users", user.id, changes)


def set_user_active(actor: User | None, user: User, active: bool) -> None:
    """Deactivation keeps the user's history and ends their sessions at the next request."""
    if actor is not None and actor.id == user.id and not active:
        raise NotAllowed("You cannot deactivate your own account.")
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        user.session_version += 1
    db.session.flush()
    record_change(actor, "user.activated" if active else "user.deactivated", "users", user.id)


def load_user_from_session(session_id: str) -> User | None:
    """Flask-Login's loader: '<id>:<version>' so a password change or deactivation ends sessions."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.is_active or not user.organisation.is_active:
        return None
    return user


def landing_endpoint(user: User) -> str | None:
    """The endpoint of the page this user lands on after signing in (None when no layer answers)."""
    found = signals.answers(signals.landing_page, user)
    return found[0] if found else None


# Queries of the account pages ------------------------------------------------------------------


@dataclass(frozen=True)
class UserFilters:
    """The user list's filters (the page and its CSV); unknown values filter nothing."""

    role: str = ""
    status: str = ""
    q: str = ""


#: Users per page of the administration list.
USERS_PER_PAGE = 25


def _users_query(filters: UserFilters) -> sa.Select:
    query = sa.select(User)
    if filters.role in Role.__members__:
        query = query.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == Role(filters.role))))
    if filters.status in ("active", "inactive"):
        query = query.where(User.is_active.is_(filters.status == "active"))
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(sa.or_(sa.func.lower(User.name).like(like), User.email.like(like)))
    return query.order_by(User.email)


def user_page(filters: UserFilters, page: int = 1) -> Pagination:
    """One page of the user list, filtered and paginated in SQL (roles in one more query)."""
    return db.paginate(_users_query(filters), page=page, per_page=USERS_PER_PAGE, max_per_page=100, error_out=False)


def users(filters: UserFilters) -> list[User]:
    """Every user the filters select, in the list's order (the CSV export)."""
    return list(db.session.scalars(_users_query(filters)))


def organisation_choices() -> list[tuple[int, str]]:
    """(id, "Name (CODE)") of the active organisations, for the user form."""
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.code)
        .where(Organisation.is_active)
        .order_by(Organisation.name)
    )
    return [(row.id, f"{row.name} ({row.code})") for row in rows]


def organisation_by_code(code: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.code == code))


def active_users_by_role() -> list[tuple[Role, int]]:
    """How many active users hold each role (every role listed, zero included)."""
    counts = dict(
        db.session.execute(
            sa.select(UserRole.role, sa.func.count()).join(User).where(User.is_active).group_by(UserRole.role)
        ).all()
    )
    return [(role, counts.get(role, 0)) for role in Role]


def active_organisations_by_type() -> list[tuple[OrganisationType, int]]:
    """How many active organisations there are of each type (every type listed, zero included)."""
    counts = dict(
        db.session.execute(
            sa.select(Organisation.type, sa.func.count()).where(Organisation.is_active).group_by(Organisation.type)
        ).all()
    )
    return [(type_, counts.get(type_, 0)) for type_ in OrganisationType]


def colleagues(user: User, role: Role) -> list[User]:
    """The active users of this user's organisation who hold the role (the user included), by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole)
            .where(User.organisation_id == user.organisation_id, User.is_active, UserRole.role == role)
            .order_by(User.name)
        )
    )


# Work lists, search and names: what the administrator's inbox, the search box and the audit log ask ------

#: An account nobody signed in with this many days after it was created is followed up.
NEVER_USED_DAYS = 14
#: An account unused for this many days is reviewed (deactivated if no longer needed).
DORMANT_DAYS = 180


@dataclass(frozen=True)
class AccountWork:
    user: User
    #: "never_used" (no sign-in since it was created) or "dormant" (no sign-in for DORMANT_DAYS).
    reason: str
    since: date


def accounts_to_review(on: date, limit: int) -> tuple[int, list[AccountWork]]:
    """Active accounts nobody uses, the longest unused first (one query): never signed in NEVER_USED_DAYS
    after creation, or not for DORMANT_DAYS. An administrator follows up or deactivates them."""
    never = sa.and_(User.last_login_at.is_(None), User.created_at < clock.start_of(on - timedelta(NEVER_USED_DAYS)))
    dormant = User.last_login_at < clock.start_of(on - timedelta(DORMANT_DAYS))
    last_seen = sa.func.coalesce(User.last_login_at, User.created_at)
    rows = db.session.execute(
        sa.select(User, sa.func.count().over().label("total"))
        .where(User.is_active, sa.or_(never, dormant))
        .order_by(last_seen, User.id)
        .limit(limit)
    ).all()
    work = [
        AccountWork(u, "dormant", u.last_login_at.date())
        if u.last_login_at
        else AccountWork(u, "never_used", u.created_at.date())
        for u, _total in rows
    ]
    return (rows[0].total if rows else 0), work


def search_organisations(user: User, query: str) -> sa.Select | None:
    """The search box over organisations the user can open a page of: every organisation for an administrator
    (its record), the active UN organizations for everyone else (their joint programmes)."""
    words = search.terms(query)
    if not words:
        return None
    if user.has_role(Role.admin):
        visible = sa.true()
    else:
        visible = sa.and_(Organisation.is_active, Organisation.type == OrganisationType.un_entity)
    exact = sa.func.lower(Organisation.code) == (query or "").strip().lower()
    text = Organisation.name + " " + Organisation.code
    return sa.select(
        *search.hits("organisation", Organisation.id, search.rank(exact, Organisation.name, query), Organisation.name)
    ).where(visible, search.contains_all(text, words))


def organisations_by_id(ids: list[int]) -> dict[int, Organisation]:
    if not ids:
        return {}
    return {o.id: o for o in db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids)))}


def users_by_id(ids: list[int]) -> dict[int, User]:
    """Users by id (one query; roles load with them): the audit log's actors."""
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


def describe_objects(object_type: str, ids: list[str]) -> dict[str, str] | None:
    """Names of users and organisations for the audit log (`signals.describe_objects`), one query."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if object_type == "users":
        rows = db.session.execute(sa.select(User.id, User.name, User.email).where(User.id.in_(numbers)))
        return {str(i): f"{name} ({email})" for i, name, email in rows}
    if object_type == "organisations":
        rows = db.session.execute(
            sa.select(Organisation.id, Organisation.code, Organisation.name).where(Organisation.id.in_(numbers))
        )
        return {str(i): f"{code} {name}" for i, code, name in rows}
    return None
