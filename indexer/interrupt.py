"""Stopping an index run on SIGINT or SIGTERM without losing what it already read.

Ctrl-C used to raise ``KeyboardInterrupt`` wherever the run was, which cancelled the batch (up
to 50,000 articles) and printed a traceback in every writing process. Here the first signal only
says "stop reading": the article stream ends before the next article (or, when the signal comes
while the stream is reading, that article is dropped), so the writer commits every whole article
it has, and the caller prints one line and exits 128 + the signal's number. A second signal
means "stop now": the default handlers are back, and it kills the run as before (the index keeps
its last commit; the run is atomic per batch either way).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

__all__ = ["StopReading", "stop_on_signals"]

T = TypeVar("T")

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Interrupted(BaseException):
    """Raised inside the stream's read when a signal comes while reading (never escapes)."""


class StopReading:
    """Whether a stop was asked for, and by which signal; ``items`` wraps the article stream."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._reading = False

    @property
    def stopped(self) -> bool:
        return self.signal is not None

    @property
    def exit_code(self) -> int:
        """The shell's convention: 130 after SIGINT, 143 after SIGTERM."""
        return 128 + (self.signal or 0)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.signal = signum
        # a second signal stops at once
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if self._reading:
            # the stream may block on a pipe for ever: leave it, dropping the half-read article
            raise _Interrupted

    def items(self, stream: Iterable[T]) -> Iterator[T]:
        """``stream`` until a stop is asked for; only whole items ever come out."""
        source = iter(stream)
        while not self.stopped:
            try:
                self._reading = True
                item = next(source)
            except (StopIteration, _Interrupted):
                return
            finally:
                self._reading = False
            yield item  # whole: it was read before the signal, or the signal came while writing


@contextmanager
def stop_on_signals() -> Iterator[StopReading]:
    """Catch SIGINT and SIGTERM for the block (main thread only; elsewhere, nothing changes)."""
    stop = StopReading()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    for sig in _SIGNALS:
        signal.signal(sig, stop._handle)
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
