"""Each role starts from its inbox, at desktop and phone widths; the menu opens on a phone; an inbox item leads to
its action; the header's search box and the readable audit log."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

INBOXES = [
    ("secretariat@example.org", "/secretariat", "Fund Management Unit: your work", "screening"),
    ("chair@example.org", "/committee", "Steering committee: your work", "closing"),
    ("member6@example.org", "/committee", "Steering committee: your work", "scoring"),
    ("applicant@example.org", "/applicant", "United Nations Development Programme: your work", "reports_due"),
    ("donor2@example.org", "/donor", "Netherlands, Ministry of Foreign Affairs", "instalments_due"),
    ("admin@example.org", "/admin", "Administration: your work", "accounts"),
]
WIDTHS = (1366, 390)


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize(("email", "path", "heading", "section"), INBOXES)
def test_each_role_lands_on_its_inbox_at_desktop_and_phone_widths(page, screenshot, email, path, heading, section):
    sign_in(page, email)
    page.wait_for_url(f"**{path}")
    name = email.split("@")[0]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        assert page.get_by_role("heading", level=1).inner_text() == heading
        summary = page.get_by_role("navigation", name="Your work at a glance")
        expect(summary).to_be_visible()
        expect(page.locator(f"#inbox-{section}")).to_be_visible()
        # Every section in the summary is on the page, with the same count.
        for link in summary.get_by_role("link").all():
            key = link.get_attribute("href").removeprefix("#")
            count = link.locator(".inbox-count").inner_text()
            assert page.locator(f"#{key} h2 .inbox-count").inner_text() == count
        assert _scroll_width(page) == width, f"{name} at {width} px scrolls sideways"
        screenshot(page, f"inbox-{name}-{width}")


def test_the_menu_opens_on_a_phone_and_its_groups_with_the_keyboard(page, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    menu = page.get_by_role("button", name="Menu")
    committee = page.locator(".nav-group summary", has_text="Committee")
    expect(menu).to_be_visible()
    expect(committee).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    expect(committee).to_be_visible()
    committee.focus()
    page.keyboard.press("Enter")  # a <summary> opens its group
    meetings = page.get_by_role("link", name="Meetings", exact=True)
    expect(meetings).to_be_visible()
    screenshot(page, "menu-phone-open")
    page.keyboard.press("Escape")
    expect(meetings).to_be_hidden()
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    expect(committee).to_be_hidden()
    assert _scroll_width(page) == 390


def test_the_desktop_menu_shows_one_group_at_a_time(page, screenshot):
    sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    top = page.locator(".mainnav-menu > li")
    assert top.count() <= 8
    page.locator(".nav-group summary", has_text="Contributions").click()
    expect(page.get_by_role("link", name="Exchange rates")).to_be_visible()
    page.locator(".nav-group summary", has_text="Set-up").click()
    expect(page.get_by_role("link", name="Exchange rates")).to_be_hidden()  # one group open at a time
    expect(page.get_by_role("link", name="Scoring criteria")).to_be_visible()
    screenshot(page, "menu-desktop-open")
    page.get_by_role("link", name="Scoring criteria").click()
    page.wait_for_url("**/committee/criteria")
    assert "current" in page.locator(".nav-group details", has_text="Set-up").get_attribute("class")


def test_secretariat_goes_from_an_inbox_item_to_its_action_and_back(page, screenshot):
    """Returns the oldest note waiting for screening, and finds the queue one shorter."""
    sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    section = page.locator("#inbox-screening")
    before = int(section.locator("h2 .inbox-count").inner_text())
    first = section.locator(".inbox-title").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r".*/concept-notes/\d+/screen$"))
    screenshot(page, "inbox-to-screening")
    page.get_by_label("Decision").select_option("returned")
    page.get_by_label("Comments to the applicant").fill("Please show how the government endorses the note.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(re.compile(r".*/concept-notes/\d+$"))
    page.get_by_role("link", name="Home", exact=True).click()
    page.wait_for_url("**/secretariat")
    section = page.locator("#inbox-screening")
    assert int(section.locator("h2 .inbox-count").inner_text()) == before - 1
    assert title not in section.inner_text()


def test_the_header_search_finds_and_opens_a_programme(page, screenshot):
    sign_in(page, "donor4@example.org")
    page.wait_for_url("**/donor")
    box = page.get_by_role("searchbox", name="Search notes, programmes, donors and organizations")
    box.fill("migrant")
    box.press("Enter")
    page.wait_for_url(re.compile(r".*/search\?q=migrant"))
    results = page.locator(".search-results li")
    assert results.count() > 0
    expect(page.get_by_role("link", name=re.compile(r"^Concept notes \(0\)"))).to_be_visible()  # a donor opens none
    screenshot(page, "search-results")
    hit = results.first.get_by_role("link")
    name = hit.inner_text()
    hit.click()
    page.wait_for_url(re.compile(r".*/programmes/\d+$"))
    assert name.split()[0] in page.get_by_role("heading", level=1).inner_text()


def test_the_audit_log_reads_as_sentences_with_the_details_one_click_away(page, screenshot):
    sign_in(page, "admin@example.org")
    page.wait_for_url("**/admin")
    page.locator(".nav-group summary", has_text="Administration").click()
    page.get_by_role("link", name="Audit log", exact=True).click()
    page.get_by_label("Object type").select_option(label="Concept notes (status)")
    page.get_by_role("button", name="Filter").click()
    first = page.locator(".audit-row").first
    sentence = first.locator(".audit-sentence").inner_text()
    # "Name (role) did something to CN-0037 ‘Title’ …": a person, and the note by its reference and title.
    assert re.match(r"^[A-Z][^()]+ \(", sentence), sentence
    assert re.search(r"CN-\d{4} ‘[^’]+’", sentence), sentence
    assert "concept_note" not in sentence
    details = first.locator("details")
    expect(details.locator("pre")).to_be_hidden()
    details.locator("summary").click()
    assert '"to":' in details.locator("pre").inner_text()
    screenshot(page, "audit-log-readable")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename == "audit-log.csv"
