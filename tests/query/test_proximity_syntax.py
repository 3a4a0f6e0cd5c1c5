"""The syntax of proximity ("a b"~N, NEAR/N, SENTENCE) and of the said:/pictured: join: what
each parses to, the bad inputs' messages, and a fuzz that only ever raises QueryError."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import QueryError
from indexer.query.join import SAID_KINDS, join_plan
from indexer.query.parser import parse_query
from indexer.query.tree import (
    MAX_NEAR,
    AnyOf,
    Group,
    Near,
    Phrase,
    SameSentence,
    Side,
    Sloppy,
    Word,
)


def _only(query: str) -> object:
    tree = parse_query(query)
    (node,) = tree.optional + tree.required
    return node


def test_sloppy_phrase_near_and_sentence_parse_to_their_nodes() -> None:
    assert _only('"putin xi"~5') == Sloppy("putin xi", 5)
    near = _only('"belt and road" NEAR/10 debt')
    assert isinstance(near, Near) and near.distance == 10
    assert near.left == Phrase("belt and road") and isinstance(near.right, Word)
    sentence = _only("(putin OR xi) SENTENCE china")
    assert isinstance(sentence, SameSentence) and isinstance(sentence.left, Group)
    # a chain groups from the left, and binds tighter than AND
    chain = parse_query("a NEAR/2 b NEAR/3 c AND d").optional[0]
    assert chain.children[0].left.distance == 2  # type: ignore[union-attr]
    assert chain.children[0].distance == 3  # type: ignore[union-attr]


def test_join_sides_parse_at_the_top_and_plan_their_kinds() -> None:
    tree = parse_query('said:("no limits") pictured:(putin xi) source:AP')
    sides = [n for n in tree.optional if isinstance(n, Side)]
    assert [s.name for s in sides] == ["said", "pictured"]
    plan = join_plan(tree)
    assert plan is not None and [side.name for side in plan.sides] == ["said", "pictured"]
    assert plan.sides[0].kinds == SAID_KINDS and plan.sides[1].kinds == ("caption",)
    said = plan.sides[0].restricted()
    kinds = said.required[0]
    assert isinstance(kinds, AnyOf) and {w.text for w in kinds.children} == set(SAID_KINDS)  # type: ignore[union-attr]
    assert Word("AP", "source", 46, 48) in said.required
    # pictured: words also look in the credit
    pictured = plan.sides[1].query
    assert AnyOf((Word("putin", None, 29, 34), Word("putin", "credit"))) in pictured.optional
    assert join_plan(parse_query("putin xi")) is None


def test_quote_documents_are_said_once_the_model_has_them() -> None:
    assert "paragraph" in SAID_KINDS and "note" in SAID_KINDS and "caption" not in SAID_KINDS


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("said:()", r"said:\(\) has nothing to look for"),
        ("said:(", "said:"),
        ("said:(putin", r"said:\( is never closed"),
        ("pictured:(-xi)", "nothing to look for"),
        ("putin NEAR/0 xi", "NEAR/0: the distance must be at least 1"),
        ("putin NEAR/100000 xi", f"at most {MAX_NEAR} words"),
        ("putin NEAR/" + "9" * 5000 + " xi", f"at most {MAX_NEAR} words"),
        ("putin NEAR xi", "write the distance in words as NEAR/5"),
        ("putin NEAR/x xi", "write the distance in words as NEAR/5"),
        ('"putin"~5', "needs two or more words"),
        ('"putin xi"~', "write how many words may come between"),
        ('"putin xi"~0', "at least 1"),
        ('"putin xi"~500', f"at most {MAX_NEAR} words"),
        ("putin SENTENCE", "SENTENCE needs a word on both sides"),
        ("SENTENCE putin", "SENTENCE needs a word on both sides"),
        ("putin NEAR/5", "NEAR/5 needs a word on both sides"),
        ("said:(pictured:(xi))", "a join cannot be nested"),
        ("said:(putin) said:(xi)", "two said:"),
        ("said:(putin) xi", "move the words inside one of them"),
        ("said:(putin) kind:caption", "move the kind: inside"),
        ("putin OR said:(xi)", "go at the top of the query"),
        ("-said:(xi) putin", "cannot be excluded"),
        ("(putin AND xi) NEAR/3 china", "not AND, NOT"),
        ("-putin NEAR/3 china", "not AND, NOT"),
        ("headline:putin NEAR/3 china", "works on the text"),
        ("said:(x) NEAR/3 china", "cannot join said:"),
        ('headline:"putin xi"~3', "works on the text"),
    ],
)
def test_bad_proximity_and_join_queries_say_what_to_change(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(query)


_PIECES = st.sampled_from(
    [
        "putin",
        "xi",
        '"belt and road"',
        '"putin xi"~',
        "~",
        "~5",
        "NEAR/",
        "NEAR/3",
        "NEAR/0",
        "NEAR/99",
        "SENTENCE",
        "said:",
        "pictured:",
        "said:(",
        "pictured:(",
        "(",
        ")",
        '"',
        "AND",
        "OR",
        "NOT",
        "-",
        "+",
        "kind:caption",
        "source:AP",
        "*",
        "9",
        "published:2023",
        " ",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=12), st.booleans())
def test_fuzzed_new_syntax_parses_or_raises_query_error(pieces: list[str], spaced: bool) -> None:
    text = (" " if spaced else "").join(pieces)
    try:
        tree = parse_query(text)
    except QueryError as e:
        assert str(e) and "\n" not in str(e)
    else:
        join_plan(tree)
