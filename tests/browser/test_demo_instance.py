"""The demo instance as `scripts/run` serves it: on the demo's clock (FIXED_TODAY 30 November 2021), with a banner
on every page, and nothing falsely overdue."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from fundapp import create_app
from fundapp.demo.story import DEMO_TODAY
from tests.browser.conftest import seed_the_demo, served, sign_in
from tests.conftest import make_config


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[str]:
    """The demo fund served on its own clock, as development runs it."""
    db_file = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    app = create_app(
        make_config(
            f"sqlite:///{db_file}",
            WTF_CSRF_ENABLED=True,
            FIXED_TODAY=DEMO_TODAY,
            UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
        )
    )
    seed_the_demo(app)
    with served(app) as url:
        yield url


@pytest.fixture
def demo_page(browser, demo_server):
    context = browser.new_context(base_url=demo_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_demo_runs_on_its_day_with_a_banner_on_every_page(demo_page, screenshot):
    page = demo_page
    page.goto("/")
    banner = page.locator(".demo-banner")
    assert "Demo fund as of 30 November 2021" in banner.inner_text()
    sign_in(page, "secretariat@example.org")
    page.wait_for_selector(".demo-banner")
    # On the demo's day no progress report and no donor instalment is late (on the real date, every programme's
    # reports would be). What is late is really late that day: second tranches whose spending condition is unmet,
    # and the months after June 2021 that the Fund Management Unit has not closed yet.
    summary = page.locator(".inbox-summary")
    expect(summary.get_by_text("Progress reports overdue")).to_be_visible()
    for card in ("Progress reports overdue", "Instalments overdue"):
        section = page.locator(".card", has=page.get_by_role("heading", name=card))
        assert section.locator(".inbox-count").inner_text() == "0", card
    overdue = [
        text
        for text in page.locator(".inbox-item.is-overdue").all_inner_texts()
        if "Blocked:" not in text and not text.startswith("Close ")
    ]
    screenshot(page, "demo-secretariat-home-on-the-demos-day")
    for path in ("/programmes/", "/transparency/", "/contributions/"):
        page.goto(path)
        assert page.locator(".demo-banner").count() == 1, path
    page.goto("/programmes/")
    screenshot(page, "demo-programmes-on-the-demos-day")
    assert overdue == [], overdue
