"""Calls for concept notes, concept notes, eligibility screening, versions and attachments."""

from flask import Blueprint

from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import COMMITTEE_ROLES, Role

bp = Blueprint("concept_notes", __name__, url_prefix="/concept-notes")

register_nav(
    NavItem("Our concept notes", "concept_notes.mine", (Role.applicant,), order=10, group="Concept notes"),
    NavItem(
        "Concept notes", "concept_notes.index", (Role.secretariat, *COMMITTEE_ROLES), order=10, group="Concept notes"
    ),
    NavItem(
        "Calls",
        "concept_notes.calls",
        (Role.applicant, Role.secretariat, *COMMITTEE_ROLES),
        order=11,
        group="Concept notes",
    ),
)

from fundapp.concept_notes import services, views  # noqa: E402,F401
from fundapp.core import signals  # noqa: E402

signals.describe_objects.connect(services.describe_objects)
