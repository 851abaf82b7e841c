"""Funding scenarios: rank order explained item by item; the best-score mode (CP-SAT) against brute force and
against the exact branch and bound it replaced (tests/committee/scenario_oracle.py)."""

import itertools
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundapp.committee.optimiser import (
    FEASIBLE,
    OPTIMAL,
    PipelineItem,
    Pools,
    ScenarioTooLarge,
    best_score,
    rank_order,
)
from tests.committee.scenario_oracle import oracle_best_score

D = Decimal


def item(id_, rank, score, amount, area="TA1", region="002"):
    return PipelineItem(id=id_, rank=rank, score=D(score), amount=D(amount), area=area, region=region)


POOLS = Pools({"TA1": D("500000.00"), "TA2": D("400000.00")}, D("500000.00"))
PIPELINE = [
    item(1, 1, "90.00", "1200000.00", "TA2"),
    item(2, 2, "85.00", "800000.00", "TA1"),
    item(3, 3, "80.00", "600000.00", "TA2"),
    item(4, 4, "70.00", "100000.00", "TA3"),
]


def test_rank_order_funds_what_fits_and_explains_each_item():
    scenario = rank_order(PIPELINE, POOLS)
    lines = {line.item.id: line for line in scenario.lines}
    assert [line.item.id for line in scenario.lines] == [1, 2, 3, 4]
    assert not lines[1].funded
    assert lines[1].reason.startswith("Needs 1,200,000.00, only 900,000.00 available for TA2")
    assert lines[2].funded
    assert (lines[2].from_earmarked, lines[2].from_unearmarked) == (D("500000.00"), D("300000.00"))
    assert lines[2].reason == (
        "Funded in rank order (rank 2): 500,000.00 from the TA1 earmarked pool and 300,000.00 from the unearmarked pool"
    )
    assert lines[3].funded
    assert (lines[3].from_earmarked, lines[3].from_unearmarked) == (D("400000.00"), D("200000.00"))
    assert not lines[4].funded
    assert "Needs 100,000.00, only 0.00 available for TA3" in lines[4].reason
    assert scenario.funded_total == D("1400000.00")
    assert scenario.score_total == D("165.00")
    assert scenario.remaining == Pools({"TA1": D("0.00"), "TA2": D("0.00")}, D("0.00"))
    assert scenario.funded_by("area") == {"TA1": D("800000.00"), "TA2": D("600000.00")}


def test_rank_order_a_later_smaller_item_still_fits():
    scenario = rank_order([item(1, 1, "90", "600"), item(2, 2, "80", "300")], Pools({}, D("500")))
    assert [line.funded for line in scenario.lines] == [False, True]


def test_best_score_beats_rank_order_when_a_big_item_crowds_out_two():
    items = [item(1, 1, "90.00", "1000"), item(2, 2, "60.00", "500"), item(3, 3, "55.00", "500")]
    pools = Pools({}, D("1000"))
    assert [i.id for i in rank_order(items, pools).funded] == [1]
    best = best_score(items, pools)
    assert [i.id for i in best.funded] == [2, 3]
    assert best.score_total == D("115.00")
    reason = best.lines[0].reason
    assert reason.startswith("Needs 1,000.00, only 0.00 available for TA1 once the higher-scoring combination")


def test_best_score_ties_go_to_the_better_rank_then_the_lower_id():
    pools = Pools({}, D("100"))
    items = [item(7, 2, "50.00", "100"), item(3, 2, "50.00", "100"), item(9, 1, "50.00", "100")]
    assert [i.id for i in best_score(items, pools).funded] == [9]
    assert [i.id for i in best_score(items[:2], pools).funded] == [3]


def test_best_score_minimum_share_changes_the_choice_and_explains_it():
    items = [
        item(1, 1, "90.00", "600", "TA1", "002"),
        item(2, 2, "80.00", "400", "TA1", "002"),
        item(3, 3, "40.00", "300", "TA2", "142"),
    ]
    pools = Pools({}, D("1000"))
    assert [i.id for i in best_score(items, pools).funded] == [1, 2]
    shared = best_score(items, pools, min_area_share={"TA2": D("30")})
    assert [i.id for i in shared.funded] == [1, 3]
    assert shared.funded_by("area") == {"TA1": D("600.00"), "TA2": D("300.00")}
    assert "TA2 below its minimum share of 30.0%" not in shared.lines[0].reason
    by_region = best_score(items, pools, min_region_share={"142": D("30")})
    assert [i.id for i in by_region.funded] == [1, 3]
    # Item 2 does not fit in what is left (100) after 1 and 3.
    assert shared.lines[1].reason.startswith("Needs 400.00, only 100.00 available for TA1")


def test_best_score_explains_an_item_left_out_for_a_share():
    items = [item(1, 1, "90.00", "500", "TA1"), item(2, 2, "80.00", "100", "TA1"), item(3, 3, "40.00", "300", "TA2")]
    scenario = best_score(items, Pools({}, D("1000")), min_area_share={"TA2": D("35")})
    assert [i.id for i in scenario.funded] == [1, 3]
    assert scenario.lines[1].reason == (
        "Fits in the money left, but adding it would leave TA2 below its minimum share of 35.0% (33.3% of 900.00)"
    )


@pytest.mark.parametrize(
    ("items", "pools", "message"),
    [
        ([item(1, 1, "50", "0")], Pools({}, D("1")), "must be positive"),
        ([item(1, 1, "50.001", "10")], Pools({}, D("1")), "two decimals"),
        ([item(1, 1, "50", "10"), item(1, 2, "50", "10")], Pools({}, D("1")), "unique"),
        ([item(1, 1, "50", "10")], Pools({}, D("-1")), "negative"),
    ],
)
def test_scenarios_refuse_bad_input(items, pools, message):
    with pytest.raises(ValueError, match=message):
        rank_order(items, pools)


def test_best_score_refuses_shares_over_100():
    with pytest.raises(ValueError, match="more than 100"):
        best_score([item(1, 1, "50", "10")], Pools({}, D("10")), min_area_share={"TA1": D("60"), "TA2": D("50")})


def _large_pipeline(n: int, seed: int) -> tuple[list[PipelineItem], Pools]:
    rng = random.Random(seed)
    items = [
        PipelineItem(
            i,
            i,
            Decimal(rng.randint(3000, 9500)) / 100,
            Decimal(rng.randint(5, 30) * 100_000 + rng.randint(0, 99_999)),
            f"TA{rng.randint(1, 5)}",
            rng.choice(["002", "019", "142", "150"]),
        )
        for i in range(1, n + 1)
    ]
    pools = Pools({f"TA{a}": Decimal(rng.randint(0, 3) * 1_000_000) for a in range(1, 6)}, Decimal(n * 400_000))
    return items, pools


def test_best_score_says_when_the_time_limit_cut_the_search_and_stays_within_the_rules():
    items, pools = _large_pipeline(600, 7)
    scenario = best_score(items, pools, {"TA1": D("20.5")}, {"002": D("25")}, time_limit=0.01)
    assert scenario.status == FEASIBLE
    assert not scenario.is_optimal
    assert "found within the time limit" in " ".join(line.reason for line in scenario.lines)
    funded = scenario.funded_total
    assert 1000 * scenario.funded_by("area").get("TA1", 0) >= 205 * funded
    assert 100 * scenario.funded_by("region").get("002", 0) >= 25 * funded
    assert scenario.remaining.unearmarked >= 0
    assert all(v >= 0 for v in scenario.remaining.earmarked.values())


def test_best_score_refuses_amounts_beyond_the_solvers_arithmetic():
    items = [item(i, i, "50.00", "999999999999.99") for i in range(1, 30)]
    with pytest.raises(ScenarioTooLarge, match="too large"):
        best_score(items, Pools({}, D("1")), {"TA1": D("33.33")})


# Against brute force --------------------------------------------------------------------------------


def brute_force(items, pools, area_share, region_share):
    """Every subset: affordable, within the shares, largest score; ties to the better rank at first difference."""
    ordered = sorted(items, key=lambda i: (i.rank, i.id))
    best_key, best_ids = None, None
    for mask in itertools.product((1, 0), repeat=len(ordered)):
        chosen = [it for it, keep in zip(ordered, mask, strict=True) if keep]
        overflow = Decimal(0)
        for area in {i.area for i in chosen}:
            need = sum(i.amount for i in chosen if i.area == area)
            overflow += max(Decimal(0), need - pools.earmarked.get(area, Decimal(0)))
        if overflow > pools.unearmarked:
            continue
        total = sum((i.amount for i in chosen), Decimal(0))
        ok = all(
            100 * sum((i.amount for i in chosen if getattr(i, attr) == key), Decimal(0)) >= share * total
            for attr, shares in (("area", area_share), ("region", region_share))
            for key, share in shares.items()
        )
        if not ok:
            continue
        key = (sum((i.score for i in chosen), Decimal(0)), mask)  # product() yields masks from (1,1,…) down
        if best_key is None or key[0] > best_key[0]:
            best_key, best_ids = key, [i.id for i in chosen]
    return best_ids


AREAS = ["TA1", "TA2", "TA3"]
REGIONS = ["002", "142"]


@st.composite
def pipelines(draw):
    n = draw(st.integers(0, 10))
    items = []
    for i in range(n):
        items.append(
            PipelineItem(
                id=i + 1,
                rank=draw(st.integers(1, n)),  # ranks may repeat: ties fall back to the id
                score=Decimal(draw(st.sampled_from([0, 2500, 5000, 6250, 7500, 8833, 10000]))) / 100,
                amount=Decimal(draw(st.integers(1, 12)) * 50_000),
                area=draw(st.sampled_from(AREAS)),
                region=draw(st.sampled_from(REGIONS)),
            )
        )
    earmarked = {a: Decimal(draw(st.integers(0, 6)) * 50_000) for a in draw(st.sets(st.sampled_from(AREAS)))}
    pools = Pools(earmarked, Decimal(draw(st.integers(0, 20)) * 50_000))
    area_shares = st.sampled_from([Decimal(10), Decimal(25)])
    region_shares = st.sampled_from([Decimal(20), Decimal(40)])
    area_share = draw(st.dictionaries(st.sampled_from(AREAS), area_shares, max_size=2))
    region_share = draw(st.dictionaries(st.sampled_from(REGIONS), region_shares, max_size=1))
    return items, pools, area_share, region_share


@settings(max_examples=300, deadline=None)
@given(pipelines())
def test_best_score_matches_brute_force(case):
    items, pools, area_share, region_share = case
    scenario = best_score(items, pools, area_share, region_share)
    assert [i.id for i in scenario.funded] == brute_force(items, pools, area_share, region_share)
    # The money adds up and no pool goes negative.
    for line in scenario.lines:
        if line.funded:
            assert line.from_earmarked + line.from_unearmarked == line.item.amount
        else:
            assert line.reason.startswith(("Needs ", "Fits in the money left, but adding it would leave"))
    assert scenario.remaining.unearmarked >= 0
    assert all(v >= 0 for v in scenario.remaining.earmarked.values())


@settings(max_examples=200, deadline=None)
@given(pipelines())
def test_rank_order_never_beats_the_best_score_without_shares(case):
    items, pools, _area_share, _region_share = case
    ranked = rank_order(items, pools)
    best = best_score(items, pools)
    assert ranked.score_total <= best.score_total
    spent = sum((line.from_earmarked + line.from_unearmarked for line in ranked.lines), Decimal(0))
    assert spent == ranked.funded_total


def test_best_score_solves_sixty_items_with_shares_as_the_exact_search_does():
    rng = random.Random(60)
    items = [
        PipelineItem(
            i,
            i,
            Decimal(rng.randint(3000, 9500)) / 100,
            Decimal(rng.randint(5, 30) * 100_000),
            f"TA{rng.randint(1, 5)}",
            rng.choice(["002", "019", "142", "150"]),
        )
        for i in range(1, 61)
    ]
    pools = Pools({f"TA{a}": Decimal(rng.randint(0, 3) * 1_000_000) for a in range(1, 6)}, Decimal(15_000_000))
    scenario = best_score(items, pools, {"TA1": Decimal(20)}, {"002": Decimal(25)})
    assert scenario.status == OPTIMAL
    funded = scenario.funded_total
    assert 100 * scenario.funded_by("area").get("TA1", 0) >= 20 * funded
    assert 100 * scenario.funded_by("region").get("002", 0) >= 25 * funded
    assert Fraction(scenario.score_total) <= Fraction(best_score(items, pools).score_total)
    expected, _nodes = oracle_best_score(items, pools, {"TA1": Decimal(20)}, {"002": Decimal(25)})
    assert [i.id for i in scenario.funded] == expected


def test_best_score_solves_a_pipeline_a_hundred_times_the_demo_within_the_limit():
    """3,400 items (the demo's 34 identified programmes at 100×): an answer, proven or not, within the limit."""
    items, pools = _large_pipeline(3400, 100)
    scenario = best_score(items, pools, {"TA1": D("10")}, time_limit=2)
    assert scenario.seconds < 10
    assert scenario.status in (OPTIMAL, FEASIBLE)
    assert 100 * scenario.funded_by("area").get("TA1", 0) >= 10 * scenario.funded_total
    assert scenario.score_total >= rank_order(items, pools).score_total


# CP-SAT against the exact search it replaced ----------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(pipelines())
def test_cp_sat_equals_the_exact_search_without_shares(case):
    items, pools, _area_share, _region_share = case
    scenario = best_score(items, pools)
    expected, _nodes = oracle_best_score(items, pools)
    assert scenario.status == OPTIMAL
    assert [i.id for i in scenario.funded] == expected


@settings(max_examples=150, deadline=None)
@given(pipelines(), st.sampled_from(AREAS), st.sampled_from([Decimal("12.5"), Decimal(30), Decimal("33.33")]))
def test_cp_sat_equals_the_exact_search_with_minimum_shares(case, area, extra):
    items, pools, area_share, region_share = case
    area_share = {**area_share, area: extra} if sum(area_share.values(), extra) <= 100 else area_share
    scenario = best_score(items, pools, area_share, region_share)
    expected, _nodes = oracle_best_score(items, pools, area_share, region_share)
    assert scenario.status == OPTIMAL
    assert [i.id for i in scenario.funded] == expected
