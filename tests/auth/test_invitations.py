"""Invitations: by email, to an organisation and roles; the link sets the password once, for 72 hours."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fundapp.auth import invitations, services
from fundapp.auth.models import Invitation, User
from fundapp.core import clock
from fundapp.core.errors import DomainError, NotAllowed
from fundapp.notifications.models import OutboxMessage
from tests.auth.helpers import STRONG, invite, link_in, organisation, sign_in


def _invitation(db, email: str) -> Invitation:
    return db.session.scalar(sa.select(Invitation).where(Invitation.email == email).order_by(Invitation.id.desc()))


def test_the_token_is_stored_as_its_hash_only(db):
    token = invite(db.session, "hash.only@example.org")
    stored = _invitation(db, "hash.only@example.org")
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.token_hash, stored.email, stored.role_names}


def test_accepting_creates_the_account_with_its_roles_and_the_link_works_once(db):
    token = invite(db.session, "focal@unhcr.org", roles=("applicant", "donor"))
    user = invitations.accept(token, "Focal Point", STRONG)
    assert user.organisation.code == "UNHCR"
    assert user.role_names == {"applicant", "donor"}
    assert services.authenticate("focal@unhcr.org", STRONG).ok
    assert invitations.invitation_for_token(token) is None
    with pytest.raises(DomainError, match="expired or was already used"):
        invitations.accept(token, "Focal Point", STRONG)


def test_the_link_expires_after_72_hours(db):
    start = clock.now()
    with clock.frozen(start):
        token = invite(db.session, "late@example.org")
    with clock.frozen(start + timedelta(hours=71, minutes=59)):
        assert invitations.invitation_for_token(token) is not None
    with clock.frozen(start + timedelta(hours=72)):
        assert invitations.invitation_for_token(token) is None
        assert _invitation(db, "late@example.org").status == "expired"


def test_the_chosen_password_must_be_strong(db):
    token = invite(db.session, "weak@example.org")
    with pytest.raises(DomainError) as refused:
        invitations.accept(token, "New Person", "Password123")
    assert refused.value.field == "password"
    assert "Use at least 12 characters." in refused.value.message


def test_the_secretariat_invites_to_every_role_but_administrator(db, user):
    secretariat = user("secretariat@example.org")
    sent = invitations.invite(
        secretariat, "member.new@example.org", "M", organisation(db.session, "IOM"), ["committee_member"]
    )
    assert sent.invitation.roles[0].value == "committee_member"
    with pytest.raises(NotAllowed):
        invitations.invite(secretariat, "boss@example.org", "B", organisation(db.session, "IOM"), ["admin"])
    admin_invite = invitations.invite(
        user("admin@example.org"), "boss@example.org", "B", organisation(db.session, "IOM"), ["admin"]
    )
    with pytest.raises(NotAllowed):
        invitations.revoke(secretariat, admin_invite.invitation)


@pytest.mark.parametrize(
    ("email", "message"),
    [("applicant@example.org", "already has an account"), ("twice@example.org", "already invited")],
)
def test_no_invitation_for_an_account_or_a_pending_invitation(db, email, message):
    invite(db.session, "twice@example.org")
    with pytest.raises(DomainError, match=message):
        invite(db.session, email)


def test_resending_makes_a_new_link_and_stops_the_old_one(db, user):
    start = clock.now()
    with clock.frozen(start):
        old = invite(db.session, "again@example.org")
    with clock.frozen(start + timedelta(hours=80)):  # expired: resending gives it 72 more hours
        sent = invitations.resend(user("admin@example.org"), _invitation(db, "again@example.org"))
        new = sent.link.rsplit("/", 1)[1]
        assert invitations.invitation_for_token(old) is None
        assert invitations.invitation_for_token(new) is not None
        assert sent.invitation.times_sent == 2


def test_revoking_stops_the_link(db, user):
    token = invite(db.session, "revoked@example.org")
    invitations.revoke(user("admin@example.org"), _invitation(db, "revoked@example.org"))
    assert invitations.invitation_for_token(token) is None
    with pytest.raises(DomainError):
        invitations.revoke(user("admin@example.org"), _invitation(db, "revoked@example.org"))


def test_a_new_invitation_replaces_an_expired_one_in_the_list(db):
    start = clock.now()
    with clock.frozen(start):
        invite(db.session, "replaced@example.org")
    with clock.frozen(start + timedelta(days=4)):
        invite(db.session, "replaced@example.org")
        listed = [i.email for i in invitations.open_invitations().items]
    assert listed.count("replaced@example.org") == 1


# Through the pages, with a real SMTP server ------------------------------------------------------


def test_the_invitation_arrives_by_email_and_its_link_creates_the_account(client, login, db, smtp_server):
    login("secretariat@example.org")
    org = organisation(db.session, "UNHCR")
    response = client.post(
        "/admin/invitations/new",
        data={
            "email": "Focal.Point@UNHCR.org",
            "name": "Focal Point",
            "organisation_id": org.id,
            "roles": ["applicant"],
        },
    )
    assert response.status_code == 302
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "focal.point@unhcr.org"
    assert "Samuel Okoye" in message.get_content()
    path = link_in(message)
    outbox = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_address == "focal.point@unhcr.org"))
    assert outbox.sent_at is not None
    assert outbox.body == ""  # sensitive: blanked once sent
    listed = client.get("/admin/invitations").get_data(as_text=True)
    assert "focal.point@unhcr.org" in listed
    client.post("/logout")
    page = client.get(path)
    assert page.status_code == 200
    assert "United Nations High Commissioner for Refugees" in page.get_data(as_text=True)
    weak = client.post(path, data={"name": "Focal Point", "password": "1234567890", "confirm": "1234567890"})
    assert weak.status_code == 422
    assert "top-100 common password" in weak.get_data(as_text=True)
    done = client.post(path, data={"name": "Focal Point", "password": STRONG, "confirm": STRONG})
    assert done.headers["Location"] == "/login?email=focal.point@unhcr.org"
    assert client.get(path).status_code == 410
    assert sign_in(client, "focal.point@unhcr.org", STRONG).headers["Location"] == "/applicant"
    assert db.session.scalar(sa.select(User.name).where(User.email == "focal.point@unhcr.org")) == "Focal Point"


def test_without_a_mail_server_the_inviter_sees_the_link_once(client, login, db):
    login("admin@example.org")
    org = organisation(db.session, "IOM")
    response = client.post(
        "/admin/invitations/new",
        data={"email": "by.hand@example.org", "name": "By Hand", "organisation_id": org.id, "roles": ["admin"]},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert 'data-testid="invitation-link">http://localhost/welcome/' in response.get_data(as_text=True)


def test_the_secretariats_form_offers_no_administrator_role(client, login, db):
    login("secretariat@example.org")
    form = client.get("/admin/invitations/new").get_data(as_text=True)
    assert 'value="committee_member"' in form
    assert 'value="admin"' not in form
    org = organisation(db.session, "IOM")
    refused = client.post(
        "/admin/invitations/new",
        data={"email": "x@example.org", "name": "X", "organisation_id": org.id, "roles": ["admin"]},
    )
    assert refused.status_code == 422


def test_resend_and_revoke_from_the_list(client, login, db, smtp_server):
    invite(db.session, "listed@example.org")
    invitation = _invitation(db, "listed@example.org")
    login("admin@example.org")
    assert client.post(f"/admin/invitations/{invitation.id}/resend").status_code == 302
    first, message = smtp_server.wait_for(2)  # the invitation, then the new link
    assert client.get(link_in(first)).status_code == 410
    assert client.get(link_in(message)).status_code == 200
    assert client.post(f"/admin/invitations/{invitation.id}/revoke").status_code == 302
    assert client.get(link_in(message)).status_code == 410
    assert "listed@example.org" not in client.get("/admin/invitations").get_data(as_text=True)


def test_the_secretariat_cannot_touch_an_invitation_to_administrator(client, login, db):
    invite(db.session, "future.admin@example.org", roles=("admin",))
    invitation = _invitation(db, "future.admin@example.org")
    login("secretariat@example.org")
    assert client.post(f"/admin/invitations/{invitation.id}/revoke").status_code == 403


def test_the_invitation_list_runs_a_bounded_number_of_queries(client, login, db, queries):
    login("admin@example.org")
    invite(db.session, "one@example.org")
    with queries() as few:
        client.get("/admin/invitations")
    for i in range(8):
        invite(db.session, f"many{i}@example.org")
    with queries() as many:
        client.get("/admin/invitations")
    assert len(few) == len(many)
