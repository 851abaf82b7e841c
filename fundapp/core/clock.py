"""The one clock: today and now in UTC for every module.

Timestamps are naive UTC (both engines store them the same way, so hashes over them are stable) and
dates are UTC calendar days: the fund's books run on UTC.

Three sources, in this order:

1. a frozen instant set by `frozen()` (tests);
2. the instance's fixed date, `FIXED_TODAY` in the app config (the demo fund runs on the day its story
   ends; the time of day still moves, so events keep their order);
3. the real time.

Everything else in fundapp asks this module; ruff's banned-api rule forbids `date.today()`,
`datetime.now()` and `datetime.utcnow()` elsewhere.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

from flask import current_app, has_app_context

_frozen: datetime | None = None


def _real_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def fixed_today() -> date | None:
    """The instance's fixed date, when it runs on one (the demo), else None."""
    if not has_app_context():
        return None
    value = current_app.config.get("FIXED_TODAY")
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def now() -> datetime:
    """The current instant, naive UTC."""
    if _frozen is not None:
        return _frozen
    real = _real_now()
    fixed = fixed_today()
    if fixed is not None:
        return datetime.combine(fixed, real.time())
    return real


def today() -> date:
    """Today's date in UTC."""
    return now().date()


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of a day (naive, like every stored timestamp)."""
    return datetime.combine(day, time.min)


@contextmanager
def frozen(at: datetime | date) -> Iterator[datetime]:
    """Freeze the clock inside the block (tests): now() and today() answer `at` until it ends."""
    global _frozen  # noqa: PLW0603  (one process-wide override, restored on exit)
    instant = at if isinstance(at, datetime) else start_of(at)
    if instant.tzinfo is not None:
        instant = instant.astimezone(UTC).replace(tzinfo=None)
    previous = _frozen
    _frozen = instant
    try:
        yield instant
    finally:
        _frozen = previous
