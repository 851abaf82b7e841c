"""Helpers for the concurrency tests: data committed for real (concurrent sessions must see it) and removed
afterwards, clients signed in on their own threads, and requests or service calls released all at once."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from fundapp.auth.models import User
from fundapp.auth.sessions import Client, start_session
from fundapp.core.extensions import db as _db


def _tables_with_ids() -> list[sa.Table]:
    return [t for t in _db.metadata.sorted_tables if "id" in t.c]


def needs_postgresql() -> None:
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent PostgreSQL connections")


@contextmanager
def committed(app: Flask) -> Iterator[None]:
    """Build inside the block and commit for real; every row added by the test is deleted afterwards."""
    with _db.engine.connect() as conn:
        before = {t.name: conn.scalar(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))) for t in _tables_with_ids()}
    try:
        yield
    finally:
        with app.app_context():
            _db.session.remove()
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # The append-only tables' triggers refuse DELETE; the cleanup runs as the database's superuser
                # would, with triggers off for this transaction only.
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for table in reversed(_tables_with_ids()):
                conn.execute(sa.delete(table).where(table.c.id > before[table.name]))
            # Triggers off means foreign keys off too (their cascades are triggers): rows of the tables without an
            # id (association tables such as a note's principles or countries) whose parent was just deleted go too.
            for table in _db.metadata.sorted_tables:
                if "id" in table.c:
                    continue
                for fk in table.foreign_keys:
                    parent = fk.column
                    orphan = ~sa.exists().where(parent == fk.parent)
                    conn.execute(sa.delete(table).where(fk.parent.is_not(None), orphan))


def signed_in(app: Flask, email: str) -> FlaskClient:
    """A test client of its own with `email` signed in (a person at another browser)."""
    with app.app_context():
        account = _db.session.scalar(sa.select(User).where(User.email == email))
        key = start_session(account, Client("127.0.0.1", "pytest"))  # a server-side session, as sign-in opens
        _db.session.commit()  # removed with the rest of the test's rows by `committed`
        _db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    return client


def all_at_once(calls: list[Callable[[], Any]], timeout: float = 60) -> list[Any]:
    """Run the calls on their own threads, released together by a barrier; their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait(10)
        try:
            results[index] = call()
        except Exception as exc:  # the test inspects what each thread met
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a concurrent call did not finish"
    return results


@contextmanager
def service_session(app: Flask) -> Iterator[Any]:
    """An app context with its own session for a thread calling services; commits at the end, rolls back on error."""
    with app.app_context():
        try:
            yield _db.session
            _db.session.commit()
        except BaseException:
            _db.session.rollback()
            raise
        finally:
            _db.session.remove()
