"""Plain-text articles: a news page dumped as text, or the BBC corpus form.

The layout we read: the headline first (a page dump often repeats it), photo captions as lines
ending in a parenthesised credit, body paragraphs (one a line, or blocks separated by blank
lines), and after a ``___`` line, notes such as "… contributed to this report."
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from ..errors import ParseError
from ..model import Article, Caption, clean_text

__all__ = ["parse_text", "decode_text", "caption_date", "split_credit", "split_dateline"]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_DATE_RE = re.compile(
    r"\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b"
)
# A credit names a photographer or an agency: "(AP Photo/Ng Han Guan)", "(Parker Song/Pool Photo
# via AP)", "(Getty Images)". Requiring one of these words keeps "(AP)" and ordinary asides out.
_CREDIT_WORDS = re.compile(
    r"photo|/|\bvia\b|getty|images|\bafp\b|reuters|\bpool\b|courtesy|\bfile\b|shutterstock|epa",
    re.IGNORECASE,
)
_TRAILING_PARENS = re.compile(r"^(?P<text>.*\S)\s*\((?P<credit>[^()]{2,120})\)\s*$", re.DOTALL)
_DATELINE_RE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'\-]+(?:,\s*[A-Z][\w .'\-]*)?)\s*"
    r"\((?P<source>AP|Reuters|AFP|UPI|dpa|Bloomberg)\)\s*[—–-]+\s*"
)
_RULE_RE = re.compile(r"^\s*_{3,}\s*$")
_TERMINAL = (".", "!", "?", '"', "”", "’", "'", ":", ")", "]")

#: Larger text files are refused rather than read whole into memory.
MAX_TEXT_BYTES = 32 * 1024 * 1024


def decode_text(data: bytes, source: str) -> str:
    """Decode text bytes: UTF-8 when valid, else cp1252 (which also covers latin-1 text such as
    the BBC corpus's one odd file). Binary data is refused, not indexed as mojibake."""
    if not data.strip():
        raise ParseError(source, "empty file")
    if b"\x00" in data[:8192]:
        raise ParseError(source, "binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > 8 or text.count("\ufffd") > max(8, len(text) // 100):
        raise ParseError(source, "binary or undecodable content, not text")
    return text


def caption_date(text: str) -> date | None:
    """The photo date written in a caption (``Tuesday, Oct. 17, 2023``), if there is one."""
    for match in _DATE_RE.finditer(text):
        month = _MONTHS[match.group(1).lower()]
        try:
            return date(int(match.group(3)), month, int(match.group(2)))
        except ValueError:
            continue
    return None


def split_credit(line: str) -> tuple[str, str] | None:
    """``(caption text, credit)`` when the line ends in a parenthesised photo credit."""
    match = _TRAILING_PARENS.match(line)
    if not match or not _CREDIT_WORDS.search(match.group("credit")):
        return None
    return match.group("text").strip(), match.group("credit").strip()


def split_dateline(paragraph: str) -> tuple[str, str] | None:
    """``(dateline, source)`` from a wire-style opening such as ``TAIPEI, Taiwan (AP) —``."""
    match = _DATELINE_RE.match(paragraph)
    if not match:
        return None
    return clean_text(match.group("place")).rstrip(","), match.group("source")


def _paragraph_lines(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines: a line continues the previous one when that one did not end a
    sentence and this one starts in lower case. Blank lines always end a paragraph."""
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            if current:
                paragraphs.append(clean_text(" ".join(current)))
                current = []
            continue
        if current and not current[-1].endswith(_TERMINAL) and line[:1].islower():
            current.append(line)
            continue
        if current:
            paragraphs.append(clean_text(" ".join(current)))
        current = [line]
    if current:
        paragraphs.append(clean_text(" ".join(current)))
    return paragraphs


def parse_text(data: bytes, source: str) -> Article:
    """Parse one plain-text article; ``ParseError`` names the file when there is none in it."""
    text = decode_text(data, source)
    lines = text.splitlines()
    notes_at = next((i for i, line in enumerate(lines) if _RULE_RE.match(line)), None)
    body_lines = lines if notes_at is None else lines[:notes_at]
    note_lines = [] if notes_at is None else lines[notes_at + 1 :]

    blocks = _paragraph_lines(body_lines)
    if not blocks:
        raise ParseError(source, "no text found")
    headline = blocks[0]
    rest = blocks[1:]
    while rest and rest[0] == headline:
        rest = rest[1:]

    captions: dict[str, Caption] = {}
    paragraphs: list[str] = []
    for block in rest:
        credited = split_credit(block)
        if credited is None:
            paragraphs.append(block)
            continue
        prev = captions.get(block)
        if prev is not None:
            captions[block] = Caption(prev.text, prev.credit, prev.date, prev.occurrences + 1)
        else:
            captions[block] = Caption(credited[0], credited[1], caption_date(credited[0]))

    dateline = source_name = None
    if paragraphs:
        found = split_dateline(paragraphs[0])
        if found:
            dateline, source_name = found

    photo_dates = [c.date for c in captions.values() if c.date is not None]
    published = datetime.combine(max(photo_dates), time(0, 0), tzinfo=UTC) if photo_dates else None
    para_tuple = tuple(paragraphs)
    return Article(
        id=Article.derive_id(
            url=None,
            headline=headline,
            published=published,
            source=source_name,
            paragraphs=para_tuple,
        ),
        headline=headline,
        paragraphs=para_tuple,
        captions=tuple(captions.values()),
        notes=tuple(_paragraph_lines(note_lines)),
        published=published,
        source=source_name,
        dateline=dateline,
    )
