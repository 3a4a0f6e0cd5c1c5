"""The ranking settings as one named value, and the BM25 weighting they configure.

Every constant that decides the order of results lives in a :class:`RankingConfig`, so the
relevance benchmark can run the settings from before tuning (:data:`UNTUNED`) beside the shipped
ones (:data:`DEFAULT`) on the same index, and docs/relevance.md can name each choice with the
figures that justified it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from math import log
from typing import Any, Literal

from whoosh import scoring

__all__ = ["DEFAULT", "UNTUNED", "RankingConfig"]


@dataclass(frozen=True)
class RankingConfig:
    """How a document's score is made (see docs/relevance.md for the measured reasons).

    - ``k1``, ``b``: BM25's term-frequency saturation and length normalisation.
    - ``idf``: ``"whoosh"`` is Whoosh's ``log(N / (n + 1)) + 1``, which gives a word found in
      every document nearly the weight of a rare one; ``"bm25"`` is BM25's own
      ``log(1 + (N - n + 0.5) / (n + 0.5))`` (Lucene's and bm25s's), near 0 for such words.
    - ``headline_weight``: a passage's headline words count this much of its own words.
    - ``coord_power``, ``coord_max_clauses``: a document matching ``m`` of a query's ``n``
      top-level words has its score scaled by ``(m / n) ** coord_power``, for queries of at
      most ``coord_max_clauses`` words (None: any length).
    - ``proximity_weight``: weight of the bonus for a short query's words found close together.
    - ``extra_hit_weight``: how much an article's 2nd and 3rd best hits add to its score.
    - ``feedback_docs``, ``feedback_terms``, ``feedback_weight``, ``feedback_min_clauses``,
      ``feedback_depth``: pseudo-relevance feedback for queries of at least
      ``feedback_min_clauses`` words: the ``feedback_terms`` words most typical of the
      ``feedback_docs`` best documents (weighted by their scores) re-score the best
      ``feedback_depth`` hits, together weighing ``feedback_weight`` of the query's own words.
      They change scores only: a document is still a hit only when it matches the query itself.
      ``feedback_docs`` 0 turns feedback off.
    """

    k1: float = 1.5
    b: float = 0.75
    idf: Literal["whoosh", "bm25"] = "bm25"
    headline_weight: float = 0.4
    coord_power: float = 2.0
    coord_max_clauses: int | None = 4
    proximity_weight: float = 0.5
    extra_hit_weight: float = 0.1
    feedback_docs: int = 5
    feedback_terms: int = 30
    feedback_weight: float = 0.25
    feedback_min_clauses: int = 5
    feedback_depth: int = 500
    #: Under a date sort, only hits scoring at least this share of the best hit count (and
    #: their totals and facets): a date order drops the ranking, so under the default OR every
    #: document with one common word of several would otherwise lead (issue 18; the share is
    #: measured on the relevance set by ``python -m benchmarks.sort_floor``).
    date_sort_floor: float = 0.3

    def weighting(self) -> scoring.WeightingModel:
        """The Whoosh weighting model for these settings (library-internal)."""
        if self.idf == "whoosh":
            return scoring.BM25F(B=self.b, K1=self.k1)
        return _BM25(B=self.b, K1=self.k1)

    def coordinates(self, clauses: int) -> bool:
        """Whether a query of ``clauses`` top-level words gets the coordination factor."""
        return clauses > 1 and (self.coord_max_clauses is None or clauses <= self.coord_max_clauses)

    def feeds_back(self, clauses: int) -> bool:
        """Whether a query of ``clauses`` top-level words gets pseudo-relevance feedback."""
        return (
            self.feedback_docs > 0
            and self.feedback_terms > 0
            and self.feedback_weight > 0
            and clauses >= self.feedback_min_clauses
        )

    def describe(self) -> dict[str, Any]:
        """The settings as plain values (for reports)."""
        return asdict(self)


def bm25_idf(doc_count: int, doc_frequency: int) -> float:
    """BM25's idf (Robertson/Sparck Jones with +1 inside the log, so it is never negative)."""
    return log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


class _BM25Scorer(scoring.BM25FScorer):  # type: ignore[misc]
    """Whoosh's BM25F scorer with BM25's idf in place of Whoosh's ``log(N/(n+1)) + 1``."""

    def __init__(
        self, searcher: Any, fieldname: str, text: str, B: float, K1: float, qf: int = 1
    ) -> None:
        # not calling super().__init__: it would compute Whoosh's idf, and setup() below must
        # see ours (it derives the block-skipping bound from _score)
        parent = searcher.get_parent()
        self.idf = bm25_idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))
        self.avgfl = parent.avg_field_length(fieldname) or 1
        self.B = B
        self.K1 = K1
        self.qf = qf
        self.setup(searcher, fieldname, text)


class _BM25(scoring.BM25F):  # type: ignore[misc]
    def scorer(self, searcher: Any, fieldname: str, text: str, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        B = self._field_B.get(fieldname, self.B)
        return _BM25Scorer(searcher, fieldname, text, B, self.K1, qf=qf)


#: The engine's settings before tuning on the relevance set (issue 5): Whoosh's BM25F defaults,
#: coordination at every query length, no feedback.
UNTUNED = RankingConfig(
    k1=1.2,
    b=0.75,
    idf="whoosh",
    headline_weight=0.4,
    coord_power=2.0,
    coord_max_clauses=None,
    proximity_weight=0.5,
    extra_hit_weight=0.1,
    feedback_docs=0,
)

#: The shipped settings (docs/relevance.md has the measurements behind each).
DEFAULT = RankingConfig()
