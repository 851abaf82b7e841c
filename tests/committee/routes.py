from tests.routing import Route, statuses

SECRETARIAT = ("secretariat",)
COMMITTEE = ("committee_member", "committee_chair")

ROUTES = [
    Route("committee.members", "/committee/members", statuses(COMMITTEE)),
    Route("committee.seats", "/committee/seats", statuses(SECRETARIAT)),
    Route("committee.new_seat", "/committee/seats/new", statuses(SECRETARIAT)),
    Route(
        "committee.edit_seat",
        lambda f: f"/committee/seats/{f.seat_id('member5@example.org')}/edit",
        statuses(SECRETARIAT),
    ),
    Route(
        "committee.end_term",
        lambda f: f"/committee/seats/{f.seat_id('member6@example.org')}/end",
        statuses(SECRETARIAT),
    ),
    Route(
        "committee.end_term",
        lambda f: f"/committee/seats/{f.seat_id('member6@example.org')}/end",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"term_end_on": "2021-12-31"},
    ),
    Route("committee.criteria", "/committee/criteria", statuses(SECRETARIAT)),
    Route("committee.decision_settings", "/committee/rules", statuses(SECRETARIAT)),
]
