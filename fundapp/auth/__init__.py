"""Accounts: organisations, users, roles; sign-in with a second factor, sessions, invitations, resets.

Modules: models.py, services.py (sign-in, account changes, administration, queries), passwords.py
(hashing, policy), sessions.py (server-side sessions), throttle.py (per account and address),
ratelimit.py (per address, Flask-Limiter with a database storage), two_factor.py (TOTP, recovery
codes), invitations.py, resets.py (password reset), mail.py (account emails), views.py, forms.py.
"""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from fundapp.core.errors import ConfigurationError
from fundapp.core.navigation import NavItem, register_nav
from fundapp.core.permissions import Role

bp = Blueprint("auth", __name__)

register_nav(
    NavItem("Users", "auth.admin_users", (Role.admin,), order=80, also=("auth.edit_user",), group="Administration"),
    NavItem(
        "Invitations",
        "auth.invitation_list",
        (Role.admin, Role.secretariat),
        order=81,
        also=("auth.new_invitation",),
        group="Set-up",
    ),
)


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    """Check the account settings and start the per-address limiter of this app."""
    unknown = set(state.app.config.get("TWO_FACTOR_REQUIRED_ROLES", ())) - set(Role.__members__)
    if unknown:
        raise ConfigurationError(
            f"TWO_FACTOR_REQUIRED_ROLES names unknown roles ({', '.join(sorted(unknown))}); "
            f"use some of: {', '.join(Role.__members__)}."
        )
    ratelimit.init_app(state.app)


from fundapp.auth import ratelimit, services, views  # noqa: E402,F401
from fundapp.core import signals  # noqa: E402

signals.describe_objects.connect(services.describe_objects)
