"""Reports the fund hands to the world and to other systems: the public transparency portal, the annual
financial report (PDF, XLSX), the results report (PDF, public: approved results only) and the IATI export.

Each report is two steps: a builder that queries and returns plain data (dataclasses), and a renderer that
turns that data into a file and never queries. The builders reuse the domains' services and the ledger's
aggregates, so a figure in a report is the figure on the pages.

Modules: transparency.py (the public page's data and its CSV tables), annual.py (the annual financial report's
data and XLSX layout), results_report.py (the results report's data), pdf.py (the PDF layouts), iati.py (IATI
2.03: data and XML), charts.py (the page's SVG charts), views.py. The CSV/XLSX writers live in core.tabular.
models.py and services.py hold the frozen annual statements (a closed year's figures and PDF, stored when
December closes); cli.py `flask reports freeze-year YEAR`.
"""

from flask import Blueprint

from fundapp.core import signals
from fundapp.core.i18n import _l
from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import Role

bp = Blueprint("transparency", __name__, url_prefix="/transparency", cli_group="reports")

#: Who picks a year and downloads the annual financial report.
ANNUAL_REPORT_ROLES = (Role.secretariat, Role.committee_chair, Role.committee_member, Role.donor)

register_nav(
    NavItem(
        _l("Transparency"),
        "transparency.index",
        (),
        order=90,
        also=("transparency.programme", "transparency.contributors"),
        group="Reports",
        public=True,
    ),
    NavItem(_l("Annual report"), "transparency.annual", ANNUAL_REPORT_ROLES, order=91, group="Reports"),
    NavItem(_l("Results report"), "transparency.results", (), order=92, group="Reports", public=True),
)

from fundapp.reports import services  # noqa: E402

signals.period_closed.connect(services.on_period_closed)
signals.audit_reconcile.connect(services.check_frozen_statements)
signals.describe_objects.connect(services.describe_objects)

from fundapp.reports import cli, views  # noqa: E402,F401  (routes and commands attach to bp)
