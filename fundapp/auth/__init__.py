"""Accounts: organisations, users, roles, sign-in, role home pages, administration."""

from flask import Blueprint

from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import Role

bp = Blueprint("auth", __name__)

register_nav(
    NavItem(
        "Home",
        "auth.home",
        (),
        order=0,
        also=(
            "auth.admin_home",
            "auth.secretariat_home",
            "auth.committee_home",
            "auth.donor_home",
            "auth.applicant_home",
        ),
    ),
    NavItem("Users", "auth.admin_users", (Role.admin,), order=80),
    NavItem("Audit log", "auth.audit_log", (Role.admin,), order=90),
)

from fundapp.auth import views  # noqa: E402,F401
