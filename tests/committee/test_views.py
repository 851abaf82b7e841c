"""Committee pages: seats, the committee page, the criteria form; bounded queries."""

from datetime import date

import sqlalchemy as sa

from fundapp.committee import services
from fundapp.committee.models import CommitteeSeat, Constituency, ScoringCriterion
from fundapp.core.permissions import Role
from tests.concept_notes.helpers import make_call


def _criteria_form(rows):
    data = {}
    for i, (code, name, weight) in enumerate(rows):
        data |= {f"rows-{i}-code": code, f"rows-{i}-name": name, f"rows-{i}-weight": str(weight)}
    return data


ROWS = [
    ("RELEVANCE", "Relevance to the Compact", 30),
    ("PRINCIPLES", "Guiding principles", 25),
    ("FEASIBILITY", "Feasibility", 20),
    ("VALUE", "Value for money", 15),
    ("SUSTAINABILITY", "Sustainability", 15),
]


def test_criteria_page_offers_the_defaults_before_anything_is_saved(client, login):
    login("secretariat@example.org")
    page = client.get("/committee/criteria").get_data(as_text=True)
    assert "Not saved yet" in page
    assert 'value="Relevance to the Global Compact and the thematic area"' in page
    assert '<output id="weights-total" aria-live="polite" class="total-ok">100</output>' in page


def test_criteria_wrong_total_is_refused_next_to_the_total(client, login, db):
    login("secretariat@example.org")
    response = client.post("/committee/criteria", data=_criteria_form(ROWS))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The weights add up to 105; they must add up to 100." in page
    assert 'class="total-off">105</output>' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScoringCriterion)) == 0


def test_criteria_duplicate_code_is_shown_on_its_row(client, login):
    login("secretariat@example.org")
    rows = [*ROWS[:4], ("value", "Sustainability", 10)]
    page = client.post("/committee/criteria", data=_criteria_form(rows)).get_data(as_text=True)
    assert '<p class="error" id="rows-4-code-error">The code value is used twice.</p>' in page


def test_criteria_right_total_saves_skipping_empty_rows(client, login):
    login("secretariat@example.org")
    rows = [*ROWS[:4], ("SUSTAINABILITY", "Sustainability", 10), ("", "", "")]
    response = client.post("/committee/criteria", data=_criteria_form(rows))
    assert response.status_code == 302
    assert services.weights_for() == {
        "RELEVANCE": 30,
        "PRINCIPLES": 25,
        "FEASIBILITY": 20,
        "VALUE": 15,
        "SUSTAINABILITY": 10,
    }
    page = client.get("/committee/criteria").get_data(as_text=True)
    assert "Scoring criteria saved." in page
    assert "Not saved yet" not in page


def test_criteria_non_number_weight_is_a_field_error(client, login):
    login("secretariat@example.org")
    data = _criteria_form(ROWS) | {"rows-0-weight": "lots"}
    page = client.post("/committee/criteria", data=data).get_data(as_text=True)
    assert "Not a valid integer value." in page


def test_seats_page_lists_and_filters(client, login, committee):
    login("secretariat@example.org")
    page = client.get("/committee/seats").get_data(as_text=True)
    assert "12 voting seats and 2 observers sit today." in page
    assert "Youssef El Amrani" in page
    assert "Morocco" in page
    donors = client.get("/committee/seats?constituency=donor").get_data(as_text=True)
    assert "Katrin Weber" in donors
    assert "Youssef El Amrani" not in donors
    assert "No seat matches." in client.get("/committee/seats?status=ended").get_data(as_text=True)


def test_seats_page_runs_a_bounded_number_of_queries(client, login, committee, new_member, queries, user):
    login("secretariat@example.org")
    with queries() as few:
        client.get("/committee/seats")
    for i in range(8):
        member = new_member(f"extra{i}@example.org")
        services.create_seat(
            None, services.SeatInput(Constituency.donor, member.id, date(2020, 1, 1), organisation_id=None)
        )
    with queries() as many:
        page = client.get("/committee/seats")
    assert "extra7" in page.get_data(as_text=True)
    assert len(many) == len(few)


def test_new_seat_shows_errors_next_to_the_fields(client, login, user):
    login("secretariat@example.org")
    response = client.post(
        "/committee/seats/new",
        data={
            "constituency": "country_of_origin",
            "user_id": str(user("member9@example.org").id),
            "organisation_id": "0",
            "country_code": "",
            "term_start_on": "2019-05-08",
            "term_end_on": "2019-01-01",
            "is_voting": "y",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<p class="error" id="country_code-error">A seat for a country of origin needs the country.</p>' in page
    assert '<p class="error" id="term_end_on-error">The term cannot end before it starts.</p>' in page


def test_new_seat_created(client, login, user, db):
    login("secretariat@example.org")
    response = client.post(
        "/committee/seats/new",
        data={
            "constituency": "country_of_origin",
            "user_id": str(user("member9@example.org").id),
            "organisation_id": "0",
            "country_code": "BGD",
            "term_start_on": "2019-05-08",
            "is_voting": "y",
        },
    )
    assert response.status_code == 302
    seat = db.session.scalar(sa.select(CommitteeSeat))
    assert (seat.country_code, seat.organisation.code, seat.is_voting) == ("BGD", "GOV-BGD", True)


def test_edit_seat_and_end_term(client, login, committee, user, db):
    login("secretariat@example.org")
    seat = next(s for s in committee if s.user.email == "member5@example.org")
    response = client.post(
        f"/committee/seats/{seat.id}/edit",
        data={
            "constituency": "donor",
            "user_id": str(seat.user_id),
            "organisation_id": str(seat.organisation_id),
            "country_code": "",
            "term_start_on": "2019-06-01",
            "is_voting": "y",
        },
    )
    assert response.status_code == 302
    assert seat.term_start_on == date(2019, 6, 1)
    refused = client.post(f"/committee/seats/{seat.id}/end", data={"term_end_on": "2019-01-01"})
    assert "The term cannot end before it started." in refused.get_data(as_text=True)
    assert client.post(f"/committee/seats/{seat.id}/end", data={"term_end_on": "2021-12-31"}).status_code == 302
    assert not seat.is_active
    assert "Pieter de Vries" in client.get("/committee/seats?status=ended").get_data(as_text=True)


def test_unknown_seat_is_404(client, login):
    login("secretariat@example.org")
    assert client.get("/committee/seats/999999/edit").status_code == 404
    assert client.get("/committee/seats/999999/end").status_code == 404


def test_committee_page_shows_seats_quorum_and_criteria(client, login, committee):
    login("member6@example.org")
    page = client.get("/committee/members").get_data(as_text=True)
    assert "you hold the donor seat" in page
    assert "7 of 12" in page
    assert "the chair plus a majority of the voting seats" in page
    assert "Consensus" in page
    assert "Hana Sato" in page  # the administrative agent observes
    assert "Alignment with the guiding principles" in page


def test_committee_page_before_any_seat(client, login):
    login("chair@example.org")
    page = client.get("/committee/members").get_data(as_text=True)
    assert "No seat has been set up yet." in page
    assert "has not set the scoring criteria yet" in page


def test_nav_shows_committee_entries_by_role(client, login):
    login("secretariat@example.org")
    page = client.get("/committee/seats").get_data(as_text=True)
    assert 'href="/committee/criteria"' in page
    assert 'href="/committee/members"' not in page
    login("member1@example.org")
    page = client.get("/committee/members").get_data(as_text=True)
    assert 'href="/committee/members" aria-current="page"' in page
    assert 'href="/committee/seats"' not in page


def test_summary_api_counts_the_committee(client, committee):
    data = client.get("/api/v1/summary").get_json()
    assert data["steering_committee"]["voting_seats"] == 12
    assert data["steering_committee"]["observer_seats"] == 2
    assert Role.committee_member  # the summary never lists members by name
    assert "Amina Diallo" not in str(data)


def test_decision_settings_page_saves_the_rule(client, login, committee):
    login("secretariat@example.org")
    page = client.get("/committee/rules").get_data(as_text=True)
    assert "7 present" in page
    assert "including the chair" in page
    response = client.post(
        "/committee/rules",
        data={
            "decision_rule": "majority",
            "quorum": "more_than_half",
            "quorum_requires_chair": "y",
            "majority": "two_thirds",
            "majority_base": "votes_cast",
        },
    )
    assert response.status_code == 302
    page = client.get("/committee/rules").get_data(as_text=True)
    assert "two-thirds of the votes cast (8 if all 12 vote)" in page
    assert services.decision_config().majority.needed(12) == 8


def test_decision_settings_page_refuses_an_unknown_choice(client, login):
    login("secretariat@example.org")
    data = {"decision_rule": "unanimity", "quorum": "more_than_half", "majority": "x", "majority_base": "votes_cast"}
    page = client.post("/committee/rules", data=data).get_data(as_text=True)
    assert "Not a valid choice" in page
    assert services.decision_config().rule.value == "consensus"


def test_committee_page_runs_a_fixed_number_of_queries(client, login, committee, queries, new_member):
    login("member1@example.org")
    with queries() as few:
        client.get("/committee/members")
    for i in range(5):
        member = new_member(f"more{i}@example.org")
        services.create_seat(None, services.SeatInput(Constituency.un_network, member.id, date(2020, 1, 1)))
    with queries() as many:
        page = client.get("/committee/members").get_data(as_text=True)
    assert "more4" in page
    assert len(many) == len(few) <= 11  # 11: the user loader reads the server-side session row (issue 12)


def test_call_criteria_wrong_total_is_refused_and_right_total_gives_the_call_its_own_set(client, login, db):
    call = make_call()
    db.session.commit()
    login("secretariat@example.org")
    page = client.get(f"/committee/calls/{call.id}/criteria").get_data(as_text=True)
    assert "This call uses the fund's default criteria" in page
    response = client.post(f"/committee/calls/{call.id}/criteria", data=_criteria_form(ROWS))
    assert "The weights add up to 105; they must add up to 100." in response.get_data(as_text=True)
    assert services.weights_for(call.id) == {}
    rows = [*ROWS[:4], ("SUSTAINABILITY", "Sustainability", 10)]
    assert client.post(f"/committee/calls/{call.id}/criteria", data=_criteria_form(rows)).status_code == 302
    assert services.weights_for(call.id)["RELEVANCE"] == 30
    assert services.weights_for(None) == {}  # the default set is untouched
