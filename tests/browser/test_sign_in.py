"""Each demo role signs in through the real page and lands on its own home page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

HOMES = [
    ("admin@example.org", "/admin", "Administration: your work"),
    ("secretariat@example.org", "/secretariat", "Fund Management Unit: your work"),
    ("chair@example.org", "/committee", "Steering committee: your work"),
    ("member1@example.org", "/committee", "Steering committee: your work"),
    ("applicant@example.org", "/applicant", "United Nations Development Programme: your work"),
    ("donor@example.org", "/donor", "Germany, Federal Foreign Office"),
]


@pytest.mark.parametrize(("email", "path", "heading"), HOMES)
def test_role_signs_in_and_lands_on_home(page, screenshot, email, path, heading):
    sign_in(page, email)
    page.wait_for_url(f"**{path}")
    assert page.get_by_role("heading", level=1).inner_text() == heading
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    shot = screenshot(page, f"home-{email.split('@')[0]}")
    assert shot.stat().st_size > 10_000


def test_wrong_password_shows_the_error(page, screenshot):
    sign_in(page, "applicant2@example.org", "not-the-password")
    error = page.locator("#login-error")
    assert error.inner_text() == "Email or password is not correct."
    assert page.url.endswith("/login")
    screenshot(page, "login-error")


def test_sign_out_returns_to_sign_in(page):
    sign_in(page, "member2@example.org")
    page.wait_for_url("**/committee")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
