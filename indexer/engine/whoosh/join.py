"""The join of ``said:(...)`` and ``pictured:(...)`` on the article (``query.join``).

Each side runs as a query of its own (its kinds included) under the search's filters; the
articles kept are those with a hit on every side present, and their hits on all sides are the
results: totals, facets and ranking count exactly those, and each shown hit says its side.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...budget import Deadline
from ...query.join import JoinPlan
from ...results import SearchParams
from ..base import EngineResults
from .arrays.term_scores import Ids
from .columns import Columns, columns
from .compile import CompiledQuery, compile_query
from .ranking import DEFAULT, RankingConfig
from .search import HITS_SHOWN, _article_result, _facets, _Matches, _rank, find_hits

__all__ = ["run_join"]


def _joined_hits(
    searcher: Any, cols: Columns, found: list[tuple[str, CompiledQuery, _Matches]]
) -> tuple[_Matches, dict[str, Ids]]:
    """The hits of every side in the articles where every side has one, in document order,
    and each side's kept documents (sorted)."""
    common: Any = None
    for _, _, matches in found:
        arts = np.unique(cols.article.codes[matches.docs])
        common = arts if common is None else np.intersect1d(common, arts, assume_unique=True)
    assert common is not None
    kept: dict[str, Ids] = {}
    docs, scores = [], []
    for name, _, matches in found:
        keep = np.isin(cols.article.codes[matches.docs], common)
        kept[name] = matches.docs[keep]
        docs.append(matches.docs[keep])
        scores.append(matches.scores[keep])
    all_docs = np.concatenate(docs)
    order = np.argsort(all_docs, kind="stable")
    all_docs = all_docs[order]
    joined = _Matches(
        searcher,
        None,
        found[0][2].ranking,
        all_docs,
        np.concatenate(scores)[order],
        np.zeros(len(all_docs), dtype=np.float64),
    )
    return joined, kept


def _of_kinds(matches: _Matches, kinds: tuple[str, ...]) -> _Matches:
    """The hits of the side's kinds (a mask over the kind column: as a query term, the kinds
    of most documents would be walked posting by posting)."""
    kind = columns(matches.searcher).kind
    codes = [i for i, v in enumerate(kind.values) if v in kinds]
    keep = np.isin(kind.codes[matches.docs], codes)
    return _Matches(
        matches.searcher,
        matches.proximity,
        matches.ranking,
        matches.docs[keep],
        matches.scores[keep],
        matches.pending[keep],
    )


def _side_of(docnum: int, kept: dict[str, Ids]) -> str:
    for name, docs in kept.items():
        at = int(np.searchsorted(docs, docnum))
        if at < len(docs) and int(docs[at]) == docnum:
            return name
    raise AssertionError(f"document {docnum} is on no side")


def _both_sides_first(
    hits: list[tuple[float, int]], kept: dict[str, Ids]
) -> tuple[list[tuple[float, int]], dict[int, str]]:
    """The article's hits, best first, but the best hit of each side among the first shown
    (a join's result shows what was said beside what was pictured)."""
    side = {docnum: _side_of(docnum, kept) for _, docnum in hits}
    leaders: list[tuple[float, int]] = []
    for name in kept:
        best = next((h for h in hits if side[h[1]] == name), None)
        if best is not None:
            leaders.append(best)
    rest = [h for h in hits if h not in leaders]
    shown = sorted(leaders, key=lambda h: -h[0])
    room = max(HITS_SHOWN - len(shown), 0)
    return shown + rest[:room] + rest[room:], side


def run_join(
    searcher: Any,
    plan: JoinPlan,
    params: SearchParams,
    deadline: Deadline,
    ranking: RankingConfig = DEFAULT,
) -> EngineResults:
    """One page of a join's results (see the module docstring)."""
    cols = columns(searcher)
    found = []
    for part in plan.sides:
        compiled = compile_query(part.query, searcher, deadline.check)
        matches = _of_kinds(find_hits(searcher, compiled, params, ranking, deadline), part.kinds)
        matches.resolve_all(deadline)
        found.append((part.name, compiled, matches))
    joined, kept = _joined_hits(searcher, cols, found)
    compiled_of = {name: compiled for name, compiled, _ in found}
    ranked = _rank(joined, cols, ranking, params, deadline)
    first = (params.page - 1) * params.per_page
    results = []
    for a in ranked.order[first : first + params.per_page].tolist():
        deadline.check()
        start, count = int(ranked.starts[a]), int(ranked.counts[a])
        hits = ranked.hit_order[start : start + count]
        group = list(zip(joined.scores[hits].tolist(), joined.docs[hits].tolist(), strict=True))
        group, side = _both_sides_first(group, kept)
        sides = {d: (side[d], compiled_of[side[d]]) for _, d in group[:HITS_SHOWN]}
        results.append(
            _article_result(searcher, found[0][1], float(ranked.scores[a]), group, sides)
        )
    return EngineResults(
        total_hits=len(joined),
        total_articles=len(ranked.starts),
        articles=tuple(results),
        facets=_facets(cols, joined.docs),
        suggestion=None,
    )
