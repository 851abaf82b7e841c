"""The contribution report as PDF: rendering only, from a ContributionReport built by the services."""

from decimal import ROUND_HALF_UP, Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.units import mm

from fundapp.contributions.ledger import shown
from fundapp.contributions.services import ContributionReport, programme_label
from fundapp.core.i18n import _
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
    drawing.add(String(0, 57 * mm, _("Deposits by year (USD, to the end of the period)"), fontSize=8))
    return drawing


def contribution_report_pdf(report: ContributionReport) -> bytes:
    figures = report.figures
    share = figures.share_percent
    story = [
        para(_("Totals"), "h2"),
        data_table(
            ["", "USD"],
            [
                [_("Deposits in the period"), report.period_deposits_usd],
                [_("Administrative agent fee (deducted on receipt)"), report.period_fees_usd],
                [_("Net deposits in the period"), report.period_net_usd],
                [_("Cumulative deposits to the end of the period"), figures.deposits_usd],
                [_("Share of all deposits to the fund"), "–" if share is None else shown("percent", share, 2)],
                [_("Commitments (USD equivalent)"), figures.commitments_usd],
            ],
            col_widths=[110 * mm, 60 * mm],
            numeric_columns=(1,),
        ),
        para(_("Deposits"), "h2"),
    ]
    rows = [
        [
            shown("date", d.deposited_on),
            d.agreement.reference,
            f"{d.currency} {shown('money', d.amount)}",
            shown("rate", d.rate),
            d.amount_usd,
            d.fee_usd,
            _("reversed") if d.id in report.reversed_ids else (_("over-payment") if d.is_overpayment else ""),
        ]
        for d in report.deposits
    ]
    rows.append([_("Total"), "", "", "", report.period_deposits_usd, report.period_fees_usd, ""])
    story.append(
        data_table(
            [_("Date"), _("Agreement"), _("Amount"), _("Rate"), _("USD"), _("Fee USD"), ""],
            rows,
            numeric_columns=(2, 3),
            total_row=True,
        )
    )
    story.append(para(_("Attribution by thematic area"), "h2"))
    by_area = report.attribution_by_area()
    if by_area:
        story.append(
            data_table(
                [_("Pool"), _("Attributed USD")],
                [*([p, v] for p, v in by_area), [_("Total"), figures.attributed_usd]],
                col_widths=[110 * mm, 60 * mm],
                total_row=True,
            )
        )
        story.append(para(_("Attribution by programme"), "h2"))
        story.append(
            data_table(
                [_("Pool"), _("Programme"), _("Allocated from pool"), _("Your share"), _("Attributed USD")],
                [
                    [
                        r.pool,
                        programme_label(r.programme_id),
                        r.pool_allocated,
                        shown("percent", (r.share * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), 2),
                        r.attributed,
                    ]
                    for r in figures.attribution
                ],
                numeric_columns=(3,),
            )
        )
    else:
        story.append(para(_("No allocations have been made from pools your money went to yet.")))
    story.append(para(_("Chart"), "h2"))
    story.append(_year_chart(report))
    story.append(
        para(
            _(
                "Amounts in US dollars at the UN operational rate of exchange of each deposit's month, rounded half "
                "up to cents. Attribution: earmarked money to the programmes allocated from that thematic area's "
                "pool, unearmarked money pro rata to the allocations from the unearmarked pool."
            ),
            "small",
        )
    )
    return build_pdf(
        _("Contribution report: %(donor)s", donor=report.donor.name),
        story,
        subtitle=_("%(start)s to %(end)s", start=shown("date", report.date_from), end=shown("date", report.date_to)),
        footer=_("Contribution report · %(donor)s", donor=report.donor.name),
    )
