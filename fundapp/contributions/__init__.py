"""Donor contributions and the fund ledger: donors, agreements, exchange rates, deposits, pools, accounting
periods, the funding status statement, capitalization, the donor portal and contribution reports."""

from flask import Blueprint

from fundapp.core import signals
from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import COMMITTEE_ROLES, Role

bp = Blueprint("contributions", __name__, url_prefix="/contributions")

register_nav(
    NavItem("My contributions", "contributions.portal", (Role.donor,), order=20, group="Contributions"),
    NavItem("Donors & agreements", "contributions.donors", (Role.secretariat,), order=30, group="Contributions"),
    NavItem("Exchange rates", "contributions.rates", (Role.secretariat,), order=31, group="Contributions"),
    NavItem("Deposits import", "contributions.import_deposits", (Role.secretariat,), order=32, group="Contributions"),
    NavItem("Ledger", "contributions.ledger_entries", (Role.secretariat,), order=33, group="Contributions"),
    NavItem(
        "Accounting periods",
        "contributions.periods_list",
        (Role.secretariat, Role.admin),
        order=34,
        also=("contributions.period", "contributions.close_period", "contributions.reopen_period"),
        group="Contributions",
    ),
    NavItem(
        "Funding status",
        "contributions.funding_status",
        (Role.secretariat, Role.donor, *COMMITTEE_ROLES),
        order=40,
        group="Contributions",
    ),
)

from fundapp.contributions import reconcile, services, views  # noqa: E402,F401

signals.audit_reconcile.connect(reconcile.reconcile_with_audit)
signals.describe_objects.connect(services.describe_objects)
