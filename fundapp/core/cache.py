"""Public figures cached per process, fresh across processes: the transparency page and the summary API are
read by everyone and change only when the fund's records do.

An entry is kept with the *version* of the records it was computed from: the id of the audit log's last row
(every change of a public figure — a posting, a deposit, a decision, a programme's publication, an edit of
the reference data — writes an audit row in its transaction, core.audit) and today's date (figures are "as
of today"). Each read costs one indexed query for the version; a different version recomputes. So a
change committed by any gunicorn worker or host is seen by all of them at their next request, and nothing
needs a shared cache server. Within the process, `ledger_changed` (a posting in this transaction) also drops
the entries at once.

Only what is the same for every reader is cached: plain data (the summary API's dict), or a public page's
HTML for a visitor who sends no cookie (no session, no flash, no preference that could change the page).
PUBLIC_FIGURES_CACHE turns it off (the tests do, since their rolled-back transactions reuse audit ids).
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, has_request_context, request

from fundapp.core import clock, signals
from fundapp.core.extensions import db
from fundapp.core.models import AuditEntry

_EXTENSION = "fundapp.public_cache"
#: Entries kept per process at most (each public page, filter combination and viewer is one); when full, the
#: least recently used goes (a crawler paging through every programme does not push the transparency page out).
MAX_ENTRIES = 512


class _Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[Any, tuple[Any, Any]] = OrderedDict()

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = _Store()


def _store() -> _Store | None:
    if not enabled():
        return None
    return current_app.extensions.get(_EXTENSION)


def enabled() -> bool:
    """Whether public figures (and files derived from them, such as the IATI file) may be kept."""
    return bool(current_app.config.get("PUBLIC_FIGURES_CACHE", True))


#: Where a reading request keeps the version it read (the request's own environ: nothing outlives it).
_VERSION_KEY = "fundapp.cache_version"


def version() -> tuple[int, str]:
    """What the cached figures depend on: the audit log's head and today's date. A GET reads it once, however
    many kept values its page shows (a request that may write reads it afresh each time)."""
    reading = has_request_context() and request.method in ("GET", "HEAD")
    if reading and _VERSION_KEY in request.environ:
        return request.environ[_VERSION_KEY]
    head = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
    current = head, clock.today().isoformat()
    if reading:
        request.environ[_VERSION_KEY] = current
    return current


def cached(key: Any, compute: Callable[[], Any]) -> Any:
    """compute() for this key, reused while the records have not changed (see the module docstring)."""
    store = _store()
    if store is None:
        return compute()
    current = version()
    with store.lock:
        hit = store.entries.get(key)
        if hit is not None:
            store.entries.move_to_end(key)
    if hit is not None and hit[0] == current:
        return hit[1]
    value = compute()
    with store.lock:
        store.entries[key] = (current, value)
        store.entries.move_to_end(key)
        while len(store.entries) > MAX_ENTRIES:
            store.entries.popitem(last=False)
    return value


def anonymous_page(render: Callable[[], str]) -> str:
    """A public page's HTML, shared by every visitor who sends no cookie (same URL, same languages asked)."""
    if request.cookies:
        return render()
    return cached(("page", request.full_path, request.headers.get("Accept-Language", "")), render)


def _drop(_sender: Any = None, **_data: Any) -> None:
    """Receiver of ledger_changed: this process forgets its entries (others see the new audit head)."""
    if has_app_context() and _EXTENSION in current_app.extensions:
        current_app.extensions[_EXTENSION].clear()


signals.ledger_changed.connect(_drop)
