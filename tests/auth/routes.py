import sqlalchemy as sa

from fundapp.auth.models import Invitation
from tests.auth.helpers import invite, reset_token
from tests.routing import ROLES, Route, statuses

SIGNED_IN = ROLES[1:]
INVITING = ("admin", "secretariat")


def _invitation_id(f) -> int:
    invite(f.session, "route.table@example.org")
    return f.session.scalar(sa.select(Invitation.id).where(Invitation.email == "route.table@example.org"))


ROUTES = [
    Route("auth.login", "/login", {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)}),
    # Without a sign-in waiting for its second factor, both steps send back to /login.
    Route("auth.login_code", "/login/code", statuses("public", ok=302)),
    Route("auth.login_setup", "/login/two-factor", statuses("public", ok=302)),
    Route("auth.logout", "/logout", statuses("all", ok=302), method="POST"),
    # The language switcher works for everyone (a cookie; signed in: the profile too) and goes back to `next`.
    Route("auth.set_language", "/language", statuses("public", ok=302), method="POST", data={"language": "fr"}),
    Route("auth.forgot_password", "/password/forgot", statuses("public")),
    Route(
        "auth.reset_password",
        lambda f: f"/password/reset/{reset_token(f.session, 'donor5@example.org')}",
        statuses("public"),
    ),
    Route("auth.accept_invitation", lambda f: f"/welcome/{invite(f.session)}", statuses("public")),
    Route("auth.invitation_list", "/admin/invitations", statuses(INVITING)),
    Route("auth.new_invitation", "/admin/invitations/new", statuses(INVITING)),
    # No mail server in the route table's app: a resend shows the new link on the page (200).
    Route(
        "auth.resend_invitation",
        lambda f: f"/admin/invitations/{_invitation_id(f)}/resend",
        statuses(INVITING),
        method="POST",
    ),
    Route(
        "auth.revoke_invitation",
        lambda f: f"/admin/invitations/{_invitation_id(f)}/revoke",
        statuses(INVITING, ok=302),
        method="POST",
    ),
    Route("auth.admin_users", "/admin/users", statuses(("admin",))),
    Route("auth.edit_user", lambda f: f"/admin/users/{f.user_id('applicant4@example.org')}/edit", statuses(("admin",))),
    Route(
        "auth.set_user_active",
        lambda f: f"/admin/users/{f.user_id('applicant4@example.org')}/active",
        statuses(("admin",), ok=302),
        method="POST",
        data={"active": "1"},
    ),
    Route(
        "auth.reset_user_two_factor",
        lambda f: f"/admin/users/{f.user_id('applicant4@example.org')}/two-factor/reset",
        statuses(("admin",), ok=302),
        method="POST",
    ),
]
