"""The results report for any calendar year: the fund-level results framework with progress per thematic area,
programme highlights and the guiding-principle alignment.

`build(year)` queries (a fixed number of queries, whatever the number of programmes); `render_pdf(report)` turns
the data into a PDF without touching the database.

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

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundapp.core.extensions import db
from fundapp.core.pdf import build_pdf, data_table, para
from fundapp.programmes import reporting as programme_reporting
from fundapp.programmes.models import ProgrammeIndicator, ProgressReport, ReportValue
from fundapp.programmes.workflow import REPORT_APPROVED
from fundapp.reference import services as reference
from fundapp.reports import transparency
from fundapp.results.rollup import format_value, period_key

KEY_INDICATORS = 5
EXCERPT_CHARS = 600


@dataclass
class AreaProgress:
    code: str
    name: str
    #: (code, name, baseline, target, target year, result, progress %, programmes reporting), all formatted
    rows: list[tuple[str, str, str, str, str, str, str, int]]


@dataclass
class Highlight:
    reference: str
    title: str
    area: str
    organisations: str
    budget: Decimal
    starts_on: date
    ends_on: date
    #: (code, name, baseline, target, actual, period of the actual), formatted
    indicators: list[tuple[str, str, str, str, str, str]]
    narrative_period: str | None
    narrative: str


@dataclass
class ResultsReport:
    year: int
    fund_name: str
    fund_code: str
    areas: list[AreaProgress]
    highlights: list[Highlight]
    fund_score: Decimal | None
    fund_programmes: int
    #: (area code, programmes, score)
    area_scores: list[tuple[str, int, Decimal]]
    #: (principle code, name, fund score) of the weakest principles
    weakest: list[tuple[str, str, Decimal]]
    #: (principle code, name, fund score) of every principle
    principles: list[tuple[str, str, Decimal]] = field(default_factory=list)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"{cut} …"


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
                    format_value(row.value, i.unit),
                    "–" if row.percent is None else f"{row.percent:.0f}%",
                    row.rollup.programmes if row.rollup else 0,
                )
            )
        areas.append(AreaProgress(area.code, area.name, formatted))
    return areas


def _highlights(year: int) -> list[Highlight]:
    year_end = date(year, 12, 31)
    programmes = sorted(
        (p for p in transparency.list_programmes() if p.starts_on <= year_end), key=lambda p: p.reference
    )
    ids = [p.id for p in programmes]
    if not ids:
        return []
    indicators: dict[int, list[ProgrammeIndicator]] = {}
    for indicator in db.session.scalars(
        sa.select(ProgrammeIndicator)
        .where(ProgrammeIndicator.programme_id.in_(ids))
        .order_by(ProgrammeIndicator.fund_indicator_id.is_(None), ProgrammeIndicator.code)
    ):
        indicators.setdefault(indicator.programme_id, []).append(indicator)
    actuals: dict[int, tuple[str, Decimal]] = {}
    narratives: dict[int, tuple[str, str]] = {}
    approved = (
        sa.select(ReportValue.indicator_id, ProgressReport.period, ReportValue.actual)
        .join(ProgressReport, ProgressReport.id == ReportValue.report_id)
        .where(ProgressReport.programme_id.in_(ids), ProgressReport.status == REPORT_APPROVED)
    )
    for indicator_id, period, actual in db.session.execute(approved):
        if period_key(period)[0] > year:
            continue
        if indicator_id not in actuals or period_key(period) > period_key(actuals[indicator_id][0]):
            actuals[indicator_id] = (period, actual)
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
                    programme_reporting.period_label(period) if period else "no approved report",
                )
            )
        period, narrative = narratives.get(p.id, (None, ""))
        highlights.append(
            Highlight(
                reference=p.reference,
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


def build(year: int) -> ResultsReport:
    fund = reference.get_fund()
    by_area, portfolio, _flags = programme_reporting.alignment_portfolio()
    names = {p.code: p.name for p in reference.guiding_principles()}
    return ResultsReport(
        year=year,
        fund_name=fund.name if fund else "Trust fund",
        fund_code=fund.code if fund else "FUND",
        areas=_area_progress(year),
        highlights=_highlights(year),
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


# Renderer (no queries) --------------------------------------------------------------------------------


def render_pdf(report: ResultsReport) -> bytes:
    story: list = [
        para(
            f"Results of the {report.fund_name} for 1 January to 31 December {report.year}: the fund's results "
            "framework with the results joint programmes reported in approved progress reports, highlights of "
            "each funded programme, and the portfolio's alignment with the guiding principles. Only approved "
            "reports are counted."
        ),
        para("Progress per thematic area", "h2"),
        para(
            "Numbers and amounts add up across programmes, percentages and scores average by programme budget, "
            "yes / no counts the programmes reporting yes. Progress runs from the baseline to the target.",
            "small",
        ),
    ]
    for area in report.areas:
        story.append(para(f"{area.code} {area.name}", "h3"))
        if not area.rows:
            story.append(para("No indicators in this area.", "small"))
            continue
        story.append(
            data_table(
                ["Indicator", "Baseline", "Target", "Result", "Progress", "Programmes"],
                [
                    [f"{code} {name}", base, f"{target} ({ty})", result, progress, count]
                    for code, name, base, target, ty, result, progress, count in area.rows
                ],
                col_widths=[190, 50, 75, 60, 55, 70],
                numeric_columns=(1, 2, 3, 4, 5),
            )
        )
    story.append(para("Programme highlights", "h2"))
    if not report.highlights:
        story.append(para(f"No funded joint programme had started by the end of {report.year}.", "small"))
    for h in report.highlights:
        story.append(para(f"{h.reference} {h.title}", "h3"))
        story.append(
            para(
                f"{h.area} · {h.organisations} · budget US$ {h.budget:,.2f} · "
                f"{h.starts_on.isoformat()} to {h.ends_on.isoformat()}",
                "small",
            )
        )
        if h.indicators:
            story.append(
                data_table(
                    ["Indicator", "Baseline", "Target", "Actual", "As of"],
                    [
                        [f"{code} {name}", base, target, actual, period]
                        for code, name, base, target, actual, period in h.indicators
                    ],
                    col_widths=[220, 55, 55, 60, 110],
                    numeric_columns=(1, 2, 3),
                )
            )
        else:
            story.append(para("No results framework yet.", "small"))
        if h.narrative:
            story.append(para(f"From the approved report for {h.narrative_period}:", "small"))
            story.append(para(h.narrative))
        else:
            story.append(para(f"No approved progress report for {report.year}.", "small"))
    story.append(para("Alignment with the guiding principles", "h2"))
    if report.fund_score is None:
        story.append(para("No funded programme has an alignment assessment yet.", "small"))
    else:
        story.append(
            para(
                f"Fund score {report.fund_score:.2f} out of 100 (budget-weighted, {report.fund_programmes} assessed "
                "programmes, latest assessment of each)."
            )
        )
        story.append(
            data_table(
                ["Thematic area", "Programmes", "Score (0–100)"],
                [[code, count, f"{score:.2f}"] for code, count, score in report.area_scores],
                col_widths=[250, 100, 100],
                numeric_columns=(1, 2),
            )
        )
        story.append(para("Weakest principles (0–3)", "h3"))
        story.append(
            data_table(
                ["Principle", "Score (0–3)"],
                [[f"{code} {name}", f"{score:.2f}"] for code, name, score in report.weakest],
                col_widths=[350, 100],
                numeric_columns=(1,),
            )
        )
    return build_pdf(
        f"{report.fund_name}: results report {report.year}",
        story,
        subtitle=f"Fund {report.fund_code} · approved results up to 31 December {report.year}",
        footer=f"{report.fund_code} results report {report.year}",
    )
