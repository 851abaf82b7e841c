"""Joint programmes after the committee funds them: budget by UN category, tranches, expenditure, refunds,
delivery and the lifecycle, all through the fund ledger; results frameworks, progress reports and alignment;
the programme and portfolio pages.
"""

from flask import Blueprint

from fundapp.core import signals
from fundapp.core.i18n import _l
from fundapp.core.navigation import NavItem, register_nav
from fundapp.programmes import reporting, services

bp = Blueprint("programmes", __name__)

register_nav(
    NavItem(_l("Joint programmes"), "programmes.portfolio", (), order=25, group="Programmes"),
    NavItem(_l("Fund results"), "programmes.results_dashboard", (), order=41, group="Programmes"),
    NavItem(_l("Alignment"), "programmes.alignment_dashboard", (), order=42, group="Programmes"),
)

signals.funding_approved.connect(services.on_funding)
signals.document_approved.connect(services.on_document_approved)
signals.programme_posting.connect(services.programme_guard)
signals.programme_labels.connect(services.programme_label)
signals.indicator_links.connect(reporting.count_links)
signals.describe_objects.connect(services.describe_objects)

from fundapp.programmes import cli, views  # noqa: E402,F401  (routes attach to bp)
