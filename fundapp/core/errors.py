"""Domain errors and the HTTP error pages (HTML for pages, JSON under /api/)."""

import logging
import uuid

import sqlalchemy.exc
from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from fundapp.core.extensions import db
from fundapp.core.i18n import _, _l, browser_language, force_locale, text_direction

log = logging.getLogger(__name__)

#: The titles of the HTTP errors people meet, in their language (Werkzeug's English names otherwise).
HTTP_TITLES = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    409: _l("Conflict"),
    413: _l("Request Entity Too Large"),
    429: _l("Too Many Requests"),
}


#: What an HTTP error says when the code that raised it gave no text of its own (Werkzeug's English otherwise).
HTTP_MESSAGES = {
    400: _l("The request is not valid."),
    401: _l("Sign in, or send a valid API token, to use this."),
    403: _l("You do not have access to this."),
    404: _l("Nothing was found at this address."),
    405: _l("This address does not accept this method."),
    409: _l("This conflicts with a change made in the meantime. Reload and try again."),
    410: _l("This is no longer available."),
    413: _l("What was sent is too large."),
    415: _l("This type of content is not accepted."),
    429: _l("Too many requests. Wait a moment and try again."),
}
#: The stable, machine-readable `code` of a JSON error (never translated; clients branch on it, and on the
#: status), by HTTP status.
ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media_type",
    422: "not_possible",
    429: "too_many_requests",
    500: "internal_error",
    503: "busy",
}


class ConfigurationError(RuntimeError):
    """The instance's settings stop it from starting. The message says what to set, in one line."""


class DomainError(Exception):
    """A business rule refused the action. The message is shown to the user as it is."""

    #: Form field the message belongs to, when there is one.
    field: str | None = None

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class NotAllowed(DomainError):
    """The actor may not do this (the service re-checks what the view already checked)."""


class IllegalTransition(DomainError):
    """A state machine has no such transition from the object's current state."""


class ValidationFailed(DomainError):
    """Several rules failed at once: errors maps a field name (or '' for the form) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for msgs in errors.values() for m in msgs))


class AppendOnlyError(DomainError):
    """Someone tried to update or delete a row of an append-only table."""


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _json_error(status: int, message: str, **extra: object):
    """An API error: its stable `code` and `status`, and a `message` for people in the language the request
    asks for (Accept-Language under /api/, core.i18n.select_language)."""
    code = ERROR_CODES.get(status, "error")
    return jsonify({"error": {"status": status, "code": code, "message": str(message), **extra}}), status


def _http_message(exc: HTTPException) -> str:
    """The text the raising code gave; Werkzeug's own English default replaced by ours, translated."""
    description = exc.description
    if description and description != type(exc).description:
        return description
    status = exc.code or 500
    return str(HTTP_MESSAGES[status]) if status in HTTP_MESSAGES else (description or exc.name)


def _reset_session() -> None:
    """Error pages are drawn on a clean session: the failed transaction is rolled back first."""
    try:
        db.session.rollback()
    except Exception:  # a dead connection cannot roll back: drop the session, the page needs no database
        log.warning("Could not roll back the failed transaction", exc_info=True)
        db.session.remove()


def _render(status: int, template: str, headers: list[tuple[str, str]] | None = None, **context):
    """The error page in the layout; if drawing it needs a database that is failing (the layout reads the
    user, the navigation, the unread count), the same message on a page that reads nothing."""
    try:
        return render_template(template, status=status, **context), status, headers or []
    except Exception:
        log.warning("Error page %s could not be drawn in the layout", status, exc_info=True)
        _reset_session()
        return _plain(status, **context), status, headers or []


def _plain(status: int, **context) -> str:
    """errors/plain.html drawn without the context processors, which read the database; in the language the
    browser asks for (the profile's would need the database)."""
    code = browser_language()
    with force_locale(code):
        return current_app.jinja_env.get_template("errors/plain.html").render(
            status=status, lang=code, direction=text_direction(), **context
        )


def _database_busy(exc: Exception) -> bool:
    """The database refused the connection or stayed locked beyond the busy timeout: worth a retry."""
    return isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.TimeoutError)


def register_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        _reset_session()
        message = _("The form expired or was not sent from this site. Reload the page and try again.")
        if wants_json():
            return _json_error(400, message)
        return _render(400, "errors/error.html", title=_("Form expired"), message=message)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        _reset_session()
        # Views normally catch domain errors and show them next to the field; this is the safety net.
        if wants_json():
            return _json_error(422, exc.message)
        return _render(422, "errors/error.html", title=_("Not possible"), message=exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        _reset_session()
        status = exc.code or 500
        # Keep the exception's own headers (Allow on a 405, WWW-Authenticate on a 401) on the new body.
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if wants_json():
            body, _status = _json_error(status, _http_message(exc))
            return body, status, headers
        template = f"errors/{status}.html" if status in (403, 404) else "errors/error.html"
        title = str(HTTP_TITLES.get(status, exc.name))
        return _render(status, template, headers, title=title, message=_http_message(exc))

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        _reset_session()
        reference = uuid.uuid4().hex[:12]
        log.error("Unhandled error, reference %s, on %s %s", reference, request.method, request.path, exc_info=exc)
        if app.config.get("PROPAGATE_TEST_ERRORS"):
            raise exc
        if _database_busy(exc):
            # Busy, not broken: say so with 503 and a retry hint, on the page that needs no database.
            with force_locale(browser_language()):  # the database is failing: the profile cannot be read
                message = _("The service is busy. Nothing you sent was saved: try again in a moment.")
                title = _("Busy")
            if wants_json():
                body, _status = _json_error(503, message, reference=reference)
                return body, 503, [("Retry-After", "5")]
            page = _plain(503, title=title, message=message, reference=reference)
            return page, 503, [("Retry-After", "5")]
        if wants_json():
            with force_locale(browser_language()):
                return _json_error(500, _("Internal error"), reference=reference)
        return _render(500, "errors/500.html", reference=reference)
