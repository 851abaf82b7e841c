"""The committee's pages in Arabic (right to left) and French, as the chair and the secretariat see them."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

PAGES = [
    ("/committee/members", "اللجنة التوجيهية"),
    ("/committee/meetings", "اجتماعات اللجنة"),
    ("/committee/pipeline", "البرامج المشتركة المرشحة للتمويل"),
]


def _overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


@pytest.mark.parametrize("width", [1366, 390])
def test_committee_pages_in_arabic_read_right_to_left_without_overflow(page, screenshot, width):
    sign_in(page, "chair@example.org")
    page.wait_for_url(lambda url: not url.endswith("/login"))
    page.context.set_extra_http_headers({"Accept-Language": "ar"})
    page.set_viewport_size({"width": width, "height": 900})
    for url, heading in PAGES:
        page.goto(url)
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert not _overflows(page), url
        screenshot(page, f"committee-ar-{url.rsplit('/', 1)[-1]}-{width}")


def test_a_meeting_page_in_french(page, screenshot):
    sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    page.context.set_extra_http_headers({"Accept-Language": "fr"})
    page.goto("/committee/meetings")
    assert page.get_by_role("heading", level=1).inner_text() == "Réunions du Comité"
    page.locator("table a[href^='/committee/meetings/']").first.click()
    expect(page.get_by_role("heading", name="Ordre du jour")).to_be_visible()
    expect(page.get_by_text("Dossier du Comité (PDF)")).to_be_visible()
    screenshot(page, "committee-fr-meeting")
