from fundapp.auth.sessions import Client, start_session


def test_change_password_through_profile(client, login, user):
    login("member5@example.org")
    response = client.post(
        "/profile",
        data={"current_password": "fundapp-demo", "new_password": "brand-new-secret", "confirm": "brand-new-secret"},
    )
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200  # still signed in with the new session id
    response = client.post(
        "/profile", data={"current_password": "wrong", "new_password": "another-secret!", "confirm": "different"}
    )
    assert b"The two passwords differ." in response.data


def _log_rows(page: str) -> str:
    """The list of events (the filter's choices above it name every action)."""
    return page[page.index('<ol class="audit-log"') :]


def test_audit_log_filters(client, login):
    login("admin@example.org")
    page = client.get("/admin/audit?action=user.created&actor=").get_data(as_text=True)
    assert "user.created" in _log_rows(page)
    assert "reference.loaded" not in _log_rows(page)


def test_a_weak_new_password_is_refused_next_to_the_field_with_advice(client, login):
    login("member5@example.org")
    response = client.post(
        "/profile", data={"current_password": "fundapp-demo", "new_password": "Password123", "confirm": "Password123"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="new_password-error">Use at least 12 characters. This is a very common password.' in page


def test_changing_the_email_asks_the_password_and_tells_the_old_address(client, login, smtp_server):
    login("applicant4@example.org")
    refused = client.post("/profile/email", data={"email-email": "olga@ilo.org", "email-current_password": "nope"})
    assert refused.status_code == 422
    assert "Your password is not correct." in refused.get_data(as_text=True)
    done = client.post("/profile/email", data={"email-email": "olga@ilo.org", "email-current_password": "fundapp-demo"})
    assert done.status_code == 302
    (notice,) = smtp_server.wait_for(1)
    assert notice["To"] == "applicant4@example.org"
    assert "olga@ilo.org" in notice.get_content()
    assert "olga@ilo.org" in client.get("/profile").get_data(as_text=True)


def test_the_profile_lists_the_sessions_and_runs_a_bounded_number_of_queries(client, login, queries, user):
    account = login("member7@example.org")
    with queries() as one:
        page = client.get("/profile").get_data(as_text=True)
    assert "This browser" in page
    for i in range(6):
        start_session(account, Client(f"192.0.2.{i}", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"))
    with queries() as seven:
        page = client.get("/profile").get_data(as_text=True)
    assert page.count("Firefox on Linux") == 6
    assert len(one) == len(seven)
