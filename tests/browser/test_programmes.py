"""A focal point reports progress; the secretariat returns the report, it is corrected and approved, and the
programme page and the fund results dashboard show the new progress."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def _programme_with_open_period(page) -> tuple[str, str]:
    """A programme of applicant3@ (IOM) with a period not yet reported: (programme URL, period value)."""
    page.goto("/programmes?status=active")
    for link in page.locator("table a[href^='/programmes/']").all():
        url = link.get_attribute("href")
        page.goto(url)
        start = page.get_by_role("link", name="Start a progress report")
        if start.count():
            start.click()
            options = page.locator("#period option")
            if options.count():
                return url, options.first.get_attribute("value")
    raise AssertionError("no IOM programme with a period to report on")


def test_progress_report_returned_corrected_approved_and_rolled_up(browser, live_server, screenshot):
    focal = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}).new_page()
    sign_in(focal, "applicant3@example.org")
    url, _period = _programme_with_open_period(focal)
    focal.get_by_role("button", name="Start report").click()
    focal.wait_for_url("**/edit")
    focal.get_by_label("Narrative").fill("Search and rescue teams trained in three provinces.")
    actuals = focal.locator("input[name^='actual-']:not([name*='-sex']):not([name*='-age']):not([name*='-migratory'])")
    names = [actuals.nth(i).get_attribute("name") for i in range(actuals.count())]
    for name in names:
        # Clear breakdowns so totals are free; give yes/no indicators 1 and everything else a big figure.
        for extra in focal.locator(f"input[name^='{name}-']").all():
            extra.fill("")
        legend = focal.locator("fieldset", has=focal.locator(f"input[name='{name}']")).locator("legend").inner_text()
        focal.locator(f"input[name='{name}']").fill(
            "1" if "Yes / no" in legend else ("55" if "Percentage" in legend else "9999")
        )
    focal.get_by_role("button", name="Save and submit").click()
    expect(focal.get_by_text("Report submitted to the secretariat.")).to_be_visible()
    report_url = focal.url
    screenshot(focal, "programme-report-submitted")

    secretariat = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}).new_page()
    sign_in(secretariat, "secretariat@example.org")
    secretariat.goto(report_url)
    secretariat.get_by_label("Comments to the programme's focal points").fill("Please explain the sharp rise.")
    secretariat.get_by_role("button", name="Return for correction").click()
    expect(secretariat.get_by_text("Report returned to the focal points.")).to_be_visible()
    focal.goto(report_url)
    assert focal.get_by_text("Please explain the sharp rise.").first.is_visible()
    focal.get_by_role("link", name="Edit and submit").click()
    focal.get_by_label("Challenges").fill("The rise comes from a new province joining in the period.")
    focal.get_by_role("button", name="Save and submit").click()
    expect(focal.get_by_text("Report submitted to the secretariat.")).to_be_visible()
    secretariat.goto("/programmes/results")
    results_before = secretariat.locator("main").inner_text()
    secretariat.goto(report_url)
    secretariat.get_by_role("button", name="Approve").click()
    expect(secretariat.get_by_text("Report approved: its period is locked.")).to_be_visible()
    screenshot(secretariat, "programme-report-approved")

    secretariat.goto(url + "#results")
    assert secretariat.locator("#results").get_by_text("9,999").first.is_visible()
    screenshot(secretariat, "programme-page-results")
    secretariat.goto("/programmes/results")
    results_after = secretariat.locator("main").inner_text()
    assert results_after != results_before  # the approved actuals roll up into the fund's indicators
    assert re.search(r"\b\d{1,3},?\d{3}\b", results_after)
    screenshot(secretariat, "fund-results-dashboard")
    focal.context.close()
    secretariat.context.close()
