"""Writing to the shards: an article goes to the shard its id hashes to, and its replace
(delete the old documents, insert the new ones) is one transaction there, on every mirror.

Each article commits on its own shard at once: a batch is not one transaction across shards
(Sphinx has none), but every article is whole or absent, so no search sees half of one. A
shard that does not answer fails its articles only (``ArticleNotWritten``), and the stored
hash is trusted only when every mirror agrees, so the next run repairs what one run missed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from ...errors import ArticleNotWritten
from ...model import Article
from .client import Pool, ServerDown
from .schema import ATTRIBUTES, FIELDS, GENERATION, INDEX, Row, article_key, article_rows, decode

__all__ = ["SphinxWriter", "shard_of"]

#: Rows per INSERT statement (a statement stays far below max_packet_size).
ROWS_PER_STATEMENT = 200
#: Matches read at once when listing an article's documents.
_FIRST = 1000
_COLUMNS = ("id",) + FIELDS + tuple(ATTRIBUTES)


def shard_of(article_id: str, shards: int) -> int:
    """The shard an article lives on: a stable hash of its id, so every run agrees."""
    return article_key(article_id) % shards


def _values(row: Row) -> list[Any]:
    return [row.id] + [row.fields[f] for f in FIELDS] + [row.attrs[a] for a in ATTRIBUTES]


def _inserts(rows: list[Row]) -> list[tuple[str, list[Any]]]:
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    out = []
    for i in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[i : i + ROWS_PER_STATEMENT]
        # REPLACE: the ids of positions the article keeps are the same as before
        sql = f"REPLACE INTO {INDEX} ({', '.join(_COLUMNS)}) VALUES " + ", ".join(
            [one] * len(chunk)
        )
        out.append((sql, [v for r in chunk for v in _values(r)]))
    return out


class SphinxWriter:
    """An ``EngineWriter`` over the shards' mirrors (``pools[shard][mirror]``)."""

    def __init__(self, pools: Sequence[Sequence[Pool]], names: Sequence[str]) -> None:
        self._pools = pools
        self._names = names
        self._touched: set[int] = set()

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

    def _down(self, article_id: str, shard: int, exc: ServerDown) -> ArticleNotWritten:
        return ArticleNotWritten(article_id, f"{self._names[shard]} does not answer ({exc})")

    def _ids(self, pool: Pool, key: int) -> list[int]:
        """Every document id the article has on this mirror."""
        sql = f"SELECT id FROM {INDEX} WHERE article = {int(key)} LIMIT 0, %d OPTION max_matches=%d"
        rows, meta = pool.run_many([(sql % (_FIRST, _FIRST), None), ("SHOW META", None)])
        total = int(dict(meta).get("total_found", 0))
        if total > len(rows):
            rows = pool.run(sql % (total, total))
        return [int(r[0]) for r in rows]

    def stored_hash(self, article_id: str) -> str | None:
        shard = self._shard(article_id)
        sql = (
            f"SELECT content_hash, doc_count, COUNT(*) FROM {INDEX} "
            f"WHERE article = {article_key(article_id)} GROUP BY content_hash"
        )
        seen: set[str | None] = set()
        try:
            for pool in self._pools[shard]:
                rows = pool.run(sql)
                if not rows:
                    seen.add(None)
                elif len(rows) == 1 and int(rows[0][1]) == int(rows[0][2]):
                    seen.add(decode(rows[0][0]))
                else:
                    seen.add("")
        except ServerDown as exc:
            raise self._down(article_id, shard, exc) from None
        if len(seen) == 1:
            return seen.pop()
        return "" if seen - {None} else None

    def _transaction(
        self, article_id: str, statements: list[tuple[str, list[Any]]], keep: frozenset[int]
    ) -> bool:
        """Delete the article's documents and run ``statements``, in one transaction on
        every mirror of its shard; whether it had documents before."""
        shard = self._shard(article_id)
        existed = False
        try:
            for pool in self._pools[shard]:
                with pool.connection() as conn:
                    old = self._ids(pool, article_key(article_id))
                    existed = existed or bool(old)
                    old = [i for i in old if i not in keep]
                    batch: list[tuple[str, Sequence[Any] | None]] = [("BEGIN", None)]
                    if old:
                        ids = ", ".join(str(i) for i in old)
                        batch.append((f"DELETE FROM {INDEX} WHERE id IN ({ids})", None))
                    batch += statements
                    batch.append(("COMMIT", None))
                    conn.run_many(batch)
        except ServerDown as exc:
            raise self._down(article_id, shard, exc) from None
        self._touched.add(shard)
        return existed

    def replace(self, article: Article, digest: str, *, lineage: str | None = None) -> int:
        # ``lineage``: this engine does not declare "stories" yet, so it is never given one
        rows = article_rows(article, digest)
        self._transaction(article.id, list(_inserts(rows)), frozenset(r.id for r in rows))
        return len(rows)

    def delete(self, article_id: str) -> bool:
        return self._transaction(article_id, [], frozenset())

    def commit(self) -> None:
        """Record the commit in each touched shard's generation row (searches then know)."""
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

    def cancel(self) -> None:
        """Nothing to undo: every article was committed whole on its shard as it came."""
        self._touched = set()
