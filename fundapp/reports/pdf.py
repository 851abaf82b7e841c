"""The reports' PDF layouts: they turn a report's plain data into a PDF and never query.

Built from core.pdf's blocks; every piece of text goes through `para()` (or a table cell), which escapes it.
"""

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

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
            f"Consolidated annual financial report of the administrative agent ({report.agent}) for the period "
            f"1 January to 31 December {report.year}. US dollars; prior years to 31 December {report.year - 1}, "
            f"cumulative to 31 December {report.year}."
        ),
    ]
    if report.frozen_at is not None:
        story.append(
            para(
                f"Statement frozen on {report.frozen_at:%d %B %Y} when the books of {report.year} were closed: "
                "these figures are stored and do not change with later postings."
            )
        )
    story.append(para("1. Financial overview", "h2"))
    header = ["", f"Prior years (to {report.year - 1})", f"Current year ({report.year})", "Cumulative"]
    for section, lines in report.overview:
        story.append(para(section, "h3"))
        rows = []
        for line in lines:
            if line.kind == "percent":
                cells = ["–" if v is None else f"{v:.2f} %" for v in (line.prior, line.current, line.cumulative)]
            else:
                cells = [line.prior, line.current, line.cumulative]
            rows.append([line.label, *cells])
        story.append(
            data_table(header, rows, col_widths=[78 * mm, 33 * mm, 33 * mm, 33 * mm], numeric_columns=(1, 2, 3))
        )
    story.append(para("2. Contributions by donor", "h2"))
    donors = [list(d) for d in report.donors]
    if donors:
        donors.append(annual.total_row(donors))
        story.append(
            data_table(
                ["Donor", "Commitments", "Deposits prior years", f"Deposits {report.year}", "Deposits cumulative"],
                donors,
                col_widths=[58 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm],
                total_row=True,
            )
        )
    else:
        story.append(para("No contributions up to this year."))
    for number, title, rows in (
        (3, "Transfers and expenditure by participating organization", report.organisations),
        (4, "Transfers and expenditure by joint programme", report.programmes),
    ):
        story.append(para(f"{number}. {title}", "h2"))
        if not rows:
            story.append(para("No transfers, allocations or expenditure up to this year."))
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
                    "Name",
                    "Allocated",
                    f"Transferred {report.year}",
                    "Transferred cumulative",
                    "Refunded cumulative",
                    f"Expenditure {report.year}",
                    "Expenditure cumulative",
                ],
                [[row[0], *(_small_money(v) for v in row[1:])] for row in body],
                col_widths=[46 * mm] + [22 * mm] * 6,
                total_row=True,
            )
        )
    return build_pdf(
        f"{report.fund_name}: annual financial report {report.year}",
        story,
        subtitle=f"{report.fund_code} · administrative agent: {report.agent}",
        footer=f"{report.fund_code} annual financial report {report.year}",
    )


# The results report ---------------------------------------------------------------------------------------


def results_report(report: ResultsReport) -> bytes:
    """The results report: progress per thematic area, programme highlights, alignment."""
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
            "yes / no counts the programmes reporting yes. Progress = (result − baseline) ÷ (target − baseline), "
            "shown between 0 and 100% with the raw figure in brackets when the result is worse than the baseline "
            "or beyond the target; yes / no indicators are achieved or not yet.",
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
                f"From concept note {h.note_reference} · {h.area} · {h.organisations} · budget US$ {h.budget:,.2f} · "
                f"{h.starts_on.isoformat()} to {h.ends_on.isoformat()}",
                "small",
            )
        )
        if h.indicators:
            story.append(
                data_table(
                    ["Indicator", "Baseline", "Target", "Actual", "Progress", "As of"],
                    [
                        [f"{code} {name}", base, target, actual, progress, period]
                        for code, name, base, target, actual, progress, period in h.indicators
                    ],
                    col_widths=[175, 52, 52, 60, 70, 91],
                    numeric_columns=(1, 2, 3, 4),
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
