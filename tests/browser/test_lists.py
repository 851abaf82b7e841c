"""Long lists in the browser: the donors page and a donor's attribution, a page at a time through the pager."""

import re

from tests.browser.conftest import sign_in
from tests.browser.navigation import go


def test_secretariat_pages_through_the_donors_and_a_donor_through_its_attribution(page, screenshot):
    sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    go(page, "Contributions", "Donors & agreements")
    pager = page.locator("nav.pagination")
    assert "Page 1 of 2 · 12 in all" in pager.inner_text()
    first = page.locator("section.card h2").all_inner_texts()
    assert len(first) == 10
    assert first == sorted(first)
    pager.get_by_role("link", name="Next ›").click()
    page.wait_for_url(re.compile(r".*/contributions/donors\?page=2$"))
    second = page.locator("section.card h2").all_inner_texts()
    assert len(second) == 2
    assert not set(first) & set(second)
    assert "Page 2 of 2 · 12 in all" in page.locator("nav.pagination").inner_text()
    screenshot(page, "lists-donors-page-2")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "donor@example.org")
    page.wait_for_url("**/donor")
    go(page, "Contributions", "My contributions")
    uses = page.locator("nav.pagination", has_text="11 in all")
    assert "Page 1 of 2" in uses.inner_text()
    total = page.locator("tfoot", has_text="Total attributed").inner_text()
    rows = page.locator("tbody", has=page.locator("a[href^='/programmes/']")).locator("tr").count()
    assert rows == 10
    uses.get_by_role("link", name="Next ›").click()
    page.wait_for_url(re.compile(r".*/contributions/my\?uses=2$"))
    assert page.locator("tbody", has=page.locator("a[href^='/programmes/']")).locator("tr").count() == 1
    # The total is the donor's, over every row, on every page.
    assert page.locator("tfoot", has_text="Total attributed").inner_text() == total
    screenshot(page, "lists-attribution-page-2")
    page.locator("nav.pagination", has_text="11 in all").get_by_role("link", name="‹ Previous").click()
    page.wait_for_url(re.compile(r".*/contributions/my\?uses=1$"))
