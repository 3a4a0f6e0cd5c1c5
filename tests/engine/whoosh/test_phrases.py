"""The array phrase test answers exactly as Whoosh's span test does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.engine.whoosh.arrays.proximity import (
    _Spans,
    adjacent,
    phrase_found,
    span_test,
    tree_sum,
)

POSITIONS = st.lists(
    st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=5, unique=True).map(
        sorted
    ),
    min_size=2,
    max_size=4,
)


@settings(max_examples=400, deadline=None)
@given(positions=POSITIONS)
def test_adjacent_words_agree_with_the_span_test(positions: list[list[int]]) -> None:
    expected = bool(span_test([_Spans(p) for p in positions], 1))
    assert adjacent(positions) == expected
    assert phrase_found(positions, 1) == expected


@settings(max_examples=200, deadline=None)
@given(positions=POSITIONS, slop=st.integers(min_value=2, max_value=4))
def test_wider_phrases_use_the_span_test(positions: list[list[int]], slop: int) -> None:
    assert phrase_found(positions, slop) == bool(span_test([_Spans(p) for p in positions], slop))


def test_examples() -> None:
    assert adjacent([[3], [4]])
    assert not adjacent([[4], [3]])  # order matters
    assert adjacent([[1, 7], [2, 9], [3]])
    assert not adjacent([[1], [2], [4]])
    assert adjacent([[5, 6], [5, 6]])  # "new new"
    assert not phrase_found([[1], [4]], 2)
    assert phrase_found([[1], [3]], 2)


def test_tree_sum_adds_in_the_matcher_tree_order() -> None:
    # Whoosh's intersection tree for three matchers is a + (b + c)
    a, b, c = 1e16, -1e16, 1.0
    assert tree_sum([a, b, c]) == a + (b + c)
    assert tree_sum([a, b, c]) != (a + b) + c
