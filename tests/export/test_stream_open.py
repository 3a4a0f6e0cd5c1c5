"""An index opened to stream (``open_index(..., stream=True)``, what ``search --all`` opens):
its segment files stay on disk and are read as used, and it answers exactly as the index opened
to search does; and served exports take turns in the heavy lane (``indexer.pacing``)."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import psutil
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import budget, index_articles, iter_articles, open_index, paced
from indexer.budget import HeavyLane
from indexer.engine.whoosh.ondisk import READ_AHEAD, DiskFile
from tests.conftest import write_jsonl
from tests.export.test_export import ARTICLES


@pytest.fixture(scope="module")
def two_segments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export corpus indexed in two runs (two commits)."""
    root = tmp_path_factory.mktemp("stream-open")
    half = len(ARTICLES) // 2
    for n, part in enumerate((ARTICLES[:half], ARTICLES[half:])):
        data = write_jsonl(
            root / f"a{n}.jsonl", [{k: v for k, v in a.items() if v is not None} for a in part]
        )
        index_articles(root / "ix", iter_articles([str(data)]))
    return root / "ix"


def _export(index_dir: Path, stream: bool, fmt: str = "jsonl", **kw: str) -> tuple[str, int]:
    with open_index(index_dir, stream=stream) as ix:
        export = ix.export("ferry OR rain", fmt=fmt, **kw)
        return "".join(export), export.manifest.total


def _open_segments() -> set[str]:
    return {f.path for f in psutil.Process().open_files() if f.path.endswith(".seg")}


def test_stream_open_exports_the_same_bytes(two_segments: Path) -> None:
    for fmt, sort in (("jsonl", "relevance"), ("csv", "newest")):
        resident, total = _export(two_segments, False, fmt, sort=sort)
        streamed, streamed_total = _export(two_segments, True, fmt, sort=sort)
        assert streamed == resident
        assert streamed_total == total > 240


def test_stream_open_searches_as_the_resident_open(two_segments: Path) -> None:
    found = []
    for stream in (False, True):
        with open_index(two_segments, stream=stream) as ix:
            results = ix.search("ferry dawn", per_page=20)
            article = ix.article("n0007")
        hits = [(a.article_id, a.score) for a in results.results]
        found.append((results.total_hits, hits, results.facets, article))
    assert found[0] == found[1]
    assert found[0][0] > 0 and found[0][3] is not None


def test_stream_open_reads_segments_from_disk(two_segments: Path) -> None:
    """Opened to stream, the index keeps its segment files open to read them as used (the
    resident open reads them whole and closes them); the files are closed with the index."""
    before = _open_segments()
    with open_index(two_segments) as ix:
        ix.search("ferry")
        assert _open_segments() == before
    with open_index(two_segments, stream=True) as ix:
        ix.search("ferry")
        held = _open_segments() - before
        assert held == {str(p) for p in two_segments.glob("*.seg")} and held
    assert _open_segments() == before


def test_stream_open_exports_from_threads_at_once(two_segments: Path) -> None:
    """Readers in several threads read one descriptor at their own offsets (pread)."""
    expected, _ = _export(two_segments, False)
    got: list[str] = []
    with open_index(two_segments, stream=True) as ix:

        def run() -> None:
            got.append("".join(ix.export("ferry OR rain")))

        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert got == [expected] * 4


_reads = st.lists(
    st.tuples(st.integers(0, 3 * READ_AHEAD), st.integers(-1, 2 * READ_AHEAD)), max_size=30
)


@settings(max_examples=60, deadline=None)
@given(reads=_reads, offset=st.integers(0, 100))
def test_disk_file_reads_as_an_in_memory_file(
    tmp_path_factory: pytest.TempPathFactory, reads: list[tuple[int, int]], offset: int
) -> None:
    """Seeks and reads of any size, across the read-ahead window, give a BytesIO's bytes."""
    data = os.urandom(offset + 2 * READ_AHEAD + 777)
    path = tmp_path_factory.mktemp("disk") / "f"
    path.write_bytes(data)
    body = data[offset : offset + 2 * READ_AHEAD + 500]
    fd = os.open(path, os.O_RDONLY)
    try:
        mine, theirs = DiskFile(fd, offset, len(body)), io.BytesIO(body)
        for at, size in reads:
            if at % 3:
                assert mine.seek(at) == theirs.seek(at)
            assert mine.read(size) == theirs.read(size)
            assert mine.tell() == theirs.tell()
    finally:
        os.close(fd)


def test_a_paced_export_waits_for_its_turn_in_the_heavy_lane(
    two_segments: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A heavy search holds the lane: a served export (paced) queues behind it and writes no
    more rows until the lane is left, then finishes and leaves the lane itself."""
    monkeypatch.setattr(budget, "HEAVY_CPU", 0.0)  # heavy from its first row
    lane = HeavyLane()
    holder = object()
    assert lane.turn(holder, None)
    rows: list[str] = []
    with open_index(two_segments) as ix:
        export = ix.export("ferry OR rain")
        worker = threading.Thread(target=lambda: rows.extend(paced(export, lane)))
        worker.start()
        queued = threading.Event()
        for _ in range(200):  # the export's thread joins the queue after its first row
            if lane.waiting() == 2:
                queued.set()
                break
            queued.wait(0.05)
        held_at = len(rows)
        assert queued.is_set() and worker.is_alive()
        lane.leave(holder)
        worker.join(timeout=60)
    assert not worker.is_alive()
    assert held_at == 0 and len(rows) == export.manifest.rows > 240 and export.manifest.complete
    assert lane.waiting() == 0 and not lane.others_running()


def test_matching_an_export_waits_for_its_turn_in_the_heavy_lane(
    two_segments: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matching every hit of an export is heavy work too: with the process's lane held by a
    heavy search, ``export`` does not return until that search leaves it."""
    monkeypatch.setattr(budget, "HEAVY_CPU", 0.0)
    lane = budget.HEAVY_LANE
    holder = object()
    assert lane.turn(holder, None)
    found: list[int] = []
    try:
        with open_index(two_segments) as ix:
            worker = threading.Thread(
                target=lambda: found.append(ix.export("ferry").manifest.total)
            )
            worker.start()
            queued = threading.Event()
            for _ in range(200):
                if lane.waiting() == 2:
                    queued.set()
                    break
                queued.wait(0.05)
            assert queued.is_set() and worker.is_alive() and not found
            lane.leave(holder)
            worker.join(timeout=60)
    finally:
        lane.leave(holder)
    assert found and found[0] > 240 and lane.waiting() == 0


def test_a_commit_after_a_stream_open_is_read_from_disk_too(tmp_path: Path) -> None:
    """The generation a later commit makes is opened to stream as well, and exported whole."""
    first = write_jsonl(tmp_path / "a.jsonl", [{"id": "a1", "paragraphs": ["A ferry left."]}])
    index_articles(tmp_path / "ix", iter_articles([str(first)]))
    before = _open_segments()
    with open_index(tmp_path / "ix", stream=True) as ix:
        assert ix.export("ferry").manifest.total == 1
        more = write_jsonl(
            tmp_path / "b.jsonl",
            [{"id": f"b{n}", "paragraphs": ["Ferry again."]} for n in range(3)],
        )
        index_articles(tmp_path / "ix", iter_articles([str(more)]))
        export = ix.export("ferry")
        rows = "".join(export).splitlines()
        held = _open_segments() - before
        assert held == {str(p) for p in (tmp_path / "ix").glob("*.seg")} and held
    assert len(rows) == export.manifest.total == 4


def test_the_document_count_on_open_comes_from_the_table_of_contents(tmp_path: Path) -> None:
    """What opening reads instead of Whoosh's doc_count_all (a reader copying every segment
    file into memory, the true peak of a whole export): the same count, deletions included."""
    from indexer import delete_articles
    from indexer.engine.whoosh.writer import create_whoosh, documents_committed, open_whoosh

    assert documents_committed(create_whoosh(str(tmp_path / "empty"))) == 0
    data = write_jsonl(
        tmp_path / "a.jsonl", [{"id": f"a{n}", "paragraphs": ["One.", "Two."]} for n in range(5)]
    )
    index_articles(tmp_path / "ix", iter_articles([str(data)]))
    delete_articles(tmp_path / "ix", ["a1"])
    ix = open_whoosh(str(tmp_path / "ix"))
    assert documents_committed(ix) == ix.doc_count_all() > 0
