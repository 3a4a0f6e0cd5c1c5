"""The plain-text parser: the seed page dump and the BBC corpus form."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from indexer.errors import ParseError
from indexer.ingest.text import caption_date, parse_text, split_credit, split_dateline

from ..conftest import SEED, shared_path


@pytest.fixture(scope="module")
def seed():
    return parse_text(SEED.read_bytes(), str(SEED))


def test_seed_counts(seed):
    assert seed.headline == (
        "Putin begins visit in China underscoring ties amid Ukraine war and "
        "Israeli-Palestinian conflict"
    )
    assert len(seed.paragraphs) == 24
    assert len(seed.captions) == 18
    assert sum(c.occurrences for c in seed.captions) == 59
    assert seed.notes == (
        "Associated Press writer Jim Heintz in Tallinn, Estonia, contributed to this report.",
    )


def test_seed_dateline_source_and_date(seed):
    assert seed.dateline == "TAIPEI, Taiwan"
    assert seed.source == "AP"
    # no date in the text: the latest photo date of the captions
    assert seed.published == datetime(2023, 10, 17, tzinfo=UTC)
    assert seed.paragraphs[0].startswith("TAIPEI, Taiwan (AP) — Russian President Vladimir Putin")
    assert seed.paragraphs[-1].startswith("Xi visited Moscow in March")


def test_seed_captions(seed):
    first = seed.captions[0]
    assert first.text == (
        "Russian President Vladimir Putin, left, and Chinese President Xi Jinping talk during "
        "their meeting on the sidelines of the Belt and Road Forum in Beijing, China, on "
        "Tuesday, Oct. 17, 2023."
    )
    assert first.credit == "Sergey Savostyanov, Sputnik, Kremlin Pool Photo via AP"
    assert first.date == date(2023, 10, 17)
    assert first.occurrences == 9
    flag = [c for c in seed.captions if c.text.startswith("The Russian flag")]
    assert len(flag) == 1
    assert flag[0].credit == "AP Photo/Ng Han Guan"
    assert flag[0].date == date(2023, 10, 16)
    assert flag[0].occurrences == 3
    credits = {c.credit for c in seed.captions}
    assert credits == {
        "Sergey Savostyanov, Sputnik, Kremlin Pool Photo via AP",
        "Parker Song/Pool Photo via AP",
        "AP Photo/Ng Han Guan",
        "Jade Gao/Pool Photo via AP",
    }
    assert all(c.credit not in c.text for c in seed.captions)


def test_seed_id_is_stable(seed):
    again = parse_text(SEED.read_bytes(), "elsewhere.txt")
    assert again.id == seed.id
    assert len(seed.id) == 16


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in Beijing, Tuesday, Oct. 17, 2023.", date(2023, 10, 17)),
        ("Monday, Sept. 4, 2023", date(2023, 9, 4)),
        ("on March 3, 2021, in Kyiv", date(2021, 3, 3)),
        ("on Feb. 30, 2021", None),
        ("no date here", None),
    ],
)
def test_caption_date(text, expected):
    assert caption_date(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("A man waves. (AP Photo/Ng Han Guan)", ("A man waves.", "AP Photo/Ng Han Guan")),
        ("Smoke rises. (Getty Images)", ("Smoke rises.", "Getty Images")),
        ("He said it was over (for now).", None),
        ("WASHINGTON (AP) — A paragraph.", None),
    ],
)
def test_split_credit(line, expected):
    assert split_credit(line) == expected


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("TAIPEI, Taiwan (AP) — Russian President", ("TAIPEI, Taiwan", "AP")),
        ("WASHINGTON (AP) — The House", ("WASHINGTON", "AP")),
        ("NEW YORK (Reuters) - Stocks fell", ("NEW YORK", "Reuters")),
        ("The House voted (AP) on Tuesday", None),
    ],
)
def test_split_dateline(paragraph, expected):
    assert split_dateline(paragraph) == expected


def test_bbc_form():
    text = (
        b"Ad sales boost Time Warner profit\n\n"
        b"Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn.\n\n"
        b"The firm, which is now one of the biggest investors in Google, benefited.\n"
    )
    article = parse_text(text, "bbc/business/001.txt")
    assert article.headline == "Ad sales boost Time Warner profit"
    assert article.paragraphs == (
        "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn.",
        "The firm, which is now one of the biggest investors in Google, benefited.",
    )
    assert article.captions == ()
    assert article.published is None


def test_hard_wrapped_lines_join():
    text = b"Headline\n\nThe first paragraph is wrapped\nacross two lines.\n\nSecond one.\n"
    article = parse_text(text, "w.txt")
    assert article.paragraphs == (
        "The first paragraph is wrapped across two lines.",
        "Second one.",
    )


def test_cp1252_text_decodes():
    text = "Pound falls\n\nThe pound fell to \u00a3600m today.\n".encode("cp1252")
    assert parse_text(text, "sport.txt").paragraphs == ("The pound fell to \u00a3600m today.",)


def test_bbc_latin1_file_from_corpus():
    path = shared_path("data", "news", "bbc", "sport", "199.txt")
    article = parse_text(path.read_bytes(), str(path))
    assert any("\u00a3" in p for p in article.paragraphs)
    assert "\ufffd" not in " ".join(article.paragraphs)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"  \n\n ", "empty file"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (bytes(range(1, 32)) * 20, "binary"),
    ],
)
def test_bad_text_names_file(data, message):
    with pytest.raises(ParseError) as info:
        parse_text(data, "bad.txt")
    assert str(info.value).startswith("bad.txt: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)
