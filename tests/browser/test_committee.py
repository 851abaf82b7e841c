"""The secretariat keeps the committee: criteria weights (refused unless they sum to 100) and seats."""

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.navigation import go


def test_secretariat_edits_criteria_weights(page, screenshot):
    sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    go(page, "Set-up", "Scoring criteria")
    page.wait_for_url("**/committee/criteria")
    total = page.locator("#weights-total")
    assert total.inner_text() == "100"
    screenshot(page, "committee-criteria")

    weight = page.get_by_label("Weight, row 1")
    weight.fill("30")
    assert total.inner_text() == "105"  # the running total follows the typing
    page.get_by_role("button", name="Save criteria").click()
    error = page.locator("#total-error")
    assert error.inner_text() == "The weights add up to 105; they must add up to 100."
    expect(page.get_by_role("alert").first).to_be_visible()
    screenshot(page, "committee-criteria-error")

    page.get_by_label("Weight, row 5").fill("10")
    assert total.inner_text() == "100"
    page.get_by_role("button", name="Save criteria").click()
    page.wait_for_url("**/committee/criteria")
    expect(page.get_by_text("Scoring criteria saved.")).to_be_visible()
    assert page.get_by_label("Weight, row 1").input_value() == "30"
    assert page.get_by_label("Weight, row 5").input_value() == "10"


def test_secretariat_sees_seats_and_a_member_sees_the_committee(page, screenshot):
    sign_in(page, "secretariat@example.org")
    page.wait_for_url("**/secretariat")
    page.goto("/committee/seats")
    assert page.get_by_role("heading", level=1).inner_text() == "Committee seats"
    expect(page.get_by_role("cell", name="Country of destination")).to_be_visible()
    screenshot(page, "committee-seats")
    page.get_by_role("link", name="New seat").click()
    page.get_by_label("Constituency").select_option("country_of_transit")
    page.get_by_label("Member").select_option(label="Ada Admin (MPTF-FMU) · admin@example.org")
    page.get_by_label("Term starts").fill("2021-01-01")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#country_code-error").inner_text() == "A seat for a country of transit needs the country."
    user_error = page.locator("#user_id-error").inner_text()
    assert user_error == "Ada Admin is not a steering committee member; give the role first."
    screenshot(page, "committee-seat-form-error")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "member6@example.org")
    page.wait_for_url("**/committee")
    go(page, "Committee", "Steering committee")
    page.wait_for_url("**/committee/members")
    expect(page.get_by_text("you hold the donor seat")).to_be_visible()
    screenshot(page, "committee-members")
