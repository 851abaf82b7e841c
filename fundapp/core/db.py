"""Declarative base: naming convention, money type, engine tweaks (SQLite: WAL, busy timeout, writers first)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import DeclarativeBase

from fundapp.core.money import Money, MoneyType, Rate, RateType

#: Set before the first migration so constraint names are the same on every engine.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    registry = sa.orm.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={Money: MoneyType(), Rate: RateType()},
    )


#: Set while a request or command that can write runs (core.edge): its SQLite transactions BEGIN IMMEDIATE.
_write_intent: ContextVar[bool] = ContextVar("fundapp_write_intent", default=False)


@contextmanager
def writing(intent: bool = True) -> Iterator[None]:
    """Transactions begun inside the block take SQLite's write lock at their start (BEGIN IMMEDIATE).

    Why: a deferred transaction reads, checks, then writes; two of them read the same balance, and the
    second either overdraws or dies with "database is locked" when it tries to write after the first
    committed (SQLite cannot upgrade a stale read transaction). Taking the write lock first makes writers
    queue (for up to the busy timeout) and re-read what they check. Readers are not blocked (WAL).
    No effect on PostgreSQL, where services lock what they check (core.locks).
    """
    token = _write_intent.set(intent)
    try:
        yield
    finally:
        _write_intent.reset(token)


def is_writing() -> bool:
    return _write_intent.get()


def configure_engine_events(engine: sa.Engine, busy_timeout: float = 30.0) -> None:
    """SQLite: real transactions (savepoints work), enforced foreign keys, WAL, a busy timeout, and writers
    that take the write lock when they begin (see `writing`)."""
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Writers wait for the lock this long instead of failing with "database is locked".
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        if not in_memory:
            # Readers see the last commit while a writer works, instead of waiting for it.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
