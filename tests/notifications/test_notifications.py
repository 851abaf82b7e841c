"""notify(): in-app rows, the unread badge, mark as read, and email that never fails the request."""

import smtplib

import sqlalchemy as sa

from fundapp.core.edge import commit
from fundapp.notifications import services
from fundapp.notifications.models import Notification, OutboxMessage


def test_notify_creates_one_row_per_user_without_duplicates(db, user):
    a, b = user("applicant@example.org"), user("applicant2@example.org")
    created = services.notify([a, b, a], "Subject", "Body", "/concept-notes/1")
    assert sorted(n.user_id for n in created) == sorted([a.id, b.id])
    assert services.unread_count(a) >= 1


def test_badge_shows_unread_count_and_mark_read_clears_it(db, client, login, user):
    account = login("applicant4@example.org")
    services.notify(account, "Your note was returned", "Please revise.", "/home")
    db.session.commit()
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'aria-label="1 unread"' in page
    assert "Your note was returned" in page
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == account.id))
    response = client.post(f"/notifications/{note.id}/read", data={"open": "1"})
    assert response.headers["Location"].endswith("/home")
    assert 'aria-label="1 unread"' not in client.get("/notifications/").get_data(as_text=True)


def test_email_sent_when_mail_server_configured(app, db, user, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(host)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message["To"])

    monkeypatch.setitem(app.config, "MAIL_SERVER", "mail.example.org")
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    (created,) = services.notify(user("applicant@example.org"), "Hello", "Body")
    assert sent == []  # nothing leaves before the work is committed
    commit()
    db.session.refresh(created)
    assert sent == ["mail.example.org", "applicant@example.org"]
    assert created.emailed_at is not None


def test_mail_server_down_never_fails_and_is_logged(app, db, user, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("down")

    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setattr(smtplib, "SMTP", refuse)
    (created,) = services.notify(user("applicant@example.org"), "Hello", "Body")
    commit()
    db.session.refresh(created)
    assert created.id is not None
    assert created.emailed_at is None
    assert "not sent" in caplog.text


def test_no_email_without_mail_server(app, db, user, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setattr(smtplib, "SMTP", lambda *a, **k: (_ for _ in ()).throw(AssertionError("no mail")))
    (created,) = services.notify(user("applicant@example.org"), "Hello", "Body")
    commit()
    assert created.emailed_at is None
    assert services.pending_count() == 0


def test_mail_leaves_after_the_request_commits(client, login, user, smtp_server, db):
    """A request that notifies someone commits its work, then the message arrives at a real SMTP server."""
    account = login("applicant@example.org")
    services.notify(account, "Queued by a request", "Body", "/home")
    assert smtp_server.messages == []
    client.get("/notifications/")  # the request's edge commits, then delivers what was queued
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "applicant@example.org"
    assert message["Subject"] == "Queued by a request"
    assert services.pending_count() == 0


def test_failing_mail_server_keeps_the_work_and_queues_the_message_for_retry(app, db, user, smtp_server, runner):
    account = user("applicant@example.org")
    smtp_server.refuse = True
    (created,) = services.notify(account, "Will be retried", "Body")
    commit()  # delivery fails after the commit: the notification stays, the email waits
    assert db.session.get(Notification, created.id) is not None
    outbox = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.notification_id == created.id)).one()
    db.session.refresh(outbox)
    assert outbox.sent_at is None
    assert outbox.attempts == 1
    assert "554" in (outbox.last_error or "")
    assert smtp_server.messages == []

    smtp_server.refuse = False
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "Mail sent: 1" in result.output
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == "Will be retried"
    db.session.refresh(outbox)
    assert outbox.sent_at is not None


def test_a_request_that_rolls_back_sends_no_mail(app, client, login, smtp_server, db, monkeypatch):
    """The view queues mail, then fails: the rollback takes the queued message with it."""
    account = login("applicant@example.org")

    def notify_then_fail():
        services.notify(account, "Must never arrive", "Body")
        raise RuntimeError("the work failed after notifying")

    monkeypatch.setitem(app.view_functions, "notifications.mark_all_read", notify_then_fail)
    monkeypatch.setitem(app.config, "PROPAGATE_TEST_ERRORS", False)
    assert client.post("/notifications/read-all").status_code == 500
    monkeypatch.undo()
    client.get("/notifications/")  # a later request commits and delivers whatever is queued: nothing
    assert smtp_server.messages == []
    assert services.pending_count() == 0


def test_notification_list_is_the_users_own_and_can_show_only_unread(db, user):
    me, other = user("applicant3@example.org"), user("applicant2@example.org")
    first, second = services.notify(me, "First")[0], services.notify(me, "Second")[0]
    services.notify(other, "Not yours")
    services.mark_read(me, first)
    assert [n.subject for n in services.notification_page(me).items] == ["Second", "First"]
    assert services.notification_page(me, unread_only=True).items == [second]
