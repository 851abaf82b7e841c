"""The public transparency portal (no sign-in), its CSV tables, and the annual financial report downloads."""

from flask import Response, abort, render_template, request

from fundapp.contributions import ledger
from fundapp.contributions import services as contributions
from fundapp.core import clock, tabular
from fundapp.core.permissions import role_required
from fundapp.reference import services as reference
from fundapp.reports import ANNUAL_REPORT_ROLES, bp, charts, results_report, transparency
from fundapp.reports import annual as annual_report
from fundapp.reports.transparency import MONEY_COLUMNS, ProgrammeFilters

PER_PAGE = 20
MONEY_HEADINGS = [f"{label} (USD)" for _key, label in MONEY_COLUMNS]


def _filters() -> ProgrammeFilters:
    def arg(name: str, limit: int) -> str | None:
        value = (request.args.get(name) or "").strip()
        return value[:limit] or None

    return ProgrammeFilters(
        area=arg("area", 10), region=arg("region", 3), organisation=arg("organisation", 40), country=arg("country", 3)
    )


def _breakdown_chart(rows: list[transparency.BreakdownRow], title: str):
    return charts.grouped_bars(
        [
            (
                r.label if r.key == r.label else f"{r.key} {r.label}",
                [r.money.allocated, r.money.transferred, r.money.expenditure],
            )
            for r in rows
        ],
        ["Allocated", "Transferred", "Expenditure"],
        title,
        empty="No allocations yet.",
    )


@bp.route("/")
def index():
    """Public: where the fund's money comes from and goes, and what it funds."""
    data = transparency.build()
    filters = _filters()
    page = request.args.get("page", 1, type=int) or 1
    listed, pagination = transparency.paginate_programmes(filters, page, PER_PAGE)
    cap = data.capitalization
    chart = {
        "capitalization": charts.progress_bar(cap.deposits_usd, cap.target_usd, "Deposits against the target"),
        "contributors": charts.grouped_bars(
            [(name, [committed, deposited]) for name, committed, deposited in cap.by_donor],
            ["Commitments", "Deposits"],
            "Commitments and deposits by contributor",
            empty="No contributions yet.",
        ),
        "area": _breakdown_chart(data.by_area, "Allocations, transfers and expenditure by thematic area"),
        "organisation": _breakdown_chart(
            data.by_organisation, "Allocations, transfers and expenditure by participating organization"
        ),
        "region": _breakdown_chart(data.by_region, "Allocations, transfers and expenditure by region"),
    }
    return render_template(
        "reports/transparency.html",
        data=data,
        chart=chart,
        listed=listed,
        pages=pagination,
        filters=filters,
        areas=reference.thematic_areas(),
        regions=transparency.regions_in_use(),
        organisations=sorted({code: name for p in data.programmes for code, name in p.organisations}.items()),
        today=clock.today(),
    )


@bp.route("/programmes/<int:programme_id>")
def programme(programme_id: int):
    """Public: one funded joint programme (public fields only; an unfunded document is 404)."""
    item = transparency.get_programme(programme_id)
    if item is None:
        abort(404)
    return render_template(
        "reports/programme.html",
        programme=item,
        transactions=transparency.programme_transactions(programme_id),
    )


def _breakdown_rows(rows: list[transparency.BreakdownRow]) -> list[list]:
    return [[r.label, r.programmes, *r.money.values()] for r in rows]


@bp.route("/<any(statement, contributors, areas, organisations, regions, programmes):table>.csv")
def table_csv(table: str):
    """Public: the numbers behind each table and chart of the page, as CSV."""
    today = clock.today()
    if table == "statement":
        status = ledger.funding_status(today)
        rows = [[section, label, value, kind] for section, lines in status.sections() for label, value, kind in lines]
        return tabular.csv_response(f"funding-status-{today}.csv", ["Section", "Line", "Value", "Unit"], rows)
    if table == "contributors":
        cap = contributions.capitalization()
        rows = [[name, committed, deposited] for name, committed, deposited in cap.by_donor]
        return tabular.csv_response(
            f"contributors-{today}.csv", ["Contributor", "Commitments (USD)", "Deposits (USD)"], rows
        )
    if table == "programmes":
        items = transparency.list_programmes(_filters())
        rows = [
            [
                p.reference,
                p.title,
                p.area_code,
                "; ".join(name for _code, name in p.countries),
                p.region,
                "; ".join(code for code, _name in p.organisations),
                p.starts_on,
                p.ends_on,
                p.budget,
                *p.money.values(),
            ]
            for p in items
        ]
        header = [
            "Reference",
            "Title",
            "Thematic area",
            "Countries",
            "Region",
            "Participating organizations",
            "Start",
            "End",
            "Budget (USD)",
            *MONEY_HEADINGS,
        ]
        return tabular.csv_response(f"joint-programmes-{today}.csv", header, rows)
    if table == "organisations":
        rows_data = transparency.by_organisation()
        label = "Participating organization"
    else:
        items = transparency.list_programmes()
        rows_data = transparency.by_area(items) if table == "areas" else transparency.by_region(items)
        label = "Thematic area" if table == "areas" else "Region"
    header = [label, "Joint programmes", *MONEY_HEADINGS]
    return tabular.csv_response(f"{table}-{today}.csv", header, _breakdown_rows(rows_data))


# Annual financial report ------------------------------------------------------------------------------


def _year(year: int) -> int:
    years = annual_report.available_years()
    if year not in years:
        abort(404)
    return year


@bp.route("/annual-report")
@role_required(*ANNUAL_REPORT_ROLES)
def annual():
    """Pick a year; see its financial overview and download the PDF or XLSX."""
    years = annual_report.available_years()
    year = request.args.get("year", years[0], type=int)
    if year not in years:
        year = years[0]
    return render_template("reports/annual.html", report=annual_report.build(year), years=years)


@bp.route("/annual-report/<int:year>.pdf")
@role_required(*ANNUAL_REPORT_ROLES)
def annual_pdf(year: int):
    report = annual_report.build(_year(year))
    return Response(
        annual_report.render_pdf(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{report.fund_code}-annual-report-{year}.pdf"'},
    )


@bp.route("/annual-report/<int:year>.xlsx")
@role_required(*ANNUAL_REPORT_ROLES)
def annual_xlsx(year: int):
    report = annual_report.build(_year(year))
    return tabular.xlsx_response(f"{report.fund_code}-annual-report-{year}.xlsx", annual_report.sheets(report))


# Results report (public: only approved results, funded programmes and the alignment the portal shows) -------


@bp.route("/results-report")
def results():
    """Pick a year; see the fund's results as they stood at its end and download the PDF."""
    years = annual_report.available_years()
    year = request.args.get("year", years[0], type=int)
    if year not in years:
        year = years[0]
    return render_template("reports/results.html", report=results_report.build(year), years=years)


@bp.route("/results-report/<int:year>.pdf")
def results_pdf(year: int):
    report = results_report.build(_year(year))
    return Response(
        results_report.render_pdf(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{report.fund_code}-results-report-{year}.pdf"'},
    )
