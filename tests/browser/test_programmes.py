"""A focal point reports progress; the secretariat returns the report, it is corrected and approved, and the
programme page and the fund results dashboard show the new progress."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def _programme_with_open_period(page) -> tuple[str, str]:
    """A programme led by applicant3@'s IOM (only the lead submits reports) with a period not yet reported:
    (programme URL, period value)."""
    page.goto("/programmes?status=active")
    urls = [link.get_attribute("href") for link in page.locator("table a[href^='/programmes/']").all()]
    for url in urls:
        page.goto(url)
        start = page.get_by_role("link", name="Start a progress report")
        led = page.locator("dl.facts dd", has_text="IOM International Organization for Migration").count()
        if start.count() and led:
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
    for indicator in focal.locator("fieldset.indicator-values").all():
        # Yes / no indicators are radio buttons: yes. Numbers: clear the breakdowns so totals are free, then give
        # percentages 55 and everything else a big figure.
        if indicator.get_by_role("radio").count():
            indicator.get_by_role("radio", name="Yes").check()
            continue
        for extra in indicator.locator(
            "input[name*='-sex-'], input[name*='-age_group-'], input[name*='-migratory']"
        ).all():
            extra.fill("")
        about = indicator.locator("p.small").first.inner_text()
        indicator.get_by_label("Actual", exact=True).fill("55" if about.startswith("Percentage") else "9999")
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
    expect(focal.get_by_text("Please explain the sharp rise.").first).to_be_visible()
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
    expect(secretariat.locator("#results").get_by_text("9,999").first).to_be_visible()
    screenshot(secretariat, "programme-page-results")
    secretariat.goto("/programmes/results")
    results_after = secretariat.locator("main").inner_text()
    assert results_after != results_before  # the approved actuals roll up into the fund's indicators
    assert re.search(r"\b\d{1,3},?\d{3}\b", results_after)
    screenshot(secretariat, "fund-results-dashboard")
    focal.context.close()
    secretariat.context.close()
