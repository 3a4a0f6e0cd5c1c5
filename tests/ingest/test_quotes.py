"""Quotations and speakers found in paragraphs: each attribution form of news prose, pronouns,
quotes running over paragraphs, both kinds of marks, and what is not a quotation."""

from __future__ import annotations

import pytest

from indexer.ingest.quotes import MAX_QUOTE_TEXT, MAX_QUOTES, extract_quotes, speaker_key


def quotes(*paragraphs: str) -> list[tuple[str, str | None]]:
    found = extract_quotes(paragraphs)
    for q in found:
        # the offsets locate exactly the words the quote holds
        assert paragraphs[q.paragraph][q.start : q.end] == q.text
        assert q.speaker_key == (speaker_key(q.speaker) if q.speaker else None)
    return [(q.text, q.speaker) for q in found]


INTRO = "Russian President Vladimir Putin arrived in Beijing on Tuesday."


@pytest.mark.parametrize(
    "paragraph",
    [
        '"We see a desire for cooperation," Putin said.',
        "\u201cWe see a desire for cooperation,\u201d Putin said.",
        '"We see a desire for cooperation," said Putin.',
        'Putin told CCTV: "We see a desire for cooperation,"',
        "Putin told CCTV: \u201cWe see a desire for cooperation,\u201d",
        'Asked about the visit, Putin said, "We see a desire for cooperation,"',
    ],
)
def test_each_attribution_form_names_the_speaker_in_full(paragraph: str) -> None:
    assert quotes(INTRO, paragraph) == [("We see a desire for cooperation,", "Vladimir Putin")]


def test_said_name_with_a_title_after_it() -> None:
    text = (
        '"Russia is a safe neighbor," said Alexander Gabuev, director of the Carnegie Russia '
        "Eurasia Center."
    )
    assert quotes(text) == [("Russia is a safe neighbor,", "Alexander Gabuev")]


def test_a_title_before_the_name_is_not_part_of_it() -> None:
    text = '"The dollar is firm," Chase Bank AG\'s senior dealer Eckhart Hager said.'
    assert quotes(text) == [("The dollar is firm,", "Eckhart Hager")]


def test_a_pronoun_is_the_person_last_named_as_subject_or_speaker() -> None:
    assert quotes(
        "Alexander Gabuev, director of the Carnegie Russia Eurasia Center, spoke on Monday.",
        "Gabuev said that defense cooperation would grow.",
        '"Both countries are self-sufficient," he told The Associated Press.',
    ) == [("Both countries are self-sufficient,", "Alexander Gabuev")]
    # a later subject takes over: "she" is Zvonareva, not the last speaker
    assert quotes(
        '"I played some great tennis," said Amelie Mauresmo.',
        "Vera Zvonareva has lost both her games so far.",
        '"Sometimes not everything works," she said.',
    ) == [
        ("I played some great tennis,", "Amelie Mauresmo"),
        ("Sometimes not everything works,", "Vera Zvonareva"),
    ]


def test_a_quote_continued_over_paragraphs_keeps_its_speaker() -> None:
    found = quotes(
        '"For Russia, China is its lifeline," Gabuev told The Associated Press.',
        "\u201cIt\u2019s the major market for Russian commodities, and a source of imports.",
        "\u201cThat will not change soon.\u201d",
        "The two countries signed deals.",
    )
    assert found == [
        ("For Russia, China is its lifeline,", "Gabuev"),
        ("It\u2019s the major market for Russian commodities, and a source of imports.", "Gabuev"),
        ("That will not change soon.", "Gabuev"),
    ]


def test_a_quote_reopened_inside_one_paragraph_is_two_quotes_of_one_speaker() -> None:
    # sources that join paragraphs leave the opening mark of the next one in the text
    text = (
        'Mr Clarke said: "I will ask Parliament to renew it. "In the meantime, we will study '
        'the judgement."'
    )
    assert quotes("Home Secretary Charles Clarke spoke.", text) == [
        ("I will ask Parliament to renew it.", "Charles Clarke"),
        ("In the meantime, we will study the judgement.", "Charles Clarke"),
    ]


def test_a_name_beside_a_description_is_the_speaker() -> None:
    text = 'The board chairman, Sam Ruiz, said the plan would "cost far too much money."'
    assert quotes("Mayor Jane Holt spoke first.", text) == [
        ("cost far too much money.", "Sam Ruiz")
    ]


def test_a_fragment_inside_reported_speech_is_the_speakers() -> None:
    text = (
        "Putin said the talks would help efforts to \u201cachieve common development goals.\u201d"
    )
    assert quotes(INTRO, text) == [("achieve common development goals.", "Vladimir Putin")]


@pytest.mark.parametrize(
    "text",
    [
        "Putin and Xi signed an agreement pledging a \u201cno-limits\u201d relationship.",
        "Xi Jinping\u2019s signature \u201cBelt and Road\u201d initiative builds roads.",
        'The bill proposes "control orders" for suspects.',
        'Previously associated with "junk bond" experts, GAF said it would use banks.',
        '"Window-dressing" operations were undermining the currency.',
        "He said it was the prime minister's \"turf\" and nobody else's.",
    ],
)
def test_scare_quotes_and_names_in_quotation_marks_are_not_quotes(text: str) -> None:
    assert quotes(text) == []


def test_an_unnamed_speaker_is_nobody_and_stays_so_in_the_next_quote() -> None:
    assert quotes(
        "Analysts Jane Smith and John Doe were asked.",
        '"The Japanese are on their own," one dealer said. "It is hard to tell."',
    ) == [("The Japanese are on their own,", None), ("It is hard to tell.", None)]


def test_a_spokesperson_speaks_for_the_body_named() -> None:
    text = 'A spokeswoman for Human Rights Watch said: "A judge without a trial is no better."'
    assert quotes(text) == [("A judge without a trial is no better.", "Human Rights Watch")]


def test_speaker_key_groups_forms_of_one_name() -> None:
    assert speaker_key("Mr Blair") == speaker_key("Blair") == "blair"
    assert speaker_key("António Guterres") == "antonio guterres"
    assert speaker_key("K.K Wong") == "k k wong"
    assert speaker_key("Mr") == "mr"


def test_no_marks_no_quotes_and_unbalanced_marks_do_not_fail() -> None:
    assert quotes("Nothing was said here.") == []
    assert quotes('He said "', '"', '""') == []
    assert quotes("") == []


def test_a_hostile_article_is_read_within_the_limits() -> None:
    many = ['"Yes," said John Smith. ' * 700, '"No," said Jane Doe. ' * 700]
    found = extract_quotes(many)
    assert len(found) == MAX_QUOTES
    assert {q.speaker for q in found} == {"John Smith", "Jane Doe"}
    huge = ["x " * (MAX_QUOTE_TEXT // 2), '"Too late," said John Smith.']
    assert extract_quotes(huge) == ()
