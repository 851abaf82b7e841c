"""Downloads added by the transparency work (CSV behind lists, XLSX statements), × roles.

The IATI file is served by the API (tests/api/routes.py).
"""

from tests.contributions import factories as cf
from tests.contributions.routes import OWN, STATEMENT, other_donor
from tests.reference.routes import REFERENCE_READERS
from tests.routing import Route, statuses

ROUTES = [
    Route("auth.admin_users_csv", "/admin/users.csv?role=donor", statuses(("admin",))),
    Route("home.audit_log_csv", "/admin/audit.csv?action=auth.", statuses(("admin",))),
    Route("reference.admin_organisations_csv", "/admin/organisations.csv?type=un_entity", statuses(("admin",))),
    Route("reference.countries_csv", "/reference/countries.csv?region=002", statuses(REFERENCE_READERS)),
    Route("reference.currencies_csv", "/reference/currencies.csv", statuses(REFERENCE_READERS)),
    Route("concept_notes.mine_csv", "/concept-notes/mine/export.csv?status=draft", statuses(("applicant",))),
    Route("contributions.ledger_csv", "/contributions/ledger.csv?kind=deposit", statuses(("secretariat",))),
    Route("contributions.donors_csv", "/contributions/donors.csv", statuses(("secretariat",))),
    Route("contributions.funding_status_xlsx", "/contributions/funding-status.xlsx", statuses(STATEMENT)),
    Route(
        "contributions.report_xlsx",
        lambda f: f"/contributions/donors/{cf.donor_id(f, 'DEU')}/report.xlsx",
        statuses(OWN),
    ),
    Route(
        "contributions.report_xlsx",
        lambda f: f"/contributions/donors/{cf.donor_id(f, 'NLD')}/report.xlsx",
        other_donor(),
    ),
]
