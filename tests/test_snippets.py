"""Snippets from text and spans: the one place HTML with ``<mark>`` is made, for every engine."""

from __future__ import annotations

import html

from indexer.snippets import (
    ELLIPSIS,
    SNIPPET_CHARS,
    WHOLE_CAPTION_CHARS,
    hit_snippet,
    make_snippet,
    mark_text,
)


def test_text_is_escaped_and_spans_marked() -> None:
    text = 'Say <b>"bold"</b> & more'
    start = text.index("bold")
    assert make_snippet(text, [(start, start + 4)]) == (
        "Say &lt;b&gt;&quot;<mark>bold</mark>&quot;&lt;/b&gt; &amp; more"
    )


def test_a_long_text_is_cut_at_spaces_around_its_matches() -> None:
    words = [f"word{i}" for i in range(200)]
    text = " ".join(words)
    start = text.index("word120")
    out = make_snippet(text, [(start, start + 7)])
    assert out.startswith(ELLIPSIS) and out.endswith(ELLIPSIS)
    inner = html.unescape(out.replace("<mark>", "").replace("</mark>", ""))[1:-1]
    assert len(inner) <= SNIPPET_CHARS and f" {inner} " in f" {text} "
    assert "<mark>word120</mark>" in out


def test_headlines_and_short_captions_are_shown_whole() -> None:
    caption = "A caption " * 50
    assert len(caption) <= WHOLE_CAPTION_CHARS
    assert ELLIPSIS not in hit_snippet("caption", caption, [(2, 9)])
    assert ELLIPSIS not in hit_snippet("headline", caption * 2, [])
    assert hit_snippet("paragraph", caption, []).endswith(ELLIPSIS)
    assert hit_snippet("caption", caption * 2, []).endswith(ELLIPSIS)


def test_a_whole_text_is_marked_to_its_end() -> None:
    text = "ox & ox " * 100 + "<end>"
    spans = [(i, i + 2) for i in range(0, 800, 8)] + [(i + 5, i + 7) for i in range(0, 800, 8)]
    marked = mark_text(text, sorted(spans))
    assert marked.count("<mark>ox</mark>") == 200
    assert marked.endswith(" &lt;end&gt;") and ELLIPSIS not in marked
    assert mark_text(text, []) == html.escape(text)
