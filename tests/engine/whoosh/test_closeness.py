"""Proximity against a brute force: on random texts, every hit set of "a b"~N, a NEAR/N b and
a SENTENCE b (words, phrases and groups as sides) is exactly the one a naive matcher finds,
and snippets mark the words that made the match, not every occurrence of them."""

from __future__ import annotations

import random
import re
from itertools import product
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import NewsIndex, QueryError, article_from_json, delete_articles, index_articles
from indexer.engine.whoosh import match as match_module
from indexer.engine.whoosh import writer as store
from indexer.engine.whoosh.arrays.clause_scores import array_clauses
from indexer.engine.whoosh.compile import compile_query
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.ranking import DEFAULT
from indexer.engine.whoosh.schema import news_analyzer
from indexer.engine.whoosh.search import find_hits
from indexer.params import make_params
from indexer.query.parser import parse_query
from indexer.text.sentences import sentence_of, sentence_starts

_VOCAB = ["putin", "xi", "china", "road", "belt", "trade", "talks", "gabuev", "moscow"]
_FILLERS = ["the", "and", "Gen. Smith", "Oct. 17", "U.S.", "J. Doe"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_VOCAB + _FILLERS) for _ in range(rng.randint(2, 9))]
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words) + rng.choice([".", ".", "!", "?"])


def _corpus() -> list[str]:
    rng = random.Random(14)
    return [" ".join(_sentence(rng) for _ in range(rng.randint(1, 4))) for _ in range(90)]


TEXTS = _corpus()


#: Articles deleted after indexing: positions come from each segment's postings, deleted ones
#: left out
DELETED = {"a004", "a031", "a077"}


@pytest.fixture(scope="module")
def random_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The texts in several segments (batches of 20 kept apart), three articles deleted."""
    path = tmp_path_factory.mktemp("near") / "ix"
    articles = [
        article_from_json({"id": f"a{i:03d}", "paragraphs": [text]}) for i, text in enumerate(TEXTS)
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "MERGE_BELOW_DOCS", 0)
        index_articles(path, articles, batch_articles=20)
        delete_articles(path, sorted(DELETED))
    with WhooshEngine(path) as engine, engine.searcher() as searcher:
        assert len(list(searcher.leaf_searchers())) > 1
    return path


# -- the brute force: every choice of positions, tried one by one ---------------------------------

_ANALYZER = news_analyzer()


def _tokens(text: str) -> list[tuple[str, int]]:
    """(term, sentence number) per kept word, straight from the analyzer."""
    starts = sentence_starts(text)
    return [
        (t.text, sentence_of(starts, t.startchar))
        for t in _ANALYZER(text, positions=True, chars=True)
    ]


def _term(word: str) -> str:
    return next(t.text for t in _ANALYZER(word))


def _places(operand: tuple[str, ...], tokens: list[tuple[str, int]]) -> list[tuple[int, ...]]:
    """Index tuples where an operand occurs: a word, a phrase ("a b": two in a row) or a
    group of alternatives ("a|b")."""
    kind, *words = operand
    terms = [_term(w) for w in words]
    n = len(tokens)
    if kind == "word":
        return [(i,) for i in range(n) if tokens[i][0] == terms[0]]
    if kind == "phrase":
        return [(i, i + 1) for i in range(n - 1) if [tokens[i][0], tokens[i + 1][0]] == terms]
    return [(i,) for i in range(n) if tokens[i][0] in terms]


def _brute(op: str, a: tuple[str, ...], b: tuple[str, ...], n: int, text: str) -> bool:
    tokens = _tokens(text)
    if op == "sloppy":
        words = [_term(w) for w in a[1:] + b[1:]]
        positions = [[i for i, t in enumerate(tokens) if t[0] == w] for w in words]
        return any(
            len(set(choice)) == len(choice) and max(choice) - min(choice) <= len(words) - 1 + n
            for choice in product(*positions)
        )
    for x, y in product(_places(a, tokens), _places(b, tokens)):
        lo, hi = (x, y) if max(x) < min(y) else (y, x)
        if max(lo) >= min(hi):
            continue  # they overlap
        if op == "near" and min(hi) - max(lo) - 1 <= n:
            return True
        if op == "sentence" and len({tokens[i][1] for i in x + y}) == 1:
            return True
    return False


def _typed(operand: tuple[str, ...]) -> str:
    kind, *words = operand
    if kind == "word":
        return words[0]
    if kind == "phrase":
        return f'"{words[0]} {words[1]}"'
    return f"({words[0]} OR {words[1]})"


def _query(op: str, a: tuple[str, ...], b: tuple[str, ...], n: int) -> str:
    if op == "sloppy":
        return '"' + " ".join(a[1:] + b[1:]) + f'"~{n}'
    return f"{_typed(a)} {'NEAR/' + str(n) if op == 'near' else 'SENTENCE'} {_typed(b)}"


_WORD = st.sampled_from(_VOCAB)
_OPERAND = st.one_of(
    st.tuples(st.just("word"), _WORD),
    st.tuples(st.just("phrase"), _WORD, _WORD),
    st.tuples(st.just("group"), _WORD, _WORD),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    op=st.sampled_from(["sloppy", "near", "sentence"]),
    a=_OPERAND,
    b=_OPERAND,
    n=st.integers(1, 6),
)
def test_each_operator_finds_exactly_what_the_brute_force_finds(
    random_index: Path, op: str, a: tuple[str, ...], b: tuple[str, ...], n: int
) -> None:
    if op == "sloppy":
        a, b = ("word", a[1]), ("word", b[1])
    query = _query(op, a, b, n)
    expected = {f"a{i:03d}" for i, text in enumerate(TEXTS) if _brute(op, a, b, n, text)}
    expected -= DELETED
    with NewsIndex(random_index) as ix:
        found = ix.search(query, per_page=100)
    assert {r.article_id for r in found.results} == expected, query
    assert found.total_hits == found.total_articles == len(expected)
    assert sum(found.facets.get("kind", {}).values()) == len(expected)


def _marked(snippet: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", snippet)


@pytest.fixture
def near_index(tmp_path: Path) -> Path:
    path = tmp_path / "ix"
    paragraphs = [
        "Putin spoke first. Many hours later and far away Xi answered the reporters at length, "
        "and Putin nodded to Xi.",
        "Xi spoke. Then came a long speech by Putin.",
    ]
    index_articles(path, [article_from_json({"id": "n1", "paragraphs": paragraphs})])
    return path


def test_snippets_mark_the_words_that_made_the_match(near_index: Path) -> None:
    with NewsIndex(near_index) as ix:
        (hit,) = ix.search("putin NEAR/2 xi").results[0].hits
        # the first Putin and the first Xi are too far apart: only the pair that matched
        assert hit.snippet.count("<mark>") == 2
        assert hit.snippet.index("<mark>Putin</mark> nodded to <mark>Xi</mark>") > 0
        sentence = ix.search("putin SENTENCE xi")
        assert sentence.total_hits == 1  # the second paragraph has them in two sentences
        (hit,) = sentence.results[0].hits
        assert _marked(hit.snippet) == ["Xi", "Putin", "Xi"]
        assert ix.highlight(
            ["Xi spoke. Then Putin left the room. Putin and Xi."], '"putin xi"~1'
        ) == ["Xi spoke. Then Putin left the room. <mark>Putin</mark> and <mark>Xi</mark>."]


_FUZZ = st.sampled_from(
    ["putin", "xi", "the", "china*", "chna~", '"belt road"', '"xi putin"~2', "NEAR/2",
     "NEAR/9", "SENTENCE", "(", ")", "OR", "AND", "-", "said:(", "pictured:(", "kind:note"]
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_FUZZ, min_size=1, max_size=8))
def test_fuzzed_proximity_searches_answer_or_raise_query_error(
    random_index: Path, pieces: list[str]
) -> None:
    with NewsIndex(random_index) as ix:
        try:
            found = ix.search(" ".join(pieces))
        except QueryError as e:
            assert str(e) and "\n" not in str(e)
        else:
            assert found.total_hits >= found.total_articles


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("the NEAR/3 putin", "'the' is too common to search near"),
        ("putin SENTENCE (the OR of)", "too common"),
        ('"the putin"~2', "fewer than two of its words are searched"),
        ('"putin xi china russia trade road belt forum moscow"~3', "at most 8 words"),
    ],
)
def test_sides_the_index_cannot_search_are_refused(
    near_index: Path, query: str, message: str
) -> None:
    with NewsIndex(near_index) as ix, pytest.raises(QueryError, match=message):
        ix.search(query)


ARRAY_QUERIES = [
    "putin NEAR/3 xi",
    '"putin xi china"~2',
    '"belt road" NEAR/4 china',
    "putin NEAR/2 xi NEAR/3 trade",
    "putin NEAR/3 xi moscow",
    "(putin OR xi) NEAR/3 china",  # a group: Whoosh's OR tree, so the general path
    "putin SENTENCE xi",
]


@pytest.mark.parametrize("query", ARRAY_QUERIES)
def test_the_array_path_scores_proximity_as_the_matcher_path_does(
    random_index: Path, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    """Words and phrases under NEAR/~N/SENTENCE are scored over whole arrays (not document by
    document), to the last bit of the matchers' scores."""
    with WhooshEngine(random_index) as engine, engine.searcher() as searcher:
        compiled = compile_query(parse_query(query), searcher)
        arrays = array_clauses(compiled.clauses)
        assert (arrays is None) == query.startswith("(")
        fast = find_hits(searcher, compiled, make_params(query), DEFAULT).pairs()
        monkeypatch.setattr(match_module, "array_clauses", lambda clauses: None)
        general = find_hits(searcher, compiled, make_params(query), DEFAULT).pairs()
    assert fast and fast == general
