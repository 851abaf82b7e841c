"""The pipeline of endorsed joint programmes, its ranking, the money available per pool and funding scenarios.

"Identified" joint programmes are the notes the committee endorsed into the pipeline and that are not yet
funded: status endorsed or ready_for_implementation. "Ready for implementation" are those whose light joint
programme document is approved. "Funded" notes had a funding decision (and an allocation in the ledger).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from fundapp.auth.models import Organisation, OrganisationType
from fundapp.committee import reviews, scenario, workflow
from fundapp.committee.models import JointProgrammeDocument
from fundapp.committee.scoring import ScoreSummary
from fundapp.concept_notes.models import ConceptNote, Participant
from fundapp.contributions import ledger
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core.extensions import db
from fundapp.core.money import money_str, to_money
from fundapp.reference.models import Country, ThematicArea

ZERO = Decimal("0.00")
GLOBAL = "Global"
MULTI_REGIONAL = "Multi-regional"


def region_of(note: ConceptNote) -> str:
    """The M49 region of the note's countries: one region, Multi-regional, or Global when no country is named."""
    regions = {c.region.name for c in note.countries if c.region is not None}
    if not regions:
        return GLOBAL
    return regions.pop() if len(regions) == 1 else MULTI_REGIONAL


@dataclass
class PipelineRow:
    rank: int
    note: ConceptNote
    summary: ScoreSummary
    region: str

    @property
    def score(self) -> Decimal:
        return self.summary.weighted_total if self.summary.weighted_total is not None else ZERO


def _notes(states: tuple[str, ...]) -> list[ConceptNote]:
    return list(
        db.session.scalars(
            sa.select(ConceptNote)
            .where(ConceptNote.status.in_(states))
            .options(
                selectinload(ConceptNote.countries).selectinload(Country.region),
                selectinload(ConceptNote.participants),
            )
            .order_by(ConceptNote.id)
        )
    )


def ranked_pipeline(states: tuple[str, ...] = workflow.PIPELINE_STATES) -> list[PipelineRow]:
    """Endorsed notes not yet funded, ranked by weighted score (ties: the earlier note first)."""
    notes = _notes(states)
    summaries = reviews.summaries_by_note(notes)
    rows = [PipelineRow(0, n, summaries[n.id], region_of(n)) for n in notes]
    rows.sort(key=lambda r: (-r.score, r.note.id))
    for i, row in enumerate(rows, start=1):
        row.rank = i
    return rows


def pools() -> tuple[list[ledger.Pool], scenario.Pools]:
    """The ledger's pools and the same money as the scenario's Pools (earmarked by area code)."""
    balances = ledger.pool_balances()
    earmarked = {p.label: p.available for p in balances if p.area_id is not None}
    unearmarked = next(p.available for p in balances if p.area_id is None)
    return balances, scenario.Pools(earmarked=earmarked, unearmarked=unearmarked)


def items(rows: list[PipelineRow]) -> list[scenario.PipelineItem]:
    return [
        scenario.PipelineItem(
            id=row.note.id,
            rank=row.rank,
            score=row.score,
            amount=row.note.budget_total,
            area=row.note.thematic_area.code if row.note.thematic_area else "—",
            region=row.region,
            title=f"{row.note.reference} {row.note.title}",
        )
        for row in rows
    ]


def distribution(rows: list[PipelineRow]) -> dict[str, list[tuple[str, int, Decimal]]]:
    """(key, count, amount requested) per thematic area and per region."""
    by_area: dict[str, list] = defaultdict(lambda: [0, ZERO])
    by_region: dict[str, list] = defaultdict(lambda: [0, ZERO])
    for row in rows:
        area = row.note.thematic_area.code if row.note.thematic_area else "—"
        for table, key in ((by_area, area), (by_region, row.region)):
            table[key][0] += 1
            table[key][1] += row.note.budget_total
    return {
        "area": sorted((k, c, a) for k, (c, a) in by_area.items()),
        "region": sorted(((k, c, a) for k, (c, a) in by_region.items()), key=lambda r: -r[2]),
    }


def run_scenarios(
    min_area_share: dict[str, Decimal] | None = None, min_region_share: dict[str, Decimal] | None = None
) -> dict[str, Any]:
    """Both modes over the ready-or-endorsed pipeline and the pools' available money."""
    rows = ranked_pipeline()
    balances, available = pools()
    pipeline_items = items(rows)
    result: dict[str, Any] = {"rows": rows, "pools": balances, "available": available}
    result["rank_order"] = scenario.rank_order(pipeline_items, available)
    try:
        result["best_score"] = scenario.best_score(pipeline_items, available, min_area_share, min_region_share)
        result["best_error"] = None
    except (ValueError, scenario.ScenarioTooLarge) as exc:
        result["best_score"] = None
        result["best_error"] = str(exc)
    return result


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
