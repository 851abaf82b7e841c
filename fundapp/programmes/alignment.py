"""Guiding-principle alignment of joint programmes: the secretariat's marker scores (next to the applicant's
self-assessment in the concept note) and alignment indicator values, assessed at approval and at each approved
annual report; scores by results/alignment.py's documented formula; flags below the fund's marker minimums;
the fund-level view weighted by programme budget per thematic area. Flush, never commit.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from fundapp.committee.models import JointProgrammeDocument, ProgrammeBudgetLine
from fundapp.concept_notes.models import ConceptNote
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.extensions import db
from fundapp.programmes.models import AlignmentAssessment, JointProgramme, ProgressReport
from fundapp.programmes.workflow import REPORT_APPROVED
from fundapp.reference.models import GuidingPrinciple, Marker, ThematicArea
from fundapp.results import alignment as formula
from fundapp.results import services as fund_results
from fundapp.results.alignment import MeasureKind

APPROVAL = "approval"


def occasion_label(occasion: str) -> str:
    return "At approval" if occasion == APPROVAL else f"Annual report {occasion}"


def occasions(programme: JointProgramme) -> list[str]:
    """When the programme may be assessed: at approval, and for each year whose annual report is approved."""
    years = db.session.scalars(
        sa.select(ProgressReport.period)
        .where(
            ProgressReport.programme_id == programme.id,
            ProgressReport.status == REPORT_APPROVED,
            ~ProgressReport.period.contains("-"),
        )
        .order_by(ProgressReport.period)
    )
    return [APPROVAL, *years]


def self_assessment(note: ConceptNote) -> dict[str, int]:
    """The applicant's marker scores from the concept note (marker code → 0–3)."""
    return {m.marker.code: m.score for m in note.markers}


def assess(
    actor: Any,
    programme: JointProgramme,
    occasion: str,
    on: date,
    marker_scores: Mapping[str, Any],
    values: Mapping[str, Any],
) -> AlignmentAssessment:
    """Record (or redo) the assessment for an occasion and compute its scores.

    marker_scores: marker code → 0–3 (every marker); values: alignment indicator code → measured value (blank:
    not measured, which scores 0). A marker-kind indicator takes its marker's score.
    """
    if occasion not in occasions(programme):
        raise DomainError("Assess at approval or at an approved annual report.", field="occasion")
    markers = {m.id: m.code for m in db.session.scalars(sa.select(Marker).order_by(Marker.id))}
    errors: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    for code in markers.values():
        raw = marker_scores.get(code)
        try:
            score = int(str(raw))
        except (TypeError, ValueError):
            errors.setdefault(f"marker-{code}", []).append("A score from 0 to 3.")
            continue
        if not 0 <= score <= formula.MAX_SCORE:
            errors.setdefault(f"marker-{code}", []).append("A score from 0 to 3.")
        scores[code] = score
    measured: dict[str, Decimal | None] = {}
    for indicator in fund_results.alignment_indicators(include_retired=False):
        if indicator.kind is MeasureKind.marker:
            code = markers.get(indicator.marker_id)
            measured[indicator.code] = Decimal(scores[code]) if code in scores else None
            continue
        raw = values.get(indicator.code)
        if raw in (None, ""):
            measured[indicator.code] = None
            continue
        try:
            measured[indicator.code] = Decimal(str(raw).strip())
        except InvalidOperation:
            errors.setdefault(f"value-{indicator.code}", []).append("Not a number.")
    if errors:
        raise ValidationFailed(errors)
    try:
        result = fund_results.assess_alignment(measured)
    except ValidationFailed as exc:
        raise ValidationFailed({f"value-{code}": messages for code, messages in exc.errors.items()}) from exc
    row = db.session.scalar(
        sa.select(AlignmentAssessment).where(
            AlignmentAssessment.programme_id == programme.id, AlignmentAssessment.occasion == occasion
        )
    )
    if row is None:
        row = AlignmentAssessment(programme_id=programme.id, occasion=occasion)
        db.session.add(row)
    row.assessed_on = on
    row.marker_scores = json.dumps(scores)
    row.values = json.dumps({k: (None if v is None else f"{v:f}") for k, v in measured.items()})
    row.principle_scores = json.dumps({k: f"{v:.2f}" for k, v in result.principle_scores.items()})
    row.overall = result.overall
    row.created_by_id = getattr(actor, "id", None)
    db.session.flush()
    record_change(
        actor,
        "programmes.alignment_assessed",
        "programme_alignment_assessments",
        row.id,
        {"programme_id": programme.id, "occasion": occasion, "markers": scores, "overall": f"{result.overall:.2f}"},
    )
    return row


@dataclass
class Current:
    """A programme's latest assessment, decoded."""

    assessment: AlignmentAssessment
    marker_scores: dict[str, int]
    values: dict[str, str | None]
    principle_scores: dict[str, Decimal]
    flags: list[str]

    @property
    def overall(self) -> Decimal:
        return self.assessment.overall


def latest(programme_ids: Iterable[int]) -> dict[int, Current]:
    """programme id → its latest assessment (the most recent annual report, else at approval), in two queries."""
    rows = db.session.scalars(
        sa.select(AlignmentAssessment).where(AlignmentAssessment.programme_id.in_(list(programme_ids)))
    )
    chosen: dict[int, AlignmentAssessment] = {}
    for row in rows:
        if row.programme_id not in chosen or row.sort_key > chosen[row.programme_id].sort_key:
            chosen[row.programme_id] = row
    minimums = fund_results.marker_minimums()
    result = {}
    for pid, row in chosen.items():
        markers = json.loads(row.marker_scores or "{}")
        result[pid] = Current(
            row,
            markers,
            json.loads(row.values or "{}"),
            {k: Decimal(v) for k, v in json.loads(row.principle_scores or "{}").items()},
            formula.marker_flags(markers, minimums),
        )
    return result


def history(programme_id: int) -> list[AlignmentAssessment]:
    rows = db.session.scalars(sa.select(AlignmentAssessment).where(AlignmentAssessment.programme_id == programme_id))
    return sorted(rows, key=lambda r: r.sort_key)


def principles() -> list[GuidingPrinciple]:
    return list(db.session.scalars(sa.select(GuidingPrinciple).order_by(GuidingPrinciple.position)))


def chart(principle_scores: Mapping[str, Decimal], names: list[GuidingPrinciple]) -> dict[str, Any]:
    """Geometry of the per-principle bar chart (server-rendered SVG): one bar per principle on a 0–3 scale."""
    width, label_width, row = 640, 250, 26
    bars = []
    for index, principle in enumerate(names):
        score = principle_scores.get(principle.code)
        bars.append(
            {
                "y": 10 + index * row,
                "label": principle.name,
                "score": score,
                "width": 0 if score is None else float(score) / formula.MAX_SCORE * (width - label_width - 50),
                "weak": score is not None and score < 2,
            }
        )
    return {
        "width": width,
        "height": 30 + len(names) * row,
        "x0": label_width,
        "bars": bars,
        "ticks": [(i, label_width + i / formula.MAX_SCORE * (width - label_width - 50)) for i in range(4)],
    }


def assessed_programmes() -> list[formula.ProgrammeAlignment]:
    """Every funded programme's latest assessment, as the portfolio formula takes it (the transparency page too)."""
    return _portfolio_inputs()[0]


def _portfolio_inputs() -> tuple[list[formula.ProgrammeAlignment], list, dict]:
    rows = list(
        db.session.execute(
            sa.select(JointProgramme.id, JointProgramme.title, ThematicArea.code)
            .join(JointProgrammeDocument, JointProgrammeDocument.id == JointProgramme.id)
            .join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
            .join(ThematicArea, ThematicArea.id == ConceptNote.thematic_area_id)
            .where(JointProgramme.status != "pipeline")
            .order_by(JointProgramme.id)
        )
    )
    budgets = dict(
        db.session.execute(
            sa.select(ProgrammeBudgetLine.document_id, sa.func.sum(ProgrammeBudgetLine.amount)).group_by(
                ProgrammeBudgetLine.document_id
            )
        ).all()
    )
    current = latest([r.id for r in rows])
    items = [
        formula.ProgrammeAlignment(
            programme_id=r.id,
            thematic_area=r.code,
            budget=Decimal(budgets.get(r.id) or 0),
            principle_scores=current[r.id].principle_scores,
            overall=current[r.id].overall,
        )
        for r in rows
        if r.id in current
    ]
    return items, rows, current


def portfolio() -> tuple[dict[str, formula.PortfolioAlignment], formula.PortfolioAlignment | None, list]:
    """Budget-weighted alignment per thematic area and fund-wide, and the programmes flagged below minimums."""
    items, rows, current = _portfolio_inputs()
    by_area, fund = formula.portfolio(items)
    flagged = [(r, current[r.id].flags) for r in rows if r.id in current and current[r.id].flags]
    unassessed = [r for r in rows if r.id not in current]
    return by_area, fund, [flagged, unassessed]


def summary() -> dict[str, Any]:
    """Alignment scores for the public summary: per area code and fund-wide (None when nothing is assessed)."""
    by_area, fund, _ = portfolio()
    return {
        "areas": {code: f"{a.overall:.2f}" for code, a in by_area.items()},
        "fund": None if fund is None else f"{fund.overall:.2f}",
    }
