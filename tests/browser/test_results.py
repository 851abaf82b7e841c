"""The secretariat adds an indicator to the fund-level results framework; everyone reads it."""

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.navigation import go


def test_secretariat_adds_an_indicator_to_the_fund_framework(page, screenshot):
    sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    go(page, "Programmes", "Results framework")
    page.wait_for_url("**/results/framework")
    assert page.get_by_role("heading", level=1).inner_text() == "Fund results framework"
    page.get_by_role("link", name="TA2").click()
    page.wait_for_url("**/results/framework?area=TA2")
    expect(page.get_by_role("heading", name="Outcome 2.1")).to_be_visible()
    screenshot(page, "results-framework")

    page.get_by_role("link", name="Add indicator to outcome 2.2").click()
    page.get_by_label("Code").fill("2.2.c")
    page.get_by_label("Unit").select_option("percentage")
    page.get_by_label("Indicator").fill("Percentage of migrant children in detention released to family-based care")
    page.get_by_label("Baseline value").fill("10")
    page.get_by_label("Baseline year").fill("2021")
    page.get_by_label("Target value").fill("80")
    page.get_by_label("Target year").fill("2020")
    page.get_by_label("Means of verification").fill("Government case-management data")
    page.get_by_label("Disaggregated by sex").check()
    page.get_by_label("Disaggregated by age group").check()
    page.get_by_role("button", name="Save indicator").click()
    error = page.locator("#target_year-error")
    assert error.inner_text() == "The target year must come after the baseline year (2021)."
    assert page.get_by_label("Target year").get_attribute("aria-invalid") == "true"
    expect(page.get_by_role("alert").first).to_be_visible()
    screenshot(page, "results-indicator-form-error")

    page.get_by_label("Target year").fill("2024")
    page.get_by_role("button", name="Save indicator").click()
    page.wait_for_url("**/results/framework?area=TA2#indicator-*")
    expect(page.get_by_text("Indicator 2.2.c added to outcome 2.2.")).to_be_visible()
    row = page.locator("tr", has_text="2.2.c")
    assert "80%" in row.inner_text()
    assert "by age group" in row.inner_text()
    screenshot(page, "results-framework-saved")

    go(page, "Set-up", "Alignment indicators")
    page.wait_for_url("**/results/alignment")
    expect(page.get_by_role("heading", name="(g) Gender-responsive")).to_be_visible()
    screenshot(page, "results-alignment")
    page.get_by_role("link", name="Add an indicator for Whole-of-society approach").click()
    page.get_by_label("Code").fill("WS-DIASPORA")
    page.get_by_label("Measure", exact=True).select_option("count")
    page.get_by_label("Indicator", exact=True).fill("Diaspora organizations engaged")
    page.get_by_label("Score 1 from").fill("4")
    page.get_by_label("Score 2 from").fill("2")
    page.get_by_label("Score 3 from").fill("6")
    page.get_by_role("button", name="Save indicator").click()
    assert "must not decrease" in page.locator("#threshold_1-error").inner_text()
    screenshot(page, "results-alignment-form-error")
    page.get_by_label("Score 1 from").fill("1")
    page.get_by_role("button", name="Save indicator").click()
    page.wait_for_url("**/results/alignment#alignment-*")
    expect(page.locator("tr", has_text="WS-DIASPORA")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "applicant@example.org")
    go(page, "Programmes", "Results framework")
    page.wait_for_url("**/results/framework")
    page.get_by_role("link", name="TA2").click()
    page.wait_for_url("**/results/framework?area=TA2")  # (asserting before the new page came was a race)
    page.locator("tr", has_text="2.2.c").wait_for()
    expect(page.locator("tr", has_text="2.2.c")).to_be_visible()
    assert page.get_by_role("link", name="Add indicator to outcome 2.2").count() == 0
