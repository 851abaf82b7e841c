from tests.routing import ROLES, Route, statuses


def _only(*allowed: str) -> dict[str, int]:
    """An inbox section: its roles open it, every other signed-in role is told it does not exist (404)."""
    return statuses(allowed, refused=404)


ROUTES = [
    Route("home.profile", "/profile", statuses("all")),
    # The profile's forms, posted empty: refused next to their fields (422).
    Route("home.change_email", "/profile/email", statuses("all", ok=422), method="POST"),
    Route("home.two_factor_setup", "/profile/two-factor", statuses("all")),
    Route("home.disable_two_factor", "/profile/two-factor/off", statuses("all", ok=422), method="POST"),
    Route("home.new_recovery_codes", "/profile/two-factor/recovery-codes", statuses("all", ok=422), method="POST"),
    # Another user's session (or none): refused with a message, back to the profile.
    Route("home.end_session", "/profile/sessions/999999/end", statuses("all", ok=404), method="POST"),  # not theirs
    Route("home.sign_out_everywhere", "/profile/sessions/end-all", statuses("all", ok=302), method="POST"),
    Route("home.index", "/home", statuses("all", ok=302)),
    Route("home.admin", "/admin", statuses(("admin",))),
    Route("home.secretariat", "/secretariat", statuses(("secretariat",))),
    Route("home.committee", "/committee", statuses(("committee_member", "committee_chair"))),
    Route("home.donor", "/donor", statuses(("donor",))),
    Route("home.applicant", "/applicant", statuses(("applicant",))),
    Route("home.audit_log", "/admin/audit", statuses(("admin",))),
    Route("home.search", "/search?q=migration", statuses("all")),
    Route("home.search", "/search?q=CN-0001&kind=note&page=2", statuses("all")),
    Route("home.inbox_section", "/inbox/screening", _only("secretariat")),
    Route("home.inbox_section", "/inbox/tranches_blocked", _only("secretariat", "committee_chair")),
    Route("home.inbox_section", "/inbox/scoring", _only("committee_member", "committee_chair")),
    Route("home.inbox_section", "/inbox/drafts", _only("applicant")),
    Route("home.inbox_section", "/inbox/new_reports", _only("donor")),
    Route("home.inbox_section", "/inbox/accounts", _only("admin")),
    Route("home.inbox_section", "/inbox/no-such-list", {**dict.fromkeys(ROLES, 404), "anonymous": 302}),
]
