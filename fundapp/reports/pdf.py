"""The reports' PDF layouts: they turn a report's plain data into a PDF and never query.

Built from core.pdf's blocks; every piece of text goes through `para()` (or a table cell), which escapes it.
"""

from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from fundapp.contributions.ledger import day_label, shown, usd
from fundapp.core.i18n import _
from fundapp.core.pdf import build_pdf, data_table, money_cell, para
from fundapp.reports import annual
from fundapp.reports.annual import AnnualReport
from fundapp.reports.results_report import ResultsReport

# The annual financial report ------------------------------------------------------------------------------


def _small_money(value: Decimal) -> Flowable:
    """Amounts in a smaller type, so that eight-figure sums fit seven columns on A4."""
    return money_cell(value, "num_small")


def annual_report(report: AnnualReport) -> bytes:
    """The annual financial report in the administrative agent's layout."""
    story: list = [
        para(
            _(
                "Consolidated annual financial report of the administrative agent (%(agent)s) for the period "
                "%(start)s to %(end)s. US dollars; prior years to %(prior_end)s, cumulative to %(end)s.",
                agent=report.agent,
                start=day_label(date(report.year, 1, 1)),
                end=day_label(date(report.year, 12, 31)),
                prior_end=day_label(date(report.year - 1, 12, 31)),
            )
        ),
    ]
    if report.frozen_at is not None:
        story.append(
            para(
                _(
                    "Statement frozen on %(date)s when the books of %(year)s were closed: these figures are stored "
                    "and do not change with later postings.",
                    date=day_label(report.frozen_at.date()),
                    year=report.year,
                )
            )
        )
    story.append(para(_("1. Financial overview"), "h2"))
    header = [
        "",
        _("Prior years (to %(year)s)", year=report.year - 1),
        _("Current year (%(year)s)", year=report.year),
        _("Cumulative"),
    ]
    for section, lines in report.overview:
        story.append(para(section, "h3"))
        rows = []
        for line in lines:
            if line.kind == "percent":
                cells = [
                    "–" if v is None else shown("percent", v, 2) for v in (line.prior, line.current, line.cumulative)
                ]
            else:
                cells = [line.prior, line.current, line.cumulative]
            rows.append([line.label, *cells])
        story.append(
            data_table(header, rows, col_widths=[78 * mm, 33 * mm, 33 * mm, 33 * mm], numeric_columns=(1, 2, 3))
        )
    story.append(para(_("2. Contributions by donor"), "h2"))
    donors = [list(d) for d in report.donors]
    if donors:
        donors.append(annual.total_row(donors))
        story.append(
            data_table(
                [
                    _("Donor"),
                    _("Commitments"),
                    _("Deposits prior years"),
                    _("Deposits %(year)s", year=report.year),
                    _("Deposits cumulative"),
                ],
                donors,
                col_widths=[58 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm],
                total_row=True,
            )
        )
    else:
        story.append(para(_("No contributions up to this year.")))
    for number, title, rows in (
        (3, _("Transfers and expenditure by participating organization"), report.organisations),
        (4, _("Transfers and expenditure by joint programme"), report.programmes),
    ):
        story.append(para(f"{number}. {title}", "h2"))
        if not rows:
            story.append(para(_("No transfers, allocations or expenditure up to this year.")))
            continue
        body = [
            [
                r.label,
                r.values["allocation"][2],
                r.values["transfer"][1],
                r.values["transfer"][2],
                r.values["refund"][2],
                r.values["expenditure"][1],
                r.values["expenditure"][2],
            ]
            for r in rows
        ]
        body.append(annual.total_row(body))
        story.append(
            data_table(
                [
                    _("Name"),
                    _("Allocated"),
                    _("Transferred %(year)s", year=report.year),
                    _("Transferred cumulative"),
                    _("Refunded cumulative"),
                    _("Expenditure %(year)s", year=report.year),
                    _("Expenditure cumulative"),
                ],
                [[row[0], *(_small_money(v) for v in row[1:])] for row in body],
                col_widths=[46 * mm] + [22 * mm] * 6,
                total_row=True,
            )
        )
    return build_pdf(
        _("%(fund)s: annual financial report %(year)s", fund=report.fund_name, year=report.year),
        story,
        subtitle=_("%(code)s · administrative agent: %(agent)s", code=report.fund_code, agent=report.agent),
        footer=_("%(code)s annual financial report %(year)s", code=report.fund_code, year=report.year),
    )


# The results report ---------------------------------------------------------------------------------------


def results_report(report: ResultsReport) -> bytes:
    """The results report: progress per thematic area, programme highlights, alignment."""
    story: list = [
        para(
            _(
                "Results of the %(fund)s for %(start)s to %(end)s: the fund's results framework with the results "
                "joint programmes reported in approved progress reports, highlights of each funded programme, and "
                "the portfolio's alignment with the guiding principles. Only approved reports are counted.",
                fund=report.fund_name,
                start=day_label(date(report.year, 1, 1)),
                end=day_label(date(report.year, 12, 31)),
            )
        ),
        para(_("Progress per thematic area"), "h2"),
        para(
            _(
                "Numbers and amounts add up across programmes, percentages and scores average by programme budget, "
                "yes / no counts the programmes reporting yes. Progress = (result − baseline) ÷ (target − baseline), "
                "shown between 0 and 100% with the raw figure in brackets when the result is worse than the baseline "
                "or beyond the target; yes / no indicators are achieved or not yet."
            ),
            "small",
        ),
    ]
    for area in report.areas:
        story.append(para(f"{area.code} {area.name}", "h3"))
        if not area.rows:
            story.append(para(_("No indicators in this area."), "small"))
            continue
        story.append(
            data_table(
                [_("Indicator"), _("Baseline"), _("Target"), _("Result"), _("Progress"), _("Programmes")],
                [
                    [f"{code} {name}", base, f"{target} ({ty})", result, progress, count]
                    for code, name, base, target, ty, result, progress, count in area.rows
                ],
                col_widths=[190, 50, 75, 60, 55, 70],
                numeric_columns=(1, 2, 3, 4, 5),
            )
        )
    story.append(para(_("Programme highlights"), "h2"))
    if report.started > report.shown:
        story.append(
            para(
                _(
                    "The %(shown)s joint programmes with the largest allocations are highlighted here, of the "
                    "%(started)s that had started by the end of %(year)s; the results report page shows every one.",
                    shown=report.shown,
                    started=report.started,
                    year=report.year,
                ),
                "small",
            )
        )
    highlighted = 0
    for highlighted, h in enumerate(report.highlights, start=1):  # noqa: B007  (read once: built in batches)
        story.append(para(f"{h.reference} {h.title}", "h3"))
        story.append(
            para(
                _(
                    "From concept note %(note)s · %(area)s · %(organisations)s · budget US$ %(budget)s · "
                    "%(start)s to %(end)s",
                    note=h.note_reference,
                    area=h.area,
                    organisations=h.organisations,
                    budget=usd(h.budget),
                    start=h.starts_on.isoformat(),
                    end=h.ends_on.isoformat(),
                ),
                "small",
            )
        )
        if h.indicators:
            story.append(
                data_table(
                    [_("Indicator"), _("Baseline"), _("Target"), _("Actual"), _("Progress"), _("As of")],
                    [
                        [f"{code} {name}", base, target, actual, progress, period]
                        for code, name, base, target, actual, progress, period in h.indicators
                    ],
                    col_widths=[175, 52, 52, 60, 70, 91],
                    numeric_columns=(1, 2, 3, 4),
                )
            )
        else:
            story.append(para(_("No results framework yet."), "small"))
        if h.narrative:
            story.append(para(_("From the approved report for %(period)s:", period=h.narrative_period), "small"))
            story.append(para(h.narrative))
        else:
            story.append(para(_("No approved progress report for %(year)s.", year=report.year), "small"))
    if not highlighted:
        story.append(
            para(_("No funded joint programme had started by the end of %(year)s.", year=report.year), "small")
        )
    story.append(para(_("Alignment with the guiding principles"), "h2"))
    if report.fund_score is None:
        story.append(para(_("No funded programme has an alignment assessment yet."), "small"))
    else:
        story.append(
            para(
                _(
                    "Fund score %(score)s out of 100 (budget-weighted, %(count)s assessed programmes, latest "
                    "assessment of each).",
                    score=f"{report.fund_score:.2f}",
                    count=report.fund_programmes,
                )
            )
        )
        story.append(
            data_table(
                [_("Thematic area"), _("Programmes"), _("Score (0–100)")],
                [[code, count, f"{score:.2f}"] for code, count, score in report.area_scores],
                col_widths=[250, 100, 100],
                numeric_columns=(1, 2),
            )
        )
        story.append(para(_("Weakest principles (0–3)"), "h3"))
        story.append(
            data_table(
                [_("Principle"), _("Score (0–3)")],
                [[f"{code} {name}", f"{score:.2f}"] for code, name, score in report.weakest],
                col_widths=[350, 100],
                numeric_columns=(1,),
            )
        )
    return build_pdf(
        _("%(fund)s: results report %(year)s", fund=report.fund_name, year=report.year),
        story,
        subtitle=_(
            "Fund %(code)s · approved results up to %(end)s",
            code=report.fund_code,
            end=day_label(date(report.year, 12, 31)),
        ),
        footer=_("%(code)s results report %(year)s", code=report.fund_code, year=report.year),
    )
