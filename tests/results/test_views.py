"""Results pages: the framework per area, its forms (errors next to the field), alignment indicators."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.demo.results import seed_results
from fundapp.reference.models import Marker, ThematicArea
from fundapp.results import services
from fundapp.results.models import AlignmentIndicator, FundIndicator, FundOutcome
from tests.results.conftest import indicator_input

INDICATOR_FORM = {
    "code": "1.1.d",
    "name": "Number of national statistical offices publishing migration data",
    "unit": "count",
    "baseline_value": "2",
    "baseline_year": "2019",
    "target_value": "10",
    "target_year": "2024",
    "means_of_verification": "Publications",
    "by_sex": "y",
}


def _outcome(db, code: str = "1.1") -> FundOutcome:
    return db.session.scalar(sa.select(FundOutcome).where(FundOutcome.code == code))


def _indicator(db, code: str) -> FundIndicator | None:
    return db.session.scalar(sa.select(FundIndicator).where(FundIndicator.code == code))


@pytest.mark.parametrize("email", ["applicant@example.org", "donor@example.org", "member1@example.org"])
def test_framework_is_readable_by_every_fund_role_without_edit_links(client, login, db, email):
    seed_results()
    login(email)
    page = client.get("/results/framework?area=TA1").get_data(as_text=True)
    assert "Number of government institutions with strengthened capacity to collect and use" in page
    assert "New outcome" not in page
    assert "Add indicator" not in page
    assert "Retire" not in page


def test_framework_shows_the_chosen_area_with_units_and_edit_links(client, login, db):
    seed_results()
    login("secretariat@example.org")
    page = client.get("/results/framework?area=TA4").get_data(as_text=True)
    assert "TA4 Facilitating regular migration" in page
    assert "US$ 5,000,000.00" in page  # diaspora investment target, an amount
    assert "90%" in page  # a percentage baseline
    assert "by migratory status" in page
    assert "New outcome in TA4" in page
    assert "Governments collect, analyse" not in page  # another area's outcome


def test_framework_defaults_to_the_first_area(client, login, db):
    login("applicant@example.org")
    page = client.get("/results/framework?area=NOPE").get_data(as_text=True)
    assert "<h2>TA1 " in page
    assert "No outcome in this area yet." in page


def test_new_indicator_shows_the_rule_next_to_the_field_then_saves(client, login, db):
    seed_results()
    login("secretariat@example.org")
    url = f"/results/framework/outcomes/{_outcome(db).id}/indicators/new"
    response = client.post(url, data={**INDICATOR_FORM, "target_year": "2019"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert (
        '<p class="error" id="target_year-error">The target year must come after the baseline year (2019).</p>' in page
    )
    assert _indicator(db, "1.1.d") is None
    duplicate = client.post(url, data={**INDICATOR_FORM, "code": "1.2.a"}).get_data(as_text=True)
    assert "The area already has an indicator 1.2.a" in duplicate
    response = client.post(url, data=INDICATOR_FORM)
    assert response.status_code == 302
    created = _indicator(db, "1.1.d")
    assert response.headers["Location"].endswith(f"/results/framework?area=TA1#indicator-{created.id}")
    assert created.by_sex
    assert not created.by_age_group
    assert created.target_value == Decimal(10)


def test_edit_indicator_shows_plain_values(client, login, db):
    seed_results()
    login("secretariat@example.org")
    indicator = _indicator(db, "1.1.a")
    page = client.get(f"/results/framework/indicators/{indicator.id}/edit").get_data(as_text=True)
    assert 'name="target_value" required step="any" type="number" value="40"' in page
    response = client.post(
        f"/results/framework/indicators/{indicator.id}/edit",
        data={**INDICATOR_FORM, "code": "1.1.a", "target_value": "45"},
    )
    assert response.status_code == 302
    assert indicator.target_value == Decimal(45)


def test_outcome_form_creates_and_refuses_a_duplicate_code(client, login, db):
    login("secretariat@example.org")
    area = db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == "TA5"))
    url = f"/results/framework/areas/{area.id}/outcomes/new"
    assert client.post(url, data={"code": "5.1", "statement": "Migrants access services."}).status_code == 302
    page = client.post(url, data={"code": "5.1", "statement": "Again"}).get_data(as_text=True)
    assert '<p class="error" id="code-error">The area already has an outcome 5.1.</p>' in page


def test_retire_and_reinstate_an_indicator(client, login, db):
    seed_results()
    login("secretariat@example.org")
    indicator = _indicator(db, "2.1.a")
    url = f"/results/framework/indicators/{indicator.id}/active"
    assert client.post(url, data={"active": "0"}).status_code == 302
    assert not indicator.is_active
    page = client.get("/results/framework?area=TA2").get_data(as_text=True)
    assert "Number of migrants in vulnerable situations who received protection" not in page
    assert "Number of migrants in vulnerable situations" in client.get(
        "/results/framework?area=TA2&retired=1"
    ).get_data(as_text=True)
    assert client.post(url, data={"active": "1"}).status_code == 302
    assert indicator.is_active
    assert client.post(url, data={"active": "maybe"}).status_code == 400


def test_delete_of_a_linked_indicator_is_refused_with_a_message(client, login, db, linked):
    seed_results()
    login("secretariat@example.org")
    indicator = _indicator(db, "3.1.a")
    linked[indicator.id] = 2
    page = client.get("/results/framework?area=TA3").get_data(as_text=True)
    assert "2 linked" in page  # the page offers retiring, not deleting
    confirm = client.get(f"/results/framework/indicators/{indicator.id}/delete").get_data(as_text=True)
    assert "This cannot be deleted. 2 programme indicators link to it: retire it instead." in confirm
    assert "<form" not in confirm.split("<main", 1)[-1].split("</main>")[0]
    response = client.post(f"/results/framework/indicators/{indicator.id}/delete", follow_redirects=True)
    assert "2 programme indicators link to 3.1.a: retire it instead." in response.get_data(as_text=True)
    assert _indicator(db, "3.1.a") is not None
    del linked[indicator.id]
    assert "Delete indicator 3.1.a</button>" in client.get(
        f"/results/framework/indicators/{indicator.id}/delete"
    ).get_data(as_text=True)
    client.post(f"/results/framework/indicators/{indicator.id}/delete")
    assert _indicator(db, "3.1.a") is None


def test_framework_page_runs_a_bounded_number_of_queries(client, login, db, queries, secretariat):
    seed_results()
    login("secretariat@example.org")
    client.get("/results/framework?area=TA1")  # warm-up
    with queries() as small:
        assert client.get("/results/framework?area=TA1").status_code == 200
    outcome = _outcome(db, "1.3")
    for i in range(30):
        extra = services.create_outcome(secretariat, outcome.thematic_area, f"9.{i}", f"Outcome {i}")
        for j in range(3):
            services.create_indicator(secretariat, extra, indicator_input(code=f"9.{i}.{j}"))
    with queries() as large:
        assert client.get("/results/framework?area=TA1").status_code == 200
    assert len(large) == len(small)


def test_alignment_page_lists_every_principle_and_the_formula(client, login, db):
    seed_results()
    login("applicant@example.org")
    page = client.get("/results/alignment").get_data(as_text=True)
    for name in ("People-centred", "Rule of law and due process", "Whole-of-society approach"):
        assert name in page
    assert "Number of civil society and migrant organizations engaged" in page
    assert "the mean principle score ÷ 3 × 100" in page
    assert "yes scores 3, no scores 0" in page
    assert "New indicator" not in page
    assert "minimum 2" in page


def test_alignment_page_offers_loading_the_defaults_when_missing(client, login, db):
    login("secretariat@example.org")
    button = f"Load {len(services.alignment_from_file())} from the reference file"
    assert button in client.get("/results/alignment").get_data(as_text=True)
    client.post("/results/alignment/load")
    assert button not in client.get("/results/alignment").get_data(as_text=True)


def test_new_alignment_indicator_error_next_to_the_field_then_saves(client, login, db):
    login("secretariat@example.org")
    principle_id = db.session.execute(sa.text("SELECT id FROM guiding_principles WHERE code = 'j'")).scalar()
    form = {
        "principle_id": str(principle_id),
        "code": "WS-DIASPORA",
        "name": "Diaspora organizations engaged",
        "kind": "count",
        "marker_id": "0",
        "threshold_1": "3",
        "threshold_2": "2",
        "threshold_3": "5",
    }
    page = client.post("/results/alignment/new", data=form).get_data(as_text=True)
    assert 'id="threshold_1-error">Thresholds must not decrease' in page
    assert client.post("/results/alignment/new", data={**form, "threshold_1": "1"}).status_code == 302
    saved = db.session.scalar(sa.select(AlignmentIndicator).where(AlignmentIndicator.code == "WS-DIASPORA"))
    assert saved.thresholds == (Decimal(1), Decimal(2), Decimal(5))
    edit = client.get(f"/results/alignment/{saved.id}/edit").get_data(as_text=True)
    assert 'name="threshold_3" step="any" type="number" value="5"' in edit


def test_marker_minimums_form_saves(client, login, db):
    login("secretariat@example.org")
    markers = db.session.scalars(sa.select(Marker).order_by(Marker.id)).all()
    data = {}
    for i, marker in enumerate(markers):
        data[f"minimums-{i}-marker_id"] = str(marker.id)
        data[f"minimums-{i}-minimum"] = "3" if marker.code == "GEN" else "2"
    response = client.post("/results/alignment/markers", data=data, follow_redirects=True)
    assert "Marker minimum scores saved." in response.get_data(as_text=True)
    assert services.marker_minimums()["GEN"] == 3
    bad = client.post("/results/alignment/markers", data={**data, "minimums-0-minimum": "7"}, follow_redirects=True)
    assert "Each minimum is a whole score from 0 to 3." in bad.get_data(as_text=True)
    assert services.marker_minimums()["GEN"] == 3


def test_results_framework_is_in_the_navigation_for_everyone(client, login, db):
    login("donor@example.org")
    page = client.get("/results/framework").get_data(as_text=True)
    assert 'href="/results/framework"' in page
    assert 'href="/results/alignment"' in page  # linked from the page; in the menu for the secretariat only


def test_delete_outcome_asks_first_and_refuses_one_with_indicators(client, login, db):
    seed_results()
    login("secretariat@example.org")
    full = _outcome(db, "1.1")
    page = client.get(f"/results/framework/outcomes/{full.id}/delete").get_data(as_text=True)
    assert "This cannot be deleted. It has indicators" in page
    area = full.thematic_area
    empty = services.create_outcome(None, area, "1.9", "An outcome entered by mistake.")
    page = client.get(f"/results/framework/outcomes/{empty.id}/delete").get_data(as_text=True)
    assert "Delete outcome 1.9</button>" in page
    assert _outcome(db, "1.9") is not None  # asking deletes nothing
    assert client.post(f"/results/framework/outcomes/{empty.id}/delete").status_code == 302
    assert _outcome(db, "1.9") is None
