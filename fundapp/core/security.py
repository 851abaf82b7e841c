"""Security headers on every response.

- Content-Security-Policy: assets are served locally, so 'self' is enough. No inline script and no inline
  style anywhere: every script is a file under fundapp/static/js (no script element with a body, no
  event-handler attribute), and no template writes a style attribute (tests/security/test_headers.py reads
  them all). Charts are SVG whose presentation attributes (`fill`, `width`) are not styles.
- Strict-Transport-Security when the configuration says so (`HSTS_MAX_AGE`, on in production, off in
  development and tests, which run on plain HTTP).
- Cache-Control: no-store on every response that depends on who asks: a signed-in user's pages and downloads,
  an API request with a token, a response that writes the session cookie (a form's CSRF token). Public pages
  and public downloads stay cacheable; static assets are the same for everyone and keep their own headers.
"""

from flask import Flask, Response, g, request, session
from werkzeug.local import LocalProxy

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

#: Endpoints whose responses never depend on the person asking.
SHARED_ENDPOINTS = {"static"}


def _signed_in() -> bool:
    """The request's user as Flask-Login loaded it (an API token's too), else the session's sign-in.

    Read without `current_user`: this runs after the view, when loading a user would cost a query.
    """
    user = g.get("_login_user")
    if user is not None and not isinstance(user, LocalProxy):
        return bool(user.is_authenticated)
    return "_user_id" in session


def is_personal(response: Response) -> bool:
    """Does this response depend on who asked (so no cache may keep it)?"""
    if request.endpoint in SHARED_ENDPOINTS:
        return False
    return "Authorization" in request.headers or _signed_in() or session.modified or "Set-Cookie" in response.headers


def register_headers(app: Flask) -> None:
    @app.after_request
    def set_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        max_age = int(app.config.get("HSTS_MAX_AGE") or 0)
        if max_age > 0:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
        if is_personal(response):
            response.headers["Cache-Control"] = "no-store"
        return response
