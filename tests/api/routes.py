from tests.routing import ROLES, Route, statuses

#: Token endpoints: no token is 401 JSON, a token without a fitting role 403.
READERS = ("applicant", "secretariat", "committee_member", "committee_chair")
CONTRIBUTIONS = ("secretariat", "donor")


def token(allowed: tuple[str, ...] | str) -> dict[str, int]:
    return statuses(allowed, anonymous=401)


ROUTES = [
    Route("api.summary", "/api/v1/summary", statuses("public")),
    Route("api.contributors", "/api/v1/contributors", statuses("public")),
    Route("api.organizations", "/api/v1/organizations", statuses("public")),
    Route("api.iati", "/api/v1/iati.xml", statuses("public")),
    Route("api.openapi_json", "/api/v1/openapi.json", statuses("public")),
    Route("api.docs", "/api/v1/docs", statuses("public")),
    Route("api.me", "/api/v1/me", token("all")),
    Route("api.concept_notes", "/api/v1/concept-notes", token(READERS)),
    Route("api.concept_note", lambda f: f"/api/v1/concept-notes/{f.note('UNDP').id}", token(READERS)),
    Route("api.agreements", "/api/v1/contributions/agreements", token(CONTRIBUTIONS)),
    Route("api.deposits", "/api/v1/contributions/deposits", token(CONTRIBUTIONS)),
    # Profile: tokens are created and revoked by their owner (applicant@ owns this one; others get 404).
    Route("home.create_api_token", "/profile/tokens", statuses("all"), method="POST", data={"token-name": "Sync"}),
    Route(
        "home.revoke_api_token",
        lambda f: f"/profile/tokens/{f.token_id('applicant@example.org')}/revoke",
        {"anonymous": 302, **dict.fromkeys(ROLES[1:], 404), "applicant": 302},
        method="POST",
    ),
]
