"""A damaged index says so in one line, in the API (``IndexCorrupt``), the CLI (exit 1) and
``newsfind check``, and ``check --repair`` rebuilds what it can.

Each kind of file is damaged each way the issue found: the table of contents and a segment
deleted, emptied and cut short (caught on every open, by size), and bytes flipped inside each
part of a segment, columns, postings and terms included (caught by ``check``, and on the first
open after a crash, by content hash). The index, the CLI and the damage are real.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage

from indexer import (
    IndexCorrupt,
    NewsfindError,
    check_index,
    index_articles,
    iter_articles,
    open_index,
)
from tests.test_crash import check_whole, make_corpus, write_corpus

N = 300


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("damage")
    jsonl = write_corpus(base / "in.jsonl", make_corpus(N))
    index_articles(base / "ix", iter_articles([str(jsonl)]))
    return base / "ix"


@pytest.fixture
def index_dir(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ix"
    shutil.copytree(pristine, copy)
    return copy


def _one(directory: Path, suffix: str) -> Path:
    (found,) = [p for p in directory.iterdir() if p.name.endswith(suffix)]
    return found


def _delete(path: Path) -> None:
    path.unlink()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


WAYS: dict[str, tuple[Callable[[Path], None], str]] = {
    "deleted": (_delete, "missing"),
    "zero-length": (_empty, "0 bytes where the commit wrote"),
    "truncated": (_truncate, "bytes where the commit wrote"),
}


def _flip(path: Path, offset: int, length: int = 16) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + length):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _parts(seg: Path) -> dict[str, tuple[int, int]]:
    """The segment's inner files (columns, postings, terms, stored fields): name -> range."""
    storage = FileStorage(str(seg.parent))
    compound = CompoundStorage(storage.open_file(seg.name), use_mmap=False)
    try:
        return {name.split(".", 1)[1]: compound.range(name) for name in compound.list()}
    finally:
        compound.close()


def _message(index_dir: Path, file: str, problem: str) -> str:
    return str(IndexCorrupt(str(index_dir), file, problem))


@pytest.mark.parametrize("kind", [".toc", ".seg"])
@pytest.mark.parametrize("way", sorted(WAYS))
def test_a_damaged_file_is_named_on_open(index_dir: Path, kind: str, way: str) -> None:
    target = _one(index_dir, kind)
    damage, problem = WAYS[way]
    damage(target)
    with pytest.raises(IndexCorrupt) as caught:
        open_index(index_dir)
    assert isinstance(caught.value, NewsfindError)
    assert caught.value.file == target.name
    assert caught.value.problem.startswith(problem) or problem in caught.value.problem
    text = str(caught.value)
    assert text.startswith(f"the index at {index_dir} is damaged: {target.name}: ")
    assert "\n" not in text and "rebuild it with newsfind index" in text


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "indexer", *args], capture_output=True, text=True, timeout=300
    )


def test_the_cli_says_damaged_in_one_line_and_exits_1(index_dir: Path) -> None:
    seg = _one(index_dir, ".seg")
    _truncate(seg)
    for command in (["search", "harbour"], ["stats"], ["export"], ["index", "-"]):
        done = _cli(*command, "--index", str(index_dir))
        assert done.returncode == 1, (command, done.stderr)
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: the index at "), done.stderr
        assert f"is damaged: {seg.name}: " in lines[0]


PARTS = ["trm", "pst", "_stored.col", "article_id.col", "published.col", "kind.col"]


@pytest.mark.parametrize("part", PARTS)
def test_flipped_bytes_anywhere_in_a_segment_are_found_by_check(index_dir: Path, part: str) -> None:
    seg = _one(index_dir, ".seg")
    start, length = _parts(seg)[part]
    _flip(seg, start + length // 2)
    report = check_index(index_dir)
    assert not report.ok
    assert report.damage == ((seg.name, "its bytes differ from what the commit wrote"),)
    done = _cli("check", "--index", str(index_dir))
    assert done.returncode == 1
    assert f"damaged: {seg.name}: its bytes differ" in done.stderr


def test_flipped_bytes_are_found_on_the_first_open_after_a_crash(index_dir: Path) -> None:
    seg = _one(index_dir, ".seg")
    start, length = _parts(seg)["pst"]
    _flip(seg, start + length // 2)
    with open_index(index_dir):
        pass  # sizes agree: an ordinary open does not read every byte
    # what a writer killed mid-batch leaves: its temporary storage, and no lock held
    (index_dir / "MAIN.tmp").mkdir()
    with pytest.raises(IndexCorrupt) as caught:
        open_index(index_dir)
    assert caught.value.file == seg.name


def test_check_on_a_sound_index_says_so(index_dir: Path) -> None:
    report = check_index(index_dir)
    assert report.ok and not report.damage and report.files_checked == 2
    done = _cli("check", "--index", str(index_dir), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True


@pytest.mark.parametrize("way", ["deleted", "flipped"])
def test_repair_rewrites_a_damaged_table_of_contents(index_dir: Path, way: str) -> None:
    toc = _one(index_dir, ".toc")
    if way == "deleted":
        toc.unlink()
    else:
        _flip(toc, toc.stat().st_size // 2)
    done = _cli("check", "--repair", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    assert check_whole(index_dir, [make_corpus(N)]) == N
    assert check_index(index_dir).ok


def test_repair_rebuilds_from_the_segments_that_are_whole(tmp_path: Path) -> None:
    corpus = make_corpus(N)
    jsonl = write_corpus(tmp_path / "in.jsonl", corpus)
    index_dir = tmp_path / "ix"
    index_articles(index_dir, iter_articles([str(jsonl)]), procs=2)
    segments = sorted(p for p in index_dir.iterdir() if p.suffix == ".seg")
    assert len(segments) >= 2, "two writing processes leave a segment each"
    start, length = _parts(segments[0])["_stored.col"]
    _flip(segments[0], start + length // 2)
    report = check_index(index_dir, repair=True)
    assert report.repaired and report.articles_kept is not None
    assert report.moved_to is not None and Path(report.moved_to).is_dir()
    kept = check_whole(index_dir, [corpus])  # every article held is whole and as given
    assert kept == report.articles_kept > 0
    assert kept + len(report.articles_lost) == N
    with open_index(index_dir) as ix:
        assert not set(report.articles_lost) & set(ix.article_ids())
    assert check_index(index_dir).ok
    assert os.path.isdir(report.moved_to)


def test_a_commit_being_recorded_is_not_taken_for_a_crash(index_dir: Path) -> None:
    """Whoosh frees the write lock before the record is written: a reader opening then must
    not hash the whole index as after a crash. The marker's lock says a record is coming."""
    from indexer.engine.whoosh.integrity import crashed, recording

    (index_dir / _one(index_dir, ".sums").name).rename(index_dir / "_MAIN_0.sums")
    with recording(index_dir):
        assert not crashed(index_dir)  # a newer commit than the record, being recorded
    assert crashed(index_dir)  # the same state with nobody recording it: a crash
