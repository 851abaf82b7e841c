"""Role home pages (work inboxes), search, the readable audit log, overdue notices, the profile page and personal
API tokens.

The top layer: it reads the domains through their public services, and nothing imports it. Modules: inbox.py (the
role inboxes), search.py (the search box), audit.py and anomalies.py (the audit log as sentences, its anomalies),
overdue.py and cli.py (`flask overdue notify`), services.py (the pages' data), views.py, forms.py, permissions.py.
"""

from flask import Blueprint

from fundapp.core import signals
from fundapp.core.i18n import _l
from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import Role
from fundapp.home import services

bp = Blueprint("home", __name__)

register_nav(
    NavItem(
        _l("Home"),
        "home.index",
        (),
        order=0,
        also=("home.admin", "home.secretariat", "home.committee", "home.donor", "home.applicant", "home.inbox_section"),
    ),
    NavItem(_l("Audit log"), "home.audit_log", (Role.admin,), order=90, group="Administration"),
)

# Sign-in (auth, below) asks where a user lands; the home pages answer.
signals.landing_page.connect(services.home_endpoint)

from fundapp.home import views  # noqa: E402,F401  (routes attach to bp; `flask overdue` is home/cli.py)
