"""Invitations: the secretariat or an administrator invites a person, by email, to an organisation and
some roles; the person sets their own password through the link, which makes the account.

A link works once and for INVITATION_VALID_HOURS after it was (re)sent; the database holds the SHA-256
of its token only. The secretariat may invite to every role but administrator. Resending makes a new
link (the old one stops working); revoking stops it.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from fundapp.auth import mail, passwords, permissions
from fundapp.auth.models import Invitation, Organisation, User, UserRole
from fundapp.core import clock
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, NotAllowed
from fundapp.core.extensions import db
from fundapp.core.i18n import DEFAULT_LANGUAGE, _, force_locale, known_language, language
from fundapp.core.permissions import Role
from fundapp.core.templating import format_datetime

INVITATIONS_PER_PAGE = 25


@dataclass(frozen=True)
class Sent:
    invitation: Invitation
    #: The link, for the page to show when no email could be sent (MAIL_SERVER unset): the inviter
    #: passes it on by hand. None when the email was queued.
    link: str | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _valid_for() -> timedelta:
    return timedelta(hours=current_app.config["INVITATION_VALID_HOURS"])


def _check_roles(actor: User | None, roles: list[Role | str]) -> list[Role]:
    if not roles:
        raise DomainError(_("Choose at least one role."), field="roles")
    chosen = sorted({Role(r) for r in roles})
    if actor is not None and not permissions.can_invite_to(actor, chosen):
        raise NotAllowed(_("Only an administrator can invite an administrator."), field="roles")
    return chosen


def invite(
    actor: User | None,
    email: str,
    name: str,
    organisation: Organisation,
    roles: list[Role | str],
    invitee_language: str | None = None,
) -> Sent:
    """Invite a person who has no account yet; the email leaves when the transaction commits.

    `invitee_language` is the language the person reads (the email, the welcome page and their new account's
    profile use it); None: the language the inviting person is using now."""
    email = (email or "").strip().lower()
    chosen = _check_roles(actor, roles)
    if invitee_language is None:
        invitee_language = language()
    if known_language(invitee_language) is None:
        raise DomainError(_("Choose one of the languages offered."), field="language")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise DomainError(_("%(email)s already has an account.", email=email), field="email")
    earlier = _open_for(email)
    if any(i.status == "pending" for i in earlier):
        raise DomainError(
            _("%(email)s is already invited: resend the invitation from the list below.", email=email), field="email"
        )
    if not organisation.is_active:
        raise DomainError(_("This organisation is deactivated."), field="organisation_id")
    token = secrets.token_urlsafe(32)
    now = clock.now()
    for expired in earlier:  # the new invitation replaces them in the list
        expired.revoked_at = now
    invitation = Invitation(
        email=email,
        name=name.strip(),
        organisation=organisation,
        role_names=" ".join(r.value for r in chosen),
        token_hash=_hash(token),
        invited_by_id=actor.id if actor is not None else None,
        created_at=now,
        sent_at=now,
        expires_at=now + _valid_for(),
        language=invitee_language,
    )
    db.session.add(invitation)
    db.session.flush()
    record_change(
        actor,
        "invitation.created",
        "invitations",
        invitation.id,
        {
            "email": email,
            "organisation": organisation.code,
            "roles": invitation.role_names.split(),
            "language": invitee_language,
        },
    )
    return _send(actor, invitation, token)


def _open_for(email: str) -> list[Invitation]:
    return list(
        db.session.scalars(
            sa.select(Invitation).where(
                Invitation.email == email, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)
            )
        )
    )


def _send(actor: User | None, invitation: Invitation, token: str) -> Sent:
    """The email, written in the invitee's language (the invitation's; the fund's default for older ones)."""
    with force_locale(known_language(invitation.language) or DEFAULT_LANGUAGE):
        return _write(actor, invitation, token)


def _write(actor: User | None, invitation: Invitation, token: str) -> Sent:
    link = mail.public_url("auth.accept_invitation", token=token)
    inviter = f"{actor.name} ({actor.email})" if actor is not None else _("The fund's administrators")
    roles = ", ".join(r.label for r in invitation.roles)
    body = _(
        "Hello %(name)s,\n\n"
        "%(inviter)s invited you to the fund's grant management site as %(roles)s, for %(organisation)s.\n\n"
        "Choose your password with this link. It works once, until %(expires)s UTC:\n%(link)s\n\n"
        "Your sign-in is this email address. If you did not expect this invitation, ignore this email.",
        name=invitation.name,
        inviter=inviter,
        roles=roles,
        organisation=invitation.organisation.name,
        expires=format_datetime(invitation.expires_at).removesuffix(" UTC"),
        link=link,
    )
    emailed = mail.send(invitation.email, _("Your invitation to the fund's grant management site"), body)
    return Sent(invitation, None if emailed else link)


def resend(actor: User | None, invitation: Invitation) -> Sent:
    """A new link (the old one stops working), valid for another INVITATION_VALID_HOURS."""
    if actor is not None and not permissions.can_manage_invitation(actor, invitation):
        raise NotAllowed(_("Only an administrator can manage an invitation to the administrator role."))
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise DomainError(_("This invitation was already accepted or revoked."))
    token = secrets.token_urlsafe(32)
    now = clock.now()
    invitation.token_hash = _hash(token)
    invitation.sent_at, invitation.expires_at = now, now + _valid_for()
    invitation.times_sent += 1
    db.session.flush()
    record_change(actor, "invitation.resent", "invitations", invitation.id, {"email": invitation.email})
    return _send(actor, invitation, token)


def revoke(actor: User | None, invitation: Invitation) -> None:
    if actor is not None and not permissions.can_manage_invitation(actor, invitation):
        raise NotAllowed(_("Only an administrator can manage an invitation to the administrator role."))
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise DomainError(_("This invitation was already accepted or revoked."))
    invitation.revoked_at = clock.now()
    db.session.flush()
    record_change(actor, "invitation.revoked", "invitations", invitation.id, {"email": invitation.email})


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation this link names; None when unknown, used, revoked or expired."""
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == _hash(token)))
    if invitation is None or invitation.status != "pending":
        return None
    return invitation


def accept(token: str, name: str, password: str) -> User:
    """The invited person chooses a password: the account exists from now on (they then sign in)."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise DomainError(_("This invitation link has expired or was already used. Ask for a new one."))
    if db.session.scalar(sa.select(User.id).where(User.email == invitation.email)):
        raise DomainError(
            _("%(email)s already has an account: sign in, or reset your password.", email=invitation.email)
        )
    name = (name or "").strip() or invitation.name
    passwords.check_password_strength(
        password, [invitation.email, name, invitation.organisation.name], field="password"
    )
    user = User(
        email=invitation.email,
        name=name,
        organisation=invitation.organisation,
        password_hash=passwords.hash_password(password),
        role_rows=[UserRole(role=r) for r in invitation.roles],
        language=known_language(invitation.language),
    )
    db.session.add(user)
    db.session.flush()
    invitation.accepted_at = clock.now()
    invitation.user_id = user.id
    db.session.flush()
    record_change(
        user,
        "invitation.accepted",
        "invitations",
        invitation.id,
        {"email": user.email, "organisation": invitation.organisation.code, "roles": invitation.role_names.split()},
    )
    record_change(user, "user.created", "users", user.id, {"email": user.email, "invitation": invitation.id})
    return user


def open_invitations(page: int = 1) -> Pagination:
    """Invitations not accepted nor revoked (pending, then expired), newest first, paginated in SQL."""
    query = (
        sa.select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.sent_at.desc(), Invitation.id.desc())
        .options(selectinload(Invitation.invited_by))
    )
    return db.paginate(query, page=page, per_page=INVITATIONS_PER_PAGE, max_per_page=100, error_out=False)


def invitations_waiting(limit: int) -> tuple[int, list[Invitation]]:
    """Invitations neither accepted nor revoked, the oldest sent first (one query): the administrator's inbox
    follows them up (an expired one is resent or revoked)."""
    rows = db.session.execute(
        sa.select(Invitation, sa.func.count().over().label("total"))
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.sent_at, Invitation.id)
        .limit(limit)
    ).all()
    return (rows[0].total if rows else 0), [row[0] for row in rows]
