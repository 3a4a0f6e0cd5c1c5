"""Every matching document as a stream (exports, watches), matched and scored as a search is.

The stream orders hits with numpy (a few bytes a hit) and reads stored fields one document at a
time, so its memory does not grow with the rows it writes.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np

from ...budget import Deadline
from ...query.tree import Group
from ...results import SearchParams
from ..base import EngineMatch
from .arrays.term_scores import Ids
from .columns import Columns, columns
from .compile import CompiledQuery, compile_query
from .documents import stored_headline, to_utc
from .feedback import rescore_with_feedback
from .highlight import match_spans
from .ranking import RankingConfig
from .search import find_hits

__all__ = ["stream_matches"]

#: Headlines remembered while streaming (hits of one article often come close together).
_HEADLINES_KEPT = 1024


def _ordered(cols: Columns, docs: Ids, scores: Any, sort: str) -> Ids:
    """Hit indexes in ``sort`` order; ties by article id (codes sort as the ids), then position."""
    art = cols.article.codes[docs]
    pos = cols.position[docs]
    if sort == "relevance":
        primary = -np.round(scores, 6)
    else:
        published = np.where(np.isfinite(cols.published[docs]), cols.published[docs], -1e18)
        primary = -published if sort == "newest" else published
    order: Ids = np.lexsort((pos, art, primary))
    return order


def _restrict(cols: Columns, docs: Ids, article_ids: frozenset[str]) -> Any:
    """A mask of the hits whose article is one of ``article_ids``."""
    values = cols.article.values
    codes = []
    for article_id in article_ids:
        at = bisect_left(values, article_id)
        if at < len(values) and values[at] == article_id:
            codes.append(at)
    return np.isin(cols.article.codes[docs], np.array(codes, dtype=np.int32))


def stream_matches(
    searcher: Any,
    tree: Group,
    params: SearchParams,
    ranking: RankingConfig,
    *,
    article_ids: frozenset[str] | None = None,
    spans: bool = False,
) -> _Stream:
    """Every matching document in ``params.sort`` order, scored as a search scores it: matched
    now, read as the result is iterated."""
    # no budget, but matching every hit is heavy work: it takes turns in the heavy lane
    # (``budget``), so an export the server runs cannot crowd out the searches
    with Deadline(time.perf_counter(), None) as deadline:
        compiled = compile_query(tree, searcher, deadline.check)
        cols = columns(searcher)
        found = find_hits(searcher, compiled, params, ranking, deadline)
        docs, scores = found.docs, found.scores
        if article_ids is not None:
            keep = _restrict(cols, docs, article_ids)
            found.resolve(np.flatnonzero(keep), deadline)
            docs, scores = docs[keep], found.scores[keep]
        else:
            found.resolve_all(deadline)
            scores = found.scores
        if ranking.feeds_back(len(compiled.clauses)) and len(docs):
            scores = rescore_with_feedback(
                searcher, docs, scores, len(compiled.clauses), ranking, deadline.check
            )
        order = _ordered(cols, docs, scores, params.sort)
    return _Stream(searcher, compiled if spans else None, docs[order], np.asarray(scores)[order])


class _Stream:
    """Ordered hits (document numbers and scores), their rows read one at a time."""

    def __init__(
        self, searcher: Any, marking: CompiledQuery | None, docs: Ids, scores: Any
    ) -> None:
        self.searcher = searcher
        self.marking = marking
        self.docs = docs
        self.scores = scores

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self) -> Iterator[EngineMatch]:
        searcher, marking = self.searcher, self.marking
        analyzer = searcher.schema["text"].analyzer
        headlines: OrderedDict[str, str | None] = OrderedDict()
        for docnum, score in zip(self.docs.tolist(), self.scores.tolist(), strict=True):
            stored = searcher.stored_fields(docnum)
            text = stored.get("text") or ""
            marks: tuple[tuple[int, int], ...] = ()
            if marking is not None:
                marks = tuple(match_spans(text, analyzer, marking.marks, marking.phrases))
            headline = _headline(searcher, docnum, stored, headlines)
            yield _match(stored, text, float(score), marks, headline)


def _headline(
    searcher: Any, docnum: int, stored: dict[str, Any], kept: OrderedDict[str, str | None]
) -> str | None:
    article_id = stored.get("article_id") or ""
    if article_id in kept:
        kept.move_to_end(article_id)
        return kept[article_id]
    headline = stored_headline(searcher, docnum, stored)
    kept[article_id] = headline
    if len(kept) > _HEADLINES_KEPT:
        kept.popitem(last=False)
    return headline


def _match(
    stored: dict[str, Any],
    text: str,
    score: float,
    spans: tuple[tuple[int, int], ...],
    headline: str | None,
) -> EngineMatch:
    published = stored.get("published")
    caption = stored.get("kind") == "caption"
    photo = stored.get("photo_date") if caption else None
    return EngineMatch(
        doc_id=stored.get("doc_id") or "",
        article_id=stored.get("article_id") or "",
        kind=stored.get("kind") or "",
        position=int(stored.get("position") or 0),
        text=text,
        score=score,
        headline=headline,
        source=stored.get("source"),
        published=to_utc(published) if isinstance(published, datetime) else None,
        url=stored.get("url"),
        byline=stored.get("byline"),
        credit=stored.get("credit") if caption else None,
        photo_date=photo.date() if isinstance(photo, datetime) else photo,
        spans=spans,
        speaker=stored.get("speaker") if stored.get("kind") == "quote" else None,
    )
