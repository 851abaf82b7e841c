"""Password reset by email: one answer for every address, a link good once for an hour, sessions ended."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fundapp.auth import resets, services, sessions
from fundapp.auth.models import PasswordReset, User
from fundapp.auth.sessions import Client
from fundapp.core import clock
from fundapp.core.errors import DomainError
from fundapp.notifications.models import OutboxMessage
from tests.auth.helpers import OTHER_STRONG, STRONG, enable_two_factor, link_in, next_code, reset_token, sign_in


def _resets(db, email: str) -> list[PasswordReset]:
    return list(db.session.scalars(sa.select(PasswordReset).join(User).where(User.email == email)))


def test_an_unknown_or_deactivated_address_gets_nothing(db, user, smtp_server):
    resets.request_reset("nobody@example.org", "192.0.2.1")
    services.set_user_active(user("admin@example.org"), user("donor7@example.org"), False)
    resets.request_reset("donor7@example.org", "192.0.2.1")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_known_address_gets_a_link_stored_as_its_hash(db, smtp_server):
    resets.request_reset(" Donor2@Example.org ", "192.0.2.1")
    (reset,) = _resets(db, "donor2@example.org")
    assert reset.expires_at - reset.created_at == timedelta(hours=1)
    outbox = db.session.scalar(sa.select(OutboxMessage))
    assert outbox.is_sensitive
    token = outbox.body.split("/password/reset/")[1].split()[0]
    assert reset.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_the_link_works_once_for_an_hour(db):
    start = clock.now()
    with clock.frozen(start):
        token = reset_token(db.session, "donor2@example.org")
    with clock.frozen(start + timedelta(minutes=61)):
        assert resets.reset_for_token(token) is None
        with pytest.raises(DomainError):
            resets.reset_password(token, STRONG, None)
    with clock.frozen(start + timedelta(minutes=59)):
        resets.reset_password(token, STRONG, None)
        with pytest.raises(DomainError, match="expired or was already used"):
            resets.reset_password(token, OTHER_STRONG, None)


def test_resetting_ends_every_session_and_voids_other_links(db, user):
    account = user("donor2@example.org")
    keys = [sessions.start_session(account, Client(f"192.0.2.{i}")) for i in range(2)]
    first, second = reset_token(db.session, "donor2@example.org"), reset_token(db.session, "donor2@example.org")
    resets.reset_password(second, STRONG, "192.0.2.9")
    assert all(sessions.user_for_session(k) is None for k in keys)
    assert resets.reset_for_token(first) is None
    assert services.authenticate("donor2@example.org", STRONG).ok
    assert not services.authenticate("donor2@example.org", "fundapp-demo").ok


def test_a_reset_does_not_remove_the_second_factor(db, user):
    account = user("donor2@example.org")
    _totp, _codes = enable_two_factor(account)
    resets.reset_password(reset_token(db.session, "donor2@example.org"), STRONG, None)
    assert services.authenticate("donor2@example.org", STRONG).step == "code"


def test_the_new_password_follows_the_policy(db):
    token = reset_token(db.session, "donor2@example.org")
    with pytest.raises(DomainError) as refused:
        resets.reset_password(token, "qwertyuiop", None)
    assert refused.value.field == "password"
    assert resets.reset_for_token(token) is not None


def test_at_most_three_emails_an_hour_for_one_account(db, smtp_server):
    for _ in range(5):
        resets.request_reset("donor2@example.org", "192.0.2.1")
    assert len(_resets(db, "donor2@example.org")) == resets.MAX_LINKS_PER_HOUR


def test_changing_the_password_voids_reset_links(db, user):
    token = reset_token(db.session, "donor2@example.org")
    services.change_password(user("donor2@example.org"), "fundapp-demo", STRONG)
    assert resets.reset_for_token(token) is None


# Through the pages, with a real SMTP server ------------------------------------------------------


def test_forgot_password_gives_one_answer_for_every_address(client, smtp_server):
    answers = []
    for email in ("donor3@example.org", "nobody@example.org"):
        response = client.post("/password/forgot", data={"email": email}, follow_redirects=True)
        assert response.status_code == 200
        answers.append(response.get_data(as_text=True).replace(email, "EMAIL"))
    assert answers[0] == answers[1]
    assert "If an account uses EMAIL, we have sent it a link" in answers[0]
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "donor3@example.org"


def test_the_emailed_link_sets_a_new_password_and_signs_every_session_out(client, second_client, smtp_server, db):
    assert sign_in(second_client, "donor3@example.org").status_code == 302  # e.g. a thief's browser
    client.post("/password/forgot", data={"email": "donor3@example.org"})
    (message,) = smtp_server.wait_for(1)
    assert "works once" in message.get_content()
    path = link_in(message)
    assert db.session.scalar(sa.select(OutboxMessage.body)) == ""  # the link left the database with the email
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    weak = client.post(path, data={"password": "password12", "confirm": "password12"})
    assert weak.status_code == 422
    assert "This is a very common password." in weak.get_data(as_text=True)
    done = client.post(path, data={"password": STRONG, "confirm": STRONG})
    assert done.headers["Location"] == "/login?email=donor3@example.org"
    assert second_client.get("/donor").headers["Location"].startswith("/login")
    assert client.get(path).status_code == 410
    assert sign_in(client, "donor3@example.org", STRONG).headers["Location"] == "/donor"


def test_an_unknown_link_is_gone(client):
    page = client.get("/password/reset/not-a-token")
    assert page.status_code == 410
    assert "Ask for a new link" in page.get_data(as_text=True)


def test_after_a_reset_the_second_factor_is_still_asked(client, user, db):
    totp, _codes = enable_two_factor(user("donor4@example.org"))
    path = f"/password/reset/{reset_token(db.session, 'donor4@example.org')}"
    client.post(path, data={"password": STRONG, "confirm": STRONG})
    assert sign_in(client, "donor4@example.org", STRONG).headers["Location"] == "/login/code"
    assert client.post("/login/code", data={"code": next_code(totp)}).headers["Location"] == "/donor"
