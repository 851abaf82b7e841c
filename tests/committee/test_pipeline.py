"""The pipeline ranked in SQL over the frozen summaries (order, filters, pages, bounded queries), its CSV, and the
funding scenarios as pages: run on request, stored per person, validated next to each field; and no leak around
recusals in any channel (page, CSV, scenario, meeting pack, scores JSON)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from fundapp.committee import pipeline, services
from fundapp.committee.models import ItemKind, ScenarioLine, ScenarioRun
from fundapp.contributions import services as contributions
from tests.committee.decision_helpers import meeting_in_session, reviewed_note
from tests.committee.pipeline_helpers import endorsed_note, scores, undp_note_kwargs
from tests.concept_notes.helpers import area, user
from tests.contributions import factories
from tests.streaming import read_in_batches

CHAIR = "chair@example.org"
SECRETARIAT = "secretariat@example.org"
#: 25·4/4 + 25·3/4 + 20·4/4 + 15·3/4 + 15·3/4: a total no other figure on the pages shows.
HIDDEN_SCORES = {"RELEVANCE": 5, "PRINCIPLES": 4, "FEASIBILITY": 5, "VALUE": 4, "SUSTAINABILITY": 4}
HIDDEN_TOTAL = "86.25"


def _deposit(amount: str) -> None:
    agreement = factories.agreement("PHL", currency="USD", amount="50000000.00")
    contributions.record_deposit(None, agreement, Decimal(amount), date(2026, 2, 1))


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def fund(db):
    """Three endorsed notes: A (UNICEF with ILO, Nepal and Bangladesh: member3 of ILO is recused) scored 86.25,
    B (UNDP with UNFPA in Nepal: member1 is recused) 75.00, C (like A, in TA1) 70.00; US$ 2,475,000 to fund."""
    meeting = meeting_in_session(title="Pipeline meeting")
    a = endorsed_note(meeting, HIDDEN_SCORES, title="Note A")
    b = endorsed_note(meeting, scores(4), **undp_note_kwargs("Note B"))
    ta1 = area("TA1")
    c = endorsed_note(
        meeting, scores(4, 3), title="Note C", thematic_area_id=ta1.id, objective_ids=[ta1.objectives[0].id]
    )
    _deposit("2500000.00")
    db.session.commit()
    return {"a": a, "b": b, "c": c, "meeting": meeting}


# The ranking ------------------------------------------------------------------------------------------


def test_the_pipeline_is_ranked_by_the_frozen_score_then_the_earlier_note(fund, client, login):
    login(SECRETARIAT)
    rows = pipeline.ranked_page(user(SECRETARIAT), pipeline.PipelineFilters(), 1)[1]
    assert [(r.rank, r.note.id, r.score) for r in rows] == [
        (1, fund["a"].id, Decimal(HIDDEN_TOTAL)),
        (2, fund["b"].id, Decimal("75.00")),
        (3, fund["c"].id, Decimal("70.00")),
    ]
    page = _text(client.get("/committee/pipeline"))
    assert f">{HIDDEN_TOTAL}<" in page
    assert "Identified" in page


def test_ties_go_to_the_earlier_note(db, fund):
    d = endorsed_note(None, scores(4), title="Note D")  # 75.00 like B, later
    rows = pipeline.ranked_page(user(SECRETARIAT), pipeline.PipelineFilters(), 1)[1]
    assert [r.note.id for r in rows] == [fund["a"].id, fund["b"].id, d.id, fund["c"].id]


def test_filters_keep_the_ranks_of_the_whole_pipeline(fund, client, login):
    viewer = user(SECRETARIAT)
    by_area = pipeline.ranked_page(viewer, pipeline.PipelineFilters(area="TA1"), 1)[1]
    assert [(r.rank, r.note.id) for r in by_area] == [(3, fund["c"].id)]
    by_region = pipeline.ranked_page(viewer, pipeline.PipelineFilters(region="Asia"), 1)[1]
    assert [r.rank for r in by_region] == [1, 2, 3]
    assert pipeline.ranked_page(viewer, pipeline.PipelineFilters(region="Africa"), 1)[1] == []
    assert pipeline.ranked_page(viewer, pipeline.PipelineFilters(status="ready_for_implementation"), 1)[1] == []
    login(SECRETARIAT)
    page = _text(client.get("/committee/pipeline?area=TA1"))
    assert "Note C" in page
    assert "Note B" not in page


def test_the_ranking_is_paginated_in_sql(fund, client, login, monkeypatch):
    monkeypatch.setattr(pipeline, "PER_PAGE", 2)
    pagination, rows = pipeline.ranked_page(user(SECRETARIAT), pipeline.PipelineFilters(), 2)
    assert (pagination.total, pagination.pages) == (3, 2)
    assert [(r.rank, r.note.id) for r in rows] == [(3, fund["c"].id)]
    login(SECRETARIAT)
    page = _text(client.get("/committee/pipeline?page=2"))
    assert "Page 2 of 2" in page
    assert "Note C" in page
    assert "Note A" not in page


def test_the_ranking_is_cached_per_viewer_and_follows_the_records(fund, app, monkeypatch):
    """With the cache on, each viewer gets the page the uncached query gives them (a recused member's page is
    not another member's), and a change to the pipeline is seen at once."""
    store = app.extensions["fundapp.public_cache"]

    def ranks(email: str) -> list[tuple]:
        rows = pipeline.ranked_page(user(email), pipeline.PipelineFilters(), 1)[1]
        return [(r.rank, r.note.id, r.score, r.is_recused) for r in rows]

    viewers = (SECRETARIAT, "member1@example.org", "member3@example.org")
    uncached = {email: ranks(email) for email in viewers}
    monkeypatch.setitem(app.config, "PUBLIC_FIGURES_CACHE", True)
    store.clear()
    try:
        first = {email: ranks(email) for email in viewers}
        assert any(key[0] == "pipeline-ranking" for key in store.entries)
        assert {email: ranks(email) for email in viewers} == first == uncached
        a, b, c = fund["a"].id, fund["b"].id, fund["c"].id
        assert [(rank, note_id, recused) for rank, note_id, _score, recused in first["member1@example.org"]] == [
            (1, a, False),
            (2, c, False),
            (None, b, True),
        ]
        assert [(rank, note_id, recused) for rank, note_id, _score, recused in first["member3@example.org"]] == [
            (1, b, False),
            (None, a, True),  # C is like A: ILO is a partner of both
            (None, c, True),
        ]
        d = endorsed_note(None, scores(4), title="Note D")  # 75.00 like B, later: an audited change
        assert [note_id for _rank, note_id, _score, _recused in ranks(SECRETARIAT)] == [a, b, d.id, c]
    finally:
        store.clear()


@pytest.mark.parametrize("query", ["page=10%5E23", "page=-1", "page=0", "page=%D9%A3", "page=" + "9" * 400])
def test_a_page_that_cannot_be_is_a_400_with_a_message(client, login, query):
    login(SECRETARIAT)
    response = client.get(f"/committee/pipeline?{query}")
    assert response.status_code == 400
    assert "page must be a whole number from 1 to 100,000" in response.get_data(as_text=True)


def _count(queries, client, url, method="GET", data=None) -> int:
    with queries() as q:
        response = client.open(url, method=method, data=data)
        assert response.status_code in (200, 302), (url, response.status_code)
    return len(q)


def test_pipeline_scenario_and_csv_run_the_same_number_of_statements_with_three_times_the_notes(
    db, client, login, queries
):
    meeting = meeting_in_session(title="Pipeline meeting")
    endorsed_note(meeting, scores(4))
    endorsed_note(meeting, scores(3), **undp_note_kwargs())
    _deposit("2500000.00")
    db.session.commit()
    urls = [
        "/committee/pipeline",
        "/committee/pipeline.csv",
        "/committee/pipeline/scenario",
        "/committee/pipeline/scenario.csv",
    ]
    counts = {}
    for email in (CHAIR, "member3@example.org", SECRETARIAT):
        login(email)
        run = _count(queries, client, "/committee/pipeline/scenario", "POST", {"min_area": "TA4=10"})
        counts[email] = ([_count(queries, client, url) for url in urls], run)
    for value in (5, 4, 3, 4):
        endorsed_note(meeting, scores(value, 2))
    endorsed_note(meeting, scores(2), **undp_note_kwargs())
    endorsed_note(meeting, scores(5), **undp_note_kwargs())
    db.session.commit()
    for email in (CHAIR, "member3@example.org", SECRETARIAT):
        login(email)
        run = _count(queries, client, "/committee/pipeline/scenario", "POST", {"min_area": "TA4=10"})
        assert ([_count(queries, client, url) for url in urls], run) == counts[email], email


def test_the_csv_is_the_ranking_the_page_shows(fund, client, login):
    login(SECRETARIAT)
    response = client.get("/committee/pipeline.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["rank"], r["reference"], r["weighted_score"]) for r in rows] == [
        ("1", fund["a"].reference, HIDDEN_TOTAL),
        ("2", fund["b"].reference, "75.00"),
        ("3", fund["c"].reference, "70.00"),
    ]
    assert rows[0]["requested_usd"] == f"{fund['a'].budget_total:.2f}"


# No leak around recusals ---------------------------------------------------------------------------


def test_a_recused_member_sees_nothing_derived_from_the_hidden_score(fund, client, login):
    """member3 (ILO) is recused from A and C: their scores, their ranks and any total including them stay hidden;
    B is ranked first among what member3 may see."""
    member = login("member3@example.org")
    page = _text(client.get("/committee/pipeline"))
    assert HIDDEN_TOTAL not in page
    assert ">70.00<" not in page
    rows = pipeline.ranked_page(member, pipeline.PipelineFilters(), 1)[1]
    assert [(r.rank, r.note.id, r.score, r.is_recused) for r in rows] == [
        (1, fund["b"].id, Decimal("75.00"), False),
        (None, fund["a"].id, None, True),
        (None, fund["c"].id, None, True),
    ]
    assert page.count(">recused<") == 2

    exported = client.get("/committee/pipeline.csv").get_data(as_text=True)
    assert HIDDEN_TOTAL not in exported
    lines = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["rank"], r["weighted_score"]) for r in lines] == [("1", "75.00"), ("", "recused"), ("", "recused")]

    assert client.get("/committee/pipeline/scenario.csv").status_code == 404  # no run yet
    assert client.post("/committee/pipeline/scenario", data={"min_area": ""}).status_code == 302
    scenario_csv = client.get("/committee/pipeline/scenario.csv").get_data(as_text=True)
    assert HIDDEN_TOTAL not in scenario_csv
    assert "70.00" not in scenario_csv
    lines = list(csv.DictReader(io.StringIO(scenario_csv)))
    assert [(r["rank"], r["weighted_score"], r["best_score_funded"]) for r in lines] == [
        ("1", "75.00", "yes"),
        ("", "not shown", ""),
        ("", "not shown", ""),
    ]
    scenario = _text(client.get("/committee/pipeline/scenario"))
    assert HIDDEN_TOTAL not in scenario
    assert "70.00" not in scenario
    assert "score 86" not in scenario
    assert "Left out: you may not see this note's scores." in scenario
    run = client.application.extensions["sqlalchemy"].session.scalar(
        sa.select(ScenarioRun).where(ScenarioRun.user_id == member.id)
    )
    assert (run.items, run.hidden) == (1, 2)
    assert run.rank_score == run.best_score == Decimal("75.00")  # only B counts in member3's totals

    scores_json = client.get(f"/committee/notes/{fund['a'].id}/scores.json").get_json()
    assert scores_json["recused"] is True
    assert "results" not in scores_json


def test_the_chair_sees_every_score_and_the_full_scenario(fund, client, login):
    login(CHAIR)
    assert HIDDEN_TOTAL in _text(client.get("/committee/pipeline"))
    client.post("/committee/pipeline/scenario", data={"min_area": ""})
    scenario = _text(client.get("/committee/pipeline/scenario"))
    assert f"Funded (score {HIDDEN_TOTAL})" in scenario
    assert "Left out" not in scenario
    exported = list(csv.DictReader(io.StringIO(client.get("/committee/pipeline/scenario.csv").get_data(as_text=True))))
    assert [(r["rank"], r["weighted_score"]) for r in exported] == [("1", HIDDEN_TOTAL), ("2", "75.00"), ("3", "70.00")]
    assert exported[0]["best_score_reason"].startswith(f"Funded (score {HIDDEN_TOTAL})")


def test_the_meeting_pack_ranks_among_what_the_reader_may_see(db, fund, client, login):
    meeting = meeting_in_session(title="Funding meeting")
    for note in (fund["a"], fund["b"]):
        services.add_item(user(SECRETARIAT), meeting, ItemKind.other, title=f"About {note.reference}")
    under = reviewed_note(title="Under review")  # closed review, still under review: 73.75
    services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, under)
    db.session.commit()

    def pack(email):
        login(email)
        response = client.get(f"/committee/meetings/{meeting.id}/pack.pdf")
        assert response.status_code == 200
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)

    ranks = pipeline.pack_ranks(user(CHAIR), services.meeting_page(user(CHAIR), meeting))
    assert ranks == {under.id: 3}  # behind A (86.25) and B (75.00), ahead of C (70.00)
    member_ranks = pipeline.pack_ranks(
        user("member4@example.org"), services.meeting_page(user("member4@example.org"), meeting)
    )
    assert member_ranks == {under.id: 3}
    # member3 is recused from A, C and the note under review (ILO partner): nothing to rank, no score shown.
    text = pack("member3@example.org")
    assert "73.75" not in text
    assert HIDDEN_TOTAL not in text


# Scenarios as pages -----------------------------------------------------------------------------------


def test_a_page_view_never_runs_the_scenarios(fund, client, login, db):
    login(CHAIR)
    page = _text(client.get("/committee/pipeline/scenario?min_area=TA1%3D10"))
    assert "You have not run the scenarios yet" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScenarioRun)) == 0


def test_running_stores_the_last_result_and_the_page_shows_it(fund, client, login, db):
    chair = login(CHAIR)
    response = client.post("/committee/pipeline/scenario", data={"min_area": "TA1=20", "min_region": "asia=50"})
    assert response.status_code == 302
    page = _text(client.get("/committee/pipeline/scenario"))
    assert "Best score: proven optimal." in page
    assert 'value="TA1=20"' in page
    assert "with minimum shares TA1=20; asia=50" in page
    run = db.session.scalar(sa.select(ScenarioRun).where(ScenarioRun.user_id == chair.id))
    assert run.status == "optimal"
    lines = list(db.session.scalars(sa.select(ScenarioLine).where(ScenarioLine.run_id == run.id)))
    assert [line.concept_note_id for line in lines] == [fund["a"].id, fund["b"].id, fund["c"].id]
    # US$ 2,475,000 net: A (1.07 M) and C (1.07 M, TA1, 49.9% of the money) fit; TA1 ≥ 20% forces C in.
    assert [line.best_funded for line in lines] == [True, False, True]
    assert run.best_score == Decimal(HIDDEN_TOTAL) + Decimal("70.00")
    # Running again replaces the run (one per person).
    client.post("/committee/pipeline/scenario", data={"min_area": ""})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScenarioRun)) == 1
    best_only = _text(client.get("/committee/pipeline/scenario?show=best"))
    assert "Note A" in best_only
    assert "Note C" not in best_only


def test_each_person_sees_only_their_own_last_run(fund, client, login):
    login(CHAIR)
    client.post("/committee/pipeline/scenario", data={"min_area": "TA1=20"})
    login("member4@example.org")
    page = _text(client.get("/committee/pipeline/scenario"))
    assert "You have not run the scenarios yet" in page


def test_a_run_is_outdated_once_the_pipeline_or_the_pools_change(fund, client, login, db):
    login(CHAIR)
    client.post("/committee/pipeline/scenario", data={})
    assert "Scenario lines" in _text(client.get("/committee/pipeline/scenario"))
    _deposit("100000.00")
    db.session.commit()
    page = _text(client.get("/committee/pipeline/scenario"))
    assert "have changed since this run" in page
    assert "Scenario lines" not in page


def test_a_run_cut_by_the_time_limit_says_so(fund, client, login, db):
    chair = login(CHAIR)
    client.post("/committee/pipeline/scenario", data={})
    db.session.execute(sa.update(ScenarioRun).where(ScenarioRun.user_id == chair.id).values(status="feasible"))
    db.session.commit()
    page = _text(client.get("/committee/pipeline/scenario"))
    assert "the best combination found within the 5-second limit" in page
    assert "not proven optimal" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_area", "TA9=10", "Unknown thematic area &#39;TA9&#39;; the thematic areas are: TA1, TA2, TA3, TA4, TA5."),
        ("min_area", "TA1=Infinity", "a number from 0 to 100 with at most two decimals"),
        ("min_area", "TA1=NaN", "a number from 0 to 100 with at most two decimals"),
        ("min_area", "TA1=1e3", "a number from 0 to 100 with at most two decimals"),
        ("min_area", "TA1=-5", "a number from 0 to 100 with at most two decimals"),
        ("min_area", "TA1=12.345", "a number from 0 to 100 with at most two decimals"),
        ("min_area", "TA1=٣", "a number from 0 to 100 with at most two decimals"),
        ("min_area", "TA1=150", "The minimum share for TA1 must be a percentage from 0 to 100, not 150."),
        ("min_area", "TA1=60, TA2=50", "The minimum shares per thematic area add up to more than 100%."),
        ("min_area", "TA1=10, ta1=5", "TA1 is given twice."),
        ("min_area", "TA1", "Write each share as NAME=percent"),
        ("min_region", "Mars=10", "Unknown region &#39;Mars&#39;"),
        ("min_region", "Africa=70, Asia=40", "The minimum shares per region add up to more than 100%."),
        ("min_area", "TA1=1" + "0" * 600, "Field cannot be longer than 500 characters."),
    ],
)
def test_every_mistake_in_the_constraints_is_named_next_to_its_field(client, login, db, field, value, message):
    login(CHAIR)
    response = client.post("/committee/pipeline/scenario", data={field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<p class="error" id="{field}-error">' in page
    assert message in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScenarioRun)) == 0


def test_shares_are_accepted_in_any_case_and_with_a_percent_sign(fund, client, login, db):
    chair = login(CHAIR)
    assert client.post("/committee/pipeline/scenario", data={"min_area": "ta1=12.5%, TA4 = 10"}).status_code == 302
    run = db.session.scalar(sa.select(ScenarioRun).where(ScenarioRun.user_id == chair.id))
    assert run.min_area == "ta1=12.5%, TA4 = 10"
    assert run.status == "optimal"


def test_the_scenario_lines_list_the_hidden_notes_last_for_a_recused_member(fund, client, login, db):
    member = login("member1@example.org")  # UNDP: recused from B only
    client.post("/committee/pipeline/scenario", data={})
    run = db.session.scalar(sa.select(ScenarioRun).where(ScenarioRun.user_id == member.id))
    lines = list(db.session.scalars(sa.select(ScenarioLine).where(ScenarioLine.run_id == run.id)))
    assert [(line.concept_note_id, line.rank, line.score, line.is_hidden) for line in lines] == [
        (fund["a"].id, 1, Decimal(HIDDEN_TOTAL), False),
        (fund["c"].id, 2, Decimal("70.00"), False),
        (fund["b"].id, None, None, True),
    ]
    assert lines[2].rank_reason == lines[2].best_reason == ""


def test_declaring_a_conflict_after_running_hides_the_old_result(fund, client, login, db):
    member = login("member4@example.org")
    client.post("/committee/pipeline/scenario", data={})
    assert "Note A" in _text(client.get("/committee/pipeline/scenario"))
    services.declare_conflict(member, fund["a"], "My ministry co-funds it.")
    db.session.commit()
    page = _text(client.get("/committee/pipeline/scenario"))
    assert "have changed since this run" in page
    assert HIDDEN_TOTAL not in page


# The CSV, streamed ------------------------------------------------------------------------------------


def test_the_pipeline_csv_is_written_batch_by_batch(fund, client, login, monkeypatch):
    """One statement whose cursor is read CSV_BATCH rows at a time, each batch written before the next is read
    (scripts/bench.py measures the peak memory at 100×); the same document whatever the batch size, and a
    recused member's rows as hidden in many batches as in one."""
    for email in (SECRETARIAT, "member3@example.org"):
        login(email)
        body, batches = read_in_batches(monkeypatch, client, "/committee/pipeline.csv", pipeline, "ranked_batches", 2)
        rows = list(csv.DictReader(io.StringIO(body)))
        assert batches == [2, 1]
        assert len(rows) == 3
        whole, one = read_in_batches(monkeypatch, client, "/committee/pipeline.csv", pipeline, "ranked_batches", 500)
        assert one == [3]
        assert whole == body
        if email != SECRETARIAT:
            assert HIDDEN_TOTAL not in body
            assert [r["weighted_score"] for r in rows] == ["75.00", "recused", "recused"]
