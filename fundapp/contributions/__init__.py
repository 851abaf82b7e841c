"""Donor contributions and the fund ledger: donors, agreements, exchange rates, deposits, pools, accounting
periods, the funding status statement, capitalization, the donor portal and contribution reports."""

from flask import Blueprint

from fundapp.core import signals
from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import COMMITTEE_ROLES, Role

bp = Blueprint("contributions", __name__, url_prefix="/contributions")

register_nav(
    NavItem("My contributions", "contributions.portal", (Role.donor,), order=20),
    NavItem("Donors & agreements", "contributions.donors", (Role.secretariat,), order=30),
    NavItem("Exchange rates", "contributions.rates", (Role.secretariat,), order=31),
    NavItem("Deposits import", "contributions.import_deposits", (Role.secretariat,), order=32),
    NavItem("Ledger", "contributions.ledger_entries", (Role.secretariat,), order=33),
    NavItem(
        "Accounting periods",
        "contributions.periods_list",
        (Role.secretariat, Role.admin),
        order=34,
        also=("contributions.period", "contributions.close_period", "contributions.reopen_period"),
    ),
    NavItem(
        "Funding status", "contributions.funding_status", (Role.secretariat, Role.donor, *COMMITTEE_ROLES), order=40
    ),
)

from fundapp.contributions import reconcile  # noqa: E402

signals.audit_reconcile.connect(reconcile.reconcile_with_audit)

from fundapp.contributions import views  # noqa: E402,F401
