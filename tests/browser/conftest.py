"""Browser tests: a real server on loopback with the demo fund, driven by Debian's Chromium.

The server uses its own SQLite file with CSRF on, exactly as a person meets the app. Tests that change
data should use accounts or records no other browser test relies on, since the server is shared by the run.
Screenshots go to test-output/screenshots/.
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from fundapp import create_app
from fundapp.core.extensions import db as _db
from fundapp.demo.services import seed_demo
from fundapp.reference.services import load_reference
from tests.conftest import IN_CI, make_config

#: expect() assertions wait for the page as long as actions do (a busy CI machine is slow to navigate).
expect.set_options(timeout=15_000)

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"CI=true but {CHROMIUM} is missing: browser tests cannot be skipped in CI.")
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    return CHROMIUM


def seed_the_demo(app: Flask) -> None:
    """Migrate the app's empty database and seed the demo fund, as `flask demo seed` does."""
    with app.app_context():
        upgrade()
        load_reference(app.config["REFERENCE_DATA_FILE"])
        seed_demo()
        _db.session.commit()
        _db.session.remove()


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve the app on 127.0.0.1:<free port> from a thread; yields the base URL; stops and closes the pool."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app) -> str:
    """The base URL of the demo fund served for the session's browser tests."""
    return live_app.config["LIVE_SERVER_URL"]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[Flask]:
    """Serve a freshly migrated demo fund on 127.0.0.1:<free port>; yields its app (config LIVE_SERVER_URL), for
    the few tests that must put back what a person changed on the shared server."""
    db_file = tmp_path_factory.mktemp("live") / "live.sqlite3"
    app = create_app(
        make_config(
            f"sqlite:///{db_file}",
            WTF_CSRF_ENABLED=True,
            UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
        )
    )
    seed_the_demo(app)
    with served(app) as url:
        app.config["LIVE_SERVER_URL"] = url
        yield app


@pytest.fixture(scope="session")
def browser(chromium_path):
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test, with the server's base URL set."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, 'name') saves test-output/screenshots/name.png and returns the path."""
    folder = OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def _take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _take


def sign_in(page, email: str, password: str = "fundapp-demo") -> None:
    """Sign in through the real form, as a person would."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
