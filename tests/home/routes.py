from tests.routing import Route, statuses

ROUTES = [
    Route("home.profile", "/profile", statuses("all")),
    Route("home.index", "/home", statuses("all", ok=302)),
    Route("home.admin", "/admin", statuses(("admin",))),
    Route("home.secretariat", "/secretariat", statuses(("secretariat",))),
    Route("home.committee", "/committee", statuses(("committee_member", "committee_chair"))),
    Route("home.donor", "/donor", statuses(("donor",))),
    Route("home.applicant", "/applicant", statuses(("applicant",))),
    Route("home.audit_log", "/admin/audit", statuses(("admin",))),
]
