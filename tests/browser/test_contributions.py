"""Contributions in the browser: a EUR deposit from the secretariat's form to the donor's PDF."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import sign_in
from tests.browser.navigation import go


def test_eur_deposit_reaches_the_donor_portal_and_pdf(page, screenshot):
    # Cyprus (donor10@) has EUR 50,000 of EUR 100,000 paid; no other browser test touches it.
    sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    go(page, "Contributions", "Donors & agreements")
    page.get_by_role("link", name="MIG00-SAA-CYP-2020-01").click()
    page.get_by_role("link", name="Record deposit").click()
    page.get_by_label("Date received").fill("2021-09-15")
    page.get_by_label("Amount", exact=True).fill("25000.00")
    screenshot(page, "contributions-deposit-form")
    page.get_by_role("button", name="Record deposit").click()
    # EUR 25,000.00 at 0.851 EUR per US$ (Q3 2021) = US$ 29,377.2032… → 29,377.20; fee 293.77.
    expect(page.get_by_text("US$ 29,377.20 at 0.851000, fee US$ 293.77")).to_be_visible()
    screenshot(page, "contributions-deposit")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "donor10@example.org")
    page.wait_for_url("**/donor")
    go(page, "Contributions", "My contributions")
    row = page.locator("tr", has_text="15 Sep 2021")
    assert "EUR 25,000.00" in row.inner_text()
    assert "29,377.20" in row.inner_text()
    screenshot(page, "contributions-portal")
    page.get_by_role("link", name="Contribution report").first.click()
    total = page.locator(".stat", has_text="Deposits in the period (US$)").locator(".stat-value").inner_text()
    assert total == "88,759.62"  # EUR 50,000 in Dec 2020 (59,382.42) + the new 29,377.20
    screenshot(page, "contributions-report")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    data = download_info.value.path().read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "29,377.20" in text
    assert total in text


@pytest.mark.parametrize(
    ("email", "path", "heading"),
    [
        ("secretariat@example.org", "/contributions/funding-status?as_of=2021-11-30", "Funding status"),
        ("secretariat@example.org", "/contributions/capitalization", "Capitalization"),
        ("secretariat@example.org", "/contributions/donors", "Donors & agreements"),
        ("secretariat@example.org", "/contributions/ledger", "Fund ledger"),
        ("secretariat@example.org", "/contributions/rates", "UN operational rates of exchange"),
        ("secretariat@example.org", "/contributions/deposits/import", "Import deposits"),
        ("chair@example.org", "/contributions/funding-status", "Funding status"),
        ("donor@example.org", "/donor", "Germany, Federal Foreign Office"),
        ("secretariat@example.org", "/secretariat", "Fund Management Unit: your work"),
    ],
)
def test_contributions_pages_render(page, screenshot, email, path, heading):
    sign_in(page, email)
    page.wait_for_url("**/*")
    page.goto(path)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    slug = path.strip("/").split("?")[0].replace("/", "-")
    screenshot(page, f"{slug}-{email.split('@')[0]}")
