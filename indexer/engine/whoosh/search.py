"""Running a search: matching, scoring, grouping hits by article, facets, spans, suggestion.

Exact totals and facets need every matching document, so the match loop is kept lean: one
unscored driver decides which documents are hits, the clauses are scored only on those, and
everything per document (article, kind, source, date) comes from columns read once per searcher
rather than from stored fields. Stored fields and match spans are loaded for the shown page only.

Scoring (the constants are a ``RankingConfig``, see ``ranking`` and docs/relevance.md): each
clause scores BM25 over the document's text plus (``headline_weight``) the same words in its
article's headline; for short queries the sum is scaled by ``(matched / clauses) ** coord_power``
so documents matching more of the words come first under the default OR, and unquoted words that
occur close together earn a phrase bonus. Long queries are re-scored with pseudo-relevance
feedback (``feedback``) instead. An article scores as its best hit plus a little for its next
best ones; ties go to the newer article.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from whoosh import query as wq

from ...budget import Deadline
from ...limits import FACET_LIMIT, FACETS, HITS_SHOWN, UNDATED
from ...query.tree import Group
from ...results import SearchParams
from ..base import EngineArticle, EngineHit, EngineResults, Span
from .arrays.proximity import PhraseProbe
from .arrays.term_scores import Floats, Ids
from .closeness import all_spans
from .columns import NO_DATE, Columns, columns
from .compile import CompiledQuery, compile_query
from .days import day_counts
from .documents import stored_headline, to_utc
from .feedback import rescore_with_feedback
from .filters import Filters
from .highlight import ANALYZE_CHARS
from .match import match_segments
from .ranking import DEFAULT, RankingConfig
from .stories import searcher_stories, story_codes
from .suggest import suggest

__all__ = [
    "run_search",
    "find_hits",
    "HITS_SHOWN",
    "FACET_LIMIT",
]

_NO_IDS: Ids = np.zeros(0, dtype=np.int64)


#: How many proximity probes run between two looks at the clock.
_PROBES_PER_CHECK = 64


class _Matches:
    """Every hit of a query as arrays in global document order: ``docs``, ``scores`` and
    ``pending``, an upper bound of the proximity bonus not yet added to a hit's score (0 when
    the score is final).

    The proximity bonus needs the words' positions, the one per-document cost left for plain
    words, and it matters only for articles that can reach the shown page; ``rank`` computes
    it for those alone, and ``resolve_all`` for every hit (feedback and date sorts need all).
    """

    def __init__(
        self,
        searcher: Any,
        proximity: wq.Phrase | None,
        ranking: RankingConfig,
        docs: Ids,
        scores: Floats,
        pending: Floats,
    ) -> None:
        self.searcher = searcher
        self.proximity = proximity
        self.ranking = ranking
        self.docs = docs
        self.scores = scores
        self.pending = pending

    def __len__(self) -> int:
        return len(self.docs)

    def resolve(self, which: Ids, deadline: Deadline | None = None) -> None:
        """Add the exact proximity bonus to the hits at indexes ``which`` that still lack it."""
        which = which[self.pending[which] > 0]
        if not len(which) or self.proximity is None:
            return
        which = np.sort(which)
        docs = self.docs[which]
        weighting = self.ranking.weighting()
        weight = self.ranking.proximity_weight
        scores = self.scores
        for sub, offset in self.searcher.leaf_searchers():
            low, high = np.searchsorted(docs, [offset, offset + sub.doc_count_all()])
            if low == high:
                continue
            probe = PhraseProbe(sub, self.proximity, weighting)
            for i, (at, docnum) in enumerate(
                zip(which[low:high].tolist(), docs[low:high].tolist(), strict=True)
            ):
                if deadline is not None and i % _PROBES_PER_CHECK == 0:
                    deadline.check()
                scores[at] = scores[at] + weight * (probe.score(docnum - offset) or 0.0)
        self.pending[which] = 0.0

    def resolve_all(self, deadline: Deadline | None = None) -> None:
        self.resolve(np.flatnonzero(self.pending > 0), deadline)

    def pairs(self) -> list[tuple[float, int]]:
        """``(score, docnum)`` per hit, every bonus included."""
        self.resolve_all()
        return list(zip(self.scores.tolist(), self.docs.tolist(), strict=True))


def find_hits(
    searcher: Any,
    compiled: CompiledQuery,
    params: SearchParams,
    ranking: RankingConfig,
    deadline: Deadline | None = None,
) -> _Matches:
    """Every hit, filters applied, scored (the proximity bonus of plain words left pending).
    The matching itself, in its two strategies, is ``match``'s; this binds it to the search."""
    deadline = deadline or Deadline(0.0, None, lane=None)
    filters = Filters.of(params, columns(searcher))
    hits = match_segments(searcher, compiled, filters, ranking, deadline)
    return _Matches(searcher, compiled.proximity, ranking, hits.docs, hits.scores, hits.pending)


@dataclass(frozen=True)
class _Ranking:
    """Hits grouped by article, articles in result order (only the first ``settled`` of
    ``order`` are in their final order; the rest are only counted)."""

    hit_order: Ids  # hit indexes sorted by article, then best first
    starts: Ids  # where each article's hits begin in hit_order
    counts: Ids  # how many hits each article has
    scores: Floats  # article scores
    order: Ids  # article indexes, best first
    codes: Ids  # each article's code in the columns' article table


def _group(
    matches: _Matches, cols: Columns, ranking: RankingConfig, sort: str, upper: bool
) -> _Ranking:
    """Articles from hits: an article scores as its best hit plus ``extra_hit_weight`` times its
    next best ones (up to HITS_SHOWN); ties go to the newer article, then the article id.
    With ``upper``, hit scores include their pending bonus bound."""
    docs = matches.docs
    scores = matches.scores + matches.pending if upper else matches.scores
    art = cols.article.codes[docs]
    hit_order = np.lexsort((cols.position[docs], -scores, art))
    art_sorted = art[hit_order]
    n = len(hit_order)
    starts = np.flatnonzero(np.r_[True, art_sorted[1:] != art_sorted[:-1]]) if n else _NO_IDS
    counts = np.diff(np.r_[starts, n])
    sorted_scores = scores[hit_order]
    extra = np.zeros(len(starts), dtype=np.float64)
    for rank in range(1, HITS_SHOWN):
        has = counts > rank
        extra = extra + np.where(has, sorted_scores[np.minimum(starts + rank, max(n - 1, 0))], 0.0)
    article_scores = sorted_scores[starts] + ranking.extra_hit_weight * extra
    published = cols.published[docs[hit_order[starts]]]
    codes = art_sorted[starts]
    if sort == "newest":
        order = np.lexsort((codes, -article_scores, -published))
    elif sort == "oldest":
        # undated last in both date orders (NO_DATE is -inf: first when ascending)
        dated = np.where(published == NO_DATE, np.inf, published)
        order = np.lexsort((codes, -article_scores, dated))
    elif sort == "crawled":
        # the most recent first capture first; articles never crawled last
        crawled = cols.crawled[docs[hit_order[starts]]]
        order = np.lexsort((codes, -article_scores, -crawled))
    elif sort == "story":
        # a story's copies in lead order: oldest first, undated last, ties by id
        order = np.lexsort((codes, np.where(np.isneginf(published), np.inf, published)))
    else:
        order = np.lexsort((codes, -published, -article_scores))
    return _Ranking(hit_order, starts, counts, article_scores, order, codes.astype(np.int64))


def _rank(
    matches: _Matches,
    cols: Columns,
    ranking: RankingConfig,
    params: SearchParams,
    deadline: Deadline,
    needed: int | None = None,
) -> _Ranking:
    """The articles in result order, exact at least up to the end of the requested page.

    For relevance order, hits whose proximity bonus is pending are resolved only while their
    article could still reach the page: an article's score computed with every bonus at its
    upper bound is at least its true score, so once every article that ranks on the page by
    those bounds (ties included) is exact, no other article can overtake one of them."""
    if params.sort != "relevance":
        matches.resolve_all(deadline)
    needed = needed or params.page * params.per_page
    # each round resolves more articles than the page needs, so that it rarely takes more than
    # one or two (every round re-ranks all hits), but not many more (positions are dear)
    reach = max(needed * 2, 20)
    while True:
        ranked = _group(matches, cols, ranking, params.sort, upper=True)
        if not _pending_hits(ranked, matches, needed).size:
            return ranked
        deadline.check()
        matches.resolve(_pending_hits(ranked, matches, reach), deadline)
        reach *= 2


def _pending_hits(ranked: _Ranking, matches: _Matches, count: int) -> Ids:
    """The hits still lacking their bonus among the first ``count`` articles (and any tied
    with the last of them)."""
    top = ranked.order[:count]
    if not len(top):
        return _NO_IDS
    top = np.flatnonzero(ranked.scores >= ranked.scores[top[-1]])
    hits: Ids = np.concatenate(
        [
            ranked.hit_order[s : s + c]
            for s, c in zip(ranked.starts[top].tolist(), ranked.counts[top].tolist(), strict=True)
        ]
    )
    open_hits: Ids = hits[matches.pending[hits] > 0]
    return open_hits


def _facets(cols: Columns, docs: Ids) -> dict[str, dict[str, int]]:
    facets = {name: dict(getattr(cols, name).count(docs)[:FACET_LIMIT]) for name in FACETS}
    undated = int(np.count_nonzero(cols.published[docs] == NO_DATE))
    if "month" in facets and undated:
        # a value of its own, so that the month counts add up to the hits
        months = [*facets["month"].items(), (UNDATED, undated)]
        months.sort(key=lambda item: (-item[1], item[0]))
        facets["month"] = dict(months[:FACET_LIMIT])
    return facets


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _article_result(
    searcher: Any,
    compiled: CompiledQuery,
    score: float,
    hits: list[tuple[float, int]],
    sides: Mapping[int, tuple[str, CompiledQuery]] | None = None,
) -> EngineArticle:
    """One article of the page; ``sides`` (a join's) gives each hit's side and the query
    that marks it."""
    analyzer = searcher.schema["text"].analyzer

    def spans(text: str, query: CompiledQuery = compiled) -> tuple[Span, ...]:
        return tuple(all_spans(text, analyzer, query, limit=ANALYZE_CHARS))

    shown: list[EngineHit] = []
    first: dict[str, Any] = {}
    first_docnum = 0
    for hit_score, docnum in hits[:HITS_SHOWN]:
        stored = searcher.stored_fields(docnum)
        if not first:
            first, first_docnum = stored, docnum
        text = stored.get("text") or ""
        caption = stored.get("kind") == "caption"
        quote = stored.get("kind") == "quote"
        side, query = sides[docnum] if sides else (None, compiled)
        shown.append(
            EngineHit(
                doc_id=stored.get("doc_id") or "",
                kind=stored.get("kind") or "",
                position=int(stored.get("position") or 0),
                text=text,
                spans=spans(text, query),
                score=hit_score,
                credit=stored.get("credit") if caption else None,
                date=_as_date(stored.get("photo_date")) if caption else None,
                speaker=stored.get("speaker") if quote else None,
                side=side,
            )
        )
    published = first.get("published")
    headline = stored_headline(searcher, first_docnum, first) if first else None
    return EngineArticle(
        article_id=first.get("article_id") or "",
        headline=headline,
        headline_spans=spans(headline) if headline else (),
        url=first.get("url"),
        published=to_utc(published) if isinstance(published, datetime) else None,
        source=first.get("source"),
        score=score,
        hits=tuple(shown),
        more_hits=len(hits) - len(shown),
        dateline=first.get("dateline"),
        byline=first.get("byline"),
        language=first.get("language"),
    )


def _real_matches(matches: _Matches, floor: float, deadline: Deadline) -> _Matches:
    """The hits that rank as real matches: scores (every bonus in) at least ``floor`` times
    the best one. A date sort keeps only these, so totals and facets follow the same rule."""
    matches.resolve_all(deadline)
    keep = matches.scores >= floor * float(matches.scores.max())
    return _Matches(
        matches.searcher,
        None,
        matches.ranking,
        matches.docs[keep],
        matches.scores[keep],
        np.zeros(int(keep.sum()), dtype=np.float64),
    )


def run_search(
    searcher: Any,
    tree: Group,
    params: SearchParams,
    deadline: Deadline,
    ranking: RankingConfig = DEFAULT,
) -> EngineResults:
    """One page of results for a parsed query and validated ``params`` (QueryError for a
    query that cannot run). ``ranking`` is for the relevance benchmark, which compares named
    settings on one index. Every step looks at ``deadline`` (``budget``): past the caller's
    time budget the search stops with QueryTooSlow instead of holding a server thread."""
    compiled = compile_query(tree, searcher, deadline.check)
    cols = columns(searcher)
    matches = find_hits(searcher, compiled, params, ranking, deadline)
    deadline.check()
    if ranking.feeds_back(len(compiled.clauses)) and len(matches):
        matches.resolve_all(deadline)
        scores = rescore_with_feedback(
            searcher, matches.docs, matches.scores, len(compiled.clauses), ranking, deadline.check
        )
        matches = _Matches(
            searcher, None, ranking, matches.docs, scores, np.zeros(len(scores), dtype=np.float64)
        )
    if params.sort != "relevance" and len(matches) and len(compiled.clauses) > 1:
        matches = _real_matches(matches, ranking.date_sort_floor, deadline)
    ranked = _rank(matches, cols, ranking, params, deadline)
    order, total_stories = ranked.order, _count_stories(searcher, ranked)
    if params.collapse == "story":
        ranked, order, total_stories = _collapse(searcher, matches, cols, ranking, params, deadline)

    first = (params.page - 1) * params.per_page
    results = []
    for a in order[first : first + params.per_page].tolist():
        deadline.check()
        start, count = int(ranked.starts[a]), int(ranked.counts[a])
        hits = ranked.hit_order[start : start + count]
        group = list(zip(matches.scores[hits].tolist(), matches.docs[hits].tolist(), strict=True))
        results.append(_article_result(searcher, compiled, float(ranked.scores[a]), group))
    suggestion = suggest(searcher, compiled.words, params.query, deadline.check)
    return EngineResults(
        total_hits=len(matches),
        total_articles=len(ranked.starts),
        articles=tuple(results),
        facets=_facets(cols, matches.docs),
        suggestion=suggestion,
        total_stories=total_stories,
        stories=searcher_stories(searcher),
        days=day_counts(cols, matches.docs),
    )


def _count_stories(searcher: Any, ranked: _Ranking) -> int:
    """How many stories the matching articles belong to."""
    return len(np.unique(story_codes(searcher)[ranked.codes]))


def _collapse(
    searcher: Any,
    matches: _Matches,
    cols: Columns,
    ranking: RankingConfig,
    params: SearchParams,
    deadline: Deadline,
) -> tuple[_Ranking, Ids, int]:
    """One article per story, each story's best copy, stories in the order of those copies;
    with how many stories match. Only the first ``needed`` articles of a ranking are final
    (``_rank``), so it is asked for more until they hold the page's stories: copies of one
    story are near-duplicates, which score alike and crowd the top together."""
    codes = story_codes(searcher)
    wanted = params.page * params.per_page
    needed = wanted
    while True:
        ranked = _rank(matches, cols, ranking, params, deadline, needed)
        stories = codes[ranked.codes[ranked.order]]
        _, firsts = np.unique(stories, return_index=True)
        order = ranked.order[np.sort(firsts)]
        settled = np.count_nonzero(firsts < needed)
        if settled >= wanted or needed >= len(ranked.order):
            return ranked, order, len(firsts)
        deadline.check()
        needed *= 2
