"""Steering committee: seats, scoring criteria, pure scoring maths, decision rules and funding scenarios.

Meetings, votes, stored scores and funding decisions plug onto these pieces: rules.decide() and the
scenario optimiser take plain values, so the meeting and pipeline code only gathers them.
"""

from flask import Blueprint

from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import COMMITTEE_ROLES, Role

bp = Blueprint("committee", __name__)

register_nav(
    NavItem("Steering committee", "committee.members", COMMITTEE_ROLES, order=20),
    NavItem("My scoring", "committee.queue", COMMITTEE_ROLES, order=21),
    NavItem("Reviews", "committee.reviews_index", (Role.committee_chair, Role.secretariat), order=22),
    NavItem("Meetings", "committee.meetings_index", (*COMMITTEE_ROLES, Role.secretariat), order=23),
    NavItem("Pipeline", "committee.pipeline_page", (*COMMITTEE_ROLES, Role.secretariat), order=24),
    NavItem("Committee seats", "committee.seats", (Role.secretariat,), order=60),
    NavItem("Scoring criteria", "committee.criteria", (Role.secretariat,), order=61),
    NavItem("Decision rules", "committee.decision_settings", (Role.secretariat,), order=62),
)

from fundapp.committee import decision_views, views, workflow  # noqa: E402,F401  (routes attach to bp)
