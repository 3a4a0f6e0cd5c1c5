"""Match spans through the analyzer (stems, accents, phrases), seen in the snippets they make."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.engine.whoosh.highlight import analysed_tokens, match_spans
from indexer.engine.whoosh.schema import name_analyzer, news_analyzer
from indexer.snippets import ELLIPSIS, SNIPPET_CHARS, make_snippet

ANALYZER = news_analyzer()


def snippet(
    text: str, terms: set[str], phrases: tuple[tuple[str, ...], ...] = (), **kw: bool
) -> str:
    return make_snippet(text, match_spans(text, ANALYZER, frozenset(terms), phrases), **kw)


def plain(html_snippet: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", html_snippet))


def test_stems_mark_every_inflection() -> None:
    out = snippet("She visited, visits and was visiting.", {"visit"})
    assert re.findall(r"<mark>(.*?)</mark>", out) == ["visited", "visits", "visiting"]


def test_markup_in_the_document_is_escaped() -> None:
    text = 'Say <script>alert("x")</script> & <b>bold</b> things'
    out = snippet(text, {"bold"})
    assert out == (
        "Say &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
        "&lt;b&gt;<mark>bold</mark>&lt;/b&gt; things"
    )


def test_phrase_is_one_mark_only_where_in_order() -> None:
    text = "The Belt and Road Forum; a road and a belt."
    out = snippet(text, set(), (("belt", "road"),))
    assert re.findall(r"<mark>(.*?)</mark>", out) == ["Belt and Road"]


def test_accents_and_case_fold() -> None:
    assert "<mark>António</mark>" in snippet("Secretary-General António Guterres", {"antonio"})


def test_long_text_is_cut_at_words_around_the_match() -> None:
    words = [f"word{i}" for i in range(200)]
    words[120] = "needle"
    text = " ".join(words)
    out = snippet(text, {"needl"})
    assert out.startswith(ELLIPSIS) and out.endswith(ELLIPSIS)
    inner = plain(out)[1:-1]
    assert len(inner) <= SNIPPET_CHARS and f" {inner} " in f" {text} "
    assert "<mark>needle</mark>" in out


def test_whole_or_short_text_is_not_cut() -> None:
    long_caption = "A caption " * 60 + "with a match"
    assert ELLIPSIS not in snippet(long_caption, {"match"}, whole=True)
    assert snippet("Short text", {"short"}) == "<mark>Short</mark> text"


def test_no_match_shows_the_beginning() -> None:
    text = "First words here. " * 40
    out = snippet(text, set())
    assert out.startswith("First words") and out.endswith(ELLIPSIS)


_TOKEN_TEXT = st.lists(
    st.sampled_from(
        list("aeiouxyzAEU .,;'-\u00e1\u00e9\u00f1\u00fc1234\n")
        + ["the ", "of ", "U.S. ", "visiting ", "Ant\u00f3nio "]
    ),
    max_size=120,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=_TOKEN_TEXT)
def test_remembered_word_analysis_equals_the_analyzer(text: str) -> None:
    """Spans analyse each distinct word once (highlight.analysed_tokens); the tokens, positions and
    character offsets must be the analyzer's own for every text."""
    for analyzer in (news_analyzer(), name_analyzer()):
        expected = [
            (t.text, t.pos, t.startchar, t.endchar)
            for t in analyzer(text, positions=True, chars=True, mode="index")
        ]
        assert analysed_tokens(text, analyzer) == expected
        assert analysed_tokens(text, analyzer) == expected  # and again, from the cache


def test_an_analyzer_of_another_shape_is_run_as_it_is() -> None:
    from whoosh.analysis import NgramFilter

    analyzer = news_analyzer() | NgramFilter(2, 3)
    text = "Visiting the harbour"
    expected = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in analyzer(text, positions=True, chars=True, mode="index")
    ]
    assert expected and analysed_tokens(text, analyzer) == expected
