"""Issue 16: the public pages, the results report and the exports stay bounded whatever the size of the fund.

The IATI file is streamed an activity at a time from batched queries; the transparency page names the largest
contributors and pages through the others; the results report pages its highlights (the PDF builds them in
batches and highlights the largest allocations of a large fund); the API's contributors are paginated and the
summary names the largest depositors only. Query counts at 1× and 10× are in tests/scale (tests/pages.py).
"""

import html
import io
import re
from datetime import datetime

import pytest
from lxml import etree
from pypdf import PdfReader

from fundapp.api import services as api_services
from fundapp.contributions import services
from fundapp.core import clock
from fundapp.core.money import money_str
from fundapp.demo.contributions import seed_contributions
from fundapp.reports import annual, iati, results_report, transparency
from tests.reports.test_iati import SCHEMA_PATH
from tests.transparency.helpers import seed_with_movements


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def test_iati_export_is_streamed_an_activity_at_a_time_and_is_the_same_document(client, db, schema, monkeypatch):
    seed_with_movements()
    monkeypatch.setattr(iati, "BATCH", 5)  # the demo's 12 funded programmes in three batches
    with clock.frozen(datetime(2026, 11, 30, 9, 0)):
        response = client.get("/api/v1/iati.xml")
        assert response.status_code == 200
        assert response.is_streamed
        chunks = list(response.response)  # the generator, read piece by piece
        whole = iati.render(iati.activities(), generated=clock.now())
    body = b"".join(chunks)
    doc = etree.fromstring(body)
    schema.assertValid(doc)
    activities = doc.findall("iati-activity")
    funded = transparency.funded_count()
    assert funded == 12
    assert len(activities) == 1 + funded
    assert len(chunks) == len(activities) + 2  # the opening, one piece per activity, the end
    children = [a.findtext("iati-identifier") for a in activities[1:]]
    assert [r.get("ref") for r in activities[0].findall("related-activity")] == children
    assert body == whole  # streaming changes nothing in the document


def test_transparency_page_names_the_largest_contributors_and_links_every_one(client, db, monkeypatch):
    seed_contributions()
    monkeypatch.setattr(transparency, "TOP_CONTRIBUTORS", 3)
    by_donor = services.capitalization().by_donor
    assert len(by_donor) == 12
    body = html.unescape(client.get("/transparency/").get_data(as_text=True))
    for name, _committed, _deposited in by_donor[:3]:
        assert name in body
    assert by_donor[-1][0] not in body
    assert "The 3 largest contributors are listed: see all 12" in body
    assert 'href="/transparency/contributors"' in body
    assert f"{len(by_donor)} contributors" in body  # the headline still counts them all


def test_contributors_page_lists_every_contributor_a_page_at_a_time_in_the_capitalization_order(
    client, db, monkeypatch
):
    seed_contributions()
    everyone = services.capitalization().by_donor
    rows = [row for page in (1, 2, 3) for row in transparency.contributors(page, 5)[0]]
    assert rows == everyone  # same names, commitments and deposits, same order, in three SQL pages
    assert transparency.contributors(3, 5)[1].total == 12
    monkeypatch.setattr(transparency, "CONTRIBUTORS_PER_PAGE", 5)
    body = html.unescape(client.get("/transparency/contributors?page=2").get_data(as_text=True))
    assert everyone[5][0] in body
    assert everyone[0][0] not in body
    assert "Page 2 of 3" in body
    assert client.get("/transparency/contributors?page=99").status_code == 200  # past the end: an empty page
    assert client.get("/transparency/contributors?page=10000000000000000000000").status_code == 400


def test_api_contributors_are_paginated_and_the_summary_names_the_largest_depositors(client, db, monkeypatch):
    seed_contributions()
    cap = services.capitalization()
    first = client.get("/api/v1/contributors?per_page=5").json
    assert first["meta"] == {"page": 1, "per_page": 5, "total": 12, "pages": 3}
    assert first["commitments_usd"] == money_str(cap.commitments_usd)
    assert first["deposits_usd"] == money_str(cap.deposits_usd)
    listed = [
        (row["donor"], row["commitments_usd"], row["deposits_usd"])
        for page in (1, 2, 3)
        for row in client.get(f"/api/v1/contributors?per_page=5&page={page}").json["contributors"]
    ]
    assert listed == [(name, money_str(c), money_str(d)) for name, c, d in cap.by_donor]
    monkeypatch.setattr(api_services, "SUMMARY_DONORS", 3)
    donors = client.get("/api/v1/summary").json["donors"]
    assert donors["count"] == 12
    assert [d["name"] for d in donors["deposits_by_donor"]] == [name for name, _c, _d in cap.by_donor[:3]]


def _pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_results_report_pages_its_highlights_and_its_pdf_highlights_the_largest_allocations(client, db, monkeypatch):
    documents = seed_with_movements()
    year = clock.today().year
    started = results_report.started_count(year)
    assert started == 12
    monkeypatch.setattr(results_report, "HIGHLIGHTS_PER_PAGE", 5)
    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/transparency/results-report?year={year}&page={page}").get_data(as_text=True)
        seen += re.findall(r'href="/transparency/programmes/(\d+)"', body)
        assert f"Page {page} of 3" in body
    assert sorted(map(int, seen)) == sorted(int(i) for i in transparency.funded_ids())
    assert len(seen) == started

    monkeypatch.setattr(results_report, "PDF_HIGHLIGHTS", 4)
    report = results_report.build(year, page=None)
    highlighted = [h.id for h in report.highlights]
    assert len(highlighted) == 4
    assert highlighted == sorted(highlighted)  # in reference order
    allocated = {p: m.allocated for p, m in transparency.programme_money().items()}
    smallest_shown = min(allocated[i] for i in highlighted)
    assert all(allocated[i] <= smallest_shown for i in transparency.funded_ids() if i not in highlighted)
    text = _pdf_text(client.get(f"/transparency/results-report/{year}.pdf").data)
    assert "The 4 joint programmes with the largest allocations are highlighted here, of the 12" in text
    assert text.count("From concept note") == 4
    assert documents  # the movements' programmes are among the funded


def test_results_report_pdf_of_a_small_fund_highlights_every_programme(client, db):
    seed_with_movements()
    year = clock.today().year
    text = _pdf_text(client.get(f"/transparency/results-report/{year}.pdf").data)
    assert text.count("From concept note") == 12
    assert "largest allocations are highlighted here" not in text


def test_breakdowns_by_area_and_region_are_the_programmes_totals(db):
    seed_with_movements()
    programmes = transparency.list_programmes()
    for rows, key in ((transparency.by_area(), lambda p: p.area_code), (transparency.by_region(), lambda p: p.region)):
        for row in rows:
            mine = [p for p in programmes if key(p) == row.key]
            assert row.programmes == len(mine), row.key
            for name, _label in transparency.MONEY_COLUMNS:
                assert getattr(row.money, name) == sum((getattr(p.money, name) for p in mine), 0), (row.key, name)
    assert sum(r.programmes for r in transparency.by_area()) == len(programmes) == transparency.funded_count()


def test_annual_report_page_shows_the_largest_rows_and_the_files_keep_every_one(client, db, login, monkeypatch):
    seed_with_movements()
    year = clock.today().year
    report = annual.build(year)
    assert len(report.donors) == 12
    assert len(report.programmes) == 12
    monkeypatch.setattr(annual, "PAGE_ROWS", 3)
    login("secretariat@example.org")
    body = html.unescape(client.get(f"/transparency/annual-report?year={year}").get_data(as_text=True))
    assert "The 3 largest of 12 donors by deposits; the PDF and the XLSX list every one." in body
    assert "The 3 joint programmes with the largest allocations, of 12; the PDF and the XLSX list every one." in body
    for name, *_values in report.donors[:3]:
        assert name in body
    assert report.donors[-1][0] not in body
    largest = sorted(report.programmes, key=lambda r: -r.values["allocation"][2])[:3]
    assert [r.label for r in report.page_programmes] == sorted(r.label for r in largest)
    workbook = client.get(f"/transparency/annual-report/{year}.xlsx")
    assert workbook.status_code == 200  # the files are built from the whole report (tests/transparency/test_pages)


def test_programmes_csv_is_streamed_from_batches_in_the_lists_order(client, db, monkeypatch):
    seed_with_movements()
    monkeypatch.setattr(transparency, "BATCH", 5)
    response = client.get("/transparency/programmes.csv")
    assert response.is_streamed
    lines = b"".join(response.response).decode().splitlines()
    listed = transparency.list_programmes()
    assert len(lines) == 1 + len(listed) == 13
    assert [line.split(",")[0] for line in lines[1:]] == [p.reference for p in listed]
