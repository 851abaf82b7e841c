"""The secretariat reads a closed year's frozen statement and checks the PDF's fingerprint; a visitor finds each
participating organization's share of the allocations (issue 11, items 4 and 5)."""

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fundapp import create_app
from tests.browser.conftest import served, sign_in
from tests.browser.navigation import go
from tests.conftest import make_config
from tests.core.test_backup import build_fund


@pytest.fixture(scope="module")
def closed_books_server(tmp_path_factory) -> Iterator[str]:
    """A small fund whose 2020 books are closed (its statement frozen), served on loopback."""
    folder = tmp_path_factory.mktemp("closed-books")
    app = create_app(
        make_config(f"sqlite:///{folder / 'books.sqlite3'}", WTF_CSRF_ENABLED=True, UPLOAD_FOLDER=str(folder / "up"))
    )
    build_fund(app)
    with served(app) as url:
        yield url


@pytest.fixture
def books_page(browser, closed_books_server):
    context = browser.new_context(
        base_url=closed_books_server, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_secretariat_reads_a_frozen_year_and_checks_the_pdf_fingerprint(books_page, screenshot):
    page = books_page
    sign_in(page, "secretariat@example.org")
    go(page, "Reports", "Annual report")
    page.select_option("#year", "2020")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**year=2020")
    banner = page.locator("#frozen-statement")
    expect(banner).to_be_visible()
    assert "Frozen statement." in banner.inner_text()
    fingerprint = banner.locator("code").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    screenshot(page, "annual-report-frozen")
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download PDF").click()
    assert hashlib.sha256(Path(pdf.value.path()).read_bytes()).hexdigest() == fingerprint

    page.select_option("#year", "2021")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**year=2021")
    assert "Not frozen." in page.locator("#live-statement").inner_text()


def test_visitor_finds_each_organizations_share_of_the_allocations(books_page, screenshot):
    page = books_page
    page.goto("/transparency/")
    rows = page.locator("#by-organization tbody tr")
    shares = {}
    for row in rows.all():
        cells = row.locator("td").all_inner_texts()
        shares[cells[0].split()[0]] = cells[2]  # the first cell reads "CODE Name"
    # The programme's allocation of 400,000 is shared by budget (250,000 : 150,000), not booked to UNICEF alone.
    assert shares["UNICEF"] == "250,000.00"
    assert shares["ILO"] == "150,000.00"
    page.locator("#by-organization").scroll_into_view_if_needed()
    screenshot(page, "transparency-by-organization")
    page.locator("#programmes tbody tr").first.get_by_role("link").click()
    table = page.locator("table", has=page.get_by_role("columnheader", name="Allocated US$"))
    text = table.inner_text()
    assert "250,000.00" in text
    assert "150,000.00" in text
    screenshot(page, "transparency-programme-shares")


def test_secretariat_sees_allocations_per_organization_on_a_demo_programme(page, live_server, screenshot):
    sign_in(page, "secretariat@example.org")
    page.goto("/programmes?status=active")
    page.locator("table a[href^='/programmes/']").first.click()
    money = page.locator("#money table")
    header = money.locator("thead th").all_inner_texts()
    assert "Allocated" in header
    column = header.index("Allocated")
    body = [row.locator("th, td").all_inner_texts() for row in money.locator("tbody tr").all()]
    values = [float(cells[column].replace(",", "")) for cells in body]
    assert sum(values[:-1]) == pytest.approx(values[-1], abs=0.001)  # organizations' shares add up to the total
    assert all(v > 0 for v in values[:-1])
    screenshot(page, "programme-money-flows")
