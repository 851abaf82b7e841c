"""The demo fund's history, told in the order it happened.

Each actor of the demo (the contributions office, each concept note, the committee, each joint programme) is a
*process*: a generator that yields the moment it acts next, then does what it does at that moment through the
services. `Story.run()` wakes the processes in the order of their moments, with the one clock
(`core.clock.frozen`) set to each moment, so every audit row, state event, timeline entry and notification
carries its historical date, and every service check (pool balances, open calls, dates not in the future) sees
the fund as it stood that day.

    def deposits():
        yield date(2019, 7, 15)          # wake me then
        services.record_deposit(...)     # runs with clock.today() == 2019-07-15

A process that starts another (a funding decision starts the programme's life) calls `story.start(...)`.
Moments given as dates are read as 09:00 UTC; two actions on one day are a minute apart at least, so the
audit log reads in the order of the story.
"""

import heapq
from collections.abc import Callable, Generator, Iterable
from datetime import date, datetime, time, timedelta
from itertools import count

from fundapp.core import clock
from fundapp.core.extensions import db

#: The day the demo's story ends: the Secretary-General's report gives the fund's figures at end-November 2021.
DEMO_TODAY = date(2021, 11, 30)
DAY_STARTS = time(9, 0)

Moment = date | datetime
Process = Generator[Moment, None, None]


class StoryError(RuntimeError):
    """A process asked for a moment before the one it is at, or after the end of the story."""


def instant(moment: Moment) -> datetime:
    return moment if isinstance(moment, datetime) else datetime.combine(moment, DAY_STARTS)


class Story:
    """A discrete-event schedule of processes, run in the order of their moments (ties: first started first)."""

    def __init__(self, ends_on: date = DEMO_TODAY) -> None:
        self.ends_on = ends_on
        self._queue: list[tuple[datetime, int, Process]] = []
        self._order = count()
        self._last: datetime | None = None
        self.now: datetime | None = None

    def start(self, process: Process) -> None:
        """Add a process; it runs nothing until its first moment (what precedes its first yield runs now)."""
        self._push(process, self.now)

    def _push(self, process: Process, after: datetime | None) -> None:
        try:
            moment = next(process) if after is None else process.send(None)
        except StopIteration:
            return
        when = instant(moment)
        if after is not None and when < instant(after.date()):
            raise StoryError(f"A process went back in time: {when:%Y-%m-%d} after {after:%Y-%m-%d}.")
        if when.date() > self.ends_on:
            raise StoryError(f"A process acts on {when:%Y-%m-%d}, after the story ends ({self.ends_on}).")
        heapq.heappush(self._queue, (when, next(self._order), process))

    def _tick(self, requested: datetime) -> datetime:
        """The instant an action is stamped with: as asked, or a minute after the previous one that day."""
        if self._last is None or requested > self._last:
            return requested
        later = self._last + timedelta(minutes=1)
        return later if later.date() == requested.date() else self._last + timedelta(seconds=1)

    def run(self) -> None:
        """Run every process to its end, each step under the clock frozen at its moment (then flushed, so
        rows take that moment as their creation time)."""
        while self._queue:
            requested, _order, process = heapq.heappop(self._queue)
            stamp = self._tick(requested)
            self._last = self.now = stamp
            with clock.frozen(stamp):
                self._push(process, stamp)
                db.session.flush()
        self.now = None


def tell(*processes: Process, ends_on: date = DEMO_TODAY) -> Story:
    """Run these processes (and whatever they start) to the end of the story."""
    story = Story(ends_on)
    for process in processes:
        story.start(process)
    story.run()
    return story


def agenda(steps: Iterable[tuple[Moment, Callable[[], object]]]) -> Process:
    """A process made of (moment, action) steps, run in the order of their moments (stable for equal ones)."""
    for moment, action in sorted(steps, key=lambda step: instant(step[0])):
        yield moment
        action()
