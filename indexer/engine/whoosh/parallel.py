"""Whoosh's parallel writer, with sub-processes that cannot outlive the indexing run.

Analysing and writing postings is nearly all of an indexing run's time and it is pure Python,
so one process uses one core. Whoosh's ``MpWriter`` hands batches of documents to sub-processes
that each write a segment of their own (``multisegment``), which used both cores here (see
docs/performance.md). Its sub-processes inherit the index's write lock, though, and if the
parent is killed (SIGKILL, the OOM killer) they are left blocked on their job queue still
holding it, so every later run waits for a lock nobody will release (WHOOSH-NOTES). Here each
sub-process asks the kernel to kill it when its parent dies (Linux's ``PR_SET_PDEATHSIG``), so
the lock goes with the run; where that call does not exist the writer stays single-process.

A sub-process can also die on its own (the OOM killer, a crash). ``MpWriter`` then commits
without its segment (it waits one second for each result and skips a missing one), or blocks
forever: on the bounded job queue nobody drains, or behind the queue's read lock, which the dead
process may hold. Here every wait is bounded and checks the sub-processes, and a batch commits
only with exactly one result from each of them and each exited with status 0; otherwise the
writer raises ``WorkerDied`` naming the process and how it died, and cancelling kills the rest.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import pickle
import queue
import signal
import sys
import time
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

from ...errors import WorkerDied

__all__ = ["ParallelWriter", "parallel_supported", "describe_exit"]

_PR_SET_PDEATHSIG = 1

#: How long the parent waits on a queue before it looks at its sub-processes again (seconds).
_POLL = 0.5

#: How long a sub-process that has handed back its segment may take to exit (seconds).
_EXIT_GRACE = 30.0

_INDEXING = "while indexing"
_COMMITTING = "while finishing its segment for the commit"


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


def describe_exit(exitcode: int | None) -> str:
    """How a sub-process ended, for a person: a signal by number and name, or its status."""
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            return f"killed by signal {-exitcode}"
        hint = "; the OOM killer does this" if -exitcode == signal.SIGKILL else ""
        return f"killed by signal {-exitcode}, {name}{hint}"
    if exitcode == 0:
        return "exited without handing back its segment"
    return f"exited with status {exitcode}"


class _SenderQueue:
    """The result queue as a sub-process sees it: each result goes with the sender's pid, so
    the parent can check it has exactly one from each process."""

    def __init__(self, results: Any) -> None:
        self._results = results

    def put(self, item: Any, timeout: float | None = None) -> None:
        self._results.put((os.getpid(), item), timeout=timeout)

    def fail(self, reason: str) -> None:
        """Send why this process is failing (a string where a result would be) and wait
        until it is in the pipe: the process exits next."""
        self.put(reason)
        self._results.close()
        self._results.join_thread()


class _TiedTask(SubWriterTask):  # type: ignore[misc]
    """A sub-writer that dies with the process that started it, and signs its result."""

    resultqueue: Any

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._parent_pid = os.getpid()

    def run(self) -> None:
        # Ctrl-C reaches the whole process group: the parent decides what to keep and stops
        # this process itself, so it must not die on its own with a traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        prctl = _prctl()
        if prctl is None or prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            os._exit(1)
        if os.getppid() != self._parent_pid:
            # the parent died before the request was made: nobody will collect the work
            os._exit(1)
        self.resultqueue = _SenderQueue(self.resultqueue)
        try:
            super().run()
        except Exception as exc:
            # the parent's one-line error says why, instead of a traceback on stderr
            self.resultqueue.fail(f"{type(exc).__name__}: {exc}")
            raise SystemExit(1) from None


class ParallelWriter(MpWriter):  # type: ignore[misc]
    """``MpWriter`` whose sub-processes are ``_TiedTask``; one segment per sub-process."""

    docbuffer: list[Any]

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

    def _check_tasks(self, when: str) -> None:
        """Raise WorkerDied for a sub-process that ended badly. (One that ended well has handed
        back its segment, which happens only after the commit asked it to.)"""
        for task in self.tasks:
            if task.exitcode not in (None, 0):
                raise WorkerDied(task.pid, self._how(task), when)

    def _how(self, task: Any) -> str:
        """How ``task`` ended, with the reason it sent if it failed on an exception (the
        batch is lost, so the results read past here do not matter)."""
        how = describe_exit(task.exitcode)
        try:
            while True:
                pid, item = self.resultqueue.get(timeout=0.1)
                if pid == task.pid and isinstance(item, str):
                    return f"failed with {item}"
        except queue.Empty:
            return how

    def _put(self, item: Any, when: str) -> None:
        """``jobqueue.put`` that cannot block forever: the queue is bounded, and with its
        readers dead (or stuck behind a dead one's read lock) it stays full."""
        while True:
            self._check_tasks(when)
            try:
                self.jobqueue.put(item, timeout=_POLL)
                return
            except queue.Full:
                continue

    def _enqueue(self) -> None:
        # MpWriter._enqueue with a put that cannot hang, and a check at each job (every
        # ``batchsize`` documents) so that a death stops the batch early
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as f:
            for item in self.docbuffer:
                pickle.dump(item, f, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(self.docbuffer)), _INDEXING)
        self.docbuffer = []

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        # MpWriter._commit (multisegment), committing only with every sub-process's segment
        try:
            if self.docbuffer:
                self._enqueue()
            for _ in self.tasks:
                self._put(None, _COMMITTING)
            # small segments merge into this process's segment while the sub-processes finish
            finalsegments = self._merge_segments(mergetype, optimize, merge)
            finalsegments += [segment for _, _, segment in self._results()]
        except BaseException:
            # whatever failed, no sub-process may be left waiting (this process would wait for
            # it at exit); the caller cancels the rest of the writer
            self._stop_tasks()
            raise
        if self._added:
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()

    def _results(self) -> list[Any]:
        """Exactly one result from each sub-process, each then exited with status 0, or
        WorkerDied naming the first one that did not."""
        results: dict[int, Any] = {}
        while len(results) < len(self.tasks):
            # a sub-process flushes its result into the pipe before it exits: when all had
            # exited before this wait and the wait finds nothing, the missing ones sent none
            settled = all(task.exitcode is not None for task in self.tasks)
            try:
                pid, result = self.resultqueue.get(timeout=_POLL)
            except queue.Empty:
                self._check_tasks(_COMMITTING)
                if settled:
                    missing = next(t for t in self.tasks if t.pid not in results)
                    raise WorkerDied(missing.pid, describe_exit(0), _COMMITTING) from None
                continue
            if isinstance(result, str):
                raise WorkerDied(pid, f"failed with {result}", _COMMITTING)
            if pid in results or pid not in {task.pid for task in self.tasks}:
                raise WorkerDied(pid, "handed back an unexpected second segment", _COMMITTING)
            results[pid] = result
        deadline = time.monotonic() + _EXIT_GRACE
        for task in self.tasks:
            task.join(max(0.0, deadline - time.monotonic()))
            if task.exitcode != 0:
                how = describe_exit(task.exitcode)
                if task.exitcode is None:
                    how = f"still running {_EXIT_GRACE:g} s after handing back its segment"
                raise WorkerDied(task.pid, how, _COMMITTING)
        return [results[task.pid] for task in self.tasks]

    def cancel(self) -> None:
        """Drop the batch, sub-processes included."""
        try:
            self._stop_tasks()
        finally:
            SegmentWriter.cancel(self)

    def _stop_tasks(self) -> None:
        """Stop the sub-processes for real. ``MpWriter.cancel`` only sets a flag on the parent's
        copies of the task objects, so they would wait on the job queue forever, and this
        process would wait for them when it exits. They hold no lock and their files are
        either in the temporary storage or removed by the next commit."""
        for task in self.tasks:
            if task.exitcode is None:
                task.kill()
        for task in self.tasks:
            task.join(_EXIT_GRACE)
        # jobs nobody will read must not keep this process from exiting
        self.jobqueue.cancel_join_thread()
