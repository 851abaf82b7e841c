"""The pipeline of endorsed joint programmes, its ranking, the money available per pool, and funding scenarios.

"Identified" joint programmes are the notes the committee endorsed into the pipeline and that are not yet
funded: status endorsed or ready_for_implementation. "Ready for implementation" are those whose light joint
programme document is approved. "Funded" notes had a funding decision (and an allocation in the ledger).

**Ranking in SQL.** Each note's score summary is frozen when the chair closes its review (ReviewSummary,
services.close_review), so the ranking is one query: ORDER BY the stored weighted total (ties: the earlier
note), a window function numbering the ranks, LIMIT/OFFSET for the page, and the filters (thematic area,
region, status) as WHERE clauses. The region of a note (its countries' single M49 region, Multi-regional, or
Global) is an SQL expression too, so pages run the same number of statements whatever the size of the pipeline.

**Recusals.** A person sees the scores of a note only where permissions.can_see_scores allows (the secretariat;
members holding a seat who are not recused; once the review is closed): services.score_visibility() says so in
SQL. Nothing derived from a hidden score reaches them, in any channel: the ranking, the CSV, the meeting pack's
ranks and the scenarios are computed over the notes they may see only. A note whose score is hidden from them
is listed after the ranking, without score, rank or explanation, and left out of their scenarios and of every
score total they see. Amounts requested are not derived from scores, so the counts and amounts of the pipeline
stay whole.

**Scenarios** (fundapp/committee/optimiser.py holds the maths) run on request: a person states minimum shares
and presses Run; the result is stored as that person's last run (ScenarioRun and its lines), which the page
shows, paginated in SQL, until the pipeline, the pools or what that person may see change.
"""

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import defer

from fundapp.auth.models import Organisation, OrganisationType, User
from fundapp.committee import optimiser, services, workflow
from fundapp.committee.models import JointProgrammeDocument, ReviewSummary, ScenarioLine, ScenarioRun
from fundapp.committee.optimiser import PipelineItem, Pools
from fundapp.concept_notes.models import LONG_TEXTS, ConceptNote, Participant, concept_note_countries
from fundapp.contributions import ledger
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core import args as query_args
from fundapp.core import cache
from fundapp.core.errors import DomainError
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _l
from fundapp.core.money import format_money, money_str, to_money
from fundapp.reference.models import Country, Region, ThematicArea

ZERO = Decimal("0.00")
GLOBAL = "Global"
MULTI_REGIONAL = "Multi-regional"
#: Rows per page of the ranking and of a scenario's lines.
PER_PAGE = 50
NO_AREA = "—"


def region_of(note: ConceptNote) -> str:
    """The M49 region of the note's countries: one region, Multi-regional, or Global when no country is named."""
    regions = {c.region.name for c in note.countries if c.region is not None}
    if not regions:
        return GLOBAL
    return regions.pop() if len(regions) == 1 else MULTI_REGIONAL


def note_regions() -> sa.Subquery:
    """Each note naming countries → the number of M49 regions they span (`count`) and the first (`name`); a note
    naming none has no row (Global)."""
    return (
        sa.select(
            concept_note_countries.c.concept_note_id.label("note_id"),
            sa.func.count(sa.distinct(Region.name)).label("count"),
            sa.func.min(Region.name).label("name"),
        )
        .join(Country, Country.code == concept_note_countries.c.country_code)
        .join(Region, Region.code == Country.region_code)
        .group_by(concept_note_countries.c.concept_note_id)
        .subquery("note_regions")
    )


def _region_label() -> tuple[sa.Subquery, sa.ColumnElement[str]]:
    """region_of() in SQL: (note_regions(), the label expression)."""
    regions = note_regions()
    label = sa.case((regions.c.count.is_(None), GLOBAL), (regions.c.count == 1, regions.c.name), else_=MULTI_REGIONAL)
    return regions, label


# The ranking ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineFilters:
    area: str = ""
    region: str = ""
    status: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "PipelineFilters":
        """From a query string: an unknown status is ignored; a too-long value or a control character is 400."""
        return cls(
            area=query_args.text("area", max_length=20, args=args),
            region=query_args.text("region", max_length=100, args=args),
            status=query_args.choice("status", workflow.PIPELINE_STATES, args=args),
        )

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in (("area", self.area), ("region", self.region), ("status", self.status)) if v}


def region_label(note_id: sa.ColumnElement[int]) -> sa.ColumnElement[str]:
    """region_of() in SQL for one note (a scalar subquery correlated to `note_id`): read only for the rows that
    ask, so a page labels its own notes and not the whole pipeline."""
    regions = sa.func.count(sa.distinct(Region.name))
    label = sa.case((regions == 0, GLOBAL), (regions == 1, sa.func.min(Region.name)), else_=MULTI_REGIONAL)
    return (
        sa.select(label)
        .select_from(concept_note_countries)
        .join(Country, Country.code == concept_note_countries.c.country_code)
        .join(Region, Region.code == Country.region_code)
        .where(concept_note_countries.c.concept_note_id == note_id)
        .scalar_subquery()
    )


def _ranking(user: User, states: tuple[str, ...], seen: services.ScoreVisibility | None = None) -> sa.Subquery:
    """One row per note in the given states: its score and rank as this user may see them (else null), and
    whether the user is recused from it. Ranks number the visible notes only.

    Whether the review is closed and whether the user is recused are worked out once per note (a materialised
    CTE over the notes in those states), then the visible ones numbered: inlined, the database would evaluate
    those EXISTS clauses once per mention."""
    seen = seen or services.score_visibility(user)
    notes = (
        sa.select(
            ConceptNote.id.label("note_id"),
            ReviewSummary.weighted_total.label("total"),
            sa.and_(seen.allowed, ReviewSummary.id.is_not(None)).label("allowed"),
            seen.recused.label("recused"),
        )
        .select_from(ConceptNote)
        .outerjoin(ReviewSummary, ReviewSummary.concept_note_id == ConceptNote.id)
        .where(ConceptNote.status.in_(states))
        .cte("ranked_notes")
        .prefix_with("MATERIALIZED")
    )
    visible = sa.and_(notes.c.allowed == sa.true(), notes.c.recused == sa.false())
    score = sa.case((visible, notes.c.total), else_=sa.null())
    ranked = sa.case((visible, 1), else_=0)
    order = sa.func.row_number().over(partition_by=ranked, order_by=(sa.nulls_last(score.desc()), notes.c.note_id))
    return sa.select(
        notes.c.note_id,
        score.label("score"),
        sa.case((visible, order), else_=sa.null()).label("rank"),
        notes.c.recused,
    ).subquery("ranking")


def _filtered(query: sa.Select, filters: PipelineFilters) -> sa.Select:
    """The filters, over ConceptNote rows (the region as region_label: only asked when filtering by region)."""
    if filters.area:
        query = query.where(
            ConceptNote.thematic_area_id.in_(sa.select(ThematicArea.id).where(ThematicArea.code == filters.area))
        )
    if filters.region:
        query = query.where(region_label(ConceptNote.id) == filters.region)
    if filters.status:
        query = query.where(ConceptNote.status == filters.status)
    return query


def _ranked_query(user: User, filters: PipelineFilters, states: tuple[str, ...] = workflow.PIPELINE_STATES):
    """The ranking's rows in order (ConceptNote, score, rank, region, recused), the region read per row."""
    ranking = _ranking(user, states)
    query = (
        sa.select(ConceptNote, ranking.c.score, ranking.c.rank, region_label(ConceptNote.id), ranking.c.recused)
        .join(ranking, ranking.c.note_id == ConceptNote.id)
        .order_by(ranking.c.rank.is_(None), ranking.c.rank, ConceptNote.id)
    )
    return _filtered(query, filters)


def _count_query(filters: PipelineFilters, states: tuple[str, ...] = workflow.PIPELINE_STATES) -> sa.Select:
    """How many rows the ranking lists: the notes in those states under the filters (one row each), counted
    without working out scores or ranks."""
    return _filtered(sa.select(sa.func.count(ConceptNote.id)).where(ConceptNote.status.in_(states)), filters)


class _RankingPagination(Pagination):
    """Flask-SQLAlchemy's pagination over the ranking: the page's rows are chosen first (ids, scores, ranks:
    the same for every viewer who sees the same scores, kept by core.cache until the records change), then
    only they are loaded with their notes and labelled with their region; the total counts the notes under
    the filters without ranking them."""

    def _query_items(self) -> list[Any]:
        user, filters, session = self._query_args["user"], self._query_args["filters"], self._query_args["session"]
        seen = services.score_visibility(user)
        offset, per_page = self._query_offset, self.per_page

        def choose() -> list[tuple[int, Decimal | None, int | None, bool]]:
            ranking = _ranking(user, workflow.PIPELINE_STATES, seen)
            page = sa.select(ranking)
            if filters.as_args():  # the notes' own columns, read only when a filter asks
                page = _filtered(page.join(ConceptNote, ConceptNote.id == ranking.c.note_id), filters)
            page = page.order_by(ranking.c.rank.is_(None), ranking.c.rank, ranking.c.note_id)
            rows = session.execute(page.limit(per_page).offset(offset))
            return [(note_id, score, rank, bool(recused)) for note_id, score, rank, recused in rows]

        chosen = cache.cached(("pipeline-ranking", seen.viewer, filters, offset, per_page), choose)
        notes = {
            note.id: (note, region)
            for note, region in session.execute(
                sa.select(ConceptNote, region_label(ConceptNote.id)).where(
                    ConceptNote.id.in_([note_id for note_id, *_ in chosen])
                )
            )
        }
        rows = []
        for note_id, score, rank, recused in chosen:
            note, region = notes[note_id]
            rows.append((note, score, rank, region, recused))
        return rows

    def _query_count(self) -> int:
        return self._query_args["session"].execute(_count_query(self._query_args["filters"])).scalar_one()


@dataclass(frozen=True)
class PipelineRow:
    rank: int | None
    note: ConceptNote
    #: The weighted total when this person may see it, else None.
    score: Decimal | None
    region: str
    #: Hidden from this person: recused (their seat's conflict) or not allowed to see scores at all.
    is_hidden: bool
    is_recused: bool

    @property
    def is_ready(self) -> bool:
        """Ready for implementation (its joint programme document is approved), not only endorsed."""
        return self.note.status == workflow.READY

    @property
    def area(self) -> str:
        return self.note.thematic_area.code if self.note.thematic_area else NO_AREA


def _row(row: Any) -> PipelineRow:
    note, score, rank, region, recused = row
    return PipelineRow(rank, note, score, region, rank is None, bool(recused))


def ranked_page(user: User, filters: PipelineFilters, page: int) -> tuple[Pagination, list[PipelineRow]]:
    """One page of the ranking (two statements: the page and the count)."""
    pagination = _RankingPagination(
        user=user, filters=filters, session=db.session, page=page, per_page=PER_PAGE, error_out=False
    )
    return pagination, [_row(r) for r in pagination.items]


#: Rows of the ranking read per batch of the CSV.
CSV_BATCH = 500


def ranked_batches(user: User, filters: PipelineFilters) -> Iterator[list[PipelineRow]]:
    """Every row of the ranking, in order, CSV_BATCH at a time (one statement, its cursor read in batches), so
    the CSV holds one batch (the notes' long texts left unread) whatever the size of the pipeline."""
    query = (
        _ranked_query(user, filters)
        .options(*(defer(getattr(ConceptNote, name)) for name in LONG_TEXTS))
        .execution_options(yield_per=CSV_BATCH)
    )
    for rows in db.session.execute(query).partitions():
        yield [_row(row) for row in rows]


def ranked_rows(user: User, filters: PipelineFilters) -> Iterator[PipelineRow]:
    """Every row of the ranking, in order, for the CSV (one statement, read a batch at a time)."""
    for batch in ranked_batches(user, filters):
        yield from batch


def _totals(filters: PipelineFilters) -> dict[str, Any]:
    """Counts and amounts requested (not derived from scores: whole for everyone), by area and by region: over
    the notes of the pipeline only, without ranking them."""
    notes = _filtered(
        sa.select(
            ConceptNote.id,
            ConceptNote.status,
            ConceptNote.thematic_area_id,
            ConceptNote.budget_total,
            region_label(ConceptNote.id).label("region"),
        ).where(ConceptNote.status.in_(workflow.PIPELINE_STATES)),
        filters,
    ).subquery("pipeline_notes")
    count, ready, requested = db.session.execute(
        sa.select(
            sa.func.count(notes.c.id),
            sa.func.count(notes.c.id).filter(notes.c.status == workflow.READY),
            sa.func.sum(notes.c.budget_total),
        )
    ).one()
    area_code = sa.func.coalesce(ThematicArea.code, NO_AREA)
    by_area = db.session.execute(
        sa.select(area_code, sa.func.count(notes.c.id), sa.func.sum(notes.c.budget_total))
        .select_from(notes)
        .outerjoin(ThematicArea, ThematicArea.id == notes.c.thematic_area_id)
        .group_by(area_code)
        .order_by(area_code)
    ).all()
    by_region = db.session.execute(
        sa.select(notes.c.region, sa.func.count(notes.c.id), sa.func.sum(notes.c.budget_total))
        .group_by(notes.c.region)
        .order_by(sa.func.sum(notes.c.budget_total).desc(), notes.c.region)
    ).all()
    return {
        "count": count,
        "ready": ready,
        "requested": to_money(requested or 0),
        "dist": {
            "area": [(code, n, to_money(total or 0)) for code, n, total in by_area],
            "region": [(name, n, to_money(total or 0)) for name, n, total in by_region],
        },
    }


def available_pools() -> tuple[list[ledger.Pool], Pools]:
    """The ledger's pools and the same money as the scenario's Pools (earmarked by area code)."""
    balances = ledger.pool_balances()
    earmarked = {p.label: p.available for p in balances if p.area_id is not None}
    unearmarked = next(p.available for p in balances if p.area_id is None)
    return balances, Pools(earmarked=earmarked, unearmarked=unearmarked)


def filter_options() -> dict[str, list[str]]:
    """The areas and regions the pipeline's filters offer (two small queries)."""
    regions = db.session.scalars(sa.select(Region.name).where(Region.level == "region").order_by(Region.name))
    return {
        "areas": list(db.session.scalars(sa.select(ThematicArea.code).order_by(ThematicArea.position))),
        "regions": [*regions, MULTI_REGIONAL, GLOBAL],
    }


def pipeline_page(user: User, filters: PipelineFilters, page: int) -> dict[str, Any]:
    """The pipeline page: one page of the ranking (scores and ranks only where this user may see them), the
    counts and amounts requested by area and region, and the pools, in a fixed number of statements."""
    pagination, rows = ranked_page(user, filters, page)
    balances, _available = available_pools()
    return {
        "pagination": pagination,
        "rows": rows,
        "filters": filters,
        "options": filter_options(),
        "balances": balances,
        "available": sum((p.available for p in balances), ZERO),
        "area_available": {p.label: p.available for p in balances if p.area_id},
        "unearmarked": next(p.available for p in balances if p.area_id is None),
        # The same for every reader (not derived from scores), kept until the records change (core.cache).
        **cache.cached(("pipeline-totals", filters), lambda: _totals(filters)),
    }


PIPELINE_CSV_HEADER = (
    "rank",
    "reference",
    "title",
    "lead_organization",
    "thematic_area",
    "region",
    "weighted_score",
    "requested_usd",
    "status",
)


def pipeline_csv_rows(user: User, filters: PipelineFilters) -> Iterator[tuple]:
    """The ranking as the page shows it to this user: a hidden score is blank, with no rank."""
    for row in ranked_rows(user, filters):
        yield (
            row.rank,
            row.note.reference,
            row.note.title,
            row.note.organisation.code,
            row.area,
            row.region,
            row.score if not row.is_hidden else ("recused" if row.is_recused else "not shown"),
            row.note.budget_total,
            row.note.status,
        )


def pack_ranks(user: User, overview: dict[str, Any]) -> dict[int, int]:
    """note id → rank, for the notes of a meeting pack whose scores this user sees.

    Ranked among the notes under review or in the pipeline whose review is closed and whose scores this user
    may see: neither an open review's scores nor a score hidden from this user move a rank.
    """
    shown = {e["item"].concept_note_id for e in overview["items"] if e["summary"] is not None}
    if not shown:
        return {}
    ranking = _ranking(user, (workflow.UNDER_REVIEW, *workflow.PIPELINE_STATES))
    rows = db.session.execute(
        sa.select(ranking.c.note_id, ranking.c.rank).where(ranking.c.note_id.in_(shown), ranking.c.rank.is_not(None))
    )
    return dict(rows.all())


# Scenarios --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HiddenItem:
    """A pipeline item whose score this person may not see: listed, never ranked, scored or explained."""

    id: int
    title: str
    amount: Decimal
    area: str
    region: str


def scenario_items(user: User) -> tuple[list[PipelineItem], list[HiddenItem]]:
    """The pipeline as this person may use it in a scenario (one statement): the items with a visible score, in
    rank order, and the others."""
    ranking = _ranking(user, workflow.PIPELINE_STATES)
    rows = db.session.execute(
        sa.select(
            ConceptNote.id,
            ConceptNote.title,
            ConceptNote.budget_total,
            sa.func.coalesce(ThematicArea.code, NO_AREA),
            region_label(ConceptNote.id),
            ranking.c.score,
            ranking.c.rank,
        )
        .join(ranking, ranking.c.note_id == ConceptNote.id)
        .outerjoin(ThematicArea, ThematicArea.id == ConceptNote.thematic_area_id)
        .order_by(ranking.c.rank.is_(None), ranking.c.rank, ConceptNote.id)
    )
    items, hidden = [], []
    for note_id, title, amount, area, region, score, rank in rows:
        label = f"CN-{note_id:04d} {title}"
        if rank is None:
            hidden.append(HiddenItem(note_id, label, amount, area, region))
        else:
            items.append(PipelineItem(note_id, rank, score if score is not None else ZERO, amount, area, region, label))
    return items, hidden


def _fingerprint(items: list[PipelineItem], hidden: list[HiddenItem], pools: Pools) -> str:
    """A digest of everything a run depends on: the items this person may see, the others, the pools."""
    data = {
        "items": [[i.id, i.rank, str(i.score), str(i.amount), i.area, i.region] for i in items],
        "hidden": [[h.id, str(h.amount), h.area, h.region] for h in hidden],
        "pools": [str(pools.unearmarked), sorted((k, str(v)) for k, v in pools.earmarked.items())],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class ScenarioInput:
    """The accepted constraints: as typed (shown again) and as minimum shares in percent per area and region."""

    min_area: str
    min_region: str
    area_shares: Mapping[str, Decimal]
    region_shares: Mapping[str, Decimal]


def run_scenario(user: User, data: ScenarioInput, time_limit: int, workers: int) -> ScenarioRun:
    """Run both modes over what this person may see and store the result as their last run (replacing it)."""
    # One run per person: lock their user row, so two runs at once replace each other instead of colliding.
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    items, hidden = scenario_items(user)
    _balances, pools = available_pools()
    try:
        ranked = optimiser.rank_order(items, pools)
    except ValueError as exc:  # an item the optimiser cannot take (no amount requested): say which, no 500
        raise DomainError(_("The scenarios cannot run: %(problem)s", problem=exc), field="min_area") from exc
    best, message = None, ""
    try:
        best = optimiser.best_score(items, pools, data.area_shares, data.region_shares, time_limit, workers)
    except ValueError as exc:  # ScenarioTooLarge, or shares the form let through and the optimiser refuses
        message = str(exc)
    mine = sa.select(ScenarioRun.id).where(ScenarioRun.user_id == user.id).scalar_subquery()
    db.session.execute(sa.delete(ScenarioLine).where(ScenarioLine.run_id == mine))
    db.session.execute(sa.delete(ScenarioRun).where(ScenarioRun.user_id == user.id))
    run = ScenarioRun(
        user_id=user.id,
        min_area=data.min_area,
        min_region=data.min_region,
        time_limit_seconds=time_limit,
        status=best.status if best else "error",
        message=message,
        solve_ms=int((best.seconds if best else 0) * 1000),
        fingerprint=_fingerprint(items, hidden, pools),
        items=len(items),
        hidden=len(hidden),
        rank_funded=len(ranked.funded),
        rank_amount=ranked.funded_total,
        rank_score=ranked.score_total,
        best_funded=len(best.funded) if best else None,
        best_amount=best.funded_total if best else None,
        best_score=best.score_total if best else None,
        remaining=json.dumps(
            {mode.mode: _pools_json(mode.remaining) for mode in (ranked, best) if mode is not None}, sort_keys=True
        ),
    )
    db.session.add(run)
    db.session.flush()
    lines = _lines(run.id, ranked, best, hidden)
    if lines:  # an empty list would run one INSERT without values
        db.session.execute(sa.insert(ScenarioLine), lines)
    return run


def _pools_json(pools: Pools) -> dict[str, Any]:
    return {"unearmarked": str(pools.unearmarked), "earmarked": {k: str(v) for k, v in pools.earmarked.items()}}


def _lines(run_id: int, ranked: optimiser.Scenario, best: optimiser.Scenario | None, hidden: list[HiddenItem]):
    best_lines = {line.item.id: line for line in best.lines} if best else {}
    rows = []
    for position, line in enumerate(ranked.lines, start=1):
        item, other = line.item, best_lines.get(line.item.id)
        rows.append(
            {
                "run_id": run_id,
                "position": position,
                "concept_note_id": item.id,
                "rank": item.rank,
                "title": item.title[:300],
                "area": item.area,
                "region": item.region,
                "score": item.score,
                "amount": item.amount,
                "is_hidden": False,
                "rank_funded": line.funded,
                "rank_from_earmarked": line.from_earmarked,
                "rank_from_unearmarked": line.from_unearmarked,
                "rank_reason": line.reason,
                "best_funded": other.funded if other else None,
                "best_from_earmarked": other.from_earmarked if other else None,
                "best_from_unearmarked": other.from_unearmarked if other else None,
                "best_reason": other.reason if other else "",
            }
        )
    for position, item in enumerate(hidden, start=len(rows) + 1):
        rows.append(
            {
                "run_id": run_id,
                "position": position,
                "concept_note_id": item.id,
                "rank": None,
                "title": item.title[:300],
                "area": item.area,
                "region": item.region,
                "score": None,
                "amount": item.amount,
                "is_hidden": True,
                "rank_funded": False,
                "rank_from_earmarked": ZERO,
                "rank_from_unearmarked": ZERO,
                "rank_reason": "",
                "best_funded": None,
                "best_from_earmarked": None,
                "best_from_unearmarked": None,
                "best_reason": "",
            }
        )
    return rows


#: Which lines of a run the page lists.
SCENARIO_SHOWS = {"all": _l("Every item"), "best": _l("Funded by best score"), "rank": _l("Funded in rank order")}


def scenario_page(user: User, page: int, show: str) -> dict[str, Any]:
    """This person's last run, if any, with one page of its lines; a run whose inputs changed since (the pipeline,
    the pools or what this person may see) is reported as outdated and its lines are not shown."""
    run = db.session.scalar(sa.select(ScenarioRun).where(ScenarioRun.user_id == user.id))
    if run is None:
        return {"run": None, "fresh": False, "lines": None, "show": show, "remaining": {}}
    items, hidden = scenario_items(user)
    _balances, pools = available_pools()
    fresh = run.fingerprint == _fingerprint(items, hidden, pools)
    lines = None
    if fresh:
        query = sa.select(ScenarioLine).where(ScenarioLine.run_id == run.id).order_by(ScenarioLine.position)
        if show == "best":
            query = query.where(ScenarioLine.best_funded.is_(True))
        elif show == "rank":
            query = query.where(ScenarioLine.rank_funded.is_(True))
        lines = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    remaining = {
        mode: {
            "unearmarked": Decimal(pools["unearmarked"]),
            "earmarked": ", ".join(f"{k} {format_money(Decimal(v))}" for k, v in sorted(pools["earmarked"].items())),
        }
        for mode, pools in json.loads(run.remaining).items()
    }
    return {"run": run, "fresh": fresh, "lines": lines, "show": show, "remaining": remaining}


SCENARIO_CSV_HEADER = (
    "rank",
    "reference_and_title",
    "thematic_area",
    "region",
    "weighted_score",
    "amount_usd",
    "rank_order_funded",
    "rank_order_from_earmarked_usd",
    "rank_order_from_unearmarked_usd",
    "rank_order_reason",
    "best_score_funded",
    "best_score_from_earmarked_usd",
    "best_score_from_unearmarked_usd",
    "best_score_reason",
)


def scenario_csv_rows(user: User) -> Iterator[tuple] | None:
    """The lines of this person's last run as the page shows them; None when there is no current run (none yet,
    or outdated: its figures no longer hold, and may show what this person can no longer see)."""
    page = scenario_page(user, 1, "all")
    if page["run"] is None or not page["fresh"]:
        return None
    lines = db.session.scalars(
        sa.select(ScenarioLine).where(ScenarioLine.run_id == page["run"].id).order_by(ScenarioLine.position)
    )
    return (
        (
            line.rank,
            line.title,
            line.area,
            line.region,
            "not shown" if line.is_hidden else line.score,
            line.amount,
            None if line.is_hidden else line.rank_funded,
            None if line.is_hidden else line.rank_from_earmarked,
            None if line.is_hidden else line.rank_from_unearmarked,
            "Left out: you may not see this note's scores." if line.is_hidden else line.rank_reason,
            line.best_funded,
            line.best_from_earmarked,
            line.best_from_unearmarked,
            line.best_reason,
        )
        for line in lines
    )


def scenario_keys() -> dict[str, list[str]]:
    """The names minimum shares may use: thematic area codes and region names (as the pipeline labels them)."""
    return filter_options()


# Public figures -------------------------------------------------------------------------------------


def allocations_by_area() -> dict[int, Decimal]:
    """Money allocated to funded programmes per the programme's thematic area (reversals netted), one query."""
    query = (
        sa.select(ConceptNote.thematic_area_id, sa.func.sum(LedgerEntry.amount_usd))
        .join(JointProgrammeDocument, JointProgrammeDocument.id == LedgerEntry.programme_id)
        .join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
        .where(LedgerEntry.category == EntryKind.allocation)
        .group_by(ConceptNote.thematic_area_id)
    )
    return {area_id: to_money(total or 0) for area_id, total in db.session.execute(query)}


def public_pipeline() -> dict[str, Any]:
    """The pipeline and funding part of GET /api/v1/summary."""
    counts = dict(
        db.session.execute(
            sa.select(ConceptNote.status, sa.func.count())
            .where(ConceptNote.status.in_((workflow.ENDORSED, workflow.READY, workflow.FUNDED)))
            .group_by(ConceptNote.status)
        ).all()
    )
    participating = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Participant.organisation_id)))
        .join(ConceptNote, ConceptNote.id == Participant.concept_note_id)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .where(ConceptNote.status == workflow.FUNDED, Organisation.type == OrganisationType.un_entity)
    )
    return {
        "pipeline": {
            "identified": counts.get(workflow.ENDORSED, 0) + counts.get(workflow.READY, 0),
            "ready_for_implementation": counts.get(workflow.READY, 0),
        },
        "joint_programmes": {
            "funded": counts.get(workflow.FUNDED, 0),
            "participating_un_organizations": participating or 0,
        },
    }


def area_allocations() -> dict[str, str]:
    """Thematic area code → money allocated to its funded programmes (money string)."""
    totals = allocations_by_area()
    return {a.code: money_str(totals.get(a.id, ZERO)) for a in db.session.scalars(sa.select(ThematicArea))}
