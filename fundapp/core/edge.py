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
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, flash
from flask.typing import ResponseReturnValue
from wtforms import Form

from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.signals import committed


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


class FundApp(Flask):
    """Flask with the transaction edge around every view."""

    def dispatch_request(self) -> ResponseReturnValue:
        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            rollback()
            raise
        if response.status_code >= 500:
            rollback()
        else:
            commit()
        return response


@contextmanager
def transaction() -> Iterator[None]:
    """CLI commands and jobs: commit when the block ends normally, roll back when it raises."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()


@dataclass
class Outcome:
    """What happened to the service call inside `domain_errors()`."""

    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def domain_errors(form: Form | None = None, default: str | None = None) -> Iterator[Outcome]:
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
    """
    outcome = Outcome()
    try:
        yield outcome
    except DomainError as exc:
        rollback()
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
