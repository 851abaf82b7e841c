"""Accounts: organisations, users, roles, sign-in and sign-out, user administration."""

from flask import Blueprint

from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import Role

bp = Blueprint("auth", __name__)

register_nav(NavItem("Users", "auth.admin_users", (Role.admin,), order=80, group="Administration"))

from fundapp.auth import services, views  # noqa: E402,F401
from fundapp.core import signals  # noqa: E402

signals.describe_objects.connect(services.describe_objects)
