"""How API requests authenticate, and the request helpers of the API views.

Only ``Authorization: Bearer <token>`` authenticates an API request. The session cookie is ignored
under /api/: before each request the user Flask-Login sees (``current_user``) is set to the token's
user or to the anonymous user, so the domains' ``can_*`` predicates and query scopes apply unchanged,
and a page in another site cannot make the browser call the API as the signed-in user.

A header with an unknown, revoked or expired token, or one of a deactivated user, is 401 on every
endpoint (public ones too): a client with a broken token learns it at once.

The token's last use is flushed here and committed by the view edge with the rest of the request
(core.edge), so a request that fails leaves nothing behind, its token touch included.
"""

from collections.abc import Callable, Sequence
from datetime import date
from functools import wraps
from typing import Any

from flask import abort, current_app, g, request
from flask.wrappers import Response
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from werkzeug.exceptions import Unauthorized

from fundapp.api import bp, tokens
from fundapp.api.openapi import MAX_INT, flask_path, query_parameters
from fundapp.core.i18n import _
from fundapp.core.permissions import Role

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
#: What a text filter holding a control character becomes: a value no row holds, so it matches nothing
#: (PostgreSQL refuses NUL in a parameter, and no code, name or title holds a control character).
NO_MATCH = "\u2400"
#: HTML pages under /api/v1 keep the site's session (they show the page header); they return no data.
SESSION_PAGES = {"api.docs"}


class TokenRequired(Unauthorized):
    """401; the blueprint adds the WWW-Authenticate challenge to every 401."""


@bp.before_request
def _before() -> None:
    """Authenticate by token, refuse unknown query parameters, and ids no row can have (404, not an overflow)."""
    if request.endpoint in SESSION_PAGES:
        return
    authenticate_request()
    _check_query_parameters()
    if any(isinstance(v, int) and v > MAX_INT for v in (request.view_args or {}).values()):
        abort(404)


@bp.after_request
def _challenge(response: Response) -> Response:
    """A 401 tells the client how to authenticate (the JSON error handler builds a fresh response)."""
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="fundapp"'
    return response


def authenticate_request() -> None:
    """Make the token's user (or the anonymous user) the request's user; a bad token is 401."""
    header = request.headers.get("Authorization")
    user = tokens.authenticate(header) if header else None
    if header and user is None:
        raise TokenRequired(_("The token is unknown, revoked or expired, or its account is deactivated."))
    g._login_user = user if user is not None else current_app.login_manager.anonymous_user()


def _check_query_parameters() -> None:
    """An unknown query parameter is 400: a misspelt filter must not silently return everything."""
    if request.url_rule is None:
        return
    allowed = query_parameters().get(flask_path(request.url_rule.rule))
    if allowed is None:
        return
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed)) or _("none")
        abort(400, _("Unknown query parameter %(name)r; this endpoint takes: %(known)s.", name=unknown[0], known=known))


def token_required(*roles: Role) -> Callable:
    """The request carries a valid token; with roles, its user has one of them (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                raise TokenRequired(_("Send a personal API token: Authorization: Bearer <token>."))
            if roles and not current_user.has_any_role(*roles):
                abort(403, _("Your account's roles do not give access to this endpoint."))
            return view(*args, **kwargs)

        return wrapped

    return decorator


# A parameter that is present must be well-formed: `?page=` is 400, as the document says, not "default".


def int_arg(name: str, default: int | None = None, minimum: int | None = None) -> int | None:
    value = request.args.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        abort(400, _("%(name)s must be a whole number, not %(value)r.", name=name, value=value))
    if minimum is not None and number < minimum:
        abort(400, _("%(name)s must be at least %(minimum)s.", name=name, minimum=minimum))
    if abs(number) > MAX_INT:
        abort(400, _("%(name)s is out of range.", name=name))
    return number


def date_arg(name: str, default: date | None = None) -> date | None:
    value = request.args.get(name)
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, _("%(name)s must be a date written YYYY-MM-DD, not %(value)r.", name=name, value=value))


def choice_arg(name: str, allowed: Sequence[str] | dict, default: str | None = None) -> str | None:
    value = request.args.get(name)
    if value is None:
        return default
    if value not in allowed:
        abort(
            400,
            _(
                "%(name)s must be one of %(allowed)s, not %(value)r.",
                name=name,
                allowed=", ".join(allowed),
                value=value,
            ),
        )
    return value


def text_arg(name: str, max_length: int | None = None) -> str | None:
    """A text filter, stripped; None when absent or blank; longer than max_length is 400."""
    value = request.args.get(name)
    if value is None or not value.strip():
        return None
    if max_length is not None and len(value) > max_length:
        abort(400, _("%(name)s must be at most %(count)s characters.", name=name, count=max_length))
    if any(ord(ch) < 32 for ch in value):
        return NO_MATCH
    return value.strip()


def page_args() -> tuple[int, int]:
    """(page from 1, per_page capped at MAX_PER_PAGE) of a list request."""
    page = int_arg("page", 1, minimum=1)
    per_page = min(int_arg("per_page", DEFAULT_PER_PAGE, minimum=1), MAX_PER_PAGE)
    return page, per_page


def page_meta(pagination: Pagination) -> dict[str, int]:
    """The `meta` block of a list paginated in SQL."""
    return {
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total or 0,
        "pages": pagination.pages,
    }


def paginate_list(items: Sequence[Any]) -> tuple[list[Any], dict[str, int]]:
    """One page of a list computed in Python (derived statuses), and its `meta` block."""
    page, per_page = page_args()
    total = len(items)
    start = (page - 1) * per_page
    return list(items[start : start + per_page]), {
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": -(-total // per_page),
    }
