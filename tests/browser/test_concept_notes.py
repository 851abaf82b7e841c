"""A concept note's whole screening journey, in a real browser (applicant3@ of IOM, so other tests' data stays)."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in

TA4 = "TA4 Facilitating regular migration, decent work and enhancing the positive development effects of human mobility"


def _switch(page, email):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    sign_in(page, email)
    page.wait_for_load_state()


def _fill_complete(page):
    page.get_by_label("Title", exact=True).fill("Skills partnerships for migrant workers in South Asia")
    page.get_by_label("Direct costs of IOM").fill("900000")
    row = page.locator("select[aria-label='Participating organization 1']")
    ilo = row.locator("option", has_text="ILO –").first.get_attribute("value")
    row.select_option(ilo)
    page.get_by_label("Direct costs of participating organization 1").fill("600000")
    page.get_by_label("Thematic area", exact=True).select_option(label=TA4)
    page.get_by_label(re.compile(r"^6\. ")).check()
    page.get_by_label("Scope", exact=True).select_option("regional")
    page.get_by_label("Countries", exact=True).select_option(["NPL", "BGD"])
    page.get_by_label("Duration (months)").fill("24")
    page.get_by_label("Share of the budget for gender equality (%)").fill("30")
    for textarea in page.locator("#s-narrative textarea, #s-principles textarea").all():
        textarea.fill("Migrants, employers and ministries design and run the activities together.")
    for select in page.locator("#s-markers select").all():
        select.select_option("2")


def test_note_drafted_submitted_returned_resubmitted_and_found_eligible(page, screenshot):
    sign_in(page, "applicant3@example.org")
    page.wait_for_url("**/applicant")
    page.goto("/concept-notes/new")
    page.get_by_label("Working title").fill("Skills partnerships")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r"/concept-notes/\d+/edit$"))
    note_url = page.url.removesuffix("/edit")

    page.get_by_label("Duration (months)").fill("6")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    page.get_by_role("button", name="Submit for screening").click()
    problems = page.locator("#problems")
    expect(problems).to_be_visible()
    text = problems.inner_text()
    assert "At least 2 participating UN organizations" in text
    assert "between 12 and 36 months" in text
    expect(page.locator("#duration_months-error")).to_be_visible()
    screenshot(page, "concept-note-validation")

    _fill_complete(page)
    page.get_by_role("button", name="Submit for screening").click()
    page.wait_for_url(note_url)
    assert "submitted (version 1)" in page.locator(".flashes").inner_text()

    # The secretariat starts from its inbox: the note waits in "Concept notes to screen".
    reference = "CN-" + note_url.rsplit("/", 1)[1].zfill(4)
    _switch(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    to_screen = page.locator("#inbox-screening").get_by_role("link", name=re.compile(reference))
    if not to_screen.count():  # beyond the first few: the whole list
        page.locator("#inbox-screening").get_by_role("link", name=re.compile("^Show all")).click()
        to_screen = page.locator("#inbox-screening").get_by_role("link", name=re.compile(reference))
    to_screen.click()
    page.wait_for_url(note_url + "/screen")
    screenshot(page, "concept-note-screening")
    page.get_by_label("Decision").select_option("returned")
    page.get_by_label("Comments to the applicant").fill("Please add baselines to the expected results.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(note_url)

    # The applicant starts from the inbox too: the note is under "Notes returned for revision", with the comments.
    _switch(page, "applicant3@example.org")
    expect(page.locator(".count-badge")).to_be_visible()
    returned = page.locator("#inbox-returned")
    assert "Please add baselines to the expected results." in returned.inner_text()
    returned.get_by_role("link", name=re.compile(reference)).click()
    page.wait_for_url(note_url + "/edit")
    page.get_by_label("Expected results").fill("Baseline 2021: 0 agreements; target 2024: 3 bilateral agreements.")
    page.get_by_role("button", name="Resubmit for screening").click()
    page.wait_for_url(note_url)
    assert "version 2" in page.locator(".flashes").inner_text()

    _switch(page, "secretariat@example.org")
    page.goto(note_url + "/versions")
    expect(page.get_by_role("row", name=re.compile("Expected results"))).to_be_visible()
    screenshot(page, "concept-note-versions")
    page.goto(note_url + "/screen")
    for box in page.locator("input[name=manual_checks]").all():
        box.check()
    page.get_by_label("Decision").select_option("eligible")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(note_url)

    _switch(page, "applicant3@example.org")
    page.goto(note_url)
    timeline = page.get_by_label("Status timeline").inner_text()
    for step in ("Draft", "Submitted", "Returned for revision", "Eligible"):
        assert step in timeline
    assert page.locator(".page-head .badge").first.inner_text() == "Eligible"
    assert page.get_by_role("link", name="Edit", exact=True).count() == 0
    screenshot(page, "concept-note-eligible")


def test_lists_and_home_pages(page, screenshot):
    sign_in(page, "secretariat@example.org")
    page.goto("/concept-notes/")
    assert page.locator("tbody tr").count() == 25
    screenshot(page, "concept-notes-list")
    page.goto("/concept-notes/calls")
    screenshot(page, "concept-notes-calls")
    _switch(page, "applicant@example.org")
    page.goto("/applicant")
    expect(page.get_by_role("heading", name="Open calls")).to_be_visible()
    screenshot(page, "applicant-home")
    page.goto("/concept-notes/mine")
    screenshot(page, "applicant-notes")
