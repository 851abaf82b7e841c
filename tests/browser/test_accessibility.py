"""WCAG 2.1 AA in the browser: axe-core (bundled by axe-playwright-python, nothing downloaded) on the public
pages, the sign-in page and every role's home page, in English and in Arabic; Arabic pages laid out right to
left without horizontal overflow at desktop and phone widths; the language switcher keeps its choice."""

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from fundapp.auth.models import User
from fundapp.core.extensions import db as _db
from tests.browser.conftest import sign_in

AXE = Axe()
BLOCKING = ("serious", "critical")
PUBLIC = [
    "/",
    "/login",
    "/password/forgot",
    pytest.param(
        "/transparency/",
        marks=pytest.mark.xfail(
            strict=True,
            reason="contributions/_pools.html: its table scrolls inside the statement grid with no keyboard access "
            "(visitors get no script to make it a focusable region); the money area's template needs the fix",
        ),
    ),
]
ROLE_HOMES = [
    ("applicant@example.org", "/applicant"),
    ("secretariat@example.org", "/secretariat"),
    ("chair@example.org", "/committee"),
    ("donor@example.org", "/donor"),
    ("admin@example.org", "/admin"),
    ("applicant2@example.org", "/profile"),
]


def choose_language(page, code: str) -> None:
    """Use the switcher as a person would (it is on every page); the page reloads in that language."""
    page.locator(f'.language-switcher button[lang="{code}"]').click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == code


@pytest.fixture
def back_to_english(live_app):
    """A signed-in person's choice is saved on their profile, and the demo server is shared by the session's
    browser tests: afterwards the demo's people have no language chosen again (their browser's applies)."""
    yield
    with live_app.app_context():
        _db.session.execute(sa.update(User).values(language=None))
        _db.session.commit()
        _db.session.remove()


def blocking_violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_pass_axe(page, path, lang):
    page.goto("/login")
    if lang != "en":
        choose_language(page, lang)
    page.goto(path)
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert blocking_violations(page) == []


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize(("email", "path"), ROLE_HOMES)
def test_each_roles_main_page_passes_axe(page, back_to_english, email, path, lang):
    sign_in(page, email)
    page.wait_for_load_state()
    page.goto(path)
    if lang != "en":
        choose_language(page, lang)
    assert blocking_violations(page) == []


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize(
    ("name", "email", "path"), [("login", None, "/login"), ("donor", "donor@example.org", "/donor")]
)
def test_arabic_pages_are_right_to_left_and_fit_the_screen(page, back_to_english, screenshot, width, name, email, path):
    page.set_viewport_size({"width": width, "height": 900})
    if email:
        sign_in(page, email)
        page.wait_for_load_state()
    page.goto(path)
    choose_language(page, "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert no_horizontal_overflow(page)
    shot = screenshot(page, f"rtl-{name}-{width}")
    assert shot.stat().st_size > 5_000


def test_the_switcher_keeps_the_choice_across_pages_and_sign_in(page, back_to_english):
    page.goto("/")
    choose_language(page, "fr")
    page.goto("/login")
    assert page.get_by_role("heading", level=1).inner_text() == "Se connecter"
    page.get_by_label("Courriel").fill("member3@example.org")  # no language chosen yet: the kept choice applies
    page.get_by_label("Mot de passe").fill("fundapp-demo")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("button", name="Se déconnecter").is_visible()


def test_the_skip_link_is_the_first_stop_and_lands_on_the_content(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
