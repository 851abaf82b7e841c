"""The committee's pipeline and funding scenarios in the browser: a constraint written wrongly is named next to its
field, a run says whether it is proven optimal, and a recused member sees the notes they are recused from listed
without score, rank or explanation."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_the_chair_runs_the_scenarios_with_minimum_shares(page, screenshot):
    sign_in(page, "chair@example.org")
    page.get_by_role("link", name="Pipeline", exact=True).first.click()
    expect(page.get_by_role("heading", name="Pipeline of joint programmes")).to_be_visible()
    screenshot(page, "committee-pipeline")
    page.get_by_role("link", name="Funding scenarios").click()
    expect(page.get_by_text("You have not run the scenarios yet")).to_be_visible()

    page.get_by_label("Minimum share per thematic area").fill("TA9=10")
    page.get_by_role("button", name="Run the scenarios").click()
    error = page.locator("#min_area-error")
    assert "Unknown thematic area 'TA9'" in error.inner_text()
    assert page.get_by_label("Minimum share per thematic area").get_attribute("aria-invalid") == "true"

    page.get_by_label("Minimum share per thematic area").fill("TA1=10")
    page.get_by_label("Minimum share per region").fill("Africa=25")
    page.get_by_role("button", name="Run the scenarios").click()
    expect(page.get_by_text("Scenarios run: the results are below.")).to_be_visible()
    assert "Best score: proven optimal." in page.locator("#solver-status").inner_text()
    assert page.get_by_label("Minimum share per thematic area").input_value() == "TA1=10"
    table = page.get_by_role("table", name="Scenario lines")
    expect(table.get_by_text(re.compile(r"^Funded \(score \d+\.\d\d\)")).first).to_be_visible()
    screenshot(page, "committee-scenario-optimal")

    page.get_by_role("link", name="Funded by best score").click()
    badges = table.locator("td:last-child .badge")
    assert badges.count() > 0
    assert set(badges.all_inner_texts()) == {"Funded"}


def test_a_recused_member_sees_the_notes_left_out(page, screenshot):
    sign_in(page, "member3@example.org")  # ILO: recused from the notes ILO takes part in
    page.goto("/committee/pipeline")
    recused = page.locator("td", has_text=re.compile("^recused$"))
    assert recused.count() > 0
    assert page.locator("tr", has=recused.first).locator("td").first.inner_text() == "–"
    page.goto("/committee/pipeline/scenario")
    page.get_by_role("button", name="Run the scenarios").click()
    hidden = page.locator("#hidden-note").inner_text()
    assert re.search(r"\d+ pipeline notes? whose scores you may not see", hidden)
    expect(page.get_by_text("Left out: you may not see this note's scores.").first).to_be_visible()
    screenshot(page, "committee-scenario-recused")
