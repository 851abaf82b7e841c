"""API tokens in the browser: a donor creates a token, a program reads with it, the donor revokes it."""

import json
import urllib.error
import urllib.request

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def _get(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 (live server)
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = json.loads(exc.read())
        exc.close()
        return exc.code, body


def test_donor_creates_uses_and_revokes_a_token(page, live_server, screenshot):
    sign_in(page, "donor3@example.org")  # Norway; no other browser test uses it
    page.wait_for_url("**/donor")
    page.locator("a.account-name").click()
    page.get_by_label("Token name").fill("Finance dashboard")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_test_id("new-token").inner_text().strip()
    assert token.startswith("fa_")
    screenshot(page, "api-token-created")

    status, body = _get(f"{live_server}/api/v1/contributions/deposits?per_page=100", token)
    assert status == 200
    assert body["meta"]["total"] > 0
    assert {d["donor"] for d in body["data"]} == {"Norway, Ministry of Foreign Affairs"}

    page.goto(f"{live_server}/profile")
    row = page.locator("tr", has_text="Finance dashboard")
    assert "Never" not in row.locator("td").nth(4).inner_text()  # last used is recorded
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Token “Finance dashboard” revoked.")).to_be_visible()
    screenshot(page, "api-token-revoked")
    status, body = _get(f"{live_server}/api/v1/me", token)
    assert status == 401
    assert body["error"]["status"] == 401


def test_visitor_reads_the_api_documentation_and_downloads_the_iati_file(page, live_server, screenshot):
    page.goto(live_server)
    page.get_by_role("link", name="API").click()
    expect(page.get_by_role("heading", name="fundapp API")).to_be_visible()
    expect(page.get_by_role("heading", name="GET /api/v1/concept-notes", exact=True)).to_be_visible()
    screenshot(page, "api-docs")
    page.goto(live_server)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="IATI 2.03 (XML)").click()
    data = download_info.value.path().read_bytes()
    assert b"<iati-identifier>XM-DAC-41114-MIG00</iati-identifier>" in data
