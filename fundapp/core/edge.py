"""The view edge: one transaction per request, and one way to show a refused action to the user.

indico's request handler is the model: the view loads, checks, validates and calls one service; the edge
commits when the view returns and rolls back when anything goes wrong. No view calls commit.

- `FundApp.dispatch_request` commits after a view returns a response below 500, and rolls back when the
  view raises (an `abort`, a domain error that reaches the safety net, a bug). The error pages are drawn
  after that rollback, so they never touch a failed session.
- `domain_errors()` wraps the one service call of a view: a refused action rolls back whatever the service
  had flushed, and its message goes next to the form field it names (or to the field the view names as the
  default, or into a flash message when there is no form).
- `transaction()` is the same edge for CLI commands and jobs ("views without HTTP").
- After a commit the `committed` signal fires; side effects (mail from the outbox) listen to it, so they
  leave only for work that was really committed and never while a lock is held.
- Requests that can write (unsafe methods, API calls with a token) and `transaction()` run inside
  `core.db.writing()`: on SQLite their transaction takes the write lock when it begins, so writers queue
  instead of overdrawing or failing with "database is locked" (core.locks has the PostgreSQL side).
- One-time submission keys: a form with a `submission_key` (core.forms.OnceForm) is claimed by
  `domain_errors()` before its service runs, in the same transaction; the edge records where the view sent
  the user. A repeated post of the same key (a double click, a resent form, two tabs) is answered with a
  redirect to that first result, and nothing is done twice; a concurrent repeat waits for the first on the
  key's unique constraint and gets the same answer. A refused action releases its key with its rollback.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, Response, flash, g, has_request_context, redirect, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import Form

from fundapp.core.db import writing
from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.models import SubmissionKey
from fundapp.core.signals import committed

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def commit() -> None:
    """Commit the session and tell the listeners (outbox delivery) that the work is durable.

    Loaded objects are not expired: the edge commits when the view's work is done, so nothing reads
    them again in this transaction, and expiring would only make the listeners reload them.
    """
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    committed.send(session)


def rollback() -> None:
    db.session.rollback()


def may_write() -> bool:
    """Requests that can write: every unsafe method, and API calls with a token (they note its last use)."""
    return request.method not in SAFE_METHODS or "Authorization" in request.headers


class FundApp(Flask):
    """Flask with the transaction edge around every view."""

    def full_dispatch_request(self) -> Response:
        with writing(may_write()):
            return super().full_dispatch_request()

    def dispatch_request(self) -> ResponseReturnValue:
        try:
            response = self.make_response(super().dispatch_request())
        except AlreadySubmitted as repeat:
            rollback()
            return repeat.response()
        except BaseException:
            rollback()
            raise
        if response.status_code >= 500:
            rollback()
        else:
            _settle_submission(response)
            commit()
        return response


@contextmanager
def transaction() -> Iterator[None]:
    """CLI commands and jobs: commit when the block ends normally, roll back when it raises."""
    with writing():
        try:
            yield
        except BaseException:
            rollback()
            raise
        commit()


# One-time submission keys ----------------------------------------------------------------------------


class AlreadySubmitted(Exception):
    """This user already submitted this form: answer with where the first submission led."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url or "/"

    def response(self) -> Response:
        flash("This form was already sent and recorded: here is the result. Nothing was recorded twice.", "info")
        return redirect(self.url)


def _first_result(user_id: int, key: str) -> str | None:
    return db.session.scalar(
        sa.select(SubmissionKey.result_url).where(SubmissionKey.user_id == user_id, SubmissionKey.key == key)
    )


def claim_submission(form: Form | None) -> None:
    """Claim the form's one-time key for the signed-in user, or raise AlreadySubmitted with the first result.

    The claim is a row in this transaction: committed with the work, rolled back with a refusal. A concurrent
    post of the same key waits on the unique constraint (PostgreSQL) or for the write lock (SQLite) until the
    first one ends, then sees its row.
    """
    field = form._fields.get("submission_key") if form is not None else None
    if field is None or not field.data or not has_request_context() or not current_user.is_authenticated:
        return
    user_id, key = current_user.id, field.data
    first = _first_result(user_id, key)
    if first is not None:
        raise AlreadySubmitted(first)
    try:
        with db.session.begin_nested():
            db.session.add(SubmissionKey(user_id=user_id, key=key, endpoint=request.endpoint or ""))
    except sa.exc.IntegrityError:
        raise AlreadySubmitted(_first_result(user_id, key) or "") from None
    g.submission_claim = (user_id, key)


def _settle_submission(response: Response) -> None:
    """Record where the claimed submission led (the redirect the view answered with)."""
    claim = g.pop("submission_claim", None)
    if claim is None:
        return
    url = response.location if response.location and 300 <= response.status_code < 400 else request.referrer
    db.session.execute(
        sa.update(SubmissionKey)
        .where(SubmissionKey.user_id == claim[0], SubmissionKey.key == claim[1])
        .values(result_url=_local_path(url))
    )


def _local_path(url: str | None) -> str:
    """A path of this site (a repeat is never redirected elsewhere): the path, query and anchor of `url`, or '/'."""
    parts = urlsplit(url or "/")
    if parts.netloc and parts.netloc != request.host:
        return "/"
    path = parts.path if parts.path.startswith("/") and not parts.path.startswith("//") else "/"
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return (path + query + fragment)[:500]


@dataclass
class Outcome:
    """What happened to the service call inside `domain_errors()`."""

    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def domain_errors(form: Form | None = None, default: str | None = None, once: Form | None = None) -> Iterator[Outcome]:
    """Run a service call; on a domain error, roll back and show each message where it belongs.

    Usage, in a view::

        with domain_errors(form, default="amount") as outcome:
            deposit = services.record_deposit(current_user, agreement, ...)
        if outcome.ok:
            flash("Deposit recorded.", "success")
            return redirect(...)
        return render_template(..., form=form)

    A message goes to the field the error names, else to `default`, else (no form, or no such field)
    into a flash message shown at the top of the next page.

    If the form (or `once`, a form whose messages are flashed) carries a one-time `submission_key`, the key
    is claimed first: a repeat never reaches the service (see `claim_submission`).
    """
    outcome = Outcome()
    claim_submission(once if once is not None else form)
    try:
        yield outcome
    except DomainError as exc:
        rollback()
        if has_request_context():
            g.pop("submission_claim", None)  # rolled back with the work
        outcome.error = exc
        show_error(exc, form, default)


def show_error(exc: DomainError, form: Form | None = None, default: str | None = None) -> None:
    """Attach a domain error's messages to form fields, or flash them."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else {exc.field or "": [exc.message]}
    for name, messages in errors.items():
        field = _field(form, name) or _field(form, default)
        if field is None:
            for message in messages:
                flash(message, "error")
            continue
        # Some fields are built with a tuple of errors; keep theirs and add ours.
        field.errors = [*field.errors, *messages]


def _field(form: Form | None, name: str | None):
    if form is None or not name:
        return None
    return form._fields.get(name)
