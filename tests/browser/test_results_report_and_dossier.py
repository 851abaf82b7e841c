"""A visitor downloads the results report; a donor downloads a programme's dossier from its page."""

import zipfile
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_visitor_downloads_the_results_report(page, live_server, screenshot):
    page.goto(f"{live_server}/transparency/results-report")
    expect(page.get_by_role("heading", name="Progress per thematic area")).to_be_visible()
    screenshot(page, "results-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def test_donor_downloads_a_programme_dossier(page, live_server, screenshot):
    sign_in(page, "donor@example.org")
    page.goto(f"{live_server}/programmes")
    page.locator("table tbody tr").first.get_by_role("link").first.click()
    screenshot(page, "programme-with-dossier-link")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download dossier (ZIP)").click()
    names = zipfile.ZipFile(download.value.path()).namelist()
    assert "README.txt" in names
    assert "transfers-and-expenditure.csv" in names
    assert not any(n.startswith("attachments/") for n in names)
    assert not any("draft" in n or "submitted" in n or "returned" in n for n in names)
