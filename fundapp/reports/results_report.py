"""The results report for any calendar year: the fund-level results framework with progress per thematic area,
programme highlights and the guiding-principle alignment.

`build(year)` queries (a fixed number of queries, whatever the number of programmes); `pdf.results_report(report)`
lays the data out as a PDF without touching the database.

Only approved content goes in, so the report is public (the transparency portal offers it to everyone):

- progress per thematic area is the results dashboard's roll-up (`programmes.reporting.fund_dashboard`) of approved
  progress reports for periods ending in or before the year;
- programme highlights cover the funded joint programmes (the transparency page's list) that started by the end of
  the year: their key indicators (those linked to fund indicators first, at most ``KEY_INDICATORS``) with baseline,
  target and the latest approved actual up to the year, and an excerpt of the narrative of the approved annual
  report for the year (or, failing that, of the latest approved report of the year);
- the alignment is the portfolio's as the transparency page shows it (latest assessment of each funded programme):
  fund score, score by thematic area and the weakest principles.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from fundapp.committee.models import JointProgrammeDocument
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core import cache as public_cache
from fundapp.core.extensions import db
from fundapp.core.i18n import _
from fundapp.programmes import reporting as programme_reporting
from fundapp.programmes.models import ProgrammeIndicator, ProgressReport, ReportValue
from fundapp.programmes.workflow import REPORT_APPROVED
from fundapp.reference import services as reference
from fundapp.reports import transparency
from fundapp.results.rollup import format_result, format_value, measure_progress, natural_key, period_key

KEY_INDICATORS = 5
EXCERPT_CHARS = 600
#: Programme highlights per page of the report's page, and per batch of the PDF.
HIGHLIGHTS_PER_PAGE = 20
HIGHLIGHTS_BATCH = 100
#: Programmes the PDF highlights at most: those with the largest allocations (a page of the PDF each, about).
PDF_HIGHLIGHTS = 50


@dataclass
class AreaProgress:
    code: str
    name: str
    #: (code, name, baseline, target, target year, result, progress, programmes reporting), all formatted; progress
    #: as results.rollup.Progress.text: '45%', '0% (raw −17%)', 'Achieved', 'Not yet', 'no result yet'.
    rows: list[tuple[str, str, str, str, str, str, str, int]]


@dataclass
class Highlight:
    id: int
    #: The programme's reference (JP-0007) and its concept note's (CN-0037).
    reference: str
    note_reference: str
    title: str
    area: str
    organisations: str
    budget: Decimal
    starts_on: date
    ends_on: date
    #: (code, name, baseline, target, actual, progress, period of the actual), formatted
    indicators: list[tuple[str, str, str, str, str, str, str]]
    narrative_period: str | None
    narrative: str


@dataclass
class ResultsReport:
    year: int
    fund_name: str
    fund_code: str
    areas: list[AreaProgress]
    #: The page's highlights (the page), or every highlight built as it is read (the PDF: read it once).
    highlights: Iterable[Highlight]
    fund_score: Decimal | None
    fund_programmes: int
    #: (area code, programmes, score)
    area_scores: list[tuple[str, int, Decimal]]
    #: (principle code, name, fund score) of the weakest principles
    weakest: list[tuple[str, str, Decimal]]
    #: (principle code, name, fund score) of every principle
    principles: list[tuple[str, str, Decimal]] = field(default_factory=list)
    #: The pages of highlights (None: the PDF's highlights).
    pages: Pagination | None = None
    #: How many funded programmes had started by the end of the year, and how many the PDF highlights.
    started: int = 0
    shown: int = 0

    @property
    def period_end(self) -> date:
        return date(self.year, 12, 31)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"{cut} …"


def approved_actuals(programme_ids: Sequence[int]) -> dict[int, list[tuple[str, Decimal]]]:
    """indicator id → (period, actual) of each APPROVED progress report of the programmes (one query).

    Drafts, submitted and returned reports never count: what the public reports show is approved."""
    rows = db.session.execute(
        sa.select(ReportValue.indicator_id, ProgressReport.period, ReportValue.actual)
        .join(ProgressReport, ProgressReport.id == ReportValue.report_id)
        .where(ProgressReport.programme_id.in_(list(programme_ids)), ProgressReport.status == REPORT_APPROVED)
    )
    actuals: dict[int, list[tuple[str, Decimal]]] = {}
    for indicator_id, period, actual in rows:
        actuals.setdefault(indicator_id, []).append((period, actual))
    return actuals


def _area_progress(year: int) -> list[AreaProgress]:
    areas = []
    for area, rows in programme_reporting.fund_dashboard(year):
        formatted = []
        for row in rows:
            i = row.indicator
            formatted.append(
                (
                    i.code,
                    i.name,
                    format_value(i.baseline_value, i.unit),
                    format_value(i.target_value, i.unit),
                    str(i.target_year),
                    format_result(row.value, i.unit),
                    row.progress.text,
                    row.rollup.programmes if row.rollup else 0,
                )
            )
        areas.append(AreaProgress(area.code, area.local_name, formatted))
    return areas


def _started_ids(year: int) -> sa.Select:
    """The ids of the funded programmes started by the end of the year, in reference order."""
    return (
        sa.select(JointProgrammeDocument.id)
        .where(
            JointProgrammeDocument.id.in_(transparency.funded_programme_ids()),
            JointProgrammeDocument.starts_on <= date(year, 12, 31),
        )
        .order_by(JointProgrammeDocument.id)
    )


def highlights_page(year: int, page: int, per_page: int = HIGHLIGHTS_PER_PAGE) -> tuple[list[Highlight], Pagination]:
    """One page of the year's programme highlights, paginated in SQL (a fixed number of queries)."""
    pagination = db.paginate(_started_ids(year), page=page, per_page=per_page, max_per_page=per_page, error_out=False)
    return _highlights(year, list(pagination.items)), pagination


def _largest_started_ids(year: int, limit: int) -> list[int]:
    """The ids of the `limit` started programmes with the largest net allocation, in reference order."""
    allocated = (
        sa.select(LedgerEntry.programme_id, sa.func.sum(LedgerEntry.amount_usd).label("usd"))
        .where(LedgerEntry.category == EntryKind.allocation, LedgerEntry.programme_id.is_not(None))
        .group_by(LedgerEntry.programme_id)
        .subquery("allocated")
    )
    largest = (
        _started_ids(year)
        .join(allocated, allocated.c.programme_id == JointProgrammeDocument.id)
        .order_by(None)
        .order_by(allocated.c.usd.desc(), JointProgrammeDocument.id)
        .limit(limit)
    )
    return sorted(db.session.scalars(largest))


def pdf_highlights() -> int:
    """How many programmes the PDF highlights at most (PDF_HIGHLIGHTS, read when the report is built)."""
    return PDF_HIGHLIGHTS


def started_count(year: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(_started_ids(year).order_by(None).subquery())) or 0


def iter_highlights(year: int, limit: int | None = None, batch: int | None = None) -> Iterator[Highlight]:
    """The year's highlights (of the `limit` largest programmes by allocation when given), built a batch of
    programmes at a time (the PDF): only ids are read whole, each batch is loaded, made plain and let go."""
    ids = list(db.session.scalars(_started_ids(year))) if limit is None else _largest_started_ids(year, limit)
    batch = batch or HIGHLIGHTS_BATCH
    for start in range(0, len(ids), batch):
        yield from _highlights(year, ids[start : start + batch])


def _highlights(year: int, programme_ids: list[int]) -> list[Highlight]:
    """The highlights of these programmes (a fixed number of queries), in the order of the ids."""
    if not programme_ids:
        return []
    programmes = transparency.programmes(transparency.funded_documents(programme_ids))
    ids = [p.id for p in programmes]
    if not ids:
        return []
    indicators: dict[int, list[ProgrammeIndicator]] = {}
    for indicator in sorted(
        db.session.scalars(sa.select(ProgrammeIndicator).where(ProgrammeIndicator.programme_id.in_(ids))),
        key=lambda i: (i.fund_indicator_id is None, natural_key(i.code)),
    ):
        indicators.setdefault(indicator.programme_id, []).append(indicator)
    actuals: dict[int, tuple[str, Decimal]] = {}
    narratives: dict[int, tuple[str, str]] = {}
    for indicator_id, values in approved_actuals(ids).items():
        up_to_year = [(period, actual) for period, actual in values if period_key(period)[0] <= year]
        if up_to_year:
            actuals[indicator_id] = max(up_to_year, key=lambda pa: period_key(pa[0]))
    reports = sa.select(ProgressReport.programme_id, ProgressReport.period, ProgressReport.narrative).where(
        ProgressReport.programme_id.in_(ids), ProgressReport.status == REPORT_APPROVED
    )
    for programme_id, period, narrative in db.session.execute(reports):
        if period_key(period)[0] != year or not (narrative or "").strip():
            continue
        current = narratives.get(programme_id)
        if current is None or period_key(period) > period_key(current[0]):
            narratives[programme_id] = (period, narrative)
    highlights = []
    for p in programmes:
        rows = []
        for i in indicators.get(p.id, [])[:KEY_INDICATORS]:
            period, actual = actuals.get(i.id, (None, None))
            rows.append(
                (
                    i.code,
                    i.name,
                    format_value(i.baseline_value, i.unit),
                    format_value(i.target_value, i.unit),
                    format_value(actual, i.unit),
                    measure_progress(i.unit, i.direction, i.baseline_value, i.target_value, actual).text,
                    programme_reporting.period_label(period) if period else _("no approved report"),
                )
            )
        period, narrative = narratives.get(p.id, (None, ""))
        highlights.append(
            Highlight(
                id=p.id,
                reference=p.reference,
                note_reference=p.note_reference,
                title=p.title,
                area=f"{p.area_code} {p.area_name}",
                organisations=", ".join(code for code, _name in p.organisations),
                budget=p.budget,
                starts_on=p.starts_on,
                ends_on=p.ends_on,
                indicators=rows,
                narrative_period=programme_reporting.period_label(period) if period else None,
                narrative=excerpt(narrative),
            )
        )
    return highlights


def _alignment() -> tuple[dict, Any]:
    by_area, portfolio, _flags = programme_reporting.alignment_portfolio()
    return by_area, portfolio


def build(year: int, page: int | None = 1) -> ResultsReport:
    """The year's report with a page of highlights, or (page None) every highlight read a batch at a time."""
    fund = reference.get_fund()
    # The portfolio reads every assessed programme's latest assessment: kept in the public cache (plain data).
    by_area, portfolio = public_cache.cached("results_report.alignment", _alignment)
    started = started_count(year)
    if page is None:
        # The PDF: every programme of a small fund; the largest PDF_HIGHLIGHTS of a large one (the page has all).
        limit = pdf_highlights()
        highlights, pages = iter_highlights(year, limit if started > limit else None), None
    else:
        highlights, pages = highlights_page(year, page, HIGHLIGHTS_PER_PAGE)
    names = {p.code: p.local_name for p in reference.guiding_principles()}
    return ResultsReport(
        year=year,
        fund_name=fund.name if fund else _("Trust fund"),
        fund_code=fund.code if fund else "FUND",
        areas=_area_progress(year),
        highlights=highlights,
        pages=pages,
        started=started,
        shown=min(started, pdf_highlights()),
        fund_score=portfolio.overall if portfolio else None,
        fund_programmes=portfolio.programmes if portfolio else 0,
        area_scores=[(code, a.programmes, a.overall) for code, a in by_area.items()],
        weakest=[(code, names.get(code, code), portfolio.principle_scores[code]) for code in portfolio.weakest]
        if portfolio
        else [],
        principles=[(code, names.get(code, code), score) for code, score in portfolio.principle_scores.items()]
        if portfolio
        else [],
    )
