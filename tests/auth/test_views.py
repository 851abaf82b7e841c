import re

import sqlalchemy as sa

from fundapp.core.models import AuditEntry


def test_login_page_signs_in_and_lands_on_role_home(client):
    response = client.post("/login", data={"email": "secretariat@example.org", "password": "fundapp-demo"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/secretariat"
    assert client.get("/secretariat").status_code == 200


def test_login_error_is_shown_on_the_page(client):
    response = client.post("/login", data={"email": "secretariat@example.org", "password": "nope"})
    assert response.status_code == 401
    assert b"Email or password is not correct." in response.data


def test_login_form_errors_next_to_fields(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 200
    assert response.data.count(b'class="error"') == 2


def test_login_answers_429_once_the_address_must_wait(client):
    for _ in range(3):
        assert (
            client.post("/login", data={"email": "donor6@example.org", "password": "bad-password"}).status_code == 401
        )
    response = client.post("/login", data={"email": "donor6@example.org", "password": "fundapp-demo"})
    assert response.status_code == 429
    assert b"Too many failed attempts for this account from your network address" in response.data


def test_login_links_to_the_password_reset_and_prefills_the_email(client):
    page = client.get("/login?email=focal%40unhcr.org").get_data(as_text=True)
    assert 'href="/password/forgot"' in page
    assert 'value="focal@unhcr.org"' in page


def test_login_follows_only_local_next(client):
    data = {"email": "admin@example.org", "password": "fundapp-demo"}
    response = client.post("/login?next=/admin/users", data=data)
    assert response.headers["Location"] == "/admin/users"
    client.post("/logout")
    response = client.post("/login?next=https://evil.example/x", data=data)
    assert response.headers["Location"] == "/admin"


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/admin")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_is_audited_and_ends_the_session(client, login, db):
    login("member4@example.org")
    assert client.post("/logout").status_code == 302
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "auth.logout"
    assert client.get("/profile").status_code == 302


def test_accounts_are_made_by_invitation_not_with_a_password_typed_by_an_administrator(client, login):
    login("admin@example.org")
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/invitations/new">Invite someone' in page
    assert client.get("/admin/users/new").status_code == 404


def test_admin_deactivates_and_reactivates_a_user(client, login, user, db):
    login("admin@example.org")
    target = user("donor7@example.org")
    client.post(f"/admin/users/{target.id}/active", data={"active": "0"})
    db.session.refresh(target)
    assert not target.is_active
    client.post(f"/admin/users/{target.id}/active", data={"active": "1"})
    db.session.refresh(target)
    assert target.is_active


def test_user_list_filters_by_role(client, login):
    login("admin@example.org")
    page = client.get("/admin/users?role=donor&per_page=50").get_data(as_text=True)
    emails = set(re.findall(r"<td>([a-z0-9]+@example\.org)</td>", page))
    assert emails == {"donor@example.org", *(f"donor{i}@example.org" for i in range(2, 13))}


def test_user_list_runs_a_bounded_number_of_queries(client, login, queries, db):
    login("admin@example.org")
    with queries() as few:
        client.get("/admin/users?per_page=5")
    with queries() as many:
        client.get("/admin/users?per_page=30")
    assert len(few) == len(many)


def test_admin_edits_a_user(client, login, user, db):
    login("admin@example.org")
    target = user("applicant4@example.org")
    org_id = db.session.scalar(sa.text("SELECT id FROM organisations WHERE code = 'UNHCR'"))
    response = client.post(
        f"/admin/users/{target.id}/edit",
        data={"name": "Olga Petrenko-Smith", "organisation_id": org_id, "roles": ["applicant", "donor"]},
    )
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.name == "Olga Petrenko-Smith"
    assert target.organisation.code == "UNHCR"
    assert target.role_names == {"applicant", "donor"}


def test_edit_user_without_roles_is_refused_next_to_the_field(client, login, user):
    login("admin@example.org")
    target = user("applicant4@example.org")
    response = client.post(
        f"/admin/users/{target.id}/edit", data={"name": "X", "organisation_id": target.organisation_id}
    )
    assert b"at least one role" in response.data
