"""Issue 13 in a real browser: a discussion with a clarification question, joint ownership, one identifier per
programme, an upload that keeps the text typed, and layouts that fit a laptop and a phone.

Data of their own: CN-0007 (led by ILO, applicant4@, with UNDP, applicant@, as a partner) for the discussion, a new
note of UNICEF (applicant2@) for the upload; the layout checks only read.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

#: The demo's joint note led by ILO with UNDP (and UNCTAD) as partners, submitted and not yet screened.
JOINT_NOTE = 109


def _as(browser, live_server, email: str | None, width: int = 1280):
    page = browser.new_context(base_url=live_server, viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    if email:
        sign_in(page, email)
        page.wait_for_load_state()
    return page


def test_secretariat_asks_the_lead_answers_a_partner_reads(browser, live_server, screenshot):
    secretariat = _as(browser, live_server, "secretariat@example.org")
    secretariat.goto(f"/concept-notes/{JOINT_NOTE}")
    assert "ILO" in secretariat.locator("dl.facts").inner_text()
    secretariat.get_by_role("link", name="Start the discussion").click()
    secretariat.get_by_label("Your message").fill(
        "@applicant4 could you confirm how the budget is shared between ILO and UNDP in the second year?"
    )
    secretariat.get_by_label("Ask as a clarification question").check()
    secretariat.get_by_role("button", name="Post message").click()
    expect(secretariat.get_by_text("Clarification question sent")).to_be_visible()
    question = secretariat.locator("li.message-question").last
    assert "open" in question.locator(".badge").inner_text()
    assert question.locator(".mention").inner_text().startswith("@")  # the mention is highlighted with the name
    screenshot(secretariat, "discussion-question-asked")

    lead = _as(browser, live_server, "applicant4@example.org")
    lead.goto("/notifications/")
    expect(lead.get_by_text(re.compile(rf"CN-{JOINT_NOTE:04d}: .*mentioned you")).first).to_be_visible()
    # The question waits in the lead's inbox, and its link opens the thread at the question.
    lead.goto("/applicant")
    clarifications = lead.locator("#inbox-clarifications")
    assert "Clarification questions to answer" in clarifications.inner_text()
    asked = clarifications.locator(".inbox-item", has_text=f"CN-{JOINT_NOTE:04d}")
    assert "how the budget is shared" in asked.inner_text()
    screenshot(lead, "inbox-clarification-to-answer")
    asked.locator("a.inbox-title").click()
    lead.wait_for_url(re.compile(rf"/concept-notes/{JOINT_NOTE}/discussion#message-\d+$"))
    expect(lead.get_by_text("waiting for an answer from your organization")).to_be_visible()
    lead.get_by_role("link", name="Answer this question").last.click()
    lead.get_by_label("Your message").fill("ILO takes 60% of the direct costs in year two, UNDP 40%.")
    lead.get_by_role("button", name="Send answer").click()
    expect(lead.get_by_text("Answer sent")).to_be_visible()
    assert "answered" in lead.locator("li.message-question").last.locator(".badge").inner_text()
    screenshot(lead, "discussion-question-answered")
    lead.goto("/applicant")
    assert lead.locator("#inbox-clarifications .inbox-item", has_text=f"CN-{JOINT_NOTE:04d}").count() == 0

    partner = _as(browser, live_server, "applicant@example.org")
    partner.goto("/concept-notes/mine")
    row = partner.locator("tr", has=partner.get_by_role("link", name=f"CN-{JOINT_NOTE:04d}", exact=True))
    assert "Partner" in row.inner_text()
    row.get_by_role("link", name=f"CN-{JOINT_NOTE:04d}", exact=True).click()
    expect(partner.get_by_text("Your organization is a partner of this note")).to_be_visible()
    assert partner.get_by_role("link", name="Edit", exact=True).count() == 0  # only the lead edits
    partner.get_by_role("link", name="Open the discussion").click()
    thread = partner.locator("ol.thread").inner_text()
    assert "how the budget is shared" in thread
    assert "ILO takes 60% of the direct costs" in thread
    screenshot(partner, "discussion-read-by-a-partner")

    member = _as(browser, live_server, "member1@example.org")
    member.goto(f"/concept-notes/{JOINT_NOTE}/discussion")
    assert "ILO takes 60%" in member.locator("ol.thread").inner_text()
    assert member.get_by_label("Your message").count() == 0  # the committee reads
    donor = _as(browser, live_server, "donor@example.org")
    response = donor.goto(f"/concept-notes/{JOINT_NOTE}/discussion")
    assert response.status == 404
    visitor = _as(browser, live_server, None)
    visitor.goto(f"/concept-notes/{JOINT_NOTE}/discussion")
    assert "/login" in visitor.url
    for page in (secretariat, lead, partner, member, donor, visitor):
        page.context.close()


def test_uploading_a_file_keeps_the_text_typed(browser, live_server, screenshot, tmp_path):
    page = _as(browser, live_server, "applicant2@example.org")
    page.goto("/concept-notes/new")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r"/concept-notes/\d+/edit$"))
    page.get_by_label("Title", exact=True).fill("Safe migration information for young people")
    page.get_by_label("Context and problem", exact=True).fill(
        "Young people leave without knowing the risks of the route."
    )
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("Document", exact=True).select_option("endorsement")
    page.get_by_label("File (PDF, DOCX or XLSX, 10 MB at most)").set_input_files(str(letter))
    page.get_by_role("button", name="Upload, saving the draft").click()
    expect(page.get_by_text("Draft saved and letter.pdf attached.")).to_be_visible()
    assert page.get_by_label("Title", exact=True).input_value() == "Safe migration information for young people"
    assert "Young people leave" in page.get_by_label("Context and problem", exact=True).input_value()
    expect(page.locator("#s-attachments").get_by_role("link", name="letter.pdf")).to_be_visible()

    # A file that is not a PDF, DOCX or XLSX is refused beside the file field; the new text is saved anyway.
    page.get_by_label("Target groups", exact=True).fill("Young people aged 15 to 24 and their families.")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a document")
    page.get_by_label("File (PDF, DOCX or XLSX, 10 MB at most)").set_input_files(str(notes))
    page.get_by_role("button", name="Upload, saving the draft").click()
    expect(page.get_by_text("the file was not attached")).to_be_visible()
    assert "File not attached" in page.locator("#attachment_file-error").inner_text()
    screenshot(page, "note-upload-refused-text-kept")
    page.reload()
    assert "Young people aged 15 to 24" in page.get_by_label("Target groups", exact=True).input_value()
    page.context.close()


def test_one_identifier_from_the_donor_page_to_the_programme(browser, live_server, screenshot):
    donor = _as(browser, live_server, "donor@example.org")
    donor.goto("/contributions/my")
    link = donor.locator("table a[href^='/programmes/']").first
    label = link.inner_text()
    match = re.match(r"(JP-\d{4}) \((CN-\d{4})\) ", label)
    assert match, label  # "JP-0002 (CN-0037) Title", never "Programme 2"
    link.click()
    assert donor.get_by_role("heading", level=1).inner_text().startswith(match.group(1))
    assert f"from concept note {match.group(2)}" in donor.locator("main").inner_text()
    screenshot(donor, "programme-reached-from-the-donor-page")
    donor.goto("/transparency/")
    first = donor.locator("#programmes tbody tr").first
    assert re.match(r"JP-\d{4} ", first.get_by_role("link").inner_text())
    assert re.search(r"from concept note CN-\d{4}", first.inner_text())
    donor.context.close()


#: The main page of each role (where signing in lands) and the public pages.
MAIN_PAGES = [
    (None, "/"),
    (None, "/transparency/"),
    ("secretariat@example.org", "/home"),
    ("chair@example.org", "/home"),
    ("member1@example.org", "/home"),
    ("applicant@example.org", "/home"),
    ("donor@example.org", "/home"),
    ("admin@example.org", "/home"),
    ("secretariat@example.org", "/contributions/funding-status"),
    ("applicant@example.org", "/concept-notes/114/edit"),
    ("secretariat@example.org", "/programmes/5"),
]


@pytest.mark.parametrize("width", [1366, 390])
def test_main_pages_fit_the_screen(browser, live_server, screenshot, width):
    """No page is wider than the screen (tables may scroll inside their own box); at 1,366 px no table hides a
    column in its box and no headline amount wraps."""
    pages: dict[str | None, object] = {}
    for email, path in MAIN_PAGES:
        if email not in pages:
            pages[email] = _as(browser, live_server, email, width)
        page = pages[email]
        page.goto(path)
        where = path.strip("/").replace("/", "-") or "landing"
        screenshot(page, f"layout-{width}-{(email or 'visitor').split('@')[0]}-{where}")
        scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll_width == inner_width, f"{path} as {email}: {scroll_width} px wide at {inner_width} px"
        if width == 1366:
            hidden = page.evaluate(
                "Array.from(document.querySelectorAll('.table-wrap'))"
                ".filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.innerText.slice(0, 60))"
            )
            assert hidden == [], f"{path} as {email}: a table hides columns"
            wrapped = page.evaluate(
                "Array.from(document.querySelectorAll('.stat-value')).filter(v => /^US\\$/.test(v.innerText))"
                ".filter(v => v.getClientRects().length > 1 || v.getBoundingClientRect().height > 1.8 * "
                "parseFloat(getComputedStyle(v).lineHeight || 20)).map(v => v.innerText)"
            )
            assert wrapped == [], f"{path} as {email}: headline amounts wrap"
    for page in pages.values():
        page.context.close()
