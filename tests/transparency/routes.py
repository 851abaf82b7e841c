"""The transparency portal (public), its CSV tables, the annual report (secretariat, committee, donors), the
results report (public) and the public programmes API."""

from fundapp.core import clock
from tests.routing import Route, statuses

ANNUAL = ("secretariat", "committee_member", "committee_chair", "donor")


def this_year(_lookup) -> int:
    """A year the report lists on any ledger (from the first entry's year to this year)."""
    return clock.today().year


ROUTES = [
    Route("transparency.index", "/transparency/", statuses("public")),
    Route("transparency.index", "/transparency/?area=TA1&region=142&organisation=IOM&page=2", statuses("public")),
    Route("transparency.contributors", "/transparency/contributors", statuses("public")),
    Route("transparency.contributors", "/transparency/contributors?page=2", statuses("public")),
    Route("transparency.programme", lambda f: f"/transparency/programmes/{f.programme_id()}", statuses("public")),
    Route(
        "transparency.programme",
        lambda f: f"/transparency/programmes/{f.programme_id(funded=False)}",
        statuses("public", ok=404),
    ),
    *[
        Route("transparency.table_csv", f"/transparency/{table}.csv", statuses("public"))
        for table in ("statement", "contributors", "areas", "organisations", "regions", "programmes")
    ],
    Route("transparency.annual", "/transparency/annual-report", statuses(ANNUAL)),
    Route("transparency.annual", "/transparency/annual-report?year=1990", statuses(ANNUAL)),
    Route("transparency.annual_pdf", lambda f: f"/transparency/annual-report/{this_year(f)}.pdf", statuses(ANNUAL)),
    Route("transparency.annual_xlsx", lambda f: f"/transparency/annual-report/{this_year(f)}.xlsx", statuses(ANNUAL)),
    Route("transparency.annual_pdf", "/transparency/annual-report/1990.pdf", statuses(ANNUAL, ok=404)),
    Route("transparency.results", "/transparency/results-report", statuses("public")),
    Route("transparency.results", "/transparency/results-report?year=1990", statuses("public")),
    Route("transparency.results", "/transparency/results-report?page=2", statuses("public")),
    Route("transparency.results_pdf", lambda f: f"/transparency/results-report/{this_year(f)}.pdf", statuses("public")),
    Route("transparency.results_pdf", "/transparency/results-report/1990.pdf", statuses("public", ok=404)),
    Route("api.programmes", "/api/v1/programmes?area=TA1&per_page=5", statuses("public")),
    Route("api.programme", lambda f: f"/api/v1/programmes/{f.programme_id()}", statuses("public")),
    Route("api.programme", lambda f: f"/api/v1/programmes/{f.programme_id(funded=False)}", statuses("public", ok=404)),
]
