"""A writing sub-process (``--procs``) that dies must fail its batch, loudly (issue 19 point 1).

Whoosh's parallel writer waited one second for each sub-process's segment and committed without
a missing one: a worker killed mid-run lost part of a batch, the command said "added" and exited
0, and a re-run called the damaged articles "unchanged". Here a worker is killed at each moment
of its life (analysing documents, waiting for work while holding the job queue's lock, writing
its segment, just before and just after handing it back), by a driver that wraps the worker's
steps in the worker process only, and once from outside with ``kill -9`` during a real run. Each
time: exit 1, one line naming the process, only whole earlier batches in the index, and a re-run
that ends exactly like a clean build. Damage already in an index (stored documents that do not
number the count stored with their hash, or a hash from before counts were stored) is repaired
by the next run.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from indexer import ArticleWriter, article_from_json, index_articles, open_index
from indexer.engine.whoosh import parallel
from indexer.engine.whoosh.documents import article_documents
from indexer.engine.whoosh.schema import make_schema
from indexer.errors import WorkerDied

from ...test_crash import _children, check_whole, make_corpus, wait_for, write_corpus

pytestmark = pytest.mark.skipif(
    not parallel.parallel_supported(), reason="the parallel writer needs Linux's prctl"
)

#: 2,300 articles in commits of 1,000: generations 1 and 2 hold 1,000 each, 3 the last 300.
N_ARTICLES, BATCH = 2300, 1000

SIGKILL_LINE = (
    r"error: a writing process \(pid (\d+)\) died \(killed by signal 9, SIGKILL; the OOM killer "
    r"does this\) while {when}; nothing of the last batch \([\d,]+ articles?\) was committed "
    r"and the run stopped there; run the same command again to index the rest"
)
INDEXING, COMMITTING = "indexing", "finishing its segment for the commit"


def index_cmd(jsonl: Path, index_dir: Path) -> list[str]:
    return [
        "index", str(jsonl), "--index", str(index_dir), "-q", "--procs", "2",
        "--batch-size", str(BATCH),
    ]  # fmt: skip


# Runs the real CLI; the worker that first reaches MOMENT while writing generation GEN (every
# worker for the "every-worker-" moments) writes its pid to MARKER and kills itself there. With
# the fork start method the workers inherit these wrappers; the parent never runs them.
DRIVER = r"""
import errno, multiprocessing.queues, os, signal, sys
from whoosh.writing import SegmentWriter
from indexer.engine.whoosh import parallel

moment, gen, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3]
parent = os.getpid()
task = None  # the worker task running in this process

def chosen():
    if os.getpid() == parent or task is None or task.writer.generation != gen:
        return False
    if moment.startswith("every-worker-"):
        return True
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return True

def die():
    os.kill(os.getpid(), signal.SIGKILL)

original_run = parallel._TiedTask.run
def run(self):
    global task
    task = self
    original_run(self)
parallel._TiedTask.run = run

original_process = parallel._TiedTask._process_file
def process_file(self, *args):
    if moment == "failing" and chosen():
        raise OSError(errno.EIO, os.strerror(errno.EIO))
    done = original_process(self, *args)
    if moment.endswith("analysing") and chosen():
        die()  # one job file analysed and held in memory
    return done
parallel._TiedTask._process_file = process_file

original_get = multiprocessing.queues.Queue.get
def get(self, *args, **kwargs):
    if moment == "waiting-for-work" and chosen():
        self._rlock.acquire()  # where a worker waits for its next job
        die()
    return original_get(self, *args, **kwargs)
multiprocessing.queues.Queue.get = get

original_flush = SegmentWriter._flush_segment
def flush_segment(self):
    original_flush(self)
    if moment == "writing-segment" and task is not None and self is task.writer and chosen():
        die()  # postings and stored fields written, the segment not closed
SegmentWriter._flush_segment = flush_segment

original_put = multiprocessing.queues.Queue.put
def put(self, *args, **kwargs):
    # in a worker the only put is of its result
    if moment == "before-result" and chosen():
        die()
    original_put(self, *args, **kwargs)
    if moment == "after-result" and chosen():
        self.close()
        self.join_thread()  # the result is in the pipe: the parent can read all of it
        die()
multiprocessing.queues.Queue.put = put

from indexer.cli.commands import main
sys.argv = ["newsfind", *sys.argv[4:]]
main()
"""


def newsfind(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "indexer", *args], capture_output=True, text=True, timeout=300
    )


def snapshot(index_dir: Path) -> tuple[list[str], list[str], dict[str, Any]]:
    """What a comparison with a clean build looks at: ids, exported articles, counts."""
    with open_index(index_dir) as ix:
        export = sorted(json.dumps(a.to_json(), ensure_ascii=False) for a in ix.articles())
        return sorted(ix.article_ids()), export, ix.stats().to_json()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, object]], Path]:
    raw = make_corpus(N_ARTICLES)
    return raw, write_corpus(tmp_path_factory.mktemp("workers") / "corpus.jsonl", raw)


@pytest.fixture(scope="module")
def clean_build(
    corpus: tuple[list[dict[str, object]], Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[str], list[str], dict[str, Any]]:
    index_dir = tmp_path_factory.mktemp("workers") / "clean"
    done = newsfind(*index_cmd(corpus[1], index_dir))
    assert done.returncode == 0, done.stderr
    return snapshot(index_dir)


def assert_failed_once(done: subprocess.CompletedProcess[str], when: str) -> int:
    """Exit 1 with the one line about a worker killed by SIGKILL; returns the pid it names."""
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    match = re.fullmatch(SIGKILL_LINE.format(when=when), lines[0])
    assert match, lines[0]
    assert "added" not in done.stderr
    return int(match.group(1))


def assert_rerun_is_clean(
    jsonl: Path, index_dir: Path, held: int, clean: tuple[list[str], list[str], dict[str, Any]]
) -> None:
    done = newsfind(*index_cmd(jsonl, index_dir))
    assert done.returncode == 0, done.stderr
    assert f": {N_ARTICLES - held:,} added, 0 updated, {held:,} unchanged," in done.stderr
    assert snapshot(index_dir) == clean
    assert not [p.name for p in index_dir.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("moment", "generation", "when"),
    [
        ("analysing", 1, INDEXING),
        ("analysing", 2, INDEXING),
        ("waiting-for-work", 2, INDEXING),
        ("writing-segment", 2, COMMITTING),
        ("before-result", 2, COMMITTING),
        ("after-result", 2, COMMITTING),
    ],
)
def test_a_killed_worker_fails_its_batch(
    moment: str,
    generation: int,
    when: str,
    corpus: tuple[list[dict[str, object]], Path],
    clean_build: tuple[list[str], list[str], dict[str, Any]],
    tmp_path: Path,
) -> None:
    """One worker SIGKILLed in batch 1 or 2 of 3: the run stops with that batch uncommitted."""
    raw, jsonl = corpus
    index_dir, marker = tmp_path / "ix", tmp_path / "killed"
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, moment, str(generation), str(marker),
         *index_cmd(jsonl, index_dir)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert assert_failed_once(done, when) == int(marker.read_text())
    held = (generation - 1) * BATCH
    assert check_whole(index_dir, [raw]) == held
    assert_rerun_is_clean(jsonl, index_dir, held, clean_build)


def test_every_worker_killed_does_not_hang(
    corpus: tuple[list[dict[str, object]], Path],
    clean_build: tuple[list[str], list[str], dict[str, Any]],
    tmp_path: Path,
) -> None:
    """With no worker left nobody drains the bounded job queue: Whoosh's writer blocked on it
    for ever."""
    raw, jsonl = corpus
    index_dir = tmp_path / "ix"
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, "every-worker-analysing", "2", str(tmp_path / "m"),
         *index_cmd(jsonl, index_dir)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert_failed_once(done, INDEXING)
    assert check_whole(index_dir, [raw]) == BATCH
    assert_rerun_is_clean(jsonl, index_dir, BATCH, clean_build)


def test_a_failing_worker_says_why_in_one_line(
    corpus: tuple[list[dict[str, object]], Path], tmp_path: Path
) -> None:
    """A worker's own error (here an I/O error) is the reason in the one line, not a traceback
    from the sub-process. (A full disk has a line of its own: tests/test_disk_full.py.)"""
    raw, jsonl = corpus
    index_dir, marker = tmp_path / "ix", tmp_path / "failed"
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, "failing", "2", str(marker), *index_cmd(jsonl, index_dir)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(
        f"error: a writing process (pid {int(marker.read_text())}) died (failed with OSError: "
        "[Errno 5] Input/output error) while indexing; nothing of the last batch ("
    ), line
    assert check_whole(index_dir, [raw]) == BATCH


def _committed_generation(index_dir: Path) -> int:
    names = (re.fullmatch(r"_MAIN_(\d+)\.toc", p.name) for p in index_dir.iterdir())
    return max((int(m.group(1)) for m in names if m), default=0)


def _stop_with_a_live_worker(proc: subprocess.Popen[bytes]) -> int:
    """Freeze the indexer (SIGSTOP) at a moment it has a live worker; return that worker. While
    it is stopped it commits nothing and reaps nothing, so the worker cannot finish and vanish
    before the kill, however late this test gets the CPU."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        os.kill(proc.pid, signal.SIGSTOP)
        live = _children(proc.pid)
        if live:
            return live[0]
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.01)
    proc.kill()
    pytest.fail("the indexer finished (or hung) without a live worker to kill")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; Linux only")
def test_kill_9_of_a_worker_from_outside(
    corpus: tuple[list[dict[str, object]], Path],
    clean_build: tuple[list[str], list[str], dict[str, Any]],
    tmp_path: Path,
) -> None:
    """The issue's case: `kill -9` of one worker of a real `newsfind index --procs 2` run, after
    the first commit."""
    raw, jsonl = corpus
    index_dir = tmp_path / "ix"
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", *index_cmd(jsonl, index_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_for(lambda: (index_dir / "_MAIN_1.toc").exists(), proc, "the first commit")
    victim = _stop_with_a_live_worker(proc)
    # a batch's workers are reaped before its commit: the victim works on the next batch
    held = min(_committed_generation(index_dir) * BATCH, N_ARTICLES)
    os.kill(victim, signal.SIGKILL)
    os.kill(proc.pid, signal.SIGCONT)
    _, stderr = proc.communicate(timeout=300)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, "", stderr.decode())
    assert assert_failed_once(done, f"({INDEXING}|{COMMITTING})") == victim
    assert check_whole(index_dir, [raw]) == held
    assert_rerun_is_clean(jsonl, index_dir, held, clean_build)


CANCEL_DRIVER = r"""
import sys, time
from indexer import ArticleWriter, article_from_json

try:
    with ArticleWriter(sys.argv[1], procs=2) as writer:
        for i in range(int(sys.argv[2])):
            paragraphs = [f"Paragraph {p} of story {i} about the harbour." for p in range(3)]
            writer.add(article_from_json({"id": f"s{i}", "paragraphs": paragraphs}))
        time.sleep(float(sys.argv[3]))
        raise RuntimeError("a caller's error mid-batch")
except RuntimeError:
    print("cancelled")
"""


@pytest.mark.parametrize(
    ("articles", "pause"),
    [(100, 1.0), (1000, 0.0)],
    ids=["workers-idle", "workers-busy"],
)
def test_a_cancelled_batch_stops_its_workers(articles: int, pause: float, tmp_path: Path) -> None:
    """``MpWriter.cancel`` only set a flag on the parent's copies of the task objects: idle
    workers waited on the job queue for ever, and so did the process, at exit; busy ones died
    on the job files the cancel removed, each with a traceback."""
    done = subprocess.run(
        [sys.executable, "-c", CANCEL_DRIVER, str(tmp_path / "ix"), str(articles), str(pause)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "cancelled\n", "")


def _dies_in_generation_2(marker: Path) -> Any:
    original = parallel._TiedTask._process_file

    def process_file(self: Any, *args: Any) -> Any:
        if self.writer.generation == 2:
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return original(self, *args)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)
        return original(self, *args)

    return process_file


def test_report_counts_only_committed_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The library's report: ``added`` and ``documents`` were counted as articles were given,
    so a lost batch was reported as written."""
    marker = tmp_path / "killed"
    # the forked workers inherit this; the test process itself never runs it
    monkeypatch.setattr(parallel._TiedTask, "_process_file", _dies_in_generation_2(marker))
    raw = make_corpus(250)
    first_batch = [article_from_json(a) for a in raw[:100]]
    writer = ArticleWriter(tmp_path / "ix", batch_articles=100, procs=2)
    with pytest.raises(WorkerDied) as raised:
        with writer:
            for item in raw:
                writer.add(article_from_json(item))
    assert raised.value.pid == int(marker.read_text())
    assert raised.value.articles is not None and 0 < raised.value.articles <= 100
    documents = sum(len(article_documents(a, "")) for a in first_batch)
    assert (writer.report.added, writer.report.updated, writer.report.documents) == (
        100,
        0,
        documents,
    )
    with open_index(tmp_path / "ix") as ix:
        assert (ix.stats().articles, ix.stats().documents) == (100, documents)


def _delete_documents(index_dir: Path, article_id: str, positions: set[int]) -> None:
    """Damage an index the way a lost segment did: some of an article's documents gone."""
    ix = whoosh_index.open_dir(str(index_dir))
    writer = ix.writer()
    with writer.reader() as reader:
        for docnum in reader.postings("article_id", article_id).all_ids():
            if reader.stored_fields(docnum)["position"] in positions:
                writer.delete_document(docnum)
    writer.commit()


def _damaged_ids(index_dir: Path, raw: list[dict[str, object]]) -> list[str]:
    given = {str(r["id"]): article_from_json(r) for r in raw}
    with open_index(index_dir) as ix:
        return sorted(a.id for a in ix.articles() if a != given[a.id])


def test_rerun_repairs_articles_missing_documents(tmp_path: Path) -> None:
    """Stored hash and document count: an article whose live documents are fewer than the count
    stored with its hash is written again (the hash alone matched and hid the damage)."""
    raw = make_corpus(30)
    index_dir = tmp_path / "ix"
    index_articles(index_dir, [article_from_json(a) for a in raw])
    clean = snapshot(index_dir)
    # story-00000 has 4 documents (headline, 2 paragraphs, a caption): lose its last one, and
    # a middle one of story-00010 (a gap in its positions), as a lost segment did
    _delete_documents(index_dir, "story-00000", {3})
    _delete_documents(index_dir, "story-00010", {1})
    assert _damaged_ids(index_dir, raw) == ["story-00000", "story-00010"]
    report = index_articles(index_dir, [article_from_json(a) for a in raw])
    assert (report.added, report.updated, report.unchanged) == (0, 2, 28)
    assert snapshot(index_dir) == clean


def test_index_from_before_counts_is_rewritten_once(tmp_path: Path) -> None:
    """An index whose stored hashes carry no count was written by the writer that could lose
    documents without a word, so it cannot be trusted: its articles are written again once
    (reported as updated), then are unchanged like any other."""
    raw = make_corpus(30)
    articles = [article_from_json(a) for a in raw]
    clean_dir = tmp_path / "clean"
    index_articles(clean_dir, articles)
    old_dir = tmp_path / "old"
    old_dir.mkdir()
    ix = whoosh_index.create_in(str(old_dir), make_schema())
    with ix.writer() as writer:
        # what the store wrote before counts: the bare content hash in every document, and
        # one article already damaged
        for article in articles:
            for doc in article_documents(article, article.content_hash()):
                if not (article.id == "story-00005" and doc["position"] == 1):
                    writer.add_document(**doc)
    first = index_articles(old_dir, articles)
    assert (first.added, first.updated, first.unchanged) == (0, 30, 0)
    again = index_articles(old_dir, articles)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 30)
    assert snapshot(old_dir) == snapshot(clean_dir)
