from tests.routing import ROLES, Route, statuses

ROUTES = [
    Route("notifications.index", "/notifications/", statuses("all")),
    Route(
        "notifications.mark_read",
        lambda f: f"/notifications/{f.notification_id('applicant@example.org')}/read",
        {"anonymous": 302, **dict.fromkeys(ROLES[1:], 404), "applicant": 302},
        method="POST",
    ),
    Route("notifications.mark_all_read", "/notifications/read-all", statuses("all", ok=302), method="POST"),
]
