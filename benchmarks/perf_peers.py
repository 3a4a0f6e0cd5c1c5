"""The engines the benchmark compares: ours (the public API) and three peers.

Every engine indexes the same passages (``perf_corpus.iter_passages``) and answers the same
query clauses, returning the top 10 with a highlighted fragment of each, which is the least a
result page needs. The peers use no project code:

* raw Whoosh: a plain schema (stemmed text and headline), the stock QueryParser with its default
  AND plus the fuzzy plugin, ``hit.highlights("text")``; written with ``procs=2``. A fuzzy word
  is run as ``word~1/1`` (distance 1, first letter fixed): with no fixed prefix Whoosh walks the
  whole vocabulary and one fuzzy query took 3-8 s at 20,000 passages;
* SQLite FTS5 (stdlib sqlite3): porter tokenizer, ``bm25()`` order, ``snippet()``; FTS5 has no
  fuzzy match, so a fuzzy word is searched as the plain word;
* tantivy (its Python package): en_stem fields, required clauses, ``SnippetGenerator``.

Indexing runs in a child process (``python -m benchmarks.perf_peers index ENGINE CORPUS DIR``)
so its wall time and memory are measured like ``newsfind index``'s.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any, Protocol

from .perf_corpus import iter_passages
from .perf_queries import BenchQuery, Clause

__all__ = ["Engine", "ENGINES", "PEERS", "make_engine", "available"]

PEERS = ("whoosh", "fts5", "tantivy")
ENGINES = ("ours", *PEERS)


class Engine(Protocol):
    name: str

    def open(self, path: Path) -> None: ...

    def search(self, query: BenchQuery) -> int: ...

    def close(self) -> None: ...


def available(name: str) -> str | None:
    """None when the engine can run here, else why not."""
    if name == "tantivy":
        try:
            import tantivy  # noqa: F401
        except ImportError:
            return "tantivy is not installed (pip install tantivy; the `bench` extra)"
    return None


def _day_end(d: Any) -> datetime:
    return datetime.combine(d, dtime.max)


# --- ours: the public API ---------------------------------------------------------------------


class Ours:
    """The project through ``indexer.open_index(...).search``: grouping, snippets, facets."""

    name = "ours"

    def __init__(self) -> None:
        self._ix: Any = None

    def open(self, path: Path) -> None:
        from indexer import open_index

        self._ix = open_index(path)

    def search(self, query: BenchQuery) -> int:
        res = self._ix.search(query.text, **query.api_kwargs())
        return sum(len(r.hits) for r in res.results)

    def close(self) -> None:
        if self._ix is not None:
            self._ix.close()
            self._ix = None


# --- raw Whoosh ------------------------------------------------------------------------------


def _whoosh_schema() -> Any:
    from whoosh import analysis, fields

    return fields.Schema(
        article_id=fields.ID(stored=True),
        kind=fields.ID(stored=True),
        position=fields.NUMERIC(int, stored=True),
        text=fields.TEXT(analyzer=analysis.StemmingAnalyzer(), stored=True, phrase=True),
        headline=fields.TEXT(analyzer=analysis.StemmingAnalyzer(), stored=True, phrase=True),
        dateline=fields.TEXT(stored=True),
        byline=fields.TEXT(stored=True),
        source=fields.ID(stored=True),
        published=fields.DATETIME(stored=True),
    )


def index_whoosh(corpus: Path, path: Path) -> dict[str, Any]:
    from whoosh import index

    path.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(path), _whoosh_schema())
    writer = ix.writer(procs=2, limitmb=256, multisegment=True)
    n = 0
    for p in iter_passages(corpus):
        doc = {k: v for k, v in p.items() if v not in (None, "")}
        writer.add_document(**doc)
        n += 1
    writer.commit()
    segments = len(index.open_dir(str(path)).reader().leaf_readers())
    return {"docs": n, "segments": segments}


_FUZZY = re.compile(r"(\S+)~\d?(?=\s|$)")


class RawWhoosh:
    name = "whoosh"

    def __init__(self) -> None:
        self._ix: Any = None
        self._searcher: Any = None
        self._parser: Any = None

    def open(self, path: Path) -> None:
        from whoosh import index
        from whoosh.qparser import FuzzyTermPlugin, QueryParser

        self._ix = index.open_dir(str(path))
        self._searcher = self._ix.searcher()
        self._parser = QueryParser("text", self._ix.schema)
        self._parser.add_plugin(FuzzyTermPlugin())

    def search(self, query: BenchQuery) -> int:
        from whoosh import query as wq

        q = self._parser.parse(_FUZZY.sub(r"\1~1/1", query.text))
        filters: list[Any] = []
        if query.kind:
            filters.append(wq.Term("kind", query.kind))
        if query.source:
            filters.append(wq.Term("source", query.source))
        if query.date_from or query.date_to:
            start = datetime.combine(query.date_from, dtime.min) if query.date_from else None
            end = _day_end(query.date_to) if query.date_to else None
            filters.append(wq.DateRange("published", start, end))
        flt = wq.And(filters) if filters else None
        hits = self._searcher.search(q, limit=10, filter=flt)
        n = 0
        for hit in hits:
            hit.highlights("text")
            hit.get("headline")
            n += 1
        return n

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = self._ix = None


# --- SQLite FTS5 -----------------------------------------------------------------------------

_FTS_COLUMNS = ("text", "headline", "dateline", "byline")


def index_fts5(corpus: Path, path: Path) -> dict[str, Any]:
    path.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path / "fts.db")
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(text, headline, dateline, byline, "
        "kind UNINDEXED, source UNINDEXED, published UNINDEXED, article_id UNINDEXED, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    n = 0
    batch: list[tuple[Any, ...]] = []
    sql = "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    with db:
        for p in iter_passages(corpus):
            published = p["published"].isoformat() if p["published"] else ""
            batch.append(
                (
                    p["text"],
                    p["headline"],
                    p["dateline"],
                    p["byline"],
                    p["kind"],
                    p["source"],
                    published,
                    p["article_id"],
                )
            )
            n += 1
            if len(batch) >= 5000:
                db.executemany(sql, batch)
                batch.clear()
        db.executemany(sql, batch)
    db.close()
    return {"docs": n, "segments": None}


def _fts_clause(c: Clause) -> str:
    body = '"' + " ".join(c.words).replace('"', "") + '"'
    if c.kind == "prefix":
        body += "*"
    return f"{c.field} : {body}" if c.field != "text" else f"text : {body}"


class Fts5:
    name = "fts5"

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None

    def open(self, path: Path) -> None:
        self._db = sqlite3.connect(path / "fts.db", check_same_thread=False)

    def search(self, query: BenchQuery) -> int:
        assert self._db is not None
        match = " AND ".join(_fts_clause(c) for c in query.clauses)
        where = ["docs MATCH ?"]
        args: list[Any] = [match]
        if query.kind:
            where.append("kind = ?")
            args.append(query.kind)
        if query.source:
            where.append("source = ?")
            args.append(query.source)
        if query.date_from:
            where.append("published >= ?")
            args.append(query.date_from.isoformat())
        if query.date_to:
            where.append("published < ? AND published != ''")
            args.append((query.date_to + timedelta(days=1)).isoformat())
        sql = (
            "SELECT article_id, headline, snippet(docs, 0, '<mark>', '</mark>', '…', 24) "
            f"FROM docs WHERE {' AND '.join(where)} ORDER BY bm25(docs) LIMIT 10"
        )
        return len(self._db.execute(sql, args).fetchall())

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


# --- tantivy ---------------------------------------------------------------------------------


def _tantivy_schema() -> Any:
    import tantivy

    b = tantivy.SchemaBuilder()
    b.add_text_field("article_id", stored=True, tokenizer_name="raw")
    b.add_text_field("kind", stored=True, tokenizer_name="raw")
    b.add_integer_field("position", stored=True)
    b.add_text_field("text", stored=True, tokenizer_name="en_stem")
    b.add_text_field("headline", stored=True, tokenizer_name="en_stem")
    b.add_text_field("dateline", stored=True)
    b.add_text_field("byline", stored=True)
    b.add_text_field("source", stored=True, tokenizer_name="raw")
    b.add_date_field("published", stored=True, indexed=True, fast=True)
    return b.build()


def index_tantivy(corpus: Path, path: Path) -> dict[str, Any]:
    import tantivy

    path.mkdir(parents=True, exist_ok=True)
    ix = tantivy.Index(_tantivy_schema(), path=str(path))
    writer = ix.writer(heap_size=256 * 1024 * 1024, num_threads=2)
    n = 0
    for p in iter_passages(corpus):
        doc = {k: v for k, v in p.items() if v not in (None, "")}
        writer.add_document(tantivy.Document(**doc))
        n += 1
    writer.commit()
    writer.wait_merging_threads()
    ix.reload()
    return {"docs": n, "segments": None}


class Tantivy:
    name = "tantivy"

    def __init__(self) -> None:
        self._ix: Any = None
        self._schema: Any = None

    def open(self, path: Path) -> None:
        import tantivy

        self._schema = _tantivy_schema()
        self._ix = tantivy.Index.open(str(path))
        self._searcher = self._ix.searcher()

    def _clause(self, c: Clause) -> Any:
        import tantivy

        if c.kind == "fuzzy":
            return tantivy.Query.fuzzy_term_query(self._schema, c.field, c.text, distance=1)
        if c.kind == "prefix":
            return tantivy.Query.regex_query(self._schema, c.field, re.escape(c.text) + ".*")
        return self._ix.parse_query(f'{c.field}:"{" ".join(c.words)}"', [c.field])

    def search(self, query: BenchQuery) -> int:
        import tantivy

        must = [self._clause(c) for c in query.clauses]
        if query.kind:
            must.append(tantivy.Query.term_query(self._schema, "kind", query.kind))
        if query.source:
            must.append(tantivy.Query.term_query(self._schema, "source", query.source))
        if query.date_from or query.date_to:
            must.append(
                tantivy.Query.range_query(
                    self._schema,
                    "published",
                    tantivy.FieldType.Date,
                    datetime.combine(query.date_from, dtime.min) if query.date_from else None,
                    _day_end(query.date_to) if query.date_to else None,
                )
            )
        q = tantivy.Query.boolean_query([(tantivy.Occur.Must, m) for m in must])
        searcher = self._searcher
        result = searcher.search(q, 10)
        gen = tantivy.SnippetGenerator.create(searcher, q, self._schema, "text")
        for _score, address in result.hits:
            gen.snippet_from_doc(searcher.doc(address)).to_html()
        return len(result.hits)

    def close(self) -> None:
        self._ix = self._searcher = None


_INDEXERS = {"whoosh": index_whoosh, "fts5": index_fts5, "tantivy": index_tantivy}


class OursOnSphinx(Ours):
    """The same public API on the sphinx engine: ``path`` is the benchmark's cluster directory."""

    name = "sphinx"

    def open(self, path: Path) -> None:
        from indexer import open_index

        from .sphinx_cluster import location_of

        self._ix = open_index(location_of(path))


def make_engine(name: str) -> Engine:
    engines: dict[str, type[Any]] = {
        "ours": Ours,
        "sphinx": OursOnSphinx,
        "whoosh": RawWhoosh,
        "fts5": Fts5,
        "tantivy": Tantivy,
    }
    engine: Engine = engines[name]()
    return engine


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] != "index" or argv[1] not in _INDEXERS:
        print(
            "usage: python -m benchmarks.perf_peers index whoosh|fts5|tantivy CORPUS DIR",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    info = _INDEXERS[argv[1]](Path(argv[2]), Path(argv[3]))
    info["seconds"] = time.perf_counter() - started
    info["pid"] = os.getpid()
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
