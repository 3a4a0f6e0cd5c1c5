"""Writing to the shards: an article goes to the shard its id hashes to, and its replace
(delete the old documents, insert the new ones) is in one transaction there, on every mirror.

Articles are buffered and written many at a time: one transaction per shard per batch of
``FLUSH_ARTICLES`` (multi-row REPLACE, one query for every old document id), the shards in
parallel threads (one connection each), because a transaction per article costs a commit and
half a dozen round trips each. A batch is whole articles, so no search sees half of one. When
a shard's batch fails, its articles are written one by one, so each article that cannot be
written is one ``ArticleNotWritten`` (``take_failures``) and the others still go in. The stored
hash is trusted only when every mirror agrees, so the next run repairs what one run missed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any

from ...errors import ArticleNotWritten
from ...model import Article
from .client import Pool, Refused, ServerDown
from .schema import ATTRIBUTES, FIELDS, GENERATION, INDEX, Row, article_key, article_rows, decode

__all__ = [
    "FLUSH_ARTICLES",
    "SETTLE_RAM_BYTES",
    "SphinxWriter",
    "index_status",
    "settle",
    "shard_of",
]

#: Rows per REPLACE statement, and the bytes it may hold (max_packet_size is 32M).
ROWS_PER_STATEMENT = 500
BYTES_PER_STATEMENT = 4 << 20
#: Articles buffered (over all shards) before they are written: one transaction per shard.
FLUSH_ARTICLES = 500
#: Article keys per id lookup / stored-hash query.
KEYS_PER_QUERY = 500
_COLUMNS = ("id",) + FIELDS + tuple(ATTRIBUTES)
_ONE = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"

#: A shard's RAM chunk at least this big is written out as a disk chunk when a writing engine
#: closes (``settle``); smaller ones stay in RAM (a disk chunk per small run would pile up).
SETTLE_RAM_BYTES = 32 << 20

#: One article to write: its id, its rows (none: delete it), the ids it keeps.
Pending = tuple[str, list[Row]]
Statements = list[tuple[str, Sequence[Any] | None]]


def shard_of(article_id: str, shards: int) -> int:
    """The shard an article lives on: a stable hash of its id, so every run agrees."""
    return article_key(article_id) % shards


def _values(row: Row) -> list[Any]:
    return [row.id] + [row.fields[f] for f in FIELDS] + [row.attrs[a] for a in ATTRIBUTES]


def _size(values: list[Any]) -> int:
    return sum(len(v) if isinstance(v, str) else 8 for v in values)


def _inserts(rows: list[Row]) -> Statements:
    """Multi-row REPLACEs of ``rows`` (REPLACE: the ids of positions an article keeps are the
    same as before), each below the row and byte bounds."""
    out: Statements = []
    chunk: list[Any] = []
    count = size = 0
    for row in rows:
        values = _values(row)
        chunk += values
        count += 1
        size += _size(values)
        if count >= ROWS_PER_STATEMENT or size >= BYTES_PER_STATEMENT:
            out.append((_replace_sql(count), chunk))
            chunk, count, size = [], 0, 0
    if count:
        out.append((_replace_sql(count), chunk))
    return out


def _replace_sql(count: int) -> str:
    return f"REPLACE INTO {INDEX} ({', '.join(_COLUMNS)}) VALUES " + ", ".join([_ONE] * count)


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def old_ids(pool: Pool, keys: Sequence[int]) -> dict[int, list[int]]:
    """Every document id the articles ``keys`` have on this mirror, by article key, in one
    query per ``KEYS_PER_QUERY`` articles (a second one only when the first was cut)."""
    found: dict[int, list[int]] = {int(k): [] for k in keys}
    for part in _chunks(list(keys), KEYS_PER_QUERY):
        where = ", ".join(str(int(k)) for k in part)
        sql = (
            f"SELECT id, article FROM {INDEX} WHERE article IN ({where}) "
            "LIMIT 0, %d OPTION max_matches=%d"
        )
        first = 20 * len(part)
        rows, meta = pool.run_many([(sql % (first, first), None), ("SHOW META", None)])
        total = int(dict(meta).get("total_found", 0))
        if total > len(rows):
            rows = pool.run(sql % (total, total))
        for doc, key in rows:
            found[int(key)].append(int(doc))
    return found


def _write_statements(pool: Pool, items: Sequence[Pending]) -> tuple[Statements, dict[str, bool]]:
    """The transaction replacing ``items`` on one mirror, and whether each article existed."""
    keys = {article_key(a): a for a, _ in items}
    old = old_ids(pool, list(keys))
    keep = {r.id for _, rows in items for r in rows}
    gone = [i for ids in old.values() for i in ids if i not in keep]
    batch: Statements = [("BEGIN", None)]
    for part in _chunks(gone, 5000):
        batch.append((f"DELETE FROM {INDEX} WHERE id IN ({', '.join(map(str, part))})", None))
    batch += _inserts([r for _, rows in items for r in rows])
    batch.append(("COMMIT", None))
    return batch, {a: bool(old[k]) for k, a in keys.items()}


class SphinxWriter:
    """An ``EngineWriter`` over the shards' mirrors (``pools[shard][mirror]``)."""

    def __init__(self, pools: Sequence[Sequence[Pool]], names: Sequence[str]) -> None:
        self._pools = pools
        self._names = names
        self._touched: set[int] = set()
        self._pending: list[list[Pending]] = [[] for _ in pools]
        self._buffered = 0
        self._failures: list[ArticleNotWritten] = []
        self._threads: ThreadPoolExecutor | None = None
        self._inflight: list[Future[list[ArticleNotWritten]]] = []
        self._hashes: dict[str, str | None] = {}

    def __enter__(self) -> SphinxWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()

    def _shard(self, article_id: str) -> int:
        return shard_of(article_id, len(self._pools))

    def _down(self, article_id: str, shard: int, exc: Exception) -> ArticleNotWritten:
        why = "does not answer" if isinstance(exc, ServerDown) else "refused it"
        return ArticleNotWritten(article_id, f"{self._names[shard]} {why} ({exc})")

    # --- stored hashes ------------------------------------------------------------------

    def _hashes_on(self, pool: Pool, keys: Sequence[int]) -> dict[int, str | None]:
        """key -> stored hash on one mirror ("" when the article's documents are not all
        there, None when it has none), for many articles in one query."""
        sql = (
            f"SELECT article, content_hash, doc_count, COUNT(*) FROM {INDEX} "
            f"WHERE article IN ({', '.join(str(int(k)) for k in keys)}) "
            f"GROUP BY article, content_hash LIMIT 0, %d OPTION max_matches=%d"
        )
        limit = 4 * len(keys) + 10
        found: dict[int, str | None] = {int(k): None for k in keys}
        counts: dict[int, int] = {}
        for key, digest, docs, count in pool.run(sql % (limit, limit)):
            key = int(key)
            counts[key] = counts.get(key, 0) + 1
            whole = counts[key] == 1 and int(docs) == int(count)
            found[key] = decode(digest) if whole else ""
        return found

    def _lookup(self, shard: int, article_ids: Sequence[str]) -> dict[str, str | None]:
        """The stored hash of each article on ``shard``, agreed by every mirror."""
        keys = {article_key(a): a for a in article_ids}
        seen: dict[str, set[str | None]] = {a: set() for a in article_ids}
        for pool in self._pools[shard]:
            for part in _chunks(list(keys), KEYS_PER_QUERY):
                for key, digest in self._hashes_on(pool, part).items():
                    seen[keys[key]].add(digest)
        out: dict[str, str | None] = {}
        for article_id, values in seen.items():
            if len(values) == 1:
                out[article_id] = values.pop()
            else:
                out[article_id] = "" if values - {None} else None
        return out

    def prefetch(self, article_ids: Sequence[str]) -> None:
        """Ask each shard once for the stored hashes of articles about to be added (a hint:
        a shard that does not answer is asked again, per article, by ``stored_hash``)."""
        by_shard: dict[int, list[str]] = {}
        for article_id in dict.fromkeys(article_ids):
            by_shard.setdefault(self._shard(article_id), []).append(article_id)
        for shard, ids in by_shard.items():
            try:
                self._hashes.update(self._lookup(shard, ids))
            except (ServerDown, Refused):
                continue

    def stored_hash(self, article_id: str) -> str | None:
        if article_id in self._hashes:
            return self._hashes.pop(article_id)
        shard = self._shard(article_id)
        try:
            return self._lookup(shard, [article_id])[article_id]
        except ServerDown as exc:
            raise self._down(article_id, shard, exc) from None

    # --- writing ------------------------------------------------------------------------

    def _write(self, shard: int, items: Sequence[Pending]) -> dict[str, bool]:
        """Replace ``items`` in one transaction on every mirror of ``shard``; whether each
        article existed before. Raises ServerDown or Refused."""
        existed: dict[str, bool] = {a: False for a, _ in items}
        for pool in self._pools[shard]:
            with pool.connection() as conn:
                batch, had = _write_statements(pool, items)
                conn.run_many(batch)
            for article_id, value in had.items():
                existed[article_id] = existed[article_id] or value
        self._touched.add(shard)
        return existed

    def _flush_shard(self, shard: int, items: Sequence[Pending]) -> list[ArticleNotWritten]:
        """Write a shard's articles at once, or one by one when that fails."""
        try:
            self._write(shard, items)
            return []
        except (ServerDown, Refused):
            pass
        failed = []
        for item in items:
            try:
                self._write(shard, [item])
            except (ServerDown, Refused) as exc:
                failed.append(self._down(item[0], shard, exc))
        return failed

    def _start_flush(self) -> None:
        """Hand the buffered articles to the shards' threads (one connection each) and go on
        building the next batch meanwhile; the previous hand-off is waited for first."""
        self._wait()
        batches = [(s, items) for s, items in enumerate(self._pending) if items]
        self._pending = [[] for _ in self._pools]
        self._buffered = 0
        if batches and self._threads is None:
            self._threads = ThreadPoolExecutor(max_workers=len(self._pools))
        if self._threads is not None:
            self._inflight = [self._threads.submit(self._flush_shard, *b) for b in batches]

    def _wait(self) -> None:
        """Wait for the articles handed to the threads; collect the ones that failed."""
        inflight, self._inflight = self._inflight, []
        for future in inflight:
            self._failures += future.result()

    def flush(self) -> None:
        """Write every buffered article now."""
        self._start_flush()
        self._wait()

    def _stop_threads(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=True)
            self._threads = None

    def take_failures(self) -> list[ArticleNotWritten]:
        """The buffered articles that could not be written since the last call."""
        failures, self._failures = self._failures, []
        return failures

    def replace(self, article: Article, digest: str, *, lineage: str | None = None) -> int:
        # ``lineage``: this engine does not declare "stories" yet, so it is never given one
        rows = article_rows(article, digest)
        self._hashes.pop(article.id, None)
        self._pending[self._shard(article.id)].append((article.id, rows))
        self._buffered += 1
        if self._buffered >= FLUSH_ARTICLES:
            self._start_flush()
        return len(rows)

    def delete(self, article_id: str) -> bool:
        """Delete at once (the answer says whether it was stored), after what is buffered."""
        shard = self._shard(article_id)
        self.flush()
        self._hashes.pop(article_id, None)
        try:
            return self._write(shard, [(article_id, [])])[article_id]
        except (ServerDown, Refused) as exc:
            raise self._down(article_id, shard, exc) from None

    def commit(self) -> None:
        """Write what is buffered, then record the commit in each touched shard's generation
        row (searches then know)."""
        try:
            self.flush()
        finally:
            self._stop_threads()
        stamp = time.time_ns()
        for shard in sorted(self._touched):
            for pool in self._pools[shard]:
                try:
                    pool.run(
                        f"REPLACE INTO {GENERATION} (id, unused, value) VALUES (1, '', {stamp})"
                    )
                except ServerDown:
                    continue  # the articles are in; only the generation number is late
        self._touched = set()
        self._hashes = {}

    def cancel(self) -> None:
        """Drop what is buffered; what was written is whole articles, each on its shard."""
        try:
            self._wait()
        finally:
            self._stop_threads()
        self._pending = [[] for _ in self._pools]
        self._buffered = 0
        self._touched = set()
        self._hashes = {}


def index_status(pool: Pool) -> dict[str, int]:
    """``SHOW INDEX ... STATUS`` of a shard's RT index: its numeric figures by name."""
    rows = pool.run(f"SHOW INDEX {INDEX} STATUS")
    return {str(k): int(v) for k, v in rows if str(v).isdigit()}


def settle(pools: Sequence[Sequence[Pool]]) -> None:
    """After a run that wrote, turn each big RAM chunk into a disk chunk and merge disk
    chunks into one, on every mirror that answers. A RAM chunk is searched as many small
    segments and is what searchd replays from its binlog at restart (slow once it is large);
    every disk chunk is one more index each search visits. ``OPTIMIZE`` runs inside searchd,
    in the background: searches and writes go on meanwhile. Nothing here is needed for the
    data to be safe, so a server that fails it is left as it is."""
    for mirrors in pools:
        for pool in mirrors:
            try:
                status = index_status(pool)
                if status.get("ram_chunk", 0) >= SETTLE_RAM_BYTES:
                    pool.run(f"FLUSH RAMCHUNK {INDEX}")
                    status = index_status(pool)
                if status.get("disk_chunks", 0) > 1:
                    pool.run(f"OPTIMIZE INDEX {INDEX}")
            except (ServerDown, Refused):
                continue
