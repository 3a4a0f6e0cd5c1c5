"""Whoosh's parallel writer, with sub-processes that cannot outlive the indexing run.

Analysing and writing postings is nearly all of an indexing run's time and it is pure Python,
so one process uses one core. Whoosh's ``MpWriter`` hands batches of documents to sub-processes
that each write a segment of their own (``multisegment``), which used both cores here (see
docs/performance.md). Its sub-processes inherit the index's write lock, though, and if the
parent is killed (SIGKILL, the OOM killer) they are left blocked on their job queue still
holding it, so every later run waits for a lock nobody will release (WHOOSH-NOTES). Here each
sub-process asks the kernel to kill it when its parent dies (Linux's ``PR_SET_PDEATHSIG``), so
the lock goes with the run; where that call does not exist the writer stays single-process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask

__all__ = ["ParallelWriter", "parallel_supported"]

_PR_SET_PDEATHSIG = 1


def _prctl() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None
    return getattr(libc, "prctl", None)


def parallel_supported() -> bool:
    """Whether sub-processes can be tied to their parent's life here."""
    return _prctl() is not None


class _TiedTask(SubWriterTask):  # type: ignore[misc]
    """A sub-writer that dies with the process that started it."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._parent_pid = os.getpid()

    def run(self) -> None:
        prctl = _prctl()
        if prctl is None or prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            os._exit(1)
        if os.getppid() != self._parent_pid:
            # the parent died before the request was made: nobody will collect the work
            os._exit(1)
        super().run()


class ParallelWriter(MpWriter):  # type: ignore[misc]
    """``MpWriter`` whose sub-processes are ``_TiedTask``; one segment per sub-process."""

    def __init__(self, ix: Any, procs: int, **kwargs: Any) -> None:
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)

    def _new_task(self) -> Any:
        task = _TiedTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task
