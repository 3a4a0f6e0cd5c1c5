"""The relevance benchmark: how well our ranking puts relevant articles first, on real judgments.

    .venv/bin/python -m benchmarks.relevance [--json FILE] [--queries N] [--steps] [--data DIR]

It indexes the TIME collection (../shared/data/relevance) through the normal ingest path, runs
every DEV query, lower-cased and otherwise as typed, through the public search API, and scores
the ranked article ids with trec_eval's nDCG@10, MAP, P@10 and recall@100 (``metrics``). In the
same run it scores two baselines on the same articles and queries: plain BM25 from bm25s (English
stop words, Snowball stemmer) and our own engine with its settings from before tuning
(``indexer.ranking.UNTUNED``), so every figure in docs/relevance.md comes from one invocation.
It prints Markdown tables (overall and per query) and can write everything as JSON. ``--steps``
adds the tuning one change at a time (:data:`STEPS`), the before/after table of docs/relevance.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from indexer import NewsIndex, ParseError, QueryError, index_articles, iter_articles
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.ranking import DEFAULT, UNTUNED, RankingConfig
from indexer.engine.whoosh.writer import index_exists

from .metrics import MEASURES, QueryScores, mean_scores, score_run

__all__ = [
    "DATA_DIR",
    "DEPTH",
    "Collection",
    "Report",
    "STEPS",
    "SystemRun",
    "bm25s_run",
    "build_index",
    "evaluate",
    "load_collection",
    "main",
    "our_run",
    "render_markdown",
]

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "relevance"
#: Ranked ids kept per query: recall@100 needs 100, and the API gives at most 100 a page.
DEPTH = 100
_LABELS = {"ndcg@10": "nDCG@10", "map": "MAP", "p@10": "P@10", "recall@100": "R@100"}

Run = dict[str, list[str]]

#: The tuning of issue 5, one change at a time from the untuned settings to the shipped ones.
STEPS: tuple[tuple[str, RankingConfig], ...] = (
    ("untuned", UNTUNED),
    ("coordination only for <= 4 words", replace(UNTUNED, coord_max_clauses=4)),
    ("+ BM25 idf", replace(UNTUNED, coord_max_clauses=4, idf="bm25")),
    ("+ k1 1.5", replace(UNTUNED, coord_max_clauses=4, idf="bm25", k1=1.5)),
    ("+ feedback (shipped)", DEFAULT),
)


@dataclass(frozen=True)
class Collection:
    """The documents file, the queries (in file order) and the judgments of one split."""

    documents: Path
    queries: tuple[tuple[str, str], ...]
    qrels: dict[str, set[str]]

    def head(self, n: int | None) -> Collection:
        """The first ``n`` queries only (all when ``n`` is None)."""
        if n is None:
            return self
        queries = self.queries[:n]
        keep = {qid for qid, _ in queries}
        return Collection(
            self.documents, queries, {q: r for q, r in self.qrels.items() if q in keep}
        )


def load_collection(data_dir: Path = DATA_DIR, split: str = "dev") -> Collection:
    """Read ``queries.<split>.tsv`` and ``qrels.<split>.trec`` (binary: grade > 0 is relevant).

    Query text is lower-cased here and nothing else: the TIME queries are in capitals, where AND,
    OR and NOT would be operators, and a person would type them in lower case (see the README).
    """
    queries = []
    for line in (data_dir / f"queries.{split}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, text = line.split("\t", 1)
            queries.append((qid, text.lower()))
    qrels: dict[str, set[str]] = {}
    for line in (data_dir / f"qrels.{split}.trec").read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, docid, grade = line.split()
            if int(grade) > 0:
                qrels.setdefault(qid, set()).add(docid)
    return Collection(data_dir / "time.jsonl.gz", tuple(queries), qrels)


def build_index(collection: Collection, index_dir: Path) -> Path:
    """Index the collection the way ``newsfind index`` does."""
    report = index_articles(index_dir, iter_articles([str(collection.documents)]))
    if report.failed:
        raise RuntimeError(f"indexing failed: {report.errors[:3]}")
    return index_dir


def our_run(
    index_dir: Path,
    queries: Sequence[tuple[str, str]],
    ranking: RankingConfig | None = None,
    depth: int = DEPTH,
) -> tuple[Run, dict[str, str]]:
    """Ranked article ids per query, and the error message of any query that was refused.

    With ``ranking`` None this is exactly the public ``NewsIndex.search``; a named configuration
    goes through the same search with only the Whoosh engine's ranking constants swapped.
    """
    engine = WhooshEngine(index_dir, ranking=DEFAULT if ranking is None else ranking)
    with NewsIndex(engine) as ix:
        return ranked_ids(ix, queries, depth)


def ranked_ids(
    ix: NewsIndex, queries: tuple[tuple[str, str], ...], depth: int
) -> tuple[Run, dict[str, str]]:
    """Each query's ranked article ids through the public search (any engine), and the error
    message of each query the engine refused."""
    run: Run = {}
    errors: dict[str, str] = {}
    for qid, text in queries:
        try:
            results = ix.search(text, per_page=depth)
        except QueryError as exc:
            errors[qid] = str(exc)
            run[qid] = []
            continue
        run[qid] = [r.article_id for r in results.results]
    return run, errors


def _article_texts(collection: Collection) -> tuple[list[str], list[str]]:
    """Each article's id and searchable text (headline and paragraphs), read as ingest does."""
    ids, texts = [], []
    for article in iter_articles([str(collection.documents)]):
        if isinstance(article, ParseError):
            raise RuntimeError(f"cannot read the collection: {article}")
        ids.append(article.id)
        texts.append(
            "\n".join(([article.headline] if article.headline else []) + list(article.paragraphs))
        )
    return ids, texts


def bm25s_run(
    collection: Collection, queries: Sequence[tuple[str, str]], depth: int = DEPTH
) -> Run:
    """Plain BM25 (bm25s defaults: Lucene's idf, k1 1.5, b 0.75) with English stop words and
    the Snowball English stemmer, on the same articles and the same query strings."""
    import bm25s
    import Stemmer

    ids, texts = _article_texts(collection)
    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    corpus = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
    retriever.index(corpus, show_progress=False)
    tokens = bm25s.tokenize(
        [text for _, text in queries], stopwords="en", stemmer=stemmer, show_progress=False
    )
    docs, scores = retriever.retrieve(
        tokens, k=min(depth, len(ids)), show_progress=False, n_threads=1
    )
    # bm25s pads the list with score-0 documents; those did not match, so they are not results
    return {
        qid: [ids[int(d)] for d, s in zip(docs[n], scores[n], strict=True) if s > 0]
        for n, (qid, _) in enumerate(queries)
    }


@dataclass
class SystemRun:
    """One system's scores: overall means and one row per judged query."""

    name: str
    description: str
    per_query: list[QueryScores]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def overall(self) -> dict[str, float]:
        return mean_scores(self.per_query)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "overall": {m: round(v, 4) for m, v in self.overall.items()},
            "errors": dict(self.errors),
            "per_query": {
                q.qid: {
                    "relevant": q.relevant,
                    "retrieved": q.retrieved,
                    **{m: round(v, 4) for m, v in q.scores.items()},
                }
                for q in _by_qid(self.per_query)
            },
        }


def _by_qid(rows: Sequence[QueryScores]) -> list[QueryScores]:
    return sorted(rows, key=lambda q: (int(q.qid) if q.qid.isdigit() else 0, q.qid))


@dataclass
class Report:
    """Every system on the same collection and queries."""

    collection: Collection
    systems: list[SystemRun]

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": str(self.collection.documents),
            "queries": {qid: text for qid, text in self.collection.queries},
            "measures": list(MEASURES),
            "systems": [s.to_json() for s in self.systems],
        }


def _config_text(config: RankingConfig) -> str:
    return ", ".join(f"{k}={v}" for k, v in config.describe().items())


def evaluate(
    collection: Collection,
    *,
    index_dir: Path | None = None,
    configs: Sequence[tuple[str, RankingConfig | None]] | None = None,
    baseline: bool = True,
    depth: int = DEPTH,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Build the index (in a temporary directory unless ``index_dir`` is given) and score the
    bm25s baseline and each of our configurations (default: untuned, then the shipped one).
    ``depth`` (at most 100, the API's page limit) is how many ranked ids count: below 100,
    recall@100 and MAP are cut short, so only the fast test lowers it (for nDCG@10)."""
    say = progress or (lambda _msg: None)
    if configs is None:
        configs = [("ours (untuned)", UNTUNED), ("ours", None)]
    queries = collection.queries
    systems: list[SystemRun] = []
    if baseline:
        say("bm25s baseline")
        systems.append(
            SystemRun(
                "bm25s",
                "bm25s BM25 (k1 1.5, b 0.75, Lucene idf), English stop words, Snowball stemmer",
                score_run(bm25s_run(collection, queries, depth), collection.qrels),
            )
        )
    with tempfile.TemporaryDirectory(prefix="relevance-") as tmp:
        index = index_dir or Path(tmp) / "index"
        if not index_exists(index):
            say(f"indexing {collection.documents.name}")
            build_index(collection, index)
        for name, config in configs:
            say(name)
            run, errors = our_run(index, queries, config, depth)
            shown = config if config is not None else DEFAULT
            systems.append(
                SystemRun(name, _config_text(shown), score_run(run, collection.qrels), errors)
            )
    return Report(collection, systems)


def render_markdown(report: Report, detail: Sequence[str] | None = None) -> str:
    """The overall table (with each system's difference from the first), then per query for
    the systems named in ``detail`` (all when None)."""
    systems = report.systems
    first = systems[0]
    n = len(report.collection.qrels)
    lines = [f"Queries: {n} judged; documents: {report.collection.documents.name}", ""]
    head = "| system | " + " | ".join(_LABELS[m] for m in MEASURES) + " |"
    lines += [head, "|---|" + "---:|" * len(MEASURES)]
    for s in systems:
        cells = []
        for m in MEASURES:
            value = s.overall[m]
            cell = f"{value:.4f}"
            if s is not first:
                cell += f" ({value - first.overall[m]:+.4f})"
            cells.append(cell)
        lines.append(f"| {s.name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"(in brackets: difference from {first.name})")
    for s in systems:
        lines.append(f"- {s.name}: {s.description}")
        for qid, message in sorted(s.errors.items()):
            lines.append(f"  - query {qid} refused: {message}")
    lines.append("")
    texts = dict(report.collection.queries)
    rows = {s.name: {q.qid: q for q in s.per_query} for s in systems}
    names = [s.name for s in systems if detail is None or s.name in detail]
    lines.append(
        "| qid | rel | query | "
        + " | ".join(f"nDCG@10 {name}" for name in names)
        + " | "
        + " | ".join(f"AP {name}" for name in names)
        + " |"
    )
    lines.append("|---:|---:|---|" + "---:|" * (2 * len(names)))
    for q in _by_qid(first.per_query):
        text = texts.get(q.qid, "")
        text = text if len(text) <= 60 else text[:57] + "..."
        ndcg = " | ".join(f"{rows[name][q.qid].scores['ndcg@10']:.3f}" for name in names)
        ap = " | ".join(f"{rows[name][q.qid].scores['map']:.3f}" for name in names)
        lines.append(f"| {q.qid} | {q.relevant} | {text} | {ndcg} | {ap} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.relevance", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the relevance folder")
    parser.add_argument("--queries", type=int, default=None, help="only the first N queries")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument(
        "--index", type=Path, default=None, help="reuse (or build) the index in this directory"
    )
    parser.add_argument(
        "--steps", action="store_true", help="also run each tuning step on its own (STEPS)"
    )
    parser.add_argument(
        "--engine",
        choices=("whoosh", "sphinx"),
        default="whoosh",
        help="sphinx: also score the sphinx engine on a local two-shard cluster",
    )
    args = parser.parse_args(argv)
    if not (args.data / "queries.dev.tsv").exists():
        print(f"error: no relevance data in {args.data} (queries.dev.tsv missing)", file=sys.stderr)
        return 2
    collection = load_collection(args.data).head(args.queries)
    configs: list[tuple[str, RankingConfig | None]] = [("ours (untuned)", UNTUNED)]
    if args.steps:
        configs += [(f"step: {name}", config) for name, config in STEPS[1:-1]]
    configs.append(("ours", None))
    report = evaluate(
        collection,
        index_dir=args.index,
        configs=configs,
        progress=lambda msg: print(f"... {msg}", file=sys.stderr),
    )
    detail = [name for name, _ in configs if not name.startswith("step: ")]
    if args.engine == "sphinx":
        from .relevance_sphinx import sphinx_run

        run, errors = sphinx_run(
            collection.documents,
            collection.queries,
            DEPTH,
            lambda msg: print(f"... {msg}", file=sys.stderr),
        )
        scores = score_run(run, collection.qrels)
        report.systems.append(
            SystemRun("sphinx", "the sphinx engine, two shards (Sphinx 2.2)", scores, errors)
        )
        detail.append("sphinx")
    sys.stdout.write(render_markdown(report, ["bm25s", *detail]))
    if args.json:
        args.json.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
