"""Reference data: fund settings, thematic areas, objectives, principles, markers, organisations, countries."""

from flask import Blueprint

from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import Role

bp = Blueprint("reference", __name__)

register_nav(
    NavItem("Reference data", "reference.index", (Role.admin, Role.secretariat), order=70, group="Set-up"),
    NavItem("Organisations", "reference.admin_organisations", (Role.admin,), order=81, group="Administration"),
)

from fundapp.core import signals  # noqa: E402
from fundapp.reference import services, views  # noqa: E402,F401

signals.describe_objects.connect(services.describe_objects)
