"""How API requests authenticate, and the shared helpers of the API views.

Only ``Authorization: Bearer <token>`` authenticates an API request. The session cookie is ignored
under /api/: before each request the user Flask-Login sees (``current_user``) is set to the token's
user or to the anonymous user, so the domains' ``can_*`` predicates and query scopes apply unchanged,
and a page in another site cannot make the browser call the API as the signed-in user.

A header with an unknown, revoked or expired token, or one of a deactivated user, is 401 on every
endpoint (public ones too): a client with a broken token learns it at once.
"""

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, g, request
from flask_login import current_user
from werkzeug.exceptions import Unauthorized

from fundapp.api import tokens
from fundapp.api.openapi import MAX_INT
from fundapp.core.extensions import db
from fundapp.core.permissions import Role

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


class TokenRequired(Unauthorized):
    """401; the blueprint adds the WWW-Authenticate challenge to every 401."""


def authenticate_request() -> None:
    header = request.headers.get("Authorization")
    user = tokens.authenticate(header) if header else None
    if header and user is None:
        db.session.rollback()
        raise TokenRequired("The token is unknown, revoked or expired, or its account is deactivated.")
    if user is not None:
        db.session.commit()  # last_used_at (flushed by tokens.authenticate)
    g._login_user = user if user is not None else current_app.login_manager.anonymous_user()


def token_required(*roles: Role) -> Callable:
    """The request carries a valid token; with roles, its user has one of them (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                raise TokenRequired("Send a personal API token: Authorization: Bearer <token>.")
            if roles and not current_user.has_any_role(*roles):
                abort(403, "Your account's roles do not give access to this endpoint.")
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
        abort(400, f"{name} must be a whole number, not {value!r}.")
    if minimum is not None and number < minimum:
        abort(400, f"{name} must be at least {minimum}.")
    if abs(number) > MAX_INT:
        abort(400, f"{name} is out of range.")
    return number


def date_arg(name: str, default: date | None = None) -> date | None:
    value = request.args.get(name)
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, f"{name} must be a date written YYYY-MM-DD, not {value!r}.")


def choice_arg(name: str, allowed: list[str] | tuple[str, ...] | dict, default: str | None = None) -> str | None:
    value = request.args.get(name)
    if value is None:
        return default
    if value not in allowed:
        abort(400, f"{name} must be one of {', '.join(allowed)}, not {value!r}.")
    return value


def paginate(query: sa.Select) -> tuple[list[Any], dict[str, int]]:
    """One page of a select (page from 1, per_page capped at MAX_PER_PAGE) and the `meta` block."""
    page = int_arg("page", 1, minimum=1)
    per_page = min(int_arg("per_page", DEFAULT_PER_PAGE, minimum=1), MAX_PER_PAGE)
    result = db.paginate(query, page=page, per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False)
    return list(result.items), {
        "page": page,
        "per_page": per_page,
        "total": result.total or 0,
        "pages": result.pages,
    }
