"""Overdue instalments, progress reports and tranches notified to the people concerned, once a day at most."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from fundapp.auth.models import User
from fundapp.core import clock
from fundapp.home import overdue
from fundapp.notifications.models import Notification
from fundapp.programmes import reporting
from tests.home.world import ON, build


@pytest.fixture
def world(db):
    built = build()
    built.notified_before = db.session.scalar(sa.select(sa.func.max(Notification.id))) or 0
    return built


def _told(db, world) -> dict[str, set[str]]:
    """subject → emails of the people notified since the world was built (its own work notified others)."""

    found: dict[str, set[str]] = {}
    for subject, email in db.session.execute(
        sa.select(Notification.subject, User.email)
        .join(User, User.id == Notification.user_id)
        .where(Notification.id > world.notified_before)
    ):
        found.setdefault(subject, set()).add(email)
    return found


def test_each_overdue_item_reaches_the_people_concerned(db, world):
    with clock.frozen(ON):
        sent = overdue.notify_overdue(ON)
    told = _told(db, world)
    instalment = "TEST-DEU-SCHEDULE: payment of EUR 200,000.00 overdue since 30 Jun 2026"
    report = f"{world.jp1.reference}: progress report 2026-H1 overdue since 31 Jul 2026"
    tranche = f"{world.jp1.reference}: tranche of US$ 1,000.00 to UNICEF overdue since 10 Aug 2026"
    assert told[instalment] == {"donor@example.org", "secretariat@example.org"}
    # The focal points of JP1's organizations (UNICEF lead, ILO partner) and the secretariat.
    assert told[report] == {"applicant2@example.org", "applicant4@example.org", "secretariat@example.org"}
    assert told[tranche] == {"secretariat@example.org"}  # ready: the secretariat releases it
    assert set(told) == {instalment, report, tranche}  # paid, delivered, released and future items say nothing
    assert sent == {"instalment": 2, "report": 3, "tranche": 1}


def test_a_blocked_tranche_past_its_date_also_reaches_the_organization_and_the_chair(db, world):
    later = ON + timedelta(days=11)
    with clock.frozen(later):
        overdue.notify_overdue(later)
    subject = f"{world.jp1.reference}: tranche of US$ 2,000.00 to ILO overdue since 25 Aug 2026"
    assert _told(db, world)[subject] == {"applicant4@example.org", "secretariat@example.org", "chair@example.org"}
    body = db.session.scalar(sa.select(Notification.body).where(Notification.subject == subject).limit(1))
    assert "blocked" in body
    assert "January–June 2026" in body


def test_notices_are_idempotent_within_the_day_and_repeat_after_every_days(db, world):
    with clock.frozen(ON):
        first = sum(overdue.notify_overdue(ON).values())
        assert first > 0
        assert overdue.notify_overdue(ON) == {"instalment": 0, "report": 0, "tranche": 0}
    next_day = ON + timedelta(days=1)
    with clock.frozen(next_day):
        assert sum(overdue.notify_overdue(next_day).values()) == 0  # a weekly reminder by default
        assert sum(overdue.notify_overdue(next_day, every=1).values()) == first  # daily when asked
        assert sum(overdue.notify_overdue(next_day, every=1).values()) == 0  # still once a day at most
    week = ON + timedelta(days=8)  # seven days after the last notice (the daily one)
    with clock.frozen(week - timedelta(days=1)):
        assert sum(overdue.notify_overdue(week - timedelta(days=1)).values()) == 0
    with clock.frozen(week):
        again = overdue.notify_overdue(week)
    assert again["instalment"] == 2
    assert again["report"] == 3
    with pytest.raises(ValueError):
        overdue.notify_overdue(ON, every=0)


def test_the_programmes_reminder_and_the_overdue_notice_do_not_repeat_each_other(db, world):

    with clock.frozen(ON):
        reporting.remind(ON)
        sent = overdue.notify_overdue(ON)
    assert sent["report"] == 0  # `flask programmes remind` told them today, with the same subject


def test_overdue_notify_command(db, world, runner):
    with clock.frozen(ON):
        result = runner.invoke(args=["overdue", "notify", "--on", ON.isoformat()])
        assert result.exit_code == 0, result.output
        assert "2 about instalments, 3 about progress reports, 1 about tranches" in result.output
        again = runner.invoke(args=["overdue", "notify", "--on", ON.isoformat()])
    assert "0 about instalments, 0 about progress reports, 0 about tranches" in again.output
    assert runner.invoke(args=["overdue", "notify", "--on", "15/08/2026"]).exit_code == 2
    assert runner.invoke(args=["overdue", "notify", "--every", "0"]).exit_code == 2
