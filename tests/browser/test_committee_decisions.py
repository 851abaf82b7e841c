"""A note goes through the committee: blind review, a meeting with attendance and votes, the chair's decision,
the applicant sees the outcome, and the minutes PDF records it."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import sign_in

#: Present at the browser meeting: the chair and six members (7 of 12 voting seats: a quorum).
PRESENT = [
    "Amina Diallo",
    "Katrin Weber",
    "Pieter de Vries",
    "Ingrid Solberg",
    "Youssef El Amrani",
    "Grace Okafor",
    "Ana Lima",
]
VOTERS = {
    "Amina Diallo": "chair@example.org",
    "Katrin Weber": "member4@example.org",
    "Pieter de Vries": "member5@example.org",
    "Ingrid Solberg": "member6@example.org",
    "Youssef El Amrani": "member7@example.org",
    "Grace Okafor": "member10@example.org",
    "Ana Lima": "member11@example.org",
}


def _switch(page, email: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, email)


def test_demo_meetings_give_the_expected_pipeline(page):
    data = page.request.get("/api/v1/summary").json()
    assert data["pipeline"] == {"identified": 34, "ready_for_implementation": 10}
    assert data["joint_programmes"] == {"funded": 12, "participating_un_organizations": 12}
    allocated = sum(float(a["allocations_usd"]) for a in data["thematic_areas"])
    assert 0 < allocated <= 30_000_000 * 0.99


def test_committee_reviews_meets_and_decides_and_the_applicant_sees_the_outcome(page, screenshot):
    # The secretariat opens the review of a newly eligible note led by UNDP (applicant@'s organisation).
    sign_in(page, "secretariat@example.org")
    page.goto("/committee/reviews")
    row = (
        page.locator("tr", has=page.get_by_role("button", name="Open review"))
        .filter(has=page.get_by_role("cell", name="UNDP", exact=True))
        .filter(has=page.locator(".badge-eligible"))  # a deferred note keeps its scores: it would not wait
        .first
    )
    link = row.get_by_role("link").first
    reference = link.inner_text()
    note_id = int(link.get_attribute("href").rstrip("/").split("/")[-1])
    row.get_by_role("button", name="Open review").click()
    expect(page.get_by_text(f"{reference} is open for scoring")).to_be_visible()
    # A member scores it blind, starting from the inbox: the note waits in "Reviews to score".
    _switch(page, "member4@example.org")
    page.wait_for_url("**/committee")
    page.locator("#inbox-scoring").get_by_role("link", name=re.compile(re.escape(reference))).click()
    page.wait_for_url(re.compile(rf".*/committee/notes/{note_id}(#score)?$"))
    screenshot(page, "committee-score-from-inbox")
    for radio in page.locator('input[type=radio][value="4"]').all():
        radio.check()
    page.get_by_label("Comment").fill("Convincing joint design.")
    screenshot(page, "committee-score-form")
    page.get_by_role("button", name="Save my scores").click()
    expect(page.get_by_text(f"Your scores for {reference} are saved")).to_be_visible()
    screenshot(page, "committee-scoring-queue")
    page.goto("/committee")
    assert page.locator("#inbox-scoring").get_by_role("link", name=re.compile(re.escape(reference))).count() == 0

    # The chair closes the review; the secretariat puts the note on a new meeting's agenda.
    _switch(page, "chair@example.org")
    page.goto(f"/committee/notes/{note_id}")
    page.get_by_role("button", name="Close the review and reveal the scores").click()
    expect(page.get_by_text("Convincing joint design.")).to_be_visible()
    screenshot(page, "committee-review-results")
    _switch(page, "secretariat@example.org")
    page.goto("/committee/meetings/new")
    page.get_by_label("Title").fill("Browser meeting")
    page.get_by_label("Date").fill("2026-12-01")
    page.get_by_role("button", name="Plan the meeting").click()
    page.get_by_label("Item").select_option("endorsement")
    page.get_by_label("Concept note").select_option(str(note_id))
    page.get_by_role("button", name="Add the item").click()
    expect(page.get_by_text("Item added to the agenda.")).to_be_visible()
    meeting_url = page.url.split("#")[0]

    # The chair opens the meeting and records attendance.
    _switch(page, "chair@example.org")
    page.goto(meeting_url)
    page.get_by_role("button", name="Open the meeting").click()
    for name in PRESENT:
        page.get_by_label(re.compile(f"^{name} — ")).check()
    page.get_by_role("button", name="Record attendance").click()
    expect(page.get_by_text("Attendance recorded. Quorum: 7 of 12 voting seats present")).to_be_visible()
    # Present, non-recused members vote.
    for name in PRESENT:
        _switch(page, VOTERS[name])
        page.goto(meeting_url)
        vote = page.get_by_role("button", name="Vote")
        if vote.count():
            page.get_by_label("Approve").check()
            vote.click()
            expect(page.get_by_text("Your vote is recorded.")).to_be_visible()

    # The chair records the decision, with a comment for the applicant.
    _switch(page, "chair@example.org")
    page.goto(meeting_url)
    page.get_by_label("Decision").select_option("endorse")
    page.get_by_label("Rationale (minutes)").fill("Well designed, strong government ownership.")
    page.get_by_label("Comment shared with the applicant").fill("Please start the joint programme document.")
    screenshot(page, "committee-meeting")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded: Endorsed into the pipeline.")).to_be_visible()
    page.get_by_role("button", name="Close the meeting").click()
    minutes = page.request.get(meeting_url + "/minutes.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(minutes.body())).pages)
    assert "Decision: Endorsed into the pipeline." in text
    assert "Well designed, strong government ownership." in text
    page.goto(meeting_url + "/minutes")
    screenshot(page, "committee-minutes")
    page.goto("/committee/pipeline")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    screenshot(page, "committee-pipeline")
    page.goto("/committee/pipeline/scenario?min_area=TA1%3D10")
    screenshot(page, "committee-scenario")

    # The applicant sees the outcome and the shared comment, never scores or votes.
    _switch(page, "applicant@example.org")
    page.goto(f"/concept-notes/{note_id}")
    expect(page.get_by_text("Please start the joint programme document.")).to_be_visible()
    body = page.content()
    assert "Convincing joint design." not in body
    assert "Well designed, strong government ownership." not in body
    screenshot(page, "committee-applicant-outcome")
