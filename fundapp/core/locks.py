"""Lock, then re-check, then post: how services that move money serialise on what they check.

A service that refuses "beyond the balance" reads the balance, then writes. Two requests doing that at once
both read the same balance and both post: an overdraw. So the service first locks what carries the checked
quantity, then reads it again, then posts; the lock lasts until the transaction ends (commit or rollback).

- ``lock_row(Model, id)``: the row the action is about (an agreement, a tranche, an agenda item, a ledger
  entry), re-read from the database under ``SELECT … FOR UPDATE``; the returned object is fresh.
- ``lock_keys(Key("pool", 3), Key("programme", 12))``: a quantity that lives in no single row (a pool's
  balance, a programme's money, the accounting periods), as transaction-scoped advisory locks;
  ``shared=True`` lets holders of the same key run together while an exclusive holder waits for them all.

PostgreSQL takes these locks. SQLite has one writer at a time: a request that can write takes the write
lock when its transaction begins (``BEGIN IMMEDIATE``, core.db.writing, set by the edge), so every check
there already runs alone and these calls only re-read.

Lock order, so that two transactions never wait for each other: the row first, then every key the service
needs in one ``lock_keys`` call (it sorts them), all before the service writes anything — in particular
before its first audit row, whose chain lock every writer takes.
"""

import zlib
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

from fundapp.core.extensions import db

M = TypeVar("M")


@dataclass(frozen=True, order=True)
class Key:
    """What an advisory lock is named after: a namespace and an id ("pool", 0 for the unearmarked pool)."""

    namespace: str
    id: int = 0

    @property
    def pair(self) -> tuple[int, int]:
        """PostgreSQL's two-integer advisory key: a stable 31-bit code of the namespace, and the id."""
        return zlib.crc32(self.namespace.encode()) & 0x7FFFFFFF, int(self.id)


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def lock_keys(*keys: Key, shared: bool = False) -> None:
    """Hold advisory locks on these keys until the transaction ends (PostgreSQL; see the module docstring).

    Taken in a fixed order whatever the order given, so two services needing the same keys cannot deadlock.
    Re-taking a key this transaction already holds returns at once.
    """
    if not keys or not is_postgresql():
        return
    function = sa.func.pg_advisory_xact_lock_shared if shared else sa.func.pg_advisory_xact_lock
    for key in sorted(set(keys), key=lambda k: k.pair):
        db.session.execute(sa.select(function(*key.pair)))


def lock_row(model: type[M], id_: Any) -> M | None:
    """The row with this primary key, re-read under a row lock (FOR UPDATE on PostgreSQL); None if it is gone.

    The object in the session is refreshed from the database, so what the service checks next is current.
    """
    query = sa.select(model).where(model.id == id_).execution_options(populate_existing=True)  # type: ignore[attr-defined]
    if is_postgresql():
        query = query.with_for_update(of=model)  # only this table, whatever its eager joins
    return db.session.scalar(query)
