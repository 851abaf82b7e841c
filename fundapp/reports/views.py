"""The public transparency portal (no sign-in), its CSV tables, and the annual and results report downloads."""

from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response, abort, render_template, request

from fundapp.contributions.ledger import day_label
from fundapp.core import args as query_args
from fundapp.core import cache as public_cache
from fundapp.core import tabular
from fundapp.core.i18n import DEFAULT_LANGUAGE, force_locale
from fundapp.core.permissions import role_required
from fundapp.reports import ANNUAL_REPORT_ROLES, bp, charts, pdf, results_report, services, transparency
from fundapp.reports import annual as annual_report
from fundapp.reports.transparency import ProgrammeFilters


@bp.context_processor
def inject_formats() -> dict:
    """Day names in the request's language (a report's period: '1 January 2024 to 31 December 2024')."""
    return {"day_label": day_label}


def _filters() -> ProgrammeFilters:
    def arg(name: str, limit: int) -> str | None:
        value = (request.args.get(name) or "").strip()
        return value[:limit] or None

    return ProgrammeFilters(
        area=arg("area", 10), region=arg("region", 3), organisation=arg("organisation", 40), country=arg("country", 3)
    )


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.route("/")
def index():
    """Public: where the fund's money comes from and goes, and what it funds."""
    filters, page = _filters(), query_args.page()

    def render() -> str:
        data = transparency.build(filters, page)
        return render_template("reports/transparency.html", data=data, chart=charts.transparency(data))

    return public_cache.anonymous_page(render)


@bp.route("/contributors")
def contributors():
    """Public: every contributor with its commitments and deposits, the largest first, a page at a time."""
    page = query_args.page()

    def render() -> str:
        rows, pages = transparency.contributors(page, transparency.CONTRIBUTORS_PER_PAGE)
        return render_template("reports/contributors.html", rows=rows, pages=pages)

    return public_cache.anonymous_page(render)


@bp.route("/programmes/<int:programme_id>")
def programme(programme_id: int):
    """Public: one funded joint programme (public fields only; an unfunded document is 404)."""

    def render() -> str:
        item = transparency.get_programme(programme_id)
        if item is None:
            abort(404)  # raised, never kept
        transactions = transparency.programme_transactions(programme_id)
        return render_template("reports/programme.html", programme=item, transactions=transactions)

    return public_cache.anonymous_page(render)


@bp.route("/<any(statement, contributors, areas, organisations, regions, programmes):table>.csv")
def table_csv(table: str):
    """Public: the numbers behind each table and chart of the page, as CSV (a machine export: in English)."""
    with force_locale(DEFAULT_LANGUAGE):
        filename, header, rows = transparency.csv_table(table, _filters())
    return tabular.csv_response(filename, header, _in_english(rows))


def _in_english(rows: Iterable[Any]) -> Iterator[Any]:
    """Rows produced while the download is written (a generator) are named in English too."""
    with force_locale(DEFAULT_LANGUAGE):
        yield from rows


# Annual financial report ------------------------------------------------------------------------------


def _year(year: int) -> int:
    """A year the reports cover (404 otherwise)."""
    if year not in annual_report.available_years():
        abort(404)
    return year


def _chosen_year() -> tuple[int, list[int]]:
    """The year picked on a report page (the latest when none or an unknown one), and the years to pick from."""
    years = annual_report.available_years()
    year = query_args.integer("year", years[0], 1, 9999)
    return (year if year in years else years[0]), years


@bp.route("/annual-report")
@role_required(*ANNUAL_REPORT_ROLES)
def annual():
    """Pick a year; see its financial overview and download the PDF or XLSX."""
    year, years = _chosen_year()
    report, frozen = services.annual_page(year)
    return render_template("reports/annual.html", report=report, years=years, frozen=frozen)


@bp.route("/annual-report/<int:year>.pdf")
@role_required(*ANNUAL_REPORT_ROLES)
def annual_pdf(year: int):
    """A frozen year's PDF is the stored file, byte for byte; an open year's is built from the ledger."""
    report, content = services.annual_pdf(_year(year))
    return _pdf(content, f"{report.fund_code}-annual-report-{year}.pdf")


@bp.route("/annual-report/<int:year>.xlsx")
@role_required(*ANNUAL_REPORT_ROLES)
def annual_xlsx(year: int):
    with force_locale(DEFAULT_LANGUAGE):  # an export: its labels in English, like its headers
        report = services.annual_report(_year(year))
        workbook = annual_report.sheets(report)
    return tabular.xlsx_response(f"{report.fund_code}-annual-report-{year}.xlsx", workbook)


# Results report (public: only approved results, funded programmes and the alignment the portal shows) -------


@bp.route("/results-report")
def results():
    """Pick a year; see the fund's results as they stood at its end and download the PDF."""
    year, years = _chosen_year()
    page = query_args.page()
    return public_cache.anonymous_page(
        lambda: render_template("reports/results.html", report=results_report.build(year, page), years=years)
    )


@bp.route("/results-report/<int:year>.pdf")
def results_pdf(year: int):
    report = results_report.build(_year(year), page=None)  # every highlight, a batch of programmes at a time
    return _pdf(pdf.results_report(report), f"{report.fund_code}-results-report-{year}.pdf")
