"""Personal API tokens: stored hashed, bearer-only, revocable; each token sees what its user sees."""

import hashlib
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from fundapp.api import tokens
from fundapp.api.models import ApiToken
from fundapp.core import clock
from fundapp.core.errors import DomainError
from fundapp.core.models import AuditEntry
from tests.api.helpers import bearer
from tests.concept_notes.helpers import make_call, make_note
from tests.contributions import factories as cf


def _token(user, name="Sync", **kwargs) -> tuple[ApiToken, str]:
    row, token = tokens.create_token(user, name, **kwargs)
    return row, token


def test_token_is_stored_as_its_sha256_only(db, user):
    row, token = _token(user("donor@example.org"))
    assert token.startswith("fa_")
    assert len(token) >= 40
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = db.session.execute(sa.select(ApiToken.__table__)).mappings().one()
    assert token not in {str(v) for v in stored.values()}
    assert token.startswith(row.prefix)


def test_two_tokens_differ(user):
    assert _token(user("donor@example.org"))[1] != _token(user("donor@example.org"))[1]


def test_bearer_token_authenticates_as_its_user_and_records_last_use(client, db, user):
    row, token = _token(user("donor@example.org"))
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["email"] == "donor@example.org"
    assert response.json["roles"] == ["donor"]
    db.session.refresh(row)
    assert row.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer fa_unknown-token-value-0000000000000000000000", "Bearer ", "Basic dXNlcjpwYXNz", "fa_no-scheme"],
)
def test_unknown_or_malformed_token_gets_401_json(client, header):
    for url in ("/api/v1/me", "/api/v1/summary"):  # a bad token is refused on public endpoints too
        response = client.get(url, headers={"Authorization": header})
        assert response.status_code == 401
        assert response.is_json
        assert response.json["error"]["status"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_gets_401(client, db, user):
    owner = user("donor@example.org")
    row, token = _token(owner)
    headers = {"Authorization": f"Bearer {token}"}
    db.session.commit()
    assert client.get("/api/v1/contributions/agreements", headers=headers).status_code == 200
    tokens.revoke_token(owner, row)
    db.session.commit()
    response = client.get("/api/v1/contributions/agreements", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["message"]


def test_expired_token_gets_401_and_the_last_day_still_works(client, db, user):
    row, token = _token(user("donor@example.org"), expires_on=clock.now().date())
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    row.expires_on = clock.now().date() - timedelta(days=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


@pytest.mark.parametrize("what", ["user", "organisation"])
def test_token_of_a_deactivated_account_gets_401(client, db, user, what):
    owner = user("applicant2@example.org")
    _row, token = _token(owner)
    if what == "user":
        owner.is_active = False
    else:
        owner.organisation.is_active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_session_cookie_does_not_authenticate_api_calls(client, login):
    login("secretariat@example.org")
    assert client.get("/profile").status_code == 200  # the session works for pages
    for url in ("/api/v1/me", "/api/v1/concept-notes", "/api/v1/contributions/deposits"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.is_json


def test_token_cannot_be_created_with_a_past_expiry_or_no_name(user):
    with pytest.raises(DomainError) as exc:
        tokens.create_token(user("donor@example.org"), "Sync", expires_on=date(2020, 1, 1))
    assert exc.value.field == "expires_on"
    with pytest.raises(DomainError) as exc:
        tokens.create_token(user("donor@example.org"), "   ")
    assert exc.value.field == "name"


def test_active_tokens_are_capped(user):
    owner = user("donor@example.org")
    for i in range(tokens.MAX_ACTIVE_TOKENS):
        tokens.create_token(owner, f"T{i}")
    with pytest.raises(DomainError):
        tokens.create_token(owner, "One too many")


def test_token_actions_are_audited(db, user):
    owner = user("donor@example.org")
    row, token = _token(owner)
    tokens.revoke_token(owner, row)
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "api_tokens")).all()
    assert actions == ["api_token.created", "api_token.revoked"]
    details = " ".join(str(d) for d in db.session.scalars(sa.select(AuditEntry.details)))
    assert token not in details


# Profile page -----------------------------------------------------------------------------------


def test_profile_shows_a_new_token_once_and_lists_it(client, login, db):
    login("donor@example.org")
    response = client.post("/profile/tokens", data={"token-name": "Finance dashboard", "token-expires_on": ""})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    token = re.search(r'data-testid="new-token">(fa_[^<]+)<', page).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["email"] == "donor@example.org"
    again = client.get("/profile").get_data(as_text=True)
    assert "Finance dashboard" in again
    assert token not in again
    with client.session_transaction() as session:
        assert token not in str(dict(session))


def test_profile_refuses_a_token_without_a_name(client, login):
    login("donor@example.org")
    response = client.post("/profile/tokens", data={"token-name": ""})
    assert response.status_code == 422
    assert "new-token" not in response.get_data(as_text=True)


def test_user_revokes_own_token_from_the_profile(client, login, db, user):
    owner = login("donor@example.org")
    row, token = _token(owner)
    db.session.commit()
    response = client.post(f"/profile/tokens/{row.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.revoked_at is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_user_cannot_revoke_another_users_token(client, login, db, user):
    row, _token_value = _token(user("donor2@example.org"))
    db.session.commit()
    login("donor@example.org")
    assert client.post(f"/profile/tokens/{row.id}/revoke").status_code == 404
    db.session.refresh(row)
    assert row.revoked_at is None


# Scopes: the pages' rules ---------------------------------------------------------------------------


def test_donor_token_lists_only_its_own_agreements_and_deposits(client):
    own = cf.deposit("DEU")
    other = cf.deposit("NLD")
    headers = bearer("donor@example.org")
    agreements = client.get("/api/v1/contributions/agreements", headers=headers).json
    assert [a["id"] for a in agreements["data"]] == [own.agreement_id]
    deposits = client.get("/api/v1/contributions/deposits", headers=headers).json
    assert [d["id"] for d in deposits["data"]] == [own.id]
    assert client.get(f"/api/v1/contributions/deposits?donor={other.donor_id}", headers=headers).json["data"] == []
    assert client.get(f"/api/v1/contributions/deposits/{other.id}", headers=headers).status_code == 404
    secretariat = client.get("/api/v1/contributions/deposits", headers=bearer("secretariat@example.org")).json
    assert {d["id"] for d in secretariat["data"]} == {own.id, other.id}


def test_applicant_token_cannot_read_another_organisations_note(client):
    call = make_call()
    own = make_note("UNDP", "applicant@example.org", call=call)  # a draft: its authors see it
    other = make_note("UNICEF", "applicant2@example.org", call=call, submit=True, attach=True)
    headers = bearer("applicant@example.org")
    assert client.get(f"/api/v1/concept-notes/{other.id}", headers=headers).status_code == 404
    body = client.get("/api/v1/concept-notes", headers=headers).json
    assert [n["id"] for n in body["data"]] == [own.id]
    detail = client.get(f"/api/v1/concept-notes/{own.id}", headers=headers).json
    assert detail["status"] == "draft"
    assert detail["budget"] == "1070000.00"


def test_reviewers_see_submitted_notes_but_not_drafts(client):
    call = make_call()
    draft = make_note("UNDP", "applicant@example.org", call=call)
    submitted = make_note("UNICEF", "applicant2@example.org", call=call, submit=True, attach=True)
    for email in ("secretariat@example.org", "member1@example.org"):
        headers = bearer(email)
        body = client.get("/api/v1/concept-notes", headers=headers).json
        assert [n["id"] for n in body["data"]] == [submitted.id]
        assert client.get(f"/api/v1/concept-notes/{draft.id}", headers=headers).status_code == 404


def test_concept_note_filters_match_the_list_page(client, login):
    call = make_call()
    ta4 = make_note("UNDP", "applicant@example.org", call=call, submit=True, attach=True)
    make_note("UNICEF", "applicant2@example.org", call=call, submit=True, attach=True, title="Data for policy")
    headers = bearer("secretariat@example.org")
    by_title = client.get("/api/v1/concept-notes?q=recruitment", headers=headers).json
    assert [n["id"] for n in by_title["data"]] == [ta4.id]
    login("secretariat@example.org")
    page = client.get("/concept-notes/?q=recruitment").get_data(as_text=True)
    assert ta4.reference in page
    by_country = client.get("/api/v1/concept-notes?country=npl&sort=title&dir=asc", headers=headers).json
    assert by_country["meta"]["total"] == 2


@pytest.mark.parametrize("text", ["country=NP%00L", "region=%0A142", "q=recruit%00ment"])
def test_concept_note_text_filter_with_a_control_character_matches_nothing(client, text):
    """PostgreSQL refuses NUL in a parameter: such a filter is answered (no note has it), never a 500."""
    make_note("UNDP", "applicant@example.org", call=make_call(), submit=True, attach=True)
    response = client.get(f"/api/v1/concept-notes?{text}", headers=bearer("secretariat@example.org"))
    assert response.status_code == 200
    assert response.json["data"] == []


# Pagination and errors --------------------------------------------------------------------------------


def test_pagination_meta_and_cap(client):
    call = make_call()
    for _ in range(3):
        make_note("UNDP", "applicant@example.org", call=call)
    headers = bearer("applicant@example.org")
    body = client.get("/api/v1/concept-notes?per_page=2&page=2", headers=headers).json
    assert body["meta"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}
    assert len(body["data"]) == 1
    assert client.get("/api/v1/concept-notes?per_page=5000", headers=headers).json["meta"]["per_page"] == 100
    beyond = client.get("/api/v1/concept-notes?page=9", headers=headers).json
    assert beyond["data"] == []
    assert beyond["meta"]["total"] == 3


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=x", "per_page=-1", "status=nonsense", "sort=password", "dir=up", "call=abc", "area=0"],
)
def test_bad_query_parameters_are_400_json(client, query):
    response = client.get(f"/api/v1/concept-notes?{query}", headers=bearer("secretariat@example.org"))
    assert response.status_code == 400
    assert response.json["error"]["status"] == 400


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("POST", "/api/v1/summary", 405),
        ("DELETE", "/api/v1/contributions/agreements", 405),
        ("GET", "/api/v1/no-such-thing", 404),
        ("GET", "/api/v1/concept-notes/999999", 404),
        ("GET", "/api/v2/summary", 404),
        ("GET", "/api/v1/funding-status?as_of=yesterday", 400),
        ("GET", "/api/v1/funding-status?as_of=", 400),
        ("GET", "/api/v1/concept-notes?stauts=draft", 400),
        ("GET", "/api/v1/summary?anything=1", 400),
        ("GET", "/api/v1/contributions/deposits/99999999999999999999999", 404),
        ("GET", "/api/v1/concept-notes?call=99999999999999", 400),
    ],
)
def test_api_errors_are_json_never_html(client, method, url, status):
    headers = bearer("secretariat@example.org")
    response = client.open(url, method=method, headers=headers)
    assert response.status_code == status
    assert response.is_json
    assert response.json["error"]["status"] == status
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_api_responses_set_no_cookie(client):
    headers = bearer("donor@example.org")
    for url in ("/api/v1/me", "/api/v1/summary", "/api/v1/nothing"):
        assert "Set-Cookie" not in client.get(url, headers=headers).headers, url


def test_lists_run_a_bounded_number_of_queries(client, queries):
    call = make_call()
    headers = bearer("secretariat@example.org")
    make_note("UNDP", "applicant@example.org", call=call, submit=True, attach=True)
    cf.deposit("DEU")
    client.get("/api/v1/me", headers=headers)  # the token's first use writes last_used_at
    counts = []
    for _round in range(2):
        with queries() as q:
            assert client.get("/api/v1/concept-notes", headers=headers).status_code == 200
            assert client.get("/api/v1/contributions/deposits", headers=headers).status_code == 200
            assert client.get("/api/v1/contributions/agreements", headers=headers).status_code == 200
        counts.append(len(q))
        make_note("UNICEF", "applicant2@example.org", call=call, submit=True, attach=True)
        make_note("UNDP", "applicant@example.org", call=call, submit=True, attach=True)
        for code in ("NLD", "NOR", "DNK"):
            cf.deposit(code)
    assert counts[1] == counts[0]
