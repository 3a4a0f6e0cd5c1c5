"""A search's time budget, and the heavy lane that keeps long searches from crowding out short ones.

Every expensive step of a search (fuzzy and wildcard expansion, matching, scoring, feedback,
snippets, suggestions) calls ``Deadline.check`` between units of work small enough that a search
past its budget stops within a fraction of it.

Whoosh is pure Python, so a process's searches share one interpreter lock: four searches burning
CPU for their whole budget took it from an ordinary one four times over. So a search that has used
``HEAVY_CPU`` seconds of CPU is heavy, and from then on runs only while it holds the one heavy
lane; heavy searches take turns of ``HEAVY_SLICE`` seconds, and the one running steps aside for
``HEAVY_PAUSE`` at each check while ordinary searches run. Short searches never wait; waiting
counts against a heavy one's budget (docs/reliability.md, "One request must not stall every
search").
"""

from __future__ import annotations

import threading
import time
from collections import deque

from .errors import QueryTooSlow

__all__ = ["Deadline", "HeavyLane", "HEAVY_CPU", "HEAVY_SLICE", "HEAVY_PAUSE", "HEAVY_LANE"]

#: CPU seconds (the search's own thread) after which a search is heavy. Ordinary queries on the
#: Reuters index need a tenth of that at p95, so they never get here.
HEAVY_CPU = 0.1
#: How long a heavy search keeps the lane while another one waits for it.
HEAVY_SLICE = 0.05
#: While ordinary searches run, the heavy one sleeps this long at each look at the clock, so
#: they need not queue for the interpreter lock behind it (it would otherwise keep the lock for
#: a whole switch interval, 5 ms, each time one of them, or the server's I/O thread, asks).
HEAVY_PAUSE = 0.002


class HeavyLane:
    """One heavy search at a time runs; the others wait their turn, first come first served."""

    def __init__(self, slice_seconds: float = HEAVY_SLICE) -> None:
        self.slice = slice_seconds
        self._turns = threading.Condition()
        self._queue: deque[object] = deque()
        self._since = 0.0
        self._searches = 0  # running, heavy or not

    def turn(self, who: object, until: float | None) -> bool:
        """Wait until ``who`` holds the lane, passing it on first when ``who`` has held it for a
        slice and another search waits; False when ``until`` (``time.perf_counter``) came
        first, and then ``who`` is out of the queue."""
        with self._turns:
            now = time.perf_counter()
            if who not in self._queue:
                self._queue.append(who)
                if len(self._queue) == 1:
                    self._since = now
            elif self._queue[0] is who:
                if len(self._queue) == 1 or now - self._since < self.slice:
                    return True
                self._queue.rotate(-1)
                self._since = now
                self._turns.notify_all()
            while self._queue[0] is not who:
                left = None if until is None else until - time.perf_counter()
                if left is not None and left <= 0:
                    self._queue.remove(who)
                    return False
                self._turns.wait(left)
            return True

    def leave(self, who: object) -> None:
        """``who`` is done (or gave up): the next in line runs."""
        with self._turns:
            if who not in self._queue:
                return
            head = self._queue[0] is who
            self._queue.remove(who)
            if head:
                self._since = time.perf_counter()
                self._turns.notify_all()

    def waiting(self) -> int:
        """How many searches hold or wait for the lane."""
        with self._turns:
            return len(self._queue)

    def started(self) -> None:
        with self._turns:
            self._searches += 1

    def finished(self) -> None:
        with self._turns:
            self._searches -= 1

    def others_running(self) -> bool:
        """Whether searches outside the lane (ordinary ones) are running."""
        return self._searches > len(self._queue)


#: The lane every search of the process shares: they share one interpreter lock.
HEAVY_LANE = HeavyLane()


class Deadline:
    """A search's time budget, checked between units of work (two clock reads), and its turn in
    the heavy lane, which only a ``with`` block takes, so that it is left however the search
    ends."""

    def __init__(
        self, started: float, budget: float | None, lane: HeavyLane | None = HEAVY_LANE
    ) -> None:
        """``started`` is a ``time.perf_counter()`` reading; without a ``lane`` the search
        is never held back (a caller's own loop, one search at a time)."""
        self.budget = budget
        self.at = None if budget is None else started + budget
        self._cpu = time.thread_time()
        self._lane = lane
        self._entered = False

    def __enter__(self) -> Deadline:
        if self._lane is not None:
            self._lane.started()
            self._entered = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lane is not None and self._entered:
            self._lane.leave(self)
            self._lane.finished()
            self._entered = False

    def expired(self) -> bool:
        return self.at is not None and time.perf_counter() > self.at

    def check(self) -> None:
        """Raise QueryTooSlow past the budget; for a heavy search, wait for the lane first."""
        if self.expired():
            raise QueryTooSlow(self.budget or 0.0)
        lane = self._lane
        if lane is None or not self._entered or time.thread_time() - self._cpu <= HEAVY_CPU:
            return
        if not lane.turn(self, self.at):
            raise QueryTooSlow(self.budget or 0.0)
        if lane.others_running():
            time.sleep(HEAVY_PAUSE)
