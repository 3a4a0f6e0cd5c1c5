"""Random small corpora and random queries: the engine's hits are exactly the oracle's.

Words come from a small vocabulary the analyzer leaves as they are (no stop words, nothing to
stem), so the oracle (``oracle.py``) can match them without an analyzer of its own. Queries are
strings from the query language's grammar (words, phrases, ``pre*``, ``word~d``, AND, OR, NOT,
``-``, ``+``, parentheses, ``kind:``, ``source:``, ``headline:``), parsed with the library's
parser; a string the parser refuses must be refused by the engine too.

Bounded by default (``make test`` on 2 cores); ``NEWSFIND_FUZZ=long`` runs many more.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from indexer import Article, QueryError, article_from_json, open_index
from indexer.query.parser import parse_query

from . import oracle
from .conftest import ENGINES, build, capabilities, every_hit

settings.register_profile(
    "newsfind-contract",
    max_examples=50,
    # the same 50 examples every run, so `make test` is repeatable; the long run explores
    derandomize=True,
    # a failure is reported as found (shrinking one took minutes); the long run shrinks
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "newsfind-contract-long",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = settings.get_profile(
    "newsfind-contract-long" if os.environ.get("NEWSFIND_FUZZ") == "long" else "newsfind-contract"
)

#: clusters one edit apart (and a swap: vark/vrak) so prefixes and fuzzy words have choices
VOCAB = ("zorp", "zorb", "zurp", "zarp", "quix", "quax", "blen", "blin", "vark", "tolt", "dask")
#: fuzzy words also start from words no document has
FUZZY_WORDS = VOCAB + ("zerp", "qux", "blenn", "vrak", "tlot")
PREFIXES = ("zo", "zor", "zu", "qu", "bl", "bli", "va", "to", "da", "zz")
KINDS = ("headline", "paragraph", "caption", "note")
SOURCES = ("AP", "Reuters", "Example News")

# --- corpora ------------------------------------------------------------------------------------

_SEPARATORS = st.sampled_from([" ", " ", ", ", "; "])


@st.composite
def _text(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=6))
    words = [w.capitalize() if draw(st.booleans()) and i == 0 else w for i, w in enumerate(words)]
    out = words[0]
    for word in words[1:]:
        out += draw(_SEPARATORS) + word
    return out


@st.composite
def _article(draw: st.DrawFn, number: int) -> dict[str, Any]:
    texts = st.lists(_text(), max_size=2)
    return {
        "id": f"a{number}",
        "headline": draw(_text()),
        "captions": [{"text": t} for t in draw(texts)],
        "paragraphs": draw(st.lists(_text(), max_size=3)),
        "notes": draw(st.lists(_text(), max_size=1)),
        "source": draw(st.sampled_from(SOURCES + (None,))),
    }


@st.composite
def corpora(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(min_value=1, max_value=6))
    return [draw(_article(i)) for i in range(n)]


# --- queries ------------------------------------------------------------------------------------


def _quoted(words: list[str]) -> str:
    return '"' + " ".join(words) + '"'


ATOMS = st.one_of(
    st.sampled_from(VOCAB),
    st.sampled_from(VOCAB).map(str.upper),
    st.lists(st.sampled_from(VOCAB), min_size=1, max_size=3).map(_quoted),
    st.sampled_from(PREFIXES).map(lambda p: p + "*"),
    st.tuples(st.sampled_from(FUZZY_WORDS), st.sampled_from(["~", "~1", "~2"])).map("".join),
    st.sampled_from(KINDS).map(lambda k: "kind:" + k),
    st.sampled_from(SOURCES).map(lambda s: "source:" + (_quoted([s]) if " " in s else s)),
    st.sampled_from(VOCAB).map(lambda w: "headline:" + w),
)


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Compound queries; exclusion comes beside something to look for, as people write it
    (a query or group of only excluded words is refused, which the property also checks)."""
    pair = st.tuples(inner, inner)
    return st.one_of(
        pair.map(lambda p: f"{p[0]} AND {p[1]}"),
        pair.map(lambda p: f"{p[0]} OR {p[1]}"),
        pair.map(lambda p: f"{p[0]} {p[1]}"),
        pair.map(lambda p: f"({p[0]} {p[1]})"),
        pair.map(lambda p: f"{p[0]} -({p[1]})"),
        pair.map(lambda p: f"{p[0]} NOT {p[1]}"),
        pair.map(lambda p: f"{p[0]} AND NOT ({p[1]})"),
        pair.map(lambda p: f"{p[0]} OR NOT ({p[1]})"),
        pair.map(lambda p: f"+({p[0]}) {p[1]}"),
        st.tuples(st.sampled_from(KINDS), st.sampled_from(KINDS)).map(
            lambda k: f"kind:({k[0]} OR {k[1]})"
        ),
    )


def _modified(atom: str, mod: str) -> str:
    return mod + atom


QUERIES = st.recursive(
    st.tuples(ATOMS, st.sampled_from(["", "", "", "", "-", "+"])).map(lambda t: _modified(*t)),
    _combine,
    max_leaves=6,
)

# --- the property -------------------------------------------------------------------------------


def _check(ix: Any, docs: list[oracle.Doc], query: str, filters: dict[str, str]) -> None:
    try:
        tree = parse_query(query)
    except QueryError:
        with pytest.raises(QueryError):
            ix.search(query, **filters)
        return
    kept = [
        d
        for d in docs
        if d.kind == filters.get("kind", d.kind)
        and ("source" not in filters or (d.source or "").lower() == filters["source"].lower())
    ]
    expected = oracle.matching(tree, kept)
    by_article = Counter(doc_id.rpartition("#")[0] for doc_id in expected)
    try:
        counts, shown, total_hits, total_articles = every_hit(ix, query, **filters)
    except QueryError as exc:
        # fuzzy and wildcard words are capped (MAX_EXPANDED_WORDS): the parser refuses those
        raise AssertionError(f"{query!r}: the engine refused a parsed query: {exc}") from None
    where = f"{query!r} {filters} -> {tree}"
    assert (total_hits, total_articles) == (len(expected), len(by_article)), where
    assert counts == by_article, where
    assert shown <= expected, where
    for article_id, n in by_article.items():
        if n <= 3:
            assert {d for d in shown if d.startswith(article_id + "#")} == {
                d for d in expected if d.startswith(article_id + "#")
            }, where


FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from(KINDS),
        "source": st.sampled_from(SOURCES + ("ap",)),
    },
)


@settings(PROFILE)
@given(
    corpus=corpora(),
    queries=st.lists(st.tuples(QUERIES, FILTERS), min_size=1, max_size=6),
)
def test_engine_hits_equal_the_oracle(
    engine: str, corpus: list[dict[str, Any]], queries: list[tuple[str, dict[str, str]]]
) -> None:
    articles: list[Article] = [article_from_json(a) for a in corpus]
    docs = oracle.documents(articles)
    with (
        tempfile.TemporaryDirectory() as base,
        open_index(build(ENGINES[engine](Path(base)), articles)) as ix,
    ):
        missing = {"fuzzy", "prefix", "phrase"} - capabilities(ix)
        for query, filters in queries:
            if missing:
                pytest.skip(f"this engine does not declare {sorted(missing)}")
            _check(ix, docs, query, filters)


def test_the_vocabulary_is_left_as_it_is_by_the_engine(make_index: Any) -> None:
    """The oracle's premise: each vocabulary word is found as itself and only as itself (no
    stop word, no stemming folds two of them together or changes one)."""
    words = sorted(set(VOCAB + FUZZY_WORDS))
    ix = make_index([{"id": w, "headline": w} for w in words])
    for word in words:
        results = ix.search(word)
        assert [a.article_id for a in results.results] == [word], word
        assert [h.snippet for a in results.results for h in a.hits] == [f"<mark>{word}</mark>"]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("vark", "vrak", 1), ("zorp", "zorb", 1), ("blen", "blenn", 1), ("ca", "abc", 3),
     ("zorp", "zorp", 0), ("tolt", "tlot", 1), ("quix", "qux", 1), ("zorp", "zarb", 2)],
)  # fmt: skip
def test_oracle_edit_distance(a: str, b: str, distance: int) -> None:
    assert oracle.osa_distance(a, b) == distance


def test_an_excluded_word_is_excluded_from_the_first_candidate(make_index: Any) -> None:
    ix = make_index(
        [
            {"id": "a", "headline": "blen", "paragraphs": ["zorp quix"], "notes": ["zorp"]},
            {"id": "b", "headline": "zorp", "notes": ["quix"]},
        ]
    )
    # the note a#2 has zorp; zorp's first document (a#1) comes before the first note
    assert [h.doc_id for a in ix.search("kind:note -zorp").results for h in a.hits] == ["b#1"]
