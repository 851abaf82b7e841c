"""Accounting periods in the browser: the secretariat closes a month, the ledger then refuses it, an administrator
reopens it with a reason."""

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.navigation import go


def test_secretariat_closes_a_month_and_an_administrator_reopens_it(page, screenshot):
    # The demo's books are closed through June 2021: July 2021 is next. No other browser test dates anything in it.
    sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    go(page, "Contributions", "Accounting periods")
    expect(page.get_by_role("heading", name="Next to close: July 2021")).to_be_visible()
    expect(page.get_by_text("Closed through June 2021.")).to_be_visible()
    screenshot(page, "periods-list")

    page.get_by_role("link", name="Review July 2021").click()
    expect(page.get_by_role("heading", name="What changed since the last close")).to_be_visible()
    page.get_by_role("button", name="Close July 2021").click()  # without ticking the reconciliation
    # The message stands next to the box (and the error summary above the form links to it).
    assert page.locator("#reconciled-error").inner_text() == "Confirm that the month is reconciled before closing it."
    page.get_by_label("I have reconciled this month").check()
    screenshot(page, "period-close-form")
    sent = page.eval_on_selector("form[action$='/close']", "f => Object.fromEntries(new FormData(f))")
    page.get_by_role("button", name="Close July 2021").click()
    expect(page.get_by_text("July 2021 is closed: its figures are stored")).to_be_visible()
    expect(page.get_by_text("The ledger still gives exactly the figures stored at the close.")).to_be_visible()
    screenshot(page, "period-closed")
    # The same form sent again (a resent request, a second tab): answered with the first result, closed once.
    again = page.request.post("/contributions/periods/2021-07/close", form=sent)
    assert again.ok
    assert "This form was already sent and recorded" in again.text()
    page.reload()
    history = page.get_by_role("list", name="History of the period")
    assert history.locator("li", has_text="Close").count() == 1

    # Interest dated in July 2021 is now refused next to its date; August takes it.
    go(page, "Contributions", "Ledger")
    page.get_by_role("link", name="Record interest, cost or charge").click()
    page.get_by_label("Kind").select_option("interest")
    page.get_by_label("Date").fill("2021-07-31")
    page.get_by_label("Amount (USD)").fill("10.00")
    page.get_by_role("button", name="Post to the ledger").click()
    error = page.locator("#entry_on-error")
    assert error.inner_text().startswith("July 2021 is closed: a posting cannot be dated in it.")
    screenshot(page, "period-posting-refused")
    page.get_by_role("button", name="Sign out").click()

    # An administrator reopens it, with the reason on record.
    sign_in(page, "admin@example.org")
    page.wait_for_url("**/admin")
    go(page, "Contributions", "Accounting periods")
    page.get_by_role("link", name="July 2021", exact=True).click()
    page.get_by_label("Reason for reopening").fill("A bank charge of July was missed in the reconciliation.")
    page.get_by_role("button", name="Reopen July 2021").click()
    expect(page.get_by_text("July 2021 is open again; the Fund Management Unit has been told.")).to_be_visible()
    expect(page.get_by_text("A bank charge of July was missed in the reconciliation.")).to_be_visible()
    screenshot(page, "period-reopened")
