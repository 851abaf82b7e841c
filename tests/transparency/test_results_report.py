"""The results report: its PDF shows the results dashboard's figures, programme highlights from approved
reports only, and the alignment; it is public."""

import io
import re
from datetime import date

from pypdf import PdfReader

from fundapp.core import clock
from fundapp.programmes import reporting
from fundapp.reports import results_report
from fundapp.results.rollup import format_result
from tests.concept_notes.helpers import user
from tests.programmes.helpers import SECRETARIAT
from tests.programmes.results_helpers import FOCAL, with_framework
from tests.programmes.test_alignment import CASE_MARKERS, CASE_VALUES


def _pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def _programme_with_reports():
    programme, (people, policy) = with_framework()
    approved = reporting.start_report(user(FOCAL), programme, "2026-H1")
    values = {people.id: ("120", {"sex": {"female": "70", "male": "50"}}), policy.id: ("1", {})}
    reporting.save_report(user(FOCAL), approved, "Recruiters in two corridors now follow the code.", "", values)
    reporting.submit_report(user(FOCAL), approved, date(2026, 7, 20))
    reporting.approve_report(user(SECRETARIAT), approved, date(2026, 7, 25))
    draft = reporting.start_report(user(FOCAL), programme, "2026")
    values = {people.id: ("987654", {"sex": {"female": "987000", "male": "654"}}), policy.id: ("1", {})}
    reporting.save_report(user(FOCAL), draft, "Unapproved draft narrative.", "", values)
    reporting.assess_alignment(user(SECRETARIAT), programme, "approval", date(2026, 2, 1), CASE_MARKERS, CASE_VALUES)
    return programme


def test_results_report_pdf_shows_the_dashboard_figures(client, db, login):
    programme = _programme_with_reports()
    year = clock.today().year
    login("secretariat@example.org")
    dashboard = client.get("/programmes/results").get_data(as_text=True)
    text = _pdf_text(client.get(f"/transparency/results-report/{year}.pdf").data)
    rolled = [(area, row) for area, rows in reporting.fund_dashboard() for row in rows if row.rollup]
    assert rolled
    for area, row in rolled:
        figure = format_result(row.value, row.indicator.unit)
        assert figure in dashboard
        assert f"{row.indicator.code} " in text
        assert figure in text
        assert row.progress.text in text
        assert f"{area.code} " in text
    # Highlights: the approved report's narrative and actual; never the draft's.
    assert f"{programme.reference} {programme.title}" in text
    assert f"From concept note {programme.document.concept_note.reference}" in text
    assert "Recruiters in two corridors now follow the code." in text
    assert "987654" not in text
    assert "987,654" not in text
    assert "Unapproved draft" not in text
    # Alignment: the portfolio's fund score and its weakest principle.
    report = results_report.build(year)
    assert f"Fund score {report.fund_score:.2f} out of 100" in text
    assert report.weakest
    assert report.weakest[0][1] in text


def test_results_report_for_a_year_before_the_reports_leaves_them_out(db):
    _programme_with_reports()
    report = results_report.build(2025)
    assert all(row[5] == "–" for area in report.areas for row in area.rows)
    assert all(h.narrative == "" for h in report.highlights)


def test_results_report_page_is_public_and_links_the_pdf(client, db):
    _programme_with_reports()
    year = clock.today().year
    body = client.get(f"/transparency/results-report?year={year}").get_data(as_text=True)
    assert f"/transparency/results-report/{year}.pdf" in body
    assert "Recruiters in two corridors" in body
    assert "Unapproved draft" not in body


def test_excerpt_cuts_long_narratives_at_a_word():
    assert results_report.excerpt("a  b\nc") == "a b c"
    cut = results_report.excerpt("word " * 200, limit=22)
    assert cut == "word word word word …"


def test_results_report_runs_a_bounded_number_of_queries(client, db, queries):
    _programme_with_reports()
    year = clock.today().year
    with queries() as few:
        client.get(f"/transparency/results-report/{year}.pdf")
    for _ in range(2):
        _programme_with_reports()
    with queries() as many:
        response = client.get(f"/transparency/results-report/{year}.pdf")
    assert response.status_code == 200
    assert len(many) == len(few)
