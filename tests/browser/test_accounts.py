"""Accounts in the browser: invitation, password reset and two-factor journeys, as a person clicks them.

These run against their own server (not the shared demo one): two-factor sign-in is required there for
administrators, the secretariat and the committee, as in production; email goes to the in-process SMTP
server of tests/conftest.py, and the tests follow the links in the messages that arrive. The TOTP codes
are computed here from the secret the set-up page shows.
"""

import re
import time
from collections.abc import Iterator

import pyotp
import pytest

from fundapp import create_app
from tests.browser.conftest import CHROMIUM_ARGS, served  # noqa: F401  (same browser settings as the other tests)
from tests.browser.navigation import go
from tests.browser.test_accessibility_everywhere import accessible_in_both_languages
from tests.conftest import build_fund, make_config

STAFF = ("admin", "secretariat", "committee_member", "committee_chair")
NEW_PASSWORD = "harbour-violet-tractor-58"


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory, smtp_controller) -> Iterator[str]:
    """A live server with the demo's accounts, CSRF, the per-address limiter, mail, and 2FA required for staff."""
    controller, _catcher = smtp_controller
    db_file = tmp_path_factory.mktemp("accounts") / "accounts.sqlite3"
    app = create_app(
        make_config(
            f"sqlite:///{db_file}",
            WTF_CSRF_ENABLED=True,
            TWO_FACTOR_REQUIRED_ROLES=STAFF,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=controller.port,
            RATELIMIT_ENABLED=True,
        )
    )
    build_fund(app)
    with served(app) as url:
        app.config["PUBLIC_BASE_URL"] = url  # the links in the emails point at this server
        yield url


@pytest.fixture
def mail(smtp_controller):
    _controller, catcher = smtp_controller
    catcher.clear()
    return catcher


@pytest.fixture
def new_page(browser, accounts_server):
    """Return a callable opening a fresh browser context (its own cookies) on the accounts server."""
    contexts = []

    def _open():
        context = browser.new_context(base_url=accounts_server, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield _open
    for context in contexts:
        context.close()


def _sign_in(page, email: str, password: str = "fundapp-demo") -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _code(totp: pyotp.TOTP, ahead: int = 0) -> str:
    return totp.at(time.time() + 30 * ahead)


def _set_up_two_factor(page, screenshot=None, name: str = "") -> pyotp.TOTP:
    """On a set-up page: read the key shown beside the QR code, type the app's code; returns the app."""
    assert page.locator("img[alt^='QR code']").get_attribute("src").startswith("data:image/svg+xml")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    if screenshot:
        screenshot(page, name)
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(_code(totp))
    return totp


def _link(message, base: str) -> str:
    found = re.search(re.escape(base) + r"(/\S+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def test_two_factor_is_set_up_right_after_the_password_then_asked_at_every_sign_in(new_page, screenshot):
    page = new_page()
    _sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/login/two-factor")
    assert accessible_in_both_languages(page) == []
    totp = _set_up_two_factor(page, screenshot, "two-factor-setup-at-sign-in")
    page.get_by_role("button", name="Turn on and continue").click()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "two-factor-recovery-codes")
    page.get_by_role("link", name="I have saved them: continue").click()
    page.wait_for_url("**/secretariat")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")

    _sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/login/code")
    assert accessible_in_both_languages(page) == []
    page.get_by_label("Authentication code").fill("000000" if _code(totp, 1) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("#login-error").inner_text().startswith("That code is not right")
    screenshot(page, "two-factor-code-refused")
    page.get_by_label("Authentication code").fill(_code(totp, 1))  # the set-up used this step's code
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/secretariat")

    other = new_page()  # a recovery code instead of the phone, in another browser
    _sign_in(other, "secretariat@example.org")
    other.wait_for_url("**/login/code")
    other.get_by_label("Authentication code").fill(codes[0])
    other.get_by_role("button", name="Continue").click()
    other.wait_for_url("**/secretariat")
    assert "9 left" in other.locator(".flashes").inner_text()


def test_an_invited_person_sets_a_password_from_the_email_and_signs_in(new_page, mail, screenshot, accounts_server):
    admin = new_page()
    _sign_in(admin, "admin@example.org")
    admin.wait_for_url("**/login/two-factor")
    _set_up_two_factor(admin)
    admin.get_by_role("button", name="Turn on and continue").click()
    admin.get_by_role("link", name="I have saved them: continue").click()
    admin.wait_for_url("**/admin")
    go(admin, "Set-up", "Invitations")
    admin.get_by_role("link", name="Invite someone").click()
    admin.get_by_label("Email").fill("amal.haddad@unhcr.org")
    admin.get_by_label("Full name").fill("Amal Haddad")
    admin.get_by_label("Organisation").select_option(
        label="Office of the United Nations High Commissioner for Refugees (UNHCR)"
    )
    admin.get_by_label("Applicant (UN organization focal point)").check()
    screenshot(admin, "invitation-form")
    admin.get_by_role("button", name="Send the invitation").click()
    assert "Invitation sent to amal.haddad@unhcr.org." in admin.locator(".flashes").inner_text()
    row = admin.get_by_role("row").filter(has_text="amal.haddad@unhcr.org")
    assert "Pending" in row.inner_text()
    screenshot(admin, "invitations-list")
    assert accessible_in_both_languages(admin) == []

    (message,) = mail.wait_for(1)
    assert message["To"] == "amal.haddad@unhcr.org"
    invitee = new_page()
    invitee.goto(_link(message, accounts_server))
    assert "United Nations High Commissioner for Refugees" in invitee.locator("main").inner_text()
    assert accessible_in_both_languages(invitee) == []
    invitee.get_by_label("New password", exact=True).fill("qwertyuiop")
    invitee.get_by_label("Repeat the new password").fill("qwertyuiop")
    invitee.get_by_role("button", name="Create my account").click()
    assert "This is a top-100 common password." in invitee.locator("#password-error").inner_text()
    screenshot(invitee, "invitation-weak-password")
    invitee.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Create my account").click()
    invitee.wait_for_url("**/login?email=*")
    assert invitee.get_by_label("Email").input_value() == "amal.haddad@unhcr.org"
    invitee.get_by_label("Password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Sign in").click()
    invitee.wait_for_url("**/applicant")

    admin.reload()
    assert "amal.haddad@unhcr.org" not in admin.locator("main").inner_text()  # accepted: no longer pending
    go(admin, "Administration", "Users")
    admin.get_by_label("Name or email").fill("amal")
    admin.get_by_role("button", name="Filter").click()
    row = admin.get_by_role("row").filter(has_text="amal.haddad@unhcr.org")
    assert "Off" in row.inner_text()  # two-factor: an applicant's choice
    screenshot(admin, "users-list")
    row.get_by_role("link", name="Edit").click()
    assert "Two-factor sign-in" in admin.locator("#two-factor").inner_text()
    screenshot(admin, "user-edit")

    # The administrator reads English and invites someone who reads French: the email, the welcome page, the
    # password advice and the new account speak French.
    go(admin, "Set-up", "Invitations")
    admin.get_by_role("link", name="Invite someone").click()
    assert admin.get_by_label("Their language").input_value() == "en"  # the inviter's own, by default
    admin.get_by_label("Email").fill("claire.martin@unhcr.org")
    admin.get_by_label("Full name").fill("Claire Martin")
    admin.get_by_label("Organisation").select_option(
        label="Office of the United Nations High Commissioner for Refugees (UNHCR)"
    )
    admin.get_by_label("Applicant (UN organization focal point)").check()
    admin.get_by_label("Their language").select_option(label="Français")
    screenshot(admin, "invitation-form-language")
    admin.get_by_role("button", name="Send the invitation").click()
    assert "Invitation sent to claire.martin@unhcr.org." in admin.locator(".flashes").inner_text()
    (french,) = [m for m in mail.wait_for(2) if m["To"] == "claire.martin@unhcr.org"]
    assert french["Subject"] == "Votre invitation au site de gestion des subventions du Fonds"
    invitee = new_page()
    invitee.goto(_link(french, accounts_server))
    assert invitee.locator("h1").inner_text() == "Bienvenue"
    invitee.get_by_label("Nouveau mot de passe", exact=True).fill("qwertyuiop")
    invitee.get_by_label("Répétez le nouveau mot de passe").fill("qwertyuiop")
    invitee.get_by_role("button", name="Créer mon compte").click()
    advice = invitee.locator("#password-error").inner_text()
    assert "C'est l'un des 100 mots de passe les plus courants." in advice
    assert "Solidité : très faible." in advice
    screenshot(invitee, "invitation-weak-password-fr")
    invitee.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("Répétez le nouveau mot de passe").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Créer mon compte").click()
    invitee.wait_for_url("**/login?email=*")
    assert invitee.locator("h1").inner_text() == "Se connecter"
    invitee.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Se connecter").click()
    invitee.wait_for_url("**/applicant")
    assert invitee.locator("html").get_attribute("lang") == "fr"


def test_a_forgotten_password_is_reset_through_the_emailed_link(new_page, mail, screenshot, accounts_server):
    thief = new_page()
    _sign_in(thief, "donor5@example.org")
    thief.wait_for_url("**/donor")

    page = new_page()
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("donor5@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url("**/login")
    assert "we have sent it a link" in page.locator(".flashes").inner_text()
    (message,) = mail.wait_for(1)
    page.goto(_link(message, accounts_server))
    screenshot(page, "password-reset-form")
    assert accessible_in_both_languages(page) == []
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    page.wait_for_url("**/login?email=*")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/donor")

    thief.goto("/donor")  # every other session ended with the reset
    thief.wait_for_url("**/login?next=*")
    page.goto(_link(message, accounts_server))
    assert "This link no longer works" in page.locator("main").inner_text()


def test_the_profile_sets_up_two_factor_and_lists_the_sessions(new_page, screenshot):
    elsewhere = new_page()
    _sign_in(elsewhere, "donor6@example.org")
    elsewhere.wait_for_url("**/donor")
    page = new_page()
    _sign_in(page, "donor6@example.org")
    page.wait_for_url("**/donor")
    page.goto("/profile")
    sessions = page.locator("#sessions tbody tr")
    assert sessions.count() == 2
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    _set_up_two_factor(page, screenshot, "two-factor-setup-from-profile")
    page.get_by_label("Your current password").fill("fundapp-demo")
    page.get_by_role("button", name="Turn on").click()
    assert page.get_by_test_id("recovery-codes").locator("code").count() == 10
    page.get_by_role("link", name="I have saved them: continue").click()
    page.wait_for_url("**/profile")
    screenshot(page, "profile-security")
    other_row = page.locator("#sessions tbody tr").filter(has_not_text="This browser")
    other_row.get_by_role("button", name="End").click()
    elsewhere.goto("/donor")
    elsewhere.wait_for_url("**/login?next=*")
