"""CSV and spreadsheet layouts of contributions: plain data in, a header and rows out (no queries).

The views pass the objects their pages render (`ledger.statement`, `ledger.ledger_csv_entries`,
`services.agreement_rows`, `services.contribution_report`), so a download shows the page's figures, to
the cent. `core.tabular` writes them: free text is neutralised against spreadsheet formula injection
there, amounts stay numbers. Nothing here writes a cell itself.
"""

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from fundapp.contributions.ledger import FundingStatus, Pool, Statement
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.contributions.services import AgreementRow, ContributionReport, programme_label
from fundapp.core.tabular import safe_text

Cell = str | int | Decimal | date | None
Row = list[Cell]
#: (header, rows) of a CSV download.
Table = tuple[list[str], list[Row]]
#: (title, header, rows) of one worksheet.
Sheet = tuple[str, list[str], list[Row]]


def agreements_table(rows: Iterable[AgreementRow]) -> Table:
    """The donors page's agreements, one row per agreement."""
    header = [
        "donor", "donor_code", "agreement", "signed_on", "earmark", "currency", "committed", "paid", "outstanding",
        "paid_usd", "commitment_usd", "status",
    ]  # fmt: skip
    return header, [
        [
            r.agreement.donor.name,
            r.agreement.donor.organisation.code,
            r.agreement.reference,
            r.agreement.signed_on,
            r.agreement.thematic_area.code if r.agreement.thematic_area else "unearmarked",
            r.agreement.currency,
            r.agreement.committed_amount,
            r.paid,
            r.outstanding,
            r.paid_usd,
            r.commitment_usd,
            r.status.value,
        ]
        for r in rows
    ]


def ledger_table(entries: Iterable[LedgerEntry]) -> tuple[list[str], Iterator[Row]]:
    """The ledger page's entries (same filters), newest first; the rows are written as the entries are read."""
    header = [
        "id", "entry_on", "kind", "category", "amount_usd", "pool", "donor", "agreement_id", "deposit_id",
        "organisation", "programme_id", "reversal_of_id", "description",
    ]  # fmt: skip
    rows = (
        [
            e.id,
            e.entry_on,
            e.kind.value,
            e.category.value,
            e.amount_usd,
            e.thematic_area.code if e.thematic_area else "unearmarked",
            e.donor.name if e.donor else "",
            e.agreement_id,
            e.deposit_id,
            e.organisation.code if e.organisation else "",
            e.programme_id,
            e.reversal_of_id,
            e.description,
        ]
        for e in entries
    )
    return header, rows


def funding_status_table(status: FundingStatus) -> Table:
    """The statement as the page shows it: a section line, then its lines (percentages with their sign)."""
    as_of = status.as_of.isoformat() if status.as_of else "today"
    rows: list[Row] = []
    for section, lines in status.sections():
        rows.append([section, ""])
        for label, value, kind in lines:
            if value is None:
                rows.append([label, ""])
            else:
                rows.append([label, f"{value:.2f}%" if kind == "percent" else value])
    return [f"Funding status as of {as_of}", "USD"], rows


def _deposit_status(report: ContributionReport, deposit_id: int, is_overpayment: bool) -> str:
    if deposit_id in report.reversed_ids:
        return "reversed"
    return "overpayment" if is_overpayment else "received"


def _share_percent(share: Decimal) -> Decimal:
    return (share * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def contribution_report_table(report: ContributionReport) -> Table:
    """The contribution report as one CSV: the same figures as the page, the PDF and the workbook."""
    share = report.figures.share_percent
    rows: list[Row] = [
        ["Period", report.date_from, report.date_to],
        [],
        ["date", "agreement", "earmark", "currency", "amount", "rate", "amount_usd", "fee_usd", "net_usd", "status"],
    ]
    rows += [
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
            _deposit_status(report, d.id, d.is_overpayment),
        ]
        for d in report.deposits
    ]
    rows += [
        [],
        ["Deposits in period (USD)", report.period_deposits_usd],
        ["Administrative agent fee (USD)", report.period_fees_usd],
        ["Net deposits in period (USD)", report.period_net_usd],
        ["Cumulative deposits to period end (USD)", report.figures.deposits_usd],
        ["Share of all deposits (%)", share],
        [],
        ["pool", "programme", "allocated_from_pool_usd", "donor_share_percent", "attributed_usd"],
    ]
    rows += [
        [r.pool, programme_label(r.programme_id), r.pool_allocated, _share_percent(r.share), r.attributed]
        for r in report.figures.attribution
    ]
    rows.append(["Total attributed (USD)", "", "", "", report.figures.attributed_usd])
    # The writer neutralises the rows; the header is written as given, so the donor's name is made safe here.
    return ["Contribution report", safe_text(report.donor.name)], rows


def funding_status_sheets(statement: Statement) -> list[Sheet]:
    """The funding status page as a workbook: the statement, and the pools."""
    return [_statement_sheet(statement.status), _pools_sheet(statement.pools)]


def _statement_sheet(status: FundingStatus) -> Sheet:
    lines: list[Row] = []
    for section, rows in status.sections():
        lines.append([section, None, None])
        for label, value, kind in rows:
            lines.append([label, value, "%" if kind == "percent" else "USD"])
    as_of = status.as_of.isoformat() if status.as_of else "today"
    return f"Funding status {as_of}", ["Line", "Amount", "Unit"], lines


def _pools_sheet(pools: list[Pool]) -> Sheet:
    columns = [
        lambda p: p.net_deposits,
        lambda p: p.totals[EntryKind.interest],
        lambda p: p.totals[EntryKind.allocation],
        lambda p: p.totals[EntryKind.refund],
        lambda p: p.totals[EntryKind.direct_cost] + p.totals[EntryKind.bank_charge],
        lambda p: p.available,
    ]
    rows: list[Row] = [
        [f"{p.label} earmarked" if p.area_id else "Unearmarked", p.name, *(c(p) for c in columns)] for p in pools
    ]
    rows.append(["All pools", "", *(sum((c(p) for p in pools), Decimal("0.00")) for c in columns)])
    header = ["Pool", "Name", "Net deposits", "Interest", "Allocations", "Refunds", "Costs and charges", "Available"]
    return "Available by pool", header, rows


def contribution_report_sheets(report: ContributionReport) -> list[Sheet]:
    """The contribution report as a workbook: summary, deposits, attribution (the CSV's figures)."""
    summary: list[Row] = [
        ["Donor", report.donor.name],
        ["Period start", report.date_from],
        ["Period end", report.date_to],
        ["Deposits in period (USD)", report.period_deposits_usd],
        ["Administrative agent fee (USD)", report.period_fees_usd],
        ["Net deposits in period (USD)", report.period_net_usd],
        ["Cumulative deposits to period end (USD)", report.figures.deposits_usd],
        ["Share of all deposits (%)", report.figures.share_percent],
        ["Total attributed (USD)", report.figures.attributed_usd],
    ]
    deposits: list[Row] = [
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
            _deposit_status(report, d.id, d.is_overpayment),
        ]
        for d in report.deposits
    ]
    attribution: list[Row] = [
        [r.pool, programme_label(r.programme_id), r.pool_allocated, _share_percent(r.share), r.attributed]
        for r in report.figures.attribution
    ]
    deposit_header = [
        "Date", "Agreement", "Earmark", "Currency", "Amount", "Rate", "Amount USD", "Fee USD", "Net USD", "Status",
    ]  # fmt: skip
    return [
        ("Summary", ["Item", "Value"], summary),
        ("Deposits", deposit_header, deposits),
        (
            "Attribution",
            ["Pool", "Programme", "Allocated from pool USD", "Donor share %", "Attributed USD"],
            attribution,
        ),
    ]
