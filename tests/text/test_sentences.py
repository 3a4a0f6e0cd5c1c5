"""The sentence splitter behind ``a SENTENCE b``: abbreviations, initials and acronyms do not
end a sentence; a stop before a capital does."""

from __future__ import annotations

import pytest

from indexer.text.sentences import sentence_of, sentence_spans, sentence_starts


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Putin arrived on Tuesday, Oct. 17, 2023. Xi met him.",
            ["Putin arrived on Tuesday, Oct. 17, 2023.", "Xi met him."],
        ),
        (
            "Gen. Smith visited the U.S. Army base. It rained.",
            ["Gen. Smith visited the U.S. Army base.", "It rained."],
        ),
        (
            "George W. Bush and J. R. R. Tolkien met Mr. Xi. Then they left!",
            ["George W. Bush and J. R. R. Tolkien met Mr. Xi.", "Then they left!"],
        ),
        ('"Why?" he asked. "Because," Orban said.', ['"Why?" he asked.', '"Because," Orban said.']),
        (
            "“It is over.” Putin said so. Is it? Yes.",
            ["“It is over.”", "Putin said so.", "Is it?", "Yes."],
        ),
        (
            "Prices rose 3.5 percent. e.g. this stays.",
            ["Prices rose 3.5 percent. e.g. this stays."],
        ),
        ("", [""]),
    ],
)
def test_sentences_split_where_a_reader_would(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


def test_sentence_of_finds_the_sentence_holding_an_offset() -> None:
    text = "One two. Three four."
    starts = sentence_starts(text)
    assert [sentence_of(starts, text.index(w)) for w in ("two", "Three", "four")] == [0, 1, 1]
