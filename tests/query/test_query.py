"""The query language: what each piece of syntax parses to, and every bad query's message."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from indexer import QueryError, index_articles, iter_articles, open_index
from indexer.query.parser import MAX_TERMS, parse_query
from indexer.query.tree import (
    AllOf,
    AnyOf,
    DateSpan,
    Fuzzy,
    Group,
    Negated,
    Phrase,
    Prefix,
    Word,
)

from ..conftest import SEED


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article, indexed once for this module's many read-only queries."""
    path = tmp_path_factory.mktemp("query") / "index"
    assert index_articles(path, iter_articles([str(SEED)])).failed == 0
    return path


def words(group: Group) -> list[str]:
    return [n.text for n in group.optional if isinstance(n, Word)]


def test_plain_words_are_optional_clauses() -> None:
    tree = parse_query("Putin  Xi")
    assert words(tree) == ["Putin", "Xi"]
    assert tree.required == () and tree.excluded == ()
    # offsets locate each word in the query, for "did you mean"
    assert [(w.start, w.end) for w in tree.optional if isinstance(w, Word)] == [(0, 5), (7, 9)]


def test_required_and_excluded() -> None:
    tree = parse_query("+putin -xi NOT jinping beijing")
    assert tree.required == (Word("putin", None, 1, 6),)
    assert [n.text for n in tree.excluded if isinstance(n, Word)] == ["xi", "jinping"]
    assert words(tree) == ["beijing"]


def test_operators_bind_tighter_than_juxtaposition() -> None:
    tree = parse_query("china putin AND xi OR trade")
    assert tree.optional[0] == Word("china", None, 0, 5)
    either = tree.optional[1]
    assert isinstance(either, AnyOf)
    assert isinstance(either.children[0], AllOf)
    assert [c.text for c in either.children[0].children if isinstance(c, Word)] == ["putin", "xi"]


def test_lower_case_operators_are_words() -> None:
    assert words(parse_query("putin and xi")) == ["putin", "and", "xi"]


def test_parentheses_and_not_inside() -> None:
    tree = parse_query("(putin OR xi) AND NOT trade")
    both = tree.optional[0]
    assert isinstance(both, AllOf)
    assert isinstance(both.children[0], Group)
    assert both.children[1] == Negated(Word("trade", None, 22, 27))


def test_phrases_and_fields() -> None:
    tree = parse_query('"belt and road" headline:putin credit:"Parker Song"')
    assert tree.optional == (Phrase("belt and road"), Word("putin", "headline", 25, 30))
    # restricting fields must hold beside words: kind:caption putin means captions about Putin
    assert tree.required == (Phrase("Parker Song", "credit"),)


def test_field_applies_to_a_group() -> None:
    tree = parse_query("kind:(caption OR note) putin")
    group = tree.required[0]
    assert isinstance(group, Group)
    either = group.required[0]
    assert isinstance(either, AnyOf)
    assert [c.field for c in either.children if isinstance(c, Word)] == ["kind", "kind"]


def test_prefix_and_fuzzy() -> None:
    tree = parse_query("infra* Puttin~ Jinpin~2 xi~0")
    assert tree.optional[:3] == (Prefix("infra"), Fuzzy("Puttin", 1), Fuzzy("Jinpin", 2))
    assert isinstance(tree.optional[3], Word)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("published:2023-10-01..2023-10-31", datetime(2023, 10, 1), datetime(2023, 11, 1)),
        ("published:>=2023-10-17", datetime(2023, 10, 17), None),
        ("published:>2023-10-17", datetime(2023, 10, 18), None),
        ("published:<2023-10-17", None, datetime(2023, 10, 17)),
        ("published:<=2023-10-17", None, datetime(2023, 10, 18)),
        ("published:2023-10-17", datetime(2023, 10, 17), datetime(2023, 10, 18)),
        ("published:2023-12", datetime(2023, 12, 1), datetime(2024, 1, 1)),
        ("published:2023", datetime(2023, 1, 1), datetime(2024, 1, 1)),
        ("published:2023-10-01..", datetime(2023, 10, 1), None),
        ("photo_date:2023-10-16", datetime(2023, 10, 16), datetime(2023, 10, 17)),
        # the last day there is: no day after it to end on, so the span ends open
        ("published:9999-12-31", datetime(9999, 12, 31), None),
        ("published:9999-12", datetime(9999, 12, 1), None),
        ("photo_date:9999", datetime(9999, 1, 1), None),
        ("published:<=9999-12-31", None, None),
        ("published:0001-01-01..9999-12-31", datetime(1, 1, 1), None),
        # nothing is after the last day: the empty span [max, max)
        ("published:>9999-12-31", datetime.max, datetime.max),
        ("published:<0001-01-01", None, datetime(1, 1, 1)),
        ("photo_date:0001", datetime(1, 1, 1), datetime(2, 1, 1)),
    ],
)
def test_dates(text: str, start: datetime | None, end: datetime | None) -> None:
    field = text.partition(":")[0]
    assert parse_query(text).required == (DateSpan(field, start, end),)


def test_prose_colon_is_not_a_field() -> None:
    assert words(parse_query("Update: putin")) == ["Update:", "putin"]
    assert words(parse_query("https://example.com")) == ["https://example.com"]


BAD_QUERIES = [
    ("", "empty"),
    ("   ", "empty"),
    ('"putin xi', "unbalanced quotes"),
    ("((putin", "never closed"),
    ("putin)", "no matching '('"),
    ("()", "empty parentheses"),
    ("putin AND", "AND needs a word on both sides"),
    ("AND putin", "AND needs a word on both sides"),
    ("putin OR", "OR needs a word on both sides"),
    ("putin NOT", "NOT needs a word after it"),
    ("foo:bar", "unknown field 'foo:'"),
    ("Body:putin", "unknown field 'Body:'"),
    ("headline:", "needs something after it"),
    ("*", "bare '*'"),
    ("*ing", "can only end a word"),
    ("in*fra", "can only end a word"),
    ("i*", "at least 2 letters"),
    ("putin~9", "use ~1 or ~2"),
    ("putin~\u0662", "ASCII digits"),
    ("~9", "'~' goes right after a word"),
    ("published:2023-13-45", "'2023-13-45' is not a date"),
    ("published:2023-02-30", "is not a date"),
    ("published:yesterday", "is not a date"),
    ("published:2023-10-31..2023-10-01", "ends before it starts"),
    ("published:0000-01-01", "is not a date"),
    ("published:\u0662\u0660\u0662\u0663", "is not a date"),  # Arabic-Indic digits: not ASCII
    ("photo_date:\uff12\uff10\uff12\uff13-10", "is not a date"),  # fullwidth digits
    ("-putin", "only excludes"),
    ("NOT putin", "only excludes"),
    ("(" * 30 + "putin" + ")" * 30, "nested too deeply"),
]


@pytest.mark.parametrize(("query", "message"), BAD_QUERIES)
def test_bad_queries_parse_to_a_message(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=None) as info:
        parse_query(query)
    assert message in info.value.message
    assert info.value.param == "q"


@pytest.mark.parametrize(
    ("query", "message"),
    BAD_QUERIES
    + [
        ("the of and", "too common"),
        ("kind:photo", "kind: must be one of"),
        (" ".join(f"w{i}" for i in range(1000))[:2000], f"more than {MAX_TERMS} search words"),
        ("x" * 10_000, "the limit is 2,000"),
    ],
)
def test_bad_queries_through_the_api(seed_index: Path, query: str, message: str) -> None:
    """The caller only ever sees a QueryError with a message, never a Whoosh exception."""
    with open_index(seed_index) as ix, pytest.raises(QueryError) as info:
        ix.search(query)
    assert message in info.value.message


@pytest.mark.parametrize(
    "query",
    [
        "putin!!!",  # punctuation is ignored
        "Update: putin",
        "+putin",
        "putin AND (xi OR jinping)",
        "infra*",
        "Puttin~",
        "published:2023-10",
        "a" * 1990 + " putin",  # one absurd word is simply not found
    ],
)
def test_odd_but_sensible_queries_find_things(seed_index: Path, query: str) -> None:
    with open_index(seed_index) as ix:
        assert ix.search(query).total_hits > 0


def test_a_fuzzy_distance_of_thousands_of_digits_is_refused_by_the_parser() -> None:
    """The parser alone (no query-length cap before it): int() refuses over 4,300 digits."""
    with pytest.raises(QueryError, match="use ~1 or ~2") as caught:
        parse_query("putin~" + "9" * 4400)
    assert len(str(caught.value)) < 200
