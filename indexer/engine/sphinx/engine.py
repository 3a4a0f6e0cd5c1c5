"""SphinxEngine: an index held by a cluster of searchd, read through the head's distributed
index and written to the shards (``writer``), behind the same protocol as the Whoosh engine.

The head's ``DESCRIBE`` lists the agents (``host:agent_port:shard``, mirrors joined by ``|``);
each shard's SphinxQL port is its agent port - 1 (``conf``), so the location is all a user
gives. A search whose agents did not all answer is partial (``partial`` and ``missing``), or
with strict results (``?strict=1``, ``NEWSFIND_SPHINX_STRICT=1``) a ``ResultsIncomplete``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from ...budget import Deadline
from ...errors import IndexNotFound, NewsfindError, QueryError, ResultsIncomplete
from ...model import KINDS, Article, article_from_json
from ...query.tree import Group
from ...results import SearchParams, Stats
from ..base import EngineResults, Mode, Span
from .client import Refused, ServerDown, connect, pymysql_module
from .location import Location, parse_location
from .schema import ATTRIBUTES, FIELDS, FIRST_TOKEN, GENERATION, INDEX
from .search import DEFAULT_LENGTH, Answer, options, run_search, stored_statement
from .spans import find_spans
from .suggest import suggest
from .translate import translate
from .writer import SphinxWriter, settle

__all__ = ["SphinxEngine"]

_AGENT = re.compile(r"^(.+):(\d+):(\w+)$")
#: DESCRIBE's type column of an agent: ``remote_1`` or, with mirrors, ``remote_1_mirror_2``
_REMOTE = re.compile(r"^remote_(\d+)(?:_mirror_\d+)?$")
_FAILED_AGENT = re.compile(r"agent ([^\s:]+:\d+)")
#: How many times a search is asked again when a mirrored shard's agent failed.
_RETRIES = 4
#: Article ids read per statement when listing or exporting.
_CHUNK = 500
#: Words whose normal form an open engine remembers (then it starts again).
_NORMAL_CACHE = 200_000


def _address(agent: str) -> tuple[str, int]:
    """``host:agent_port:shard`` -> the mirror's SphinxQL address (agent port - 1)."""
    found = _AGENT.match(agent.strip())
    if found is None:
        raise NewsfindError(f"the head lists an agent this engine cannot read: {agent!r}")
    return found.group(1), int(found.group(2)) - 1


def _shards(rows: list[tuple[Any, ...]]) -> list[tuple[tuple[str, int], ...]]:
    """DESCRIBE's rows of a distributed index -> per shard (agent line) its mirrors."""
    shards: dict[int, list[tuple[str, int]]] = {}
    for agent, kind in rows:
        found = _REMOTE.match(str(kind))
        if found is not None:
            for one in str(agent).split("|"):
                shards.setdefault(int(found.group(1)), []).append(_address(one))
    return [tuple(shards[n]) for n in sorted(shards)]


class SphinxEngine:
    """An open sphinx:// index (see the module docstring)."""

    name = "sphinx"
    capabilities = frozenset({"prefix", "phrase", "proximity", "facets", "suggest"})

    def __init__(self, location: str, mode: Mode = "read") -> None:
        self.location: Location = parse_location(location)
        pymysql_module()  # the missing extra is said first, whatever else is wrong
        self.path = location
        self.head = connect(self.location.host, self.location.port)
        self.shards = self._discover()
        self.pools = [[connect(h, p) for h, p in mirrors] for mirrors in self.shards]
        self._check_schema()
        self.names = [
            f"shard {i + 1} ({'|'.join(f'{h}:{p}' for h, p in m)})"
            for i, m in enumerate(self.shards)
        ]
        self._wrote = False
        self._average: float | None = None
        self._normal: dict[str, str | None] = {}
        self._mirrored = {self.names[i]: len(m) > 1 for i, m in enumerate(self.shards)}
        self._agents = {
            f"{h}:{p + 1}": self.names[i] for i, m in enumerate(self.shards) for h, p in m
        }

    @classmethod
    def open(cls, location: str, mode: Mode) -> SphinxEngine:
        return cls(location, mode)

    def _discover(self) -> list[tuple[tuple[str, int], ...]]:
        try:
            rows = self.head.run(f"DESCRIBE {self.location.index}")
        except ServerDown as exc:
            raise NewsfindError(
                f"{self.location}: {exc} (start the cluster: newsfind sphinx start --dir DIR)"
            ) from None
        except Refused:
            raise IndexNotFound(str(self.location)) from None
        shards = _shards(rows)
        if not shards:
            raise IndexNotFound(str(self.location))
        return shards

    def _check_schema(self) -> None:
        """Refuse, in one line, shards whose RT index lacks a column this version reads or
        writes (a cluster configured by an older newsfind), rather than fail every search."""
        for pools in self.pools:
            for pool in pools:
                try:
                    rows = pool.run(f"DESCRIBE {INDEX}")
                except (ServerDown, Refused):
                    continue
                missing = sorted({*FIELDS, *ATTRIBUTES} - {str(r[0]) for r in rows})
                if missing:
                    raise NewsfindError(
                        f"{self.location}: the shards' schema lacks {', '.join(missing)} "
                        "(configured by an older newsfind): write the configuration again "
                        "(newsfind sphinx conf), restart the cluster and index again"
                    )
                return

    # --- reading ------------------------------------------------------------------------

    def _batch_once(self, statements: list[tuple[str, Sequence[Any] | None]]) -> Answer:
        meta: tuple[str, None] = ("SHOW META", None)
        try:
            results = self.head.run_multi([x for s in statements for x in (s, meta)])
        except ServerDown as exc:
            raise NewsfindError(f"{self.location}: {exc}") from None
        except Refused as exc:
            if "agent" not in str(exc):
                raise
            # every agent failed: an empty answer missing every shard named
            failed = {self._agents.get(a, a) for a in _FAILED_AGENT.findall(str(exc))}
            empty: list[list[tuple[Any, ...]]] = [[] for _ in statements]
            missing = tuple(sorted(failed or set(self.names)))
            return Answer(empty, 0, missing, [0] * len(statements))
        rows, totals, failed = results[0::2], [], set()
        for meta_rows in results[1::2]:
            info = {str(k): str(v) for k, v in meta_rows}
            totals.append(int(info.get("total_found", 0)))
            failed |= {
                self._agents.get(a, a)
                for k, v in info.items()
                if k.startswith(("warning", "error"))
                for a in _FAILED_AGENT.findall(v)
            }
        return Answer(rows, totals[0], tuple(sorted(failed)), totals)

    def _batch(self, statements: Sequence[tuple[str, Sequence[Any] | None, int]]) -> Answer:
        """Run SELECTs on the distributed index in one round trip (``SHOW META`` after each).
        A failed agent is asked once more, and again while its shard has another mirror (the
        head then avoids the dead one: its HA strategy is ``nodeads``); what stays missing is
        a partial answer, or with strict results a ResultsIncomplete."""
        texts: list[tuple[str, Sequence[Any] | None]] = []
        ranking = options(self._average_length())
        for sql, args, matches in statements:
            text = sql.replace("{index}", self.location.index)
            if " LIMIT " not in text:
                text += f" LIMIT 0, {int(matches)}"
            if " OPTION " in text:  # an unranked statement (search.UNRANKED)
                texts.append((text + f", max_matches={int(matches)}", args))
            else:
                texts.append((text + f" OPTION max_matches={int(matches)}, {ranking}", args))
        answer = self._batch_once(texts)
        for attempt in range(_RETRIES):
            # a shard without mirrors is asked once more (a busy agent may time out once)
            if not answer.missing or (
                attempt and not any(self._mirrored.get(m) for m in answer.missing)
            ):
                break
            answer = self._batch_once(texts)
        if answer.missing and self.location.strict:
            raise ResultsIncomplete(answer.missing)
        return answer

    def _average_length(self) -> float:
        """The passages' mean length in words, which BM25 normalises by: asked once per open
        engine (it drifts slowly as articles come; a reopened index asks again)."""
        if self._average is None:
            try:
                rows = self.head.run(f"SELECT AVG(length) a FROM {self.location.index}")
                self._average = float(rows[0][0]) if rows and rows[0][0] else DEFAULT_LENGTH
            except (ServerDown, Refused):
                return DEFAULT_LENGTH
        return self._average

    def _select(
        self, sql: str, args: Sequence[Any] | None, matches: int
    ) -> tuple[list[tuple[Any, ...]], int]:
        """One SELECT's rows and its total_found."""
        answer = self._batch([(sql, args, matches)])
        return answer.rows[0], answer.total_found

    def _normalise(self, words: Iterable[str]) -> dict[str, str]:
        """Each word's normal form in the index: remembered (the index's tokenizer and stemmer
        give a word the same form every time), the others asked for in one CALL KEYWORDS."""
        wanted = set(words)
        unknown = sorted(w for w in wanted if w not in self._normal)
        if unknown:
            found = self._keywords(unknown)
            if found is None:
                return {}
            if len(self._normal) > _NORMAL_CACHE:
                self._normal = {}
            self._normal.update({w: found.get(w) for w in unknown})
        return {w: n for w in wanted if (n := self._normal.get(w)) is not None}

    def _keywords(self, order: list[str]) -> dict[str, str] | None:
        """CALL KEYWORDS on the first shard that answers (None: none does)."""
        for pools in self.pools:
            for pool in pools:
                try:
                    rows = pool.run("CALL KEYWORDS(%s, %s)", (" ".join(order), INDEX))
                except ServerDown:
                    continue
                return {
                    order[int(r[0]) - 1]: str(r[2]) for r in rows if 0 < int(r[0]) <= len(order)
                }
        return None

    def search(self, tree: Group, params: SearchParams, deadline: Deadline) -> EngineResults:
        query = translate(tree)
        found = run_search(query, params, deadline, self._batch, self._normalise)
        deadline.check()
        suggestion = suggest(query.typed, params.query, self._doc_counts)
        return replace(found, suggestion=suggestion) if suggestion else found

    def _doc_counts(self, words: Sequence[str]) -> dict[str, int]:
        """How many documents hold each word (its normal form), over every shard that answers
        (one mirror each: mirrors hold the same)."""
        counts: dict[str, int] = {}
        text = " ".join(words)
        for pools in self.pools:
            for pool in pools:
                try:
                    rows = pool.run("CALL KEYWORDS(%s, %s, 1)", (text, INDEX))
                except ServerDown:
                    continue
                for row in rows:
                    if 0 < int(row[0]) <= len(words):
                        word = words[int(row[0]) - 1]
                        counts[word] = counts.get(word, 0) + int(row[3])
                break
        return counts

    def spans(
        self, texts: Sequence[str], tree: Group, deadline: Deadline | None = None
    ) -> list[tuple[Span, ...]]:
        try:
            query = translate(tree)
        except QueryError:
            return [()] * len(texts)
        return find_spans(texts, query, self._normalise)

    def _first_rows(self, where: str, columns: str) -> list[tuple[Any, ...]]:
        sql = f"SELECT {columns} FROM {{index}} WHERE MATCH(%s){where}"
        rows, total = self._select(sql, [f'@meta "{FIRST_TOKEN}"'], 1000)
        if total > len(rows):
            rows, _ = self._select(sql, [f'@meta "{FIRST_TOKEN}"'], total)
        return rows

    def article(self, article_id: str, deadline: Deadline | None = None) -> Article | None:
        """The stored article, looked up by its first document's id."""
        for _, data in self._batch([stored_statement([article_id])]).rows[0]:
            article = article_from_json(json.loads(data))
            if article.id == article_id:
                return article
        return None

    def article_ids(self) -> list[str]:
        from .schema import decode

        return sorted(decode(r[0]) for r in self._first_rows("", "article_id"))

    def articles(self) -> Iterator[Article]:
        ids = self.article_ids()
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            rows = self._batch([stored_statement(chunk)]).rows[0]
            found = {a.id: a for a in (article_from_json(json.loads(r[1])) for r in rows)}
            yield from (found[a] for a in chunk if a in found)

    def stats(self) -> Stats:
        rows, _ = self._select("SELECT kind, COUNT(*) FROM {index} GROUP BY kind", None, 100)
        kinds = {kind: 0 for kind in KINDS}
        for kind, count in rows:
            kinds[KINDS[int(kind)]] = int(count)
        articles, _ = self._select(
            "SELECT COUNT(*) FROM {index} WHERE MATCH(%s)", [f'@meta "{FIRST_TOKEN}"'], 10
        )
        return Stats(
            articles=int(articles[0][0]) if articles else 0,
            documents=sum(kinds.values()),
            kinds=kinds,
        )

    def generation(self) -> int:
        total = 0
        for pools in self.pools:
            for pool in pools:
                try:
                    rows = pool.run(f"SELECT value FROM {GENERATION} WHERE id = 1")
                except ServerDown:
                    continue
                total += int(rows[0][0]) if rows else 0
                break
        return total

    def writer(self, *, lock_timeout: float, procs: int = 1) -> SphinxWriter:
        self._wrote = True
        return SphinxWriter(self.pools, self.names)

    def close(self) -> None:
        """Close the connections; an engine that wrote settles its shards first (``settle``:
        big RAM chunks to disk, disk chunks merged), once per run rather than per commit."""
        if self._wrote:
            self._wrote = False
            settle(self.pools)
        self.head.close()
        for pools in self.pools:
            for pool in pools:
                pool.close()
