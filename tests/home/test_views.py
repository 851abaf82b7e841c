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
