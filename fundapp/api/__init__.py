"""JSON API v1 (documented by /api/v1/openapi.json, readable at /api/v1/docs).

Public endpoints need no token; the others take a personal API token (``Authorization: Bearer``),
never the session cookie (see fundapp/api/auth.py). Money is a string with two decimals.

Modules: models.py (ApiToken), tokens.py (token services), auth.py (request authentication,
pagination and argument helpers), openapi.py (the document), views.py, contributions.py,
concept_notes.py (endpoints), services.py (the public summary).
"""

from flask import Blueprint

from fundapp.core.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated, never cookie-authenticated


#: HTML pages under /api/v1 keep the site's session (they show the page header); they return no data.
SESSION_PAGES = {"api.docs"}


@bp.before_request
def _before() -> None:
    """Authenticate by token, refuse unknown query parameters, and ids no row can have (404, not an overflow)."""
    from flask import abort, request

    from fundapp.api.auth import authenticate_request
    from fundapp.api.openapi import MAX_INT

    if request.endpoint in SESSION_PAGES:
        return
    authenticate_request()
    _check_query_parameters()
    if any(isinstance(v, int) and v > MAX_INT for v in (request.view_args or {}).values()):
        abort(404)


def _check_query_parameters() -> None:
    """An unknown query parameter is 400: a misspelt filter must not silently return everything."""
    from flask import abort, request

    from fundapp.api.openapi import flask_path, query_parameters

    if request.url_rule is None:
        return
    allowed = query_parameters().get(flask_path(request.url_rule.rule))
    if allowed is None:
        return
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        abort(400, f"Unknown query parameter {unknown[0]!r}; this endpoint takes: {known}.")


@bp.after_request
def _challenge(response):
    """A 401 tells the client how to authenticate (the JSON error handler builds a fresh response)."""
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="fundapp"'
    return response


from fundapp.api import concept_notes, contributions, models, programmes, views  # noqa: E402,F401
