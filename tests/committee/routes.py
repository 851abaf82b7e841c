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

CHAIR = ("committee_chair",)
CHAIR_OR_SECRETARIAT = ("committee_chair", "secretariat")
COMMITTEE_AND_SECRETARIAT = (*COMMITTEE, "secretariat")
SCORES = {"score_RELEVANCE": "4", "score_PRINCIPLES": "3", "score_FEASIBILITY": "4", "score_VALUE": "5"}

ROUTES += [
    Route("committee.queue", "/committee/scoring", statuses(COMMITTEE)),
    Route("committee.reviews_index", "/committee/reviews", statuses(CHAIR_OR_SECRETARIAT)),
    Route("committee.review", lambda f: f"/committee/notes/{f.review_note_id()}", statuses(COMMITTEE_AND_SECRETARIAT)),
    Route(
        "committee.scores_json",
        lambda f: f"/committee/notes/{f.review_note_id()}/scores.json",
        statuses(COMMITTEE_AND_SECRETARIAT),
    ),
    Route(
        "committee.score",
        lambda f: f"/committee/notes/{f.review_note_id()}/score",
        statuses(COMMITTEE, ok=302),
        method="POST",
        data={**SCORES, "score_SUSTAINABILITY": "3", "comment": "Good."},
    ),
    Route(
        "committee.declare_conflict",
        lambda f: f"/committee/notes/{f.review_note_id()}/conflict",
        statuses(COMMITTEE, ok=302),
        method="POST",
        data={"reason": "My spouse works on this programme."},
    ),
    Route(
        "committee.open_review",
        lambda f: f"/committee/notes/{f.review_note_id()}/open",
        statuses(CHAIR_OR_SECRETARIAT, ok=302),
        method="POST",
    ),
    Route(
        "committee.close_review",
        lambda f: f"/committee/notes/{f.review_note_id()}/close",
        statuses(CHAIR, ok=302),
        method="POST",
    ),
    Route(
        "committee.programme_document",
        lambda f: f"/committee/notes/{f.review_note_id()}/programme",
        statuses(SECRETARIAT),
    ),
    Route(
        "committee.programme_document",
        lambda f: f"/committee/notes/{f.review_note_id()}/programme",
        statuses(SECRETARIAT),
        method="POST",
        data={"summary": ""},
    ),
    Route("committee.meetings_index", "/committee/meetings", statuses(COMMITTEE_AND_SECRETARIAT)),
    Route("committee.new_meeting", "/committee/meetings/new", statuses(SECRETARIAT)),
    Route(
        "committee.new_meeting",
        "/committee/meetings/new",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"title": "Extraordinary meeting", "held_on": "2026-07-01", "location": "Geneva"},
    ),
    Route("committee.meeting", lambda f: f"/committee/meetings/{f.meeting_id()}", statuses(COMMITTEE_AND_SECRETARIAT)),
    Route(
        "committee.add_item",
        lambda f: f"/committee/meetings/{f.meeting_id()}/items",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"kind": "other", "title": "Report of the Fund Management Unit", "concept_note_id": "0"},
    ),
    Route(
        "committee.meeting_action",
        lambda f: f"/committee/meetings/{f.meeting_id()}/open",
        statuses(CHAIR, ok=302),
        method="POST",
    ),
    Route(
        "committee.attendance",
        lambda f: f"/committee/meetings/{f.meeting_id()}/attendance",
        statuses(CHAIR, ok=302),
        method="POST",
        data={"present": []},
    ),
    Route(
        "committee.vote",
        lambda f: f"/committee/items/{f.meeting_id(with_item=True)}/vote",
        statuses(COMMITTEE, ok=302),
        method="POST",
        data={"vote": "approve"},
    ),
    Route(
        "committee.decide",
        lambda f: f"/committee/items/{f.meeting_id(with_item=True)}/decide",
        statuses(CHAIR, ok=302),
        method="POST",
        data={"outcome": "approve"},
    ),
    Route(
        "committee.minutes",
        lambda f: f"/committee/meetings/{f.meeting_id()}/minutes",
        statuses(COMMITTEE_AND_SECRETARIAT),
    ),
    Route(
        "committee.minutes_pdf",
        lambda f: f"/committee/meetings/{f.meeting_id()}/minutes.pdf",
        statuses(COMMITTEE_AND_SECRETARIAT),
    ),
    Route(
        "committee.pack_pdf",
        lambda f: f"/committee/meetings/{f.meeting_id()}/pack.pdf",
        statuses(COMMITTEE_AND_SECRETARIAT),
    ),
    Route("committee.pipeline_page", "/committee/pipeline", statuses(COMMITTEE_AND_SECRETARIAT)),
    Route("committee.pipeline_page", "/committee/pipeline?area=TA1&page=2", statuses(COMMITTEE_AND_SECRETARIAT)),
    Route("committee.pipeline_page", "/committee/pipeline?page=10%5E23", statuses(COMMITTEE_AND_SECRETARIAT, ok=400)),
    Route("committee.pipeline_csv", "/committee/pipeline.csv", statuses(COMMITTEE_AND_SECRETARIAT)),
    Route("committee.scenario", "/committee/pipeline/scenario", statuses(COMMITTEE_AND_SECRETARIAT)),
    # Without a run of one's own there is nothing to download.
    Route("committee.scenario_csv", "/committee/pipeline/scenario.csv", statuses(COMMITTEE_AND_SECRETARIAT, ok=404)),
    Route(
        "committee.scenario",
        "/committee/pipeline/scenario",
        statuses(COMMITTEE_AND_SECRETARIAT, ok=302),
        method="POST",
        data={"min_area": "TA1=10", "min_region": ""},
    ),
    Route(
        "committee.scenario",
        "/committee/pipeline/scenario",
        statuses(COMMITTEE_AND_SECRETARIAT, ok=422),
        method="POST",
        data={"min_area": "TA9=10"},
    ),
]

ROUTES += [
    Route(
        "committee.withdraw_item",
        lambda f: f"/committee/items/{f.meeting_id(with_item=True)}/withdraw",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"reason": "Moved to the next meeting."},
    ),
]

ROUTES += [
    Route("committee.call_criteria", lambda f: f"/committee/calls/{f.call_id()}/criteria", statuses(SECRETARIAT)),
]
