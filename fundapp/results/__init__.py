"""Results: the fund-level results framework, the roll-up of programme results into it, and the
guiding-principle alignment indicators with their documented scoring formula (alignment.py).

Programme results frameworks and progress reports plug onto these pieces: rollup.roll_up() and
alignment.assess() take plain values, so the programmes code only gathers them.
"""

from flask import Blueprint

from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import Role

bp = Blueprint("results", __name__)

register_nav(
    NavItem("Results framework", "results.framework", (), order=40, group="Programmes"),
    NavItem("Alignment indicators", "results.alignment", (Role.secretariat,), order=63, group="Set-up"),
)

from fundapp.core import signals  # noqa: E402
from fundapp.results import services, views  # noqa: E402,F401  (routes attach to bp)

signals.describe_objects.connect(services.describe_objects)
