"""Security in a real browser: the pages run under the Content-Security-Policy without a single violation (the
scripts are files, the progress bars need no inline style), and an applicant's uploads refuse a zip bomb and
lose a right-to-left override from the file name (applicant4@ of ILO, whose draft no other test touches)."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.concept_notes.helpers import PDF_BYTES
from tests.core.zips import GIB, docx_with

RLO = "\u202e"
#: Pages with a script, progress bars, charts and forms: none may trip the policy.
PAGES = [
    "/secretariat",
    "/contributions/capitalization",
    "/contributions/funding-status",
    "/programmes/results",
    "/programmes",
    "/programmes/2",
    "/committee/criteria",
    "/committee/meetings",
    "/concept-notes/",
    "/transparency/",
    "/api/v1/docs",
]


def _watch_policy(page) -> list[str]:
    """Collect what Chromium reports as refused by the Content-Security-Policy."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def test_pages_run_under_the_policy_without_a_violation(page, screenshot):
    refused = _watch_policy(page)
    sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
    assert refused == []

    # The scripts run (a file under static/js): the criteria total follows the weights as they are typed.
    page.goto("/committee/criteria")
    weights = page.locator(".weight-input")
    before = int(page.locator("#weights-total").inner_text())
    first = int(weights.first.input_value())
    weights.first.fill(str(first + 7))
    assert int(page.locator("#weights-total").inner_text()) == before + 7

    # The capitalization bars are as wide as their percentage, drawn by classes alone.
    page.goto("/contributions/capitalization")
    track = page.locator(".progress").first.bounding_box()
    for bar in ("progress-deposited", "progress-committed"):
        span = page.locator(f".progress .{bar}").first
        percent = int(re.search(r"pct-(\d+)", span.get_attribute("class")).group(1))
        assert 0 < percent <= 100
        assert abs(span.bounding_box()["width"] - track["width"] * percent / 100) < 2
    screenshot(page, "security-capitalization-bars")
    page.goto("/programmes/results")
    screenshot(page, "security-results-dashboard-bars")

    # And the watch works: markup with an inline style, added by the page, is refused and reported.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">inline</p>')")
    page.wait_for_timeout(200)
    assert any("style" in message for message in refused)


def test_an_applicant_upload_refuses_a_zip_bomb_and_cleans_the_name(page, screenshot):
    sign_in(page, "applicant4@example.org")
    page.wait_for_url("**/applicant")
    page.goto("/concept-notes/mine")
    # The organisation's own draft (the list also shows the joint notes it is a partner of, which it cannot edit).
    own = page.locator("tr").filter(has=page.get_by_role("cell", name="Lead", exact=True))
    own.get_by_role("link", name=re.compile("Strengthening migration data systems")).first.click()
    note_url = re.sub(r"/edit$", "", page.url.split("?")[0])
    page.goto(note_url + "/edit")
    upload = page.get_by_label("File (PDF, DOCX or XLSX, 10 MB at most)")

    upload.set_input_files(
        files=[{"name": "budget.docx", "mimeType": "application/octet-stream", "buffer": docx_with("word/a.bin", GIB)}]
    )
    page.get_by_role("button", name="Upload, saving the draft").click()
    # The refusal stands next to the file field (and in the form's error summary).
    expect(page.get_by_text(re.compile("unpacks to more than 50 MB")).first).to_be_visible()
    screenshot(page, "security-zip-bomb-refused")

    upload = page.get_by_label("File (PDF, DOCX or XLSX, 10 MB at most)")
    upload.set_input_files(files=[{"name": f"letter{RLO}fdp.exe", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    page.get_by_role("button", name="Upload, saving the draft").click()
    expect(page.get_by_text(re.compile("letterfdp.pdf attached"))).to_be_visible()
    expect(page.get_by_role("link", name="letterfdp.pdf")).to_be_visible()
    assert RLO not in page.content()
    screenshot(page, "security-upload-clean-name")
