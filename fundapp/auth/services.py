"""Accounts: sign-in (password, then a second factor when the account has one), password and email
changes, user administration.

Also the queries the account pages read: the user list (filtered and paginated in SQL), organisation
choices, head counts by role and by organisation type, an organisation's colleagues.

The pieces live beside this module: passwords (hashing, policy), sessions (server-side sessions),
throttle (per account and address), two_factor, invitations, resets, ratelimit (per address).
"""

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from fundapp.auth import mail, passwords, resets, sessions, throttle, two_factor
from fundapp.auth.models import (
    Invitation,
    LoginAttempt,
    Organisation,
    OrganisationType,
    PasswordReset,
    RateLimitCounter,
    User,
    UserRole,
    UserSession,
)
from fundapp.auth.passwords import WeakPassword, verify_hash
from fundapp.auth.sessions import Client
from fundapp.core import clock, search, signals
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, NotAllowed
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _l, force_locale, known_language, recipient_locale
from fundapp.core.permissions import Role

__all__ = ["Client", "WeakPassword"]

#: The one answer for an unknown account and a wrong password, so the form tells nobody which emails exist.
WRONG_CREDENTIALS = _l("Email or password is not correct.")


class DuplicateEmail(DomainError):
    field = "email"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def verify_password(user: User, password: str) -> bool:
    return verify_hash(user.password_hash, password)


def _user_inputs(user: User) -> list[str]:
    """What a guesser knows about the user (the policy refuses passwords built from it)."""
    return [user.email, user.name, user.organisation.name, user.organisation.code]


# Sign-in ---------------------------------------------------------------------------------------


@dataclass
class SignInResult:
    """What a sign-in step came to.

    `user` and `key` are set when the password (or code) was right: `step` is then None (signed in:
    the key is the session's), "code" (the second factor is asked next) or "setup" (the user's role
    requires a second factor they have not set up). Otherwise `message` says why, and `retry_after`
    how many seconds to wait when throttled; `restart` means the sign-in must start again.
    """

    user: User | None = None
    key: str | None = None
    step: str | None = None
    message: str | None = None
    retry_after: int = 0
    restart: bool = False

    @property
    def ok(self) -> bool:
        return self.user is not None


def _throttled(email: str, client: Client, user_id: int | None = None) -> SignInResult | None:
    wait = throttle.wait_seconds(email, client.address)
    if not wait:
        return None
    record_change(None, "auth.login_throttled", "users", user_id, {"email": email, "remote_addr": client.address})
    return SignInResult(message=throttle.message(wait), retry_after=wait)


def authenticate(email: str, password: str, client: Client | None = None) -> SignInResult:
    """Check the password; on success a session starts (signed in, or waiting for the second factor).

    An unknown account costs one password verification too, and gets the same message as a wrong
    password, so neither the answer nor its timing tells whether an account exists. Every outcome is
    recorded (the edge commits a 401 or a 429 too).
    """
    client = client or Client()
    email = normalise_email(email)
    refused = _throttled(email, client)
    if refused is not None:
        return refused
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        passwords.spend_one_verification(password)
    if user is None or not verify_password(user, password):
        throttle.record(email, client.address, succeeded=False)
        details = {"email": email, "remote_addr": client.address}
        record_change(None, "auth.login_failed", "users", user.id if user else None, details)
        return SignInResult(message=str(WRONG_CREDENTIALS))
    if not user.is_active or not user.organisation.is_active:
        record_change(user, "auth.login_refused_inactive", "users", user.id, {"remote_addr": client.address})
        return SignInResult(message="This account is deactivated. Ask an administrator if you need access.")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.has_two_factor:
        step = "code"
    else:
        step = "setup" if two_factor.required_for(user) else None
    key = sessions.start_session(user, client, pending=step)
    if step is None:
        _signed_in(user, client)
    else:
        record_change(user, "auth.password_accepted", "users", user.id, {"next": step, "remote_addr": client.address})
    return SignInResult(user=user, key=key, step=step)


def _signed_in(user: User, client: Client, method: str = "password") -> None:
    throttle.record(user.email, client.address, succeeded=True)
    user.last_login_at = clock.now()
    db.session.flush()
    record_change(user, "auth.login", "users", user.id, {"remote_addr": client.address, "with": method})


def check_second_factor(key: str | None, code: str, client: Client) -> SignInResult:
    """The second step: a code from the app or a recovery code completes the pending sign-in.

    Wrong codes count like wrong passwords (per account and address); MAX_CODE_FAILURES of them end
    this sign-in, and the password must be given again.
    """
    row = sessions.pending_session(key)
    if row is None or row.pending != "code":
        return SignInResult(message="Your sign-in has expired. Sign in again.", restart=True)
    user = row.user
    refused = _throttled(user.email, client, user.id)
    if refused is not None:
        return refused
    method = two_factor.check_code(user, code)
    if method is None:
        row.code_failures += 1
        throttle.record(user.email, client.address, succeeded=False)
        record_change(user, "auth.code_failed", "users", user.id, {"remote_addr": client.address})
        if row.code_failures >= sessions.MAX_CODE_FAILURES:
            sessions.end_pending(row, "too_many_codes")
            return SignInResult(message="Too many wrong codes. Sign in again.", restart=True)
        return SignInResult(message="That code is not right. Type the newest code from your app, or a recovery code.")
    sessions.complete_pending(row)
    _signed_in(user, client, method)
    user.session_key = key
    notice = None
    if method == "recovery":
        left = two_factor.recovery_codes_left(user)
        notice = f"You signed in with a recovery code; {left} left. Make new ones on your profile page if few remain."
    return SignInResult(user=user, key=key, message=notice)


def pending_step(key: str | None) -> str | None:
    """The step a pending sign-in waits at ("code" or "setup"), None when there is none or it expired."""
    row = sessions.pending_session(key)
    return row.pending if row is not None else None


@dataclass
class SetupStep:
    """The set-up page of a sign-in that must add a second factor first."""

    user: User
    secret: str


def pending_setup(key: str | None) -> SetupStep | None:
    """The set-up this pending sign-in is at (its secret made on first asking); None when expired."""
    row = sessions.pending_session(key)
    if row is None or row.pending != "setup":
        return None
    return SetupStep(row.user, two_factor.pending_secret(row.user))


def complete_setup(key: str | None, code: str, client: Client) -> tuple[User, list[str]]:
    """The required second factor is set up at sign-in: the session signs in; returns the recovery codes."""
    row = sessions.pending_session(key)
    if row is None or row.pending != "setup":
        raise DomainError(_("Your sign-in has expired. Sign in again."))
    codes = two_factor.confirm_setup(row.user, code)
    sessions.complete_pending(row)
    _signed_in(row.user, client, "password, new second factor")
    row.user.session_key = key
    return row.user, codes


def sign_out(user: User) -> None:
    sessions.end_session(user, "signed_out")


# Changes the user makes to their own account (each asks for the password again) ---------------


def _check_current_password(user: User, password: str, field: str = "current_password") -> None:
    if not verify_password(user, password or ""):
        raise DomainError(_("Your password is not correct."), field=field)


def change_password(user: User, current: str, new: str, client: Client | None = None) -> str:
    """Set a new password. Every session of the user ends, this one too: the browser that made the
    change gets a fresh session, whose key is returned (so a copy of the old cookie opens nothing)."""
    _check_current_password(user, current)
    passwords.check_password_strength(new, _user_inputs(user))
    if current == new:
        raise WeakPassword(_("Choose a password different from the current one."))
    user.password_hash = passwords.hash_password(new)
    resets.void_links(user)
    ended = sessions.end_all_sessions(user, "password_changed")
    key = sessions.start_session(user, client or Client())
    record_change(user, "auth.password_changed", "users", user.id, {"sessions_ended": ended})
    return key


def change_email(user: User, password: str, new_email: str) -> None:
    """Change the sign-in email; the old address is told (a stolen session cannot quietly take the
    account, since the password is asked, and the owner hears of it)."""
    _check_current_password(user, password)
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise DomainError(_("This is already your email."), field="email")
    if db.session.scalar(sa.select(User.id).where(User.email == new_email)):
        raise DuplicateEmail(_("Another account uses this email."))
    old = user.email
    user.email = new_email
    resets.void_links(user)
    db.session.flush()
    record_change(user, "auth.email_changed", "users", user.id, {"from": old, "to": new_email})
    with force_locale(recipient_locale(user)):
        mail.send(
            old,
            _("Your sign-in email was changed"),
            _(
                "Hello %(name)s,\n\nThe email you sign in with was changed from %(old)s to %(new)s.\n"
                "If you did not do this, tell the fund's administrators at once.",
                name=user.name,
                old=old,
                new=new_email,
            ),
        )


def choose_language(user: User, code: str) -> None:
    """The language of the user's pages, PDFs and emails (one of core.i18n.LANGUAGES)."""
    if known_language(code) is None:
        raise DomainError(_("Choose one of the languages offered."), field="language")
    user.language = code
    db.session.flush()


def start_two_factor_setup(user: User) -> str:
    """The secret to show for setting up (or replacing) the authenticator app, made on first asking."""
    return two_factor.pending_secret(user)


def enable_two_factor(user: User, password: str, code: str) -> list[str]:
    """Set up (or replace) the authenticator app from the profile; returns new recovery codes."""
    _check_current_password(user, password)
    return two_factor.confirm_setup(user, code)


def disable_two_factor(user: User, password: str) -> None:
    _check_current_password(user, password)
    two_factor.disable(user)


def renew_recovery_codes(user: User, password: str) -> list[str]:
    _check_current_password(user, password)
    return two_factor.regenerate_recovery_codes(user)


# Administration --------------------------------------------------------------------------------


def _check_roles(roles: list[Role | str]) -> set[Role]:
    if not roles:
        raise DomainError(_("Give the user at least one role."), field="roles")
    return {Role(r) for r in roles}


def create_user(
    actor: User | None,
    email: str,
    name: str,
    organisation: Organisation,
    roles: list[Role | str],
    password: str,
    *,
    demo: bool = False,
) -> User:
    """Create an account with a password (the command line's first administrator; the demo seeder).

    The password policy applies, except with `demo=True`: the demo fund's accounts share its
    published password, which the policy refuses for everybody else.
    """
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise DuplicateEmail(_("A user with the email %(email)s already exists.", email=email))
    role_set = _check_roles(roles)
    if not demo:
        passwords.check_password_strength(password, [email, name, organisation.name], field="password")
    user = User(
        email=email,
        name=name.strip(),
        organisation=organisation,
        password_hash=passwords.hash_password(password),
        role_rows=[UserRole(role=r) for r in sorted(role_set)],
    )
    db.session.add(user)
    db.session.flush()
    details = {"email": email, "organisation": organisation.code, "roles": sorted(r.value for r in role_set)}
    record_change(actor, "user.created", "users", user.id, {**details, "demo": True} if demo else details)
    return user


def update_user(actor: User | None, user: User, name: str, organisation: Organisation, roles: list[Role | str]) -> None:
    role_set = _check_roles(roles)
    if actor is not None and actor.id == user.id and Role.admin in user.roles and Role.admin not in role_set:
        raise NotAllowed(_("You cannot remove your own administrator role."), field="roles")
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
    """Deactivation keeps the user's history and ends, at once, every session, reset link and API token."""
    if actor is not None and actor.id == user.id and not active:
        raise NotAllowed(_("You cannot deactivate your own account."))
    if user.is_active == active:
        return
    user.is_active = active
    ended = 0
    if not active:
        ended = sessions.end_all_sessions(user, "deactivated")
        resets.void_links(user)
    db.session.flush()
    record_change(
        actor, "user.activated" if active else "user.deactivated", "users", user.id, {"sessions_ended": ended}
    )
    if not active:
        signals.account_closed.send(user, actor=actor)


def reset_two_factor(actor: User | None, user: User) -> None:
    """An administrator removes the user's second factor; the next sign-in sets one up again when the
    user's role requires it. The user's sessions end, in case the phone was stolen with one open."""
    two_factor.reset(actor, user)
    sessions.end_all_sessions(user, "two_factor_reset")


def prune_records(keep_days: int) -> dict[str, int]:
    """Delete what only throttling and the session list needed, once older than `keep_days`:
    ended or long-idle sessions, sign-in attempts, spent or expired reset links, ended rate-limit
    windows. The audit log keeps the story of each (sign-ins, resets, ends)."""
    cutoff = clock.now() - timedelta(days=keep_days)
    now_ms = int(clock.now().replace(tzinfo=UTC).timestamp() * 1000)
    statements = {
        "sessions": sa.delete(UserSession).where(
            sa.or_(UserSession.ended_at < cutoff, UserSession.last_seen_at < cutoff)
        ),
        "sign-in attempts": sa.delete(LoginAttempt).where(LoginAttempt.attempted_at < cutoff),
        "reset links": sa.delete(PasswordReset).where(PasswordReset.expires_at < cutoff),
        "rate-limit windows": sa.delete(RateLimitCounter).where(RateLimitCounter.expires_at_ms <= now_ms),
    }
    counts = {name: db.session.execute(statement).rowcount or 0 for name, statement in statements.items()}
    db.session.flush()
    return counts


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
    """Names of users, invitations and organisations for the audit log (`signals.describe_objects`), one query."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if object_type == "users":
        rows = db.session.execute(sa.select(User.id, User.name, User.email).where(User.id.in_(numbers)))
        return {str(i): f"{name} ({email})" for i, name, email in rows}
    if object_type == "invitations":
        rows = db.session.execute(
            sa.select(Invitation.id, Invitation.name, Invitation.email).where(Invitation.id.in_(numbers))
        )
        return {str(i): f"{name} ({email})" for i, name, email in rows}
    if object_type == "organisations":
        rows = db.session.execute(
            sa.select(Organisation.id, Organisation.code, Organisation.name).where(Organisation.id.in_(numbers))
        )
        return {str(i): f"{code} {name}" for i, code, name in rows}
    return None
