"""The contribution report as PDF: rendering only, from a ContributionReport built by the services."""

from decimal import ROUND_HALF_UP, Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.units import mm

from fundapp.contributions.charts import short_amount
from fundapp.contributions.ledger import shown
from fundapp.contributions.services import ContributionReport, programme_label
from fundapp.core.i18n import _
from fundapp.core.pdf import BLUE, build_pdf, data_table, drawn_text, font, para, right_to_left


def _year_chart(report: ContributionReport) -> Drawing:
    """Deposits by year as bars. Right to left (Arabic) the chart is mirrored: the first year at the right, the
    amounts' axis and the title on the right; the figures themselves keep their left-to-right digits."""
    mirrored = right_to_left()
    by_year = list(report.by_year)[::-1] if mirrored else list(report.by_year)
    drawing = Drawing(170 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = (7 if mirrored else 18) * mm, 8 * mm, 145 * mm, 45 * mm
    chart.data = [[float(v) for _y, v in by_year] or [0]]  # reportlab draws floats; display only
    chart.categoryAxis.categoryNames = [str(y) for y, _v in by_year] or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font()
    chart.valueAxis.valueMin = 0
    # The web chart's short amounts ("5.7M", in Arabic "5.7 مليون"), drawn as reportlab draws: left to right.
    chart.valueAxis.labelTextFormat = lambda v: drawn_text(short_amount(Decimal(str(v))))
    if mirrored:
        chart.valueAxis.joinAxisMode = "right"
        chart.valueAxis.labels.boxAnchor = "w"
        chart.valueAxis.labels.dx = 5
    chart.bars[0].fillColor = BLUE
    drawing.add(chart)
    title = drawn_text(_("Deposits by year (USD, to the end of the period)"))
    if mirrored:
        drawing.add(String(170 * mm, 57 * mm, title, fontSize=8, fontName=font(), textAnchor="end"))
    else:
        drawing.add(String(0, 57 * mm, title, fontSize=8, fontName=font()))
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
