"""Steering committee: seats, conflicts of interest, scoring criteria, reviews and scores, meetings, votes,
decisions, the light joint programme document, the pipeline and funding scenarios.

models, services (the business rules and the pages' queries), rules (scoring maths and decision rules as pure
code), pipeline (the ranking in SQL, the pools, the scenario runs), optimiser (the funding scenarios' maths, on
OR-Tools CP-SAT), views, forms, permissions, workflow, pdf.
"""

from flask import Blueprint

from fundapp.core.i18n import _l
from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import COMMITTEE_ROLES, Role

bp = Blueprint("committee", __name__)

register_nav(
    NavItem(_l("Steering committee"), "committee.members", COMMITTEE_ROLES, order=20, group="Committee"),
    NavItem(_l("My scoring"), "committee.queue", COMMITTEE_ROLES, order=21, group="Committee"),
    NavItem(
        _l("Reviews"), "committee.reviews_index", (Role.committee_chair, Role.secretariat), order=22, group="Committee"
    ),
    NavItem(
        _l("Meetings"), "committee.meetings_index", (*COMMITTEE_ROLES, Role.secretariat), order=23, group="Committee"
    ),
    NavItem(
        _l("Pipeline"), "committee.pipeline_page", (*COMMITTEE_ROLES, Role.secretariat), order=24, group="Committee"
    ),
    NavItem(_l("Committee seats"), "committee.seats", (Role.secretariat,), order=60, group="Set-up"),
    NavItem(_l("Scoring criteria"), "committee.criteria", (Role.secretariat,), order=61, group="Set-up"),
    NavItem(_l("Decision rules"), "committee.decision_settings", (Role.secretariat,), order=62, group="Set-up"),
)

from fundapp.committee import services, views, workflow  # noqa: E402,F401  (routes attach to bp)
from fundapp.core import signals  # noqa: E402

signals.describe_objects.connect(services.describe_objects)
