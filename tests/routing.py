"""The route × role table: every route with every role and the expected status.

Each domain lists its routes in tests/<domain>/routes.py as ROUTES; test_routes.py gathers them and
fails if a registered route is missing, so a new capability must extend the table.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "applicant", "secretariat", "committee_member", "committee_chair", "donor", "admin")

#: The demo account that plays each role.
ROLE_EMAILS = {
    "applicant": "applicant@example.org",
    "secretariat": "secretariat@example.org",
    "committee_member": "member1@example.org",
    "committee_chair": "chair@example.org",
    "donor": "donor@example.org",
    "admin": "admin@example.org",
}


@dataclass
class Route:
    endpoint: str
    #: Builds the URL from a lookup helper (see test_routes.Lookup), e.g. lambda f: f"/x/{f.user_id('a@b')}".
    url: str | Callable[[Any], str]
    expected: dict[str, int]
    method: str = "GET"
    data: dict[str, str] = field(default_factory=dict)


def statuses(allowed: tuple[str, ...] | str, ok: int = 200, anonymous: int = 302, refused: int = 403) -> dict[str, int]:
    """Expected status per role: `ok` for the allowed roles, `refused` for other signed-in roles."""
    if allowed == "all":
        allowed = ROLES[1:]
    if allowed == "public":
        return dict.fromkeys(ROLES, ok)
    table = {role: (ok if role in allowed else refused) for role in ROLES[1:]}
    table["anonymous"] = anonymous
    return table
