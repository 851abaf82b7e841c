"""Role home pages (work inboxes), the profile page and personal API tokens, the audit log.

The top layer: it reads the domains through their public services, and nothing imports it. The audit
log lives here because its rows name objects of every domain.
"""

from flask import Blueprint

from fundapp.core import signals
from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import Role
from fundapp.home import services

bp = Blueprint("home", __name__)

register_nav(
    NavItem(
        "Home",
        "home.index",
        (),
        order=0,
        also=("home.admin", "home.secretariat", "home.committee", "home.donor", "home.applicant"),
    ),
    NavItem("Audit log", "home.audit_log", (Role.admin,), order=90, group="Administration"),
)

# Sign-in (auth, below) asks where a user lands; the home pages answer.
signals.landing_page.connect(services.home_endpoint)

from fundapp.home import views  # noqa: E402,F401
