"""notify(): in-app rows, the unread badge, mark as read, and email that never fails the request."""

import smtplib

import sqlalchemy as sa

from fundapp.notifications import services
from fundapp.notifications.models import Notification


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
    assert sent == ["mail.example.org", "applicant@example.org"]
    assert created.emailed_at is not None


def test_mail_server_down_never_fails_and_is_logged(app, db, user, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("down")

    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setattr(smtplib, "SMTP", refuse)
    (created,) = services.notify(user("applicant@example.org"), "Hello", "Body")
    assert created.id is not None
    assert created.emailed_at is None
    assert "not sent" in caplog.text


def test_no_email_without_mail_server(app, db, user, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setattr(smtplib, "SMTP", lambda *a, **k: (_ for _ in ()).throw(AssertionError("no mail")))
    (created,) = services.notify(user("applicant@example.org"), "Hello", "Body")
    assert created.emailed_at is None
