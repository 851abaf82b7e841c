"""Joint programmes after the committee funds them: budget by UN category, tranches, expenditure,
refunds, delivery and the lifecycle, all through the fund ledger; the programme and portfolio pages.
"""

from flask import Blueprint

from fundapp.committee.meetings import register_document_hook, register_funding_hook
from fundapp.contributions.ledger import register_programme_guard
from fundapp.contributions.services import register_programme_labeller
from fundapp.core.navigation import NavItem, register_nav
from fundapp.programmes import results, services
from fundapp.results.services import register_indicator_link_counter

bp = Blueprint("programmes", __name__)

register_nav(
    NavItem("Joint programmes", "programmes.portfolio", (), order=25),
    NavItem("Fund results", "programmes.results_dashboard", (), order=41),
    NavItem("Alignment", "programmes.alignment_dashboard", (), order=42),
)

register_funding_hook(services.on_funding)
register_document_hook(services.on_document_approved)
register_programme_guard(services.programme_guard)
register_programme_labeller(services.programme_label)
register_indicator_link_counter(results.count_links)
services.register_report_check(results.report_condition)

from fundapp.programmes import alignment_views, cli, report_views, views  # noqa: E402,F401  (routes attach to bp)
