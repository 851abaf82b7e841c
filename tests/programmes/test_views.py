"""Programme and portfolio pages: who sees what, the money actions, CSV and bounded queries."""

import csv
import io
from datetime import date

import pytest

from fundapp.programmes import reporting, services
from tests.concept_notes.helpers import org, user
from tests.programmes.helpers import SECRETARIAT, make_programme
from tests.programmes.results_helpers import FOCAL, with_framework


def _active(db):
    programme = make_programme()
    tranche = services.plan_tranche(user(SECRETARIAT), programme, org("UNICEF").id, date(2026, 1, 15), "300000.00")
    services.release_tranche(user(SECRETARIAT), tranche, date(2026, 1, 15))
    services.record_expenditure(
        user(SECRETARIAT), programme, org("UNICEF").id, 2026, "interim", "150000.00", date(2026, 6, 1)
    )
    db.session.commit()
    return programme


def test_programme_page_shows_money_flows_per_organisation(db, client, login):
    programme = _active(db)
    login("secretariat@example.org")
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert programme.title in page
    assert "300,000.00" in page
    assert "150,000.00" in page
    assert "50.0%" in page
    assert "Plan a tranche" in page
    assert "Record expenditure" in page


def test_focal_points_of_participating_organisations_see_the_programme(db, client, login):
    programme = _active(db)
    login("applicant4@example.org")  # ILO: a participating organization, not the lead
    response = client.get(f"/programmes/{programme.id}")
    assert response.status_code == 200
    assert "Plan a tranche" not in response.get_data(as_text=True)
    assert programme.title in client.get("/programmes").get_data(as_text=True)


def test_focal_points_outside_the_programme_get_404_and_do_not_list_it(db, client, login):
    programme = _active(db)
    login("applicant@example.org")  # UNDP
    assert client.get(f"/programmes/{programme.id}").status_code == 404
    assert programme.reference not in client.get("/programmes").get_data(as_text=True)


def test_chair_releases_a_blocked_tranche_with_justification_through_the_page(db, client, login):
    programme = _active(db)
    tranche = services.plan_tranche(
        user(SECRETARIAT), programme, org("UNICEF").id, date(2026, 7, 1), "235000.00", min_spent_percent="70"
    )
    db.session.commit()
    login("secretariat@example.org")
    assert client.get(f"/programmes/tranches/{tranche.id}/release").status_code == 403
    assert "Blocked" in client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    login("chair@example.org")
    response = client.post(f"/programmes/tranches/{tranche.id}/release", data={"released_on": "2026-07-02"})
    assert response.status_code == 200
    assert "justification" in response.get_data(as_text=True)
    response = client.post(
        f"/programmes/tranches/{tranche.id}/release",
        data={"released_on": "2026-07-02", "justification": "Harvest season delayed spending."},
    )
    assert response.status_code == 302
    assert tranche.released_on == date(2026, 7, 2)


def test_budget_form_shows_errors_next_to_the_field(db, client, login):
    programme = make_programme()
    db.session.commit()
    login("secretariat@example.org")
    response = client.post(f"/programmes/{programme.id}/budget", data={"organisation": "UNICEF", "staff": "900000.00"})
    assert response.status_code == 200
    assert "above its allocation" in response.get_data(as_text=True)


def test_portfolio_filters_and_csv(db, client, login):
    programme = _active(db)
    other = make_programme({"UNDP": "100000.00"}, lead="UNDP", email="applicant@example.org")
    db.session.commit()
    login("donor@example.org")
    page = client.get("/programmes?organisation=" + str(org("ILO").id)).get_data(as_text=True)
    assert programme.reference in page
    assert other.reference not in page
    page = client.get("/programmes?status=approved").get_data(as_text=True)
    assert other.reference in page
    assert programme.reference not in page
    page = client.get("/programmes?country=NPL&region=142").get_data(as_text=True)
    assert programme.reference in page
    assert "Nepal" in page
    rows = list(csv.reader(io.StringIO(client.get("/programmes.csv?status=active").get_data(as_text=True))))
    assert rows[0][:2] == ["reference", "concept_note_reference"]
    assert len(rows) == 2
    assert rows[1][:2] == [programme.reference, programme.document.concept_note.reference]
    assert rows[1][13] == "300000.00"
    assert rows[1][17] == "50.00"


def test_programme_and_portfolio_queries_are_bounded(db, client, login, queries):
    first = _active(db)
    login("secretariat@example.org")
    with queries() as small_page:
        client.get(f"/programmes/{first.id}")
    with queries() as small_list:
        client.get("/programmes")
    for _ in range(4):
        p = make_programme()
        tranche = services.plan_tranche(user(SECRETARIAT), p, org("ILO").id, date(2026, 1, 15), "1000.00")
        services.release_tranche(user(SECRETARIAT), tranche, date(2026, 1, 15))
        services.plan_tranche(user(SECRETARIAT), p, org("ILO").id, date(2026, 6, 15), "1000.00", min_spent_percent="70")
    db.session.commit()
    with queries() as big_list:
        client.get("/programmes")
    with queries() as big_page:
        client.get(f"/programmes/{p.id}")
    assert len(big_list) == len(small_list)
    assert len(big_page) <= len(small_page) + 2


def test_public_summary_adds_transfers_and_expenditure_per_area(db, client):
    _active(db)
    areas = {a["code"]: a for a in client.get("/api/v1/summary").get_json()["thematic_areas"]}
    assert areas["TA4"]["transfers_usd"] == "300000.00"
    assert areas["TA4"]["expenditure_usd"] == "150000.00"
    assert areas["TA1"]["transfers_usd"] == "0.00"


def _reported_programme(db):
    programme, (people, policy) = with_framework()
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    values = {people.id: ("10", {"sex": {"female": "6", "male": "4"}}), policy.id: ("1", {})}
    reporting.save_report(user(FOCAL), report, "n", "", values)
    reporting.submit_report(user(FOCAL), report, date(2026, 7, 1))
    reporting.approve_report(user(SECRETARIAT), report, date(2026, 7, 2))
    reporting.assess_alignment(
        user(SECRETARIAT), programme, "approval", date(2026, 2, 1), {"HR": 2, "GEN": 2, "CHILD": 1}, {}
    )
    db.session.commit()
    return programme


def test_dashboards_and_programme_page_queries_are_bounded(db, client, login, queries):
    first = _reported_programme(db)
    login("secretariat@example.org")
    pages = ["/programmes/results", "/programmes/alignment", f"/programmes/{first.id}"]
    small = {}
    for url in pages:
        with queries() as q:
            assert client.get(url).status_code == 200
        small[url] = len(q)
    for _ in range(3):
        _reported_programme(db)
    for url in pages:
        with queries() as q:
            client.get(url)
        assert len(q) == small[url], url


def test_alignment_dashboard_and_programme_chart(db, client, login):
    programme = _reported_programme(db)
    login("donor@example.org")
    page = client.get("/programmes/alignment").get_data(as_text=True)
    assert "Fund-wide alignment score" in page
    assert "<svg" in page
    assert programme.title in page  # flagged: CHILD below the minimum
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Below the minimum on CHILD" in page
    assert 'class="alignment-chart"' in page
    assert "Assess alignment" not in page


def test_a_refused_submission_keeps_what_was_entered(db, client, login):
    programme, (people, _policy) = with_framework()
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    db.session.commit()
    login(FOCAL)
    response = client.post(
        f"/programmes/reports/{report.id}/edit",
        data={"narrative": "", f"actual-{people.id}": "42", "submit_report": "1"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Saved, not submitted: Before submitting, give the narrative" in page
    assert 'value="42' in page
    assert report.status == "draft"
    assert [(v.indicator_id, v.actual) for v in report.values] == [(people.id, 42)]


def test_report_values_errors_show_next_to_their_inputs(db, client, login):
    programme, (people, _policy) = with_framework()
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    db.session.commit()
    login(FOCAL)
    key = f"actual-{people.id}"
    response = client.post(
        f"/programmes/reports/{report.id}/edit",
        data={"narrative": "n", key: "10", f"{key}-sex-female": "3", f"{key}-sex-male": "4"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please correct the values marked below." in page
    assert "The breakdown by sex adds up to 7, not the total of 10." in page
    assert 'value="3"' in page
    assert report.values == []


@pytest.mark.parametrize(
    ("lang", "principle"),
    [("fr", "Priorité à la dimension humaine"), ("es", "Centrarse en las personas"), ("ar", "محورية الإنسان")],
)
def test_alignment_dashboard_names_the_principles_in_the_readers_language(db, client, login, lang, principle):
    _reported_programme(db)
    login("donor@example.org")
    page = client.get("/programmes/alignment", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert principle in page
    assert "People-centred" not in page
