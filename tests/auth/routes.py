from tests.routing import ROLES, Route, statuses

SIGNED_IN = ROLES[1:]

ROUTES = [
    Route("auth.login", "/login", {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)}),
    Route("auth.logout", "/logout", statuses("all", ok=302), method="POST"),
    Route("auth.admin_users", "/admin/users", statuses(("admin",))),
    Route("auth.new_user", "/admin/users/new", statuses(("admin",))),
    Route("auth.edit_user", lambda f: f"/admin/users/{f.user_id('applicant4@example.org')}/edit", statuses(("admin",))),
    Route(
        "auth.set_user_active",
        lambda f: f"/admin/users/{f.user_id('applicant4@example.org')}/active",
        statuses(("admin",), ok=302),
        method="POST",
        data={"active": "1"},
    ),
]
