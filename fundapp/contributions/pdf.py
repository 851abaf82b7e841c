"""The contribution report as PDF: rendering only, from a ContributionReport built by the services."""

from decimal import ROUND_HALF_UP, Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.units import mm

from fundapp.contributions.services import ContributionReport, programme_label
from fundapp.core.money import format_money
from fundapp.core.pdf import BLUE, build_pdf, data_table, para


def _year_chart(report: ContributionReport) -> Drawing:
    drawing = Drawing(170 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 18 * mm, 8 * mm, 145 * mm, 45 * mm
    chart.data = [[float(v) for _y, v in report.by_year] or [0]]  # reportlab draws floats; display only
    chart.categoryAxis.categoryNames = [str(y) for y, _v in report.by_year] or [""]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = lambda v: f"{v / 1_000_000:,.1f}M" if v >= 1_000_000 else f"{v:,.0f}"
    chart.bars[0].fillColor = BLUE
    drawing.add(chart)
    drawing.add(String(0, 57 * mm, "Deposits by year (USD, to the end of the period)", fontSize=8))
    return drawing


def contribution_report_pdf(report: ContributionReport) -> bytes:
    figures = report.figures
    share = figures.share_percent
    story = [
        para("Totals", "h2"),
        data_table(
            ["", "USD"],
            [
                ["Deposits in the period", report.period_deposits_usd],
                ["Administrative agent fee (deducted on receipt)", report.period_fees_usd],
                ["Net deposits in the period", report.period_net_usd],
                ["Cumulative deposits to the end of the period", figures.deposits_usd],
                ["Share of all deposits to the fund", "–" if share is None else f"{share:.2f}%"],
                ["Commitments (USD equivalent)", figures.commitments_usd],
            ],
            col_widths=[110 * mm, 60 * mm],
            numeric_columns=(1,),
        ),
        para("Deposits", "h2"),
    ]
    rows = [
        [
            d.deposited_on.strftime("%d %b %Y"),
            d.agreement.reference,
            f"{d.currency} {format_money(d.amount)}",
            f"{d.rate}",
            d.amount_usd,
            d.fee_usd,
            "reversed" if d.id in report.reversed_ids else ("over-payment" if d.is_overpayment else ""),
        ]
        for d in report.deposits
    ]
    rows.append(["Total", "", "", "", report.period_deposits_usd, report.period_fees_usd, ""])
    story.append(
        data_table(
            ["Date", "Agreement", "Amount", "Rate", "USD", "Fee USD", ""],
            rows,
            numeric_columns=(2, 3),
            total_row=True,
        )
    )
    story.append(para("Attribution by thematic area", "h2"))
    by_area = report.attribution_by_area()
    if by_area:
        story.append(
            data_table(
                ["Pool", "Attributed USD"],
                [*([p, v] for p, v in by_area), ["Total", figures.attributed_usd]],
                col_widths=[110 * mm, 60 * mm],
                total_row=True,
            )
        )
        story.append(para("Attribution by programme", "h2"))
        story.append(
            data_table(
                ["Pool", "Programme", "Allocated from pool", "Your share", "Attributed USD"],
                [
                    [
                        r.pool,
                        programme_label(r.programme_id),
                        r.pool_allocated,
                        f"{(r.share * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%",
                        r.attributed,
                    ]
                    for r in figures.attribution
                ],
                numeric_columns=(3,),
            )
        )
    else:
        story.append(para("No allocations have been made from pools your money went to yet."))
    story.append(para("Chart", "h2"))
    story.append(_year_chart(report))
    story.append(
        para(
            "Amounts in US dollars at the UN operational rate of exchange of each deposit's month, rounded half up "
            "to cents. Attribution: earmarked money to the programmes allocated from that thematic area's pool, "
            "unearmarked money pro rata to the allocations from the unearmarked pool.",
            "small",
        )
    )
    return build_pdf(
        f"Contribution report: {report.donor.name}",
        story,
        subtitle=f"{report.date_from.strftime('%d %b %Y')} to {report.date_to.strftime('%d %b %Y')}",
        footer=f"Contribution report · {report.donor.name}",
    )
