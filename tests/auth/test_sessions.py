"""Server-side sessions: a cookie names a row; ending the row ends the session at once, copies included."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from fundapp.auth import services, sessions
from fundapp.auth.models import UserSession
from fundapp.auth.sessions import Client
from fundapp.core import clock
from fundapp.core.errors import NotAllowed
from tests.auth.helpers import STRONG, invite, sign_in


def _row(db, key: str) -> UserSession:
    return db.session.scalar(sa.select(UserSession).where(UserSession.key_hash == sessions.hash_key(key)))


def test_the_cookie_holds_a_random_key_and_the_table_its_hash(db, user):
    account = user("donor2@example.org")
    key = sessions.start_session(account, Client("192.0.2.1", "Mozilla/5.0 (Windows NT 10.0) Firefox/128.0"))
    assert account.get_id() == key
    assert str(account.id) not in key.split("-")
    row = _row(db, key)
    assert row.key_hash != key
    assert (row.ip_address, row.user_agent) == ("192.0.2.1", "Mozilla/5.0 (Windows NT 10.0) Firefox/128.0")
    assert sessions.user_for_session(key) == account
    assert sessions.user_for_session(key + "x") is None
    assert sessions.user_for_session("") is None


def test_a_user_without_a_session_cannot_be_signed_in_by_accident(db, user):
    with pytest.raises(RuntimeError, match="Start a session"):
        user("donor2@example.org").get_id()


def test_sessions_expire_when_idle_and_after_their_lifetime(app, db, user):
    account = user("donor2@example.org")
    start = clock.now()
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    with clock.frozen(start):
        key = sessions.start_session(account, Client())
    with clock.frozen(start + idle - timedelta(minutes=1)):
        assert sessions.user_for_session(key) == account  # and last seen moves on
    with clock.frozen(start + 2 * idle - timedelta(minutes=2)):
        assert sessions.user_for_session(key) == account
    with clock.frozen(start + timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"] + 1)):
        assert sessions.user_for_session(key) is None
    assert _row(db, key).end_reason == "expired"
    with clock.frozen(start):
        other = sessions.start_session(account, Client())
    with clock.frozen(start + idle + timedelta(minutes=1)):
        assert sessions.user_for_session(other) is None


def test_last_seen_is_written_at_most_once_a_minute(db, user, queries):
    account = user("donor2@example.org")
    key = sessions.start_session(account, Client())
    with queries() as reads:
        sessions.user_for_session(key)
    assert not any(q.lstrip().upper().startswith("UPDATE") for q in reads)
    with clock.frozen(clock.now() + timedelta(minutes=2)), queries() as touched:
        sessions.user_for_session(key)
    assert any(q.lstrip().upper().startswith("UPDATE USER_SESSIONS") for q in touched)


def test_a_sign_in_waiting_for_its_second_factor_signs_nobody_in(db, user):
    account = user("donor2@example.org")
    key = sessions.start_session(account, Client(), pending="code")
    assert sessions.user_for_session(key) is None
    assert sessions.pending_session(key).user == account
    with clock.frozen(clock.now() + sessions.PENDING_LIFETIME + timedelta(seconds=1)):
        assert sessions.pending_session(key) is None


def test_the_profile_lists_and_ends_ones_own_sessions_only(db, user):
    account, other = user("donor2@example.org"), user("donor3@example.org")
    here = sessions.start_session(account, Client("192.0.2.1"))
    there = sessions.start_session(account, Client("192.0.2.2"))
    sessions.start_session(account, Client("192.0.2.3"), pending="code")  # not signed in: not listed
    theirs = sessions.start_session(other, Client())
    listed = sessions.active_sessions(account)
    assert {r.ip_address for r in listed} == {"192.0.2.1", "192.0.2.2"}
    account.session_key = here
    assert [sessions.is_current(account, r) for r in listed].count(True) == 1
    assert sessions.end_one_session(account, _row(db, there).id) is False
    assert sessions.user_for_session(there) is None
    with pytest.raises(NotAllowed):
        sessions.end_one_session(account, _row(db, theirs).id)
    assert sessions.end_one_session(account, _row(db, here).id) is True


def test_signing_out_everywhere_ends_every_session(db, user):
    account = user("donor2@example.org")
    keys = [sessions.start_session(account, Client(f"192.0.2.{i}")) for i in range(3)]
    assert sessions.sign_out_everywhere(account) == 3
    assert all(sessions.user_for_session(k) is None for k in keys)


@pytest.mark.parametrize(
    ("agent", "shown"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0",
            "Edge on Windows",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari/604.1",
            "Safari on iOS",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
        (None, "Unknown browser"),
    ],
)
def test_browsers_are_named_as_people_know_them(agent, shown):
    assert sessions.describe_agent(agent) == shown


# Through the pages: an old cookie and a copied cookie get the sign-in page at once ---------------


def _copy_cookie(source, target) -> None:
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value)


def test_after_logout_a_copied_cookie_opens_nothing(client, second_client):
    assert sign_in(client, "donor@example.org").status_code == 302
    _copy_cookie(client, second_client)
    assert second_client.get("/donor").status_code == 200  # the copy works while the session lives
    assert client.post("/logout").status_code == 302
    for browser in (client, second_client):
        refused = browser.get("/donor")
        assert refused.status_code == 302
        assert refused.headers["Location"].startswith("/login")


def test_after_a_password_change_old_and_copied_cookies_open_nothing(client, second_client, new_client):
    elsewhere = new_client()
    assert sign_in(client, "member6@example.org").status_code == 302
    assert sign_in(elsewhere, "member6@example.org").status_code == 302
    _copy_cookie(client, second_client)  # copied before the change, from the browser that changes it
    changed = client.post(
        "/profile", data={"current_password": "fundapp-demo", "new_password": STRONG, "confirm": STRONG}
    )
    assert changed.status_code == 302
    assert client.get("/committee").status_code == 200  # this browser got a fresh session
    for browser in (second_client, elsewhere):
        assert browser.get("/committee").headers["Location"].startswith("/login")


def test_after_deactivation_every_cookie_of_the_user_opens_nothing(client, second_client, new_client, login, user):
    assert sign_in(second_client, "donor9@example.org").status_code == 302
    copy = new_client()
    _copy_cookie(second_client, copy)
    assert copy.get("/donor").status_code == 200
    login("admin@example.org")
    assert client.post(f"/admin/users/{user('donor9@example.org').id}/active", data={"active": "0"}).status_code == 302
    for browser in (second_client, copy):
        assert browser.get("/donor").headers["Location"].startswith("/login")


def test_accepting_an_invitation_in_a_signed_in_browser_ends_that_session(client, second_client, db):
    assert sign_in(client, "donor10@example.org").status_code == 302
    _copy_cookie(client, second_client)
    path = f"/welcome/{invite(db.session, 'shared.pc@example.org')}"
    assert client.post(path, data={"name": "Shared", "password": STRONG, "confirm": STRONG}).status_code == 302
    assert second_client.get("/donor").headers["Location"].startswith("/login")


def test_sign_out_everywhere_from_the_profile(client, second_client):
    sign_in(client, "donor10@example.org")
    sign_in(second_client, "donor10@example.org")
    response = client.post("/profile/sessions/end-all")
    assert response.headers["Location"] == "/login"
    assert client.get("/profile").status_code == 302
    assert second_client.get("/profile").status_code == 302


def test_ending_another_browser_from_the_profile(client, second_client, db):
    sign_in(client, "donor11@example.org")
    sign_in(second_client, "donor11@example.org", address="192.0.2.77")
    page = client.get("/profile").get_data(as_text=True)
    assert "192.0.2.77" in page
    assert "This browser" in page
    other = db.session.scalar(sa.select(UserSession).where(UserSession.ip_address == "192.0.2.77"))
    assert client.post(f"/profile/sessions/{other.id}/end").status_code == 302
    assert second_client.get("/profile").status_code == 302
    assert client.get("/profile").status_code == 200
    assert services.authenticate("donor11@example.org", "fundapp-demo").ok
