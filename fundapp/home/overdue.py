"""Overdue everything: instalments of donor agreements, progress reports and tranches past their date, notified
to the people concerned (`flask overdue notify`, run daily by a scheduler).

Who hears about what:

- an instalment (a line of an agreement's schedule still owed after its due date): the donor's users and the
  secretariat;
- a progress report (a running programme's report not submitted by its deadline): the programme's focal points
  and the secretariat;
- a tranche (planned, not released after its date): the secretariat; when its conditions are unmet, also the
  focal points of the receiving organization and the chair (who alone may release it).

Idempotent: a person is told about an item at most once a day, and again only after `every` days while it
stays overdue (default 7: a weekly reminder). An item is known by its notification subject, which names it
and its date; a report's subject is the one `flask programmes remind` uses, so the two never repeat each other.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel.speaklater import LazyString

from fundapp.auth.models import User, UserRole
from fundapp.contributions import services as contributions
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.i18n import _l, language
from fundapp.core.money import format_money
from fundapp.core.permissions import Role
from fundapp.notifications.models import Notification
from fundapp.notifications.services import Text, in_every_language, notify
from fundapp.programmes import reporting
from fundapp.programmes import services as programmes
from fundapp.programmes.models import Tranche
from fundapp.programmes.texts import amount as amount_text
from fundapp.programmes.texts import long_date, short_date

#: Days between two reminders about the same overdue item.
DEFAULT_EVERY_DAYS = 7


@dataclass(frozen=True)
class Notice:
    kind: str  # instalment | report | tranche
    #: Rendered in each recipient's language by notify(); the item is known by its subject in any language.
    subject: Text
    body: Text
    link: str
    recipients: tuple[User, ...]


def _users_with_role(role: Role) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).join(UserRole).where(UserRole.role == role, User.is_active).order_by(User.id)
        )
    )


def _focal_points_by_organisation(organisation_ids: set[int]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = defaultdict(list)
    if organisation_ids:
        for user in db.session.scalars(
            sa.select(User)
            .join(UserRole)
            .where(User.organisation_id.in_(organisation_ids), UserRole.role == Role.applicant, User.is_active)
            .order_by(User.id)
        ):
            found[user.organisation_id].append(user)
    return found


def _instalment_notices(on: date, secretariat: list[User]) -> list[Notice]:
    owed = contributions.instalments_owed(on, overdue_only=True)
    donors = contributions.donor_users(sorted({i.agreement.donor_id for i in owed}))
    notices = []
    for i in owed:
        agreement = i.agreement
        owed = LazyString(format_money, i.outstanding, agreement.currency)
        scheduled = LazyString(format_money, i.payment.amount, agreement.currency)
        notices.append(
            Notice(
                "instalment",
                _l(
                    "%(reference)s: payment of %(amount)s overdue since %(date)s",
                    reference=agreement.reference,
                    amount=owed,
                    date=LazyString(short_date, i.payment.due_on),
                ),
                _l(
                    "%(donor)s: the payment scheduled for %(date)s (%(scheduled)s) has not been received in full; "
                    "%(amount)s is owed.",
                    donor=agreement.donor.name,
                    date=LazyString(long_date, i.payment.due_on),
                    scheduled=scheduled,
                    amount=owed,
                ),
                f"/contributions/agreements/{agreement.id}",
                (*donors[agreement.donor_id], *secretariat),
            )
        )
    return notices


def _report_notices(on: date, secretariat: list[User]) -> list[Notice]:
    notices = []
    for due in reporting.reports_due(on, 0, overdue_only=True):
        programme, period = due.programme, due.period
        notices.append(
            Notice(
                "report",
                reporting.overdue_subject(programme, period),
                _l(
                    "%(title)s: the report for %(period)s was due on %(date)s.",
                    title=programme.title,
                    period=period.label,
                    date=LazyString(long_date, period.due_on),
                ),
                f"/programmes/{programme.id}#reports",
                (*reporting.focal_points(programme), *secretariat),
            )
        )
    return notices


def _tranche_notices(on: date, secretariat: list[User], chairs: list[User]) -> list[Notice]:
    work = programmes.tranches_due(on, overdue_only=True)
    focal = _focal_points_by_organisation({w.tranche.organisation_id for w in work if w.blocked})
    notices = []
    for w in work:
        tranche, programme = w.tranche, w.tranche.programme
        planned = LazyString(long_date, tranche.planned_on)
        if w.blocked:
            body = _l(
                "%(title)s: planned for %(date)s, blocked: %(reasons)s",
                title=programme.title,
                date=planned,
                reasons=_blockers(w.tranche, on),
            )
            recipients = (*focal[tranche.organisation_id], *secretariat, *chairs)
        else:
            body = _l("%(title)s: planned for %(date)s; its conditions are met.", title=programme.title, date=planned)
            recipients = tuple(secretariat)
        notices.append(
            Notice(
                "tranche",
                _l(
                    "%(reference)s: tranche of US$ %(amount)s to %(organization)s overdue since %(date)s",
                    reference=programme.reference,
                    amount=LazyString(amount_text, tranche.amount),
                    organization=tranche.organisation.code,
                    date=LazyString(short_date, tranche.planned_on),
                ),
                body,
                f"/programmes/{programme.id}#tranches",
                recipients,
            )
        )
    return notices


def overdue_notices(on: date) -> list[Notice]:
    """Every overdue item as of `on`, with who hears about it."""
    secretariat = _users_with_role(Role.secretariat)
    chairs = _users_with_role(Role.committee_chair)
    return [
        *_instalment_notices(on, secretariat),
        *_report_notices(on, secretariat),
        *_tranche_notices(on, secretariat, chairs),
    ]


def _blockers(tranche: Tranche, on: date) -> LazyString:
    """Why the tranche is blocked, in the language each recipient reads (the programmes' messages, asked once per
    language)."""
    said: dict[str, str] = {}

    def text() -> str:
        if language() not in said:
            said[language()] = " ".join(programmes.release_blockers(tranche, on))
        return said[language()]

    return LazyString(text)


def _recently_told(subjects: list[str], since: date) -> set[tuple[int, str]]:
    """(user id, subject) of the notifications about these items since that day, whatever their language
    (one query)."""
    if not subjects:
        return set()
    rows = db.session.execute(
        sa.select(Notification.user_id, Notification.subject).where(
            Notification.subject.in_(subjects), Notification.created_at >= clock.start_of(since)
        )
    )
    return {(user_id, subject) for user_id, subject in rows}


def notify_overdue(on: date, every: int = DEFAULT_EVERY_DAYS) -> dict[str, int]:
    """Notify the people concerned by each overdue item, unless told about it in the last `every` days.

    Returns the number of notifications sent per kind of item. Flushes, never commits (the command commits).
    """
    if every < 1:
        raise ValueError("Remind at most once a day: `every` is at least 1.")
    notices = overdue_notices(on)
    variants = {id(n): [s[:200] for s in in_every_language(n.subject)] for n in notices}
    told = _recently_told([s for n in notices for s in variants[id(n)]], on - timedelta(days=every - 1))
    sent = {"instalment": 0, "report": 0, "tranche": 0}
    for notice in notices:
        subjects = variants[id(notice)]
        fresh = [u for u in notice.recipients if not any((u.id, s) in told for s in subjects)]
        created = notify(fresh, notice.subject, notice.body, notice.link)
        told |= {(n.user_id, n.subject) for n in created}
        sent[notice.kind] += len(created)
    return sent
