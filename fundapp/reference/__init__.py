"""Reference data: fund settings, thematic areas, objectives, principles, markers, organisations, countries."""

from flask import Blueprint

from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import Role

bp = Blueprint("reference", __name__)

register_nav(
    NavItem("Reference data", "reference.index", (Role.admin, Role.secretariat), order=70),
    NavItem("Organisations", "reference.admin_organisations", (Role.admin,), order=81),
)

from fundapp.reference import views  # noqa: E402,F401
