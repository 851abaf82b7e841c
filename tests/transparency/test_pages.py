"""The transparency page, programme pages, CSV tables, annual report and public programmes API."""

import csv
import html
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from fundapp.contributions import ledger
from fundapp.core import clock
from fundapp.core.money import format_money
from fundapp.reports import annual, transparency
from fundapp.results.alignment import ProgrammeAlignment
from fundapp.results.services import load_alignment_indicators
from tests.transparency.helpers import funded_programme, unfunded_programme


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_transparency_page_runs_a_bounded_number_of_queries(client, db, queries):
    funded_programme()
    client.get("/transparency/")
    with queries() as few:
        assert client.get("/transparency/").status_code == 200
    funded_programme("UNDP", "applicant@example.org")
    funded_programme("IOM", "applicant3@example.org")
    with queries() as many:
        assert client.get("/transparency/").status_code == 200
    assert len(many) == len(few)


def test_programme_page_runs_a_bounded_number_of_queries(client, db, queries):
    small = funded_programme()
    with queries() as few:
        assert client.get(f"/transparency/programmes/{small.id}").status_code == 200
    big = funded_programme("IOM", "applicant3@example.org")
    for line in big.budget_lines:
        ledger.post_transfer(None, "1000.00", big.id, line.organisation_id, date(2026, 10, 1))
        ledger.post_expenditure(None, "100.00", big.id, line.organisation_id, date(2026, 10, 2))
    with queries() as many:
        assert client.get(f"/transparency/programmes/{big.id}").status_code == 200
    assert len(many) == len(few)


def test_programme_page_shows_public_fields_and_money(client, db):
    document = funded_programme()
    note = document.concept_note
    ledger.post_transfer(None, "25000.00", document.id, document.budget_lines[0].organisation_id, date(2026, 10, 1))
    body = html.unescape(client.get(f"/transparency/programmes/{document.id}").get_data(as_text=True))
    assert note.title in body
    assert "Public summary of the programme." in body
    for participant in note.participants:
        assert participant.organisation.name in body
    assert format_money(Decimal("25000.00")) in body
    assert format_money(document.total) in body


def test_unfunded_programme_document_is_not_public(client, db):
    document = unfunded_programme()
    assert client.get(f"/transparency/programmes/{document.id}").status_code == 404
    assert client.get(f"/api/v1/programmes/{document.id}").status_code == 404
    assert document.concept_note.title not in client.get("/transparency/").get_data(as_text=True)


def test_filters_narrow_the_programme_list_and_its_csv(client, db):
    unicef = funded_programme()
    undp = funded_programme("UNDP", "applicant@example.org")
    assert unicef.concept_note.thematic_area_id == undp.concept_note.thematic_area_id  # same test note data
    page = client.get("/transparency/?organisation=UNDP").get_data(as_text=True)
    assert f"/transparency/programmes/{undp.id}" in page
    assert f"/transparency/programmes/{unicef.id}" not in page
    rows = _csv(client.get("/transparency/programmes.csv?organisation=UNDP"))
    # One identifier: the programme's reference, with the note it came from beside it.
    assert [(r["Reference"], r["Concept note"]) for r in rows] == [(undp.reference, undp.concept_note.reference)]
    assert len(_csv(client.get("/transparency/programmes.csv"))) == 2


def test_breakdown_csvs_add_up_to_the_ledger(client, db):
    document = funded_programme()
    ledger.post_transfer(None, "30000.00", document.id, document.budget_lines[0].organisation_id, date(2026, 10, 1))
    ledger.post_expenditure(None, "1000.00", document.id, document.budget_lines[0].organisation_id, date(2026, 10, 2))
    totals = ledger.category_totals()
    for table in ("areas", "organisations", "regions"):
        rows = _csv(client.get(f"/transparency/{table}.csv"))
        assert sum(Decimal(r["Allocated (USD)"]) for r in rows) == totals[ledger.EntryKind.allocation], table
        assert sum(Decimal(r["Transferred (USD)"]) for r in rows) == Decimal("30000.00"), table
        assert sum(Decimal(r["Expenditure (USD)"]) for r in rows) == Decimal("1000.00"), table


def test_page_has_charts_with_tables_and_csv_links_and_no_script(client, db):
    funded_programme()
    body = client.get("/transparency/").get_data(as_text=True)
    assert body.count("<svg") >= 5
    assert "<script" not in body
    for table in ("statement", "contributors", "areas", "organisations", "regions", "programmes"):
        assert f"/transparency/{table}.csv" in body


def test_alignment_section_without_assessments_shows_the_indicators(client, db):
    load_alignment_indicators()
    body = html.unescape(client.get("/transparency/").get_data(as_text=True))
    assert "No joint programme has been assessed against the guiding principles yet." in body
    indicators = transparency.alignment_section().indicators
    assert indicators
    for indicator in indicators:
        assert indicator.name in body


def test_alignment_section_shows_the_portfolio_when_programmes_are_assessed(client, db):
    def source():
        return [ProgrammeAlignment(1, "TA1", Decimal("100"), {"a": Decimal("2.50")}, Decimal("2.50"))]

    transparency.register_alignment_source(source)
    try:
        body = client.get("/transparency/").get_data(as_text=True)
    finally:
        transparency.unregister_alignment_source(source)
    assert "1 assessed joint programmes" in body
    assert "No joint programme has been assessed" not in body


def test_landing_page_and_footer_link_the_portal(client, db):
    body = client.get("/").get_data(as_text=True)
    assert body.count('href="/transparency/"') >= 2  # the landing page's link and the footer's


@pytest.mark.parametrize("year_offset", [0, 1])
def test_annual_report_columns_add_up(db, year_offset):
    funded_programme()
    document = funded_programme("UNDP", "applicant@example.org")
    ledger.post_transfer(None, "5000.00", document.id, document.budget_lines[0].organisation_id, date(2026, 10, 1))
    year = 2026 + year_offset
    report = annual.build(year)
    for _section, lines in report.overview:
        for line in lines:
            if line.kind != "percent":
                assert line.prior + line.current == line.cumulative, line.label
    overview = {line.label: line for _s, lines in report.overview for line in lines}
    transferred = overview["Transferred to participating organizations"]
    assert transferred.cumulative == Decimal("5000.00")
    assert transferred.current == (Decimal("5000.00") if year_offset == 0 else Decimal("0.00"))
    assert sum(r.values["transfer"][2] for r in report.organisations) == Decimal("5000.00")
    assert sum(d[4] for d in report.donors) == ledger.funding_status(date(year, 12, 31)).contributions


def test_annual_report_xlsx_has_every_table(client, db, login):
    funded_programme()
    login("donor@example.org")
    year = annual.available_years()[0]
    response = client.get(f"/transparency/annual-report/{year}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [f"Overview {year}", "Contributions by donor", "By organization", "By programme"]
    page = client.get(f"/transparency/annual-report?year={year}").get_data(as_text=True)
    assert f"/transparency/annual-report/{year}.pdf" in page


def test_programmes_api_paginates_and_filters(client, db):
    funded_programme()
    undp = funded_programme("UNDP", "applicant@example.org")
    first = client.get("/api/v1/programmes?per_page=1").json
    assert first["meta"] == {"page": 1, "per_page": 1, "total": 2, "pages": 2}
    second = client.get("/api/v1/programmes?per_page=1&page=2").json
    assert {first["data"][0]["id"], second["data"][0]["id"]} == {p.id for p in transparency.list_programmes()}
    only = client.get("/api/v1/programmes?organisation=UNDP").json["data"]
    assert [p["id"] for p in only] == [undp.id]
    assert client.get("/api/v1/programmes?sort=title").status_code == 400
    detail = client.get(f"/api/v1/programmes/{undp.id}").json
    assert detail["allocated_usd"] == f"{ledger.category_totals(programme_id=undp.id)[ledger.EntryKind.allocation]:.2f}"
    assert detail["transactions"][0]["kind"].startswith("Allocation from the")


def test_one_identifier_on_the_public_page_the_api_and_the_annual_report(client, db, login):
    """The programme's reference (JP-) everywhere, the note it came from (CN-) beside it."""
    document = funded_programme()
    note = document.concept_note.reference
    page = client.get(f"/transparency/programmes/{document.id}").get_data(as_text=True)
    assert f"<h1>{document.reference} " in page
    assert f"Joint programme {document.reference}, from concept note {note}" in page
    listed = client.get("/transparency/").get_data(as_text=True)
    assert f"from concept note {note}" in listed
    data = client.get(f"/api/v1/programmes/{document.id}").get_json()
    assert (data["reference"], data["concept_note_reference"]) == (document.reference, note)
    report = annual.build(clock.today().year)
    labels = [r.label for r in report.programmes]
    assert labels == [f"{document.reference} ({note}) {document.concept_note.title}"]
