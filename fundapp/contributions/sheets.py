"""Spreadsheet layouts of the financial statements: plain data in, worksheet rows out (no queries).

The views pass the objects their pages render (`ledger.funding_status`, `ledger.pool_balances`,
`services.contribution_report`), so the XLSX shows the page's figures, to the cent.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fundapp.contributions.ledger import FundingStatus, Pool
from fundapp.contributions.models import EntryKind
from fundapp.contributions.services import ContributionReport, programme_label

Sheet = tuple[str, list[str], list[list[Any]]]


def funding_status_sheets(status: FundingStatus, pools: list[Pool]) -> list[Sheet]:
    statement: list[list[Any]] = []
    for section, rows in status.sections():
        statement.append([section, None, None])
        for label, value, kind in rows:
            statement.append([label, value, "%" if kind == "percent" else "USD"])
    as_of = status.as_of.isoformat() if status.as_of else "today"
    columns = [
        lambda p: p.net_deposits,
        lambda p: p.totals[EntryKind.interest],
        lambda p: p.totals[EntryKind.allocation],
        lambda p: p.totals[EntryKind.refund],
        lambda p: p.totals[EntryKind.direct_cost] + p.totals[EntryKind.bank_charge],
        lambda p: p.available,
    ]
    pool_rows: list[list[Any]] = [
        [f"{p.label} earmarked" if p.area_id else "Unearmarked", p.name, *(c(p) for c in columns)] for p in pools
    ]
    pool_rows.append(["All pools", "", *(sum((c(p) for p in pools), Decimal("0.00")) for c in columns)])
    return [
        (f"Funding status {as_of}", ["Line", "Amount", "Unit"], statement),
        (
            "Available by pool",
            ["Pool", "Name", "Net deposits", "Interest", "Allocations", "Refunds", "Costs and charges", "Available"],
            pool_rows,
        ),
    ]


def contribution_report_sheets(report: ContributionReport) -> list[Sheet]:
    share = report.figures.share_percent
    summary = [
        ["Donor", report.donor.name],
        ["Period start", report.date_from],
        ["Period end", report.date_to],
        ["Deposits in period (USD)", report.period_deposits_usd],
        ["Administrative agent fee (USD)", report.period_fees_usd],
        ["Net deposits in period (USD)", report.period_net_usd],
        ["Cumulative deposits to period end (USD)", report.figures.deposits_usd],
        ["Share of all deposits (%)", share],
        ["Total attributed (USD)", report.figures.attributed_usd],
    ]
    deposits = [
        [
            d.deposited_on,
            d.agreement.reference,
            d.agreement.thematic_area.code if d.agreement.thematic_area else "unearmarked",
            d.currency,
            d.amount,
            d.rate,
            d.amount_usd,
            d.fee_usd,
            d.net_usd,
            "reversed" if d.id in report.reversed_ids else ("overpayment" if d.is_overpayment else "received"),
        ]
        for d in report.deposits
    ]
    attribution = [
        [
            r.pool,
            programme_label(r.programme_id),
            r.pool_allocated,
            (r.share * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            r.attributed,
        ]
        for r in report.figures.attribution
    ]
    return [
        ("Summary", ["Item", "Value"], summary),
        (
            "Deposits",
            [
                "Date",
                "Agreement",
                "Earmark",
                "Currency",
                "Amount",
                "Rate",
                "Amount USD",
                "Fee USD",
                "Net USD",
                "Status",
            ],
            deposits,
        ),
        (
            "Attribution",
            ["Pool", "Programme", "Allocated from pool USD", "Donor share %", "Attributed USD"],
            attribution,
        ),
    ]
