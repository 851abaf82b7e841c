"""A visitor opens the transparency portal, follows a programme, downloads the IATI file and a CSV; a donor
downloads the annual financial report."""

import csv
import io
import re
from pathlib import Path

from lxml import etree
from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_visitor_follows_a_programme_and_downloads_iati_and_csv(page, live_server, screenshot):
    page.goto(live_server)
    page.get_by_role("link", name="See the transparency portal").click()
    expect(page.get_by_role("heading", name="Where the money comes from and where it goes")).to_be_visible()
    assert page.locator("svg.chart").count() >= 5
    screenshot(page, "transparency-portal")

    with page.expect_download() as csv_download:
        page.locator("#by-area").get_by_role("link", name="Download this table (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))
    assert rows
    assert "Allocated (USD)" in rows[0]

    first = page.locator("#programmes tbody tr").first.get_by_role("link")
    title = first.inner_text()  # "JP-0007 Title": the programme's reference, then its title
    reference, name = title.split(" ", 1)
    first.click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("heading", name="Participating organizations")).to_be_visible()
    screenshot(page, "transparency-programme")

    with page.expect_download() as iati_download:
        page.get_by_role("link", name="IATI 2.03 (XML)").first.click()
    doc = etree.parse(iati_download.value.path()).getroot()
    identifiers = [a.findtext("iati-identifier") for a in doc.iter("iati-activity")]
    activity = next(a for a in doc.iter("iati-activity") if a.findtext("iati-identifier").endswith(f"-{reference}"))
    assert activity.findtext("title/narrative") == name
    assert len(identifiers) > 1


def test_donor_picks_a_year_and_downloads_the_annual_report(page, live_server, screenshot):
    # The donor starts from its inbox, where last year's annual financial report is among the statements.
    sign_in(page, "donor5@example.org")
    page.wait_for_url("**/donor")
    page.locator("#inbox-statements").get_by_role("link", name=re.compile("^Annual financial report")).click()
    page.wait_for_url(re.compile(r".*/transparency/annual-report\?year=\d{4}$"))
    options = page.locator("#year option").all_inner_texts()
    page.select_option("#year", options[1])
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**year={options[1]}")  # the year's page has loaded before it is read
    expect(page.get_by_role("heading", name=f"Annual financial report {options[1]}")).to_be_visible()
    screenshot(page, "annual-report")
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download PDF").click()
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")


def test_visitor_sees_the_largest_contributors_then_every_one(page, live_server, screenshot):
    page.goto(live_server + "/transparency/")
    rows = page.locator("#capitalization tbody tr")
    assert rows.count() == 10  # the demo's 12 contributors: the 10 largest by name on the portal
    largest = rows.first.locator("td").first.inner_text()
    page.get_by_role("link", name="The 10 largest contributors are listed: see all 12").click()
    page.wait_for_url("**/transparency/contributors")
    expect(page.get_by_role("heading", name="Contributors", exact=True)).to_be_visible()
    every = page.locator("main tbody tr")
    assert every.count() == 12
    assert every.first.locator("td").first.inner_text() == largest
    screenshot(page, "transparency-contributors")
    page.get_by_role("link", name="Transparency").last.click()
    expect(page.get_by_role("heading", name="Capitalization and contributors")).to_be_visible()
