"""The visible byline line: "By Jane Doe | Nov. 20, 2019, 9:28 AM UTC" and its like.

Pages print who wrote the story and when in a short line above (or below) the body. It is not
body text, and it is the last place a publication date can be read from when the page states
it nowhere else, so recognising it serves both the body selection and the date reading.
"""

from __future__ import annotations

import re

__all__ = ["is_byline_line", "BYLINE_MAX_CHARS"]

#: Longer than this, a line is prose, whatever it starts with.
BYLINE_MAX_CHARS = 200

# English, French, German, Spanish/Portuguese, Dutch, Italian, Czech: the papers we read.
_BY = r"(?:by|par|von|por|door|di|autor|napsal)"
_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|janvier|février|mars|avril|mai|"
    r"juin|juillet|août|septembre|octobre|novembre|décembre|januar|februar|märz|juni|juli|"
    r"oktober|dezember)[a-zé]*\.?"
)
_DATE = re.compile(
    rf"(?:\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?"
    rf"|\b\d{{1,2}}(?:er)?\.?\s+{_MONTH}(?:\s+\d{{4}})?"
    r"|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b)",
    re.I,
)
_TIME = re.compile(r"\b\d{1,2}(?::\d{2}\s*(?:[ap]\.?m\.?)?|h\d{2}|\s*[ap]\.?m\.?)(?=\W|$)", re.I)
_STAMP_WORD = re.compile(
    r"\b(?:published|updated|posted|modified|last updated|mis à jour|publié|aktualisiert|"
    r"veröffentlicht|actualizado|atualizado|publicado|utc|gmt|[ecmp][sd]t|bst|cet)\b",
    re.I,
)
_BY_START = re.compile(rf"^{_BY}\s+\S", re.I)
_BY_ANYWHERE = re.compile(rf"(?:^|[|•·/,]\s*){_BY}\s+[A-ZÀ-Ý]", re.I)
_SENTENCE_END = re.compile(r"[a-z]{3,}[.!?]['\"”’]?$")


def is_byline_line(text: str) -> bool:
    """Whether ``text`` (one block of the page) is a byline or date line rather than prose.

    A short line that states a date together with a time, a "published/updated" word or an
    author ("By ..."), or a short "By Name" line that does not read as a sentence.
    """
    if not text or len(text) > BYLINE_MAX_CHARS:
        return False
    if _SENTENCE_END.search(text) and len(text) > 60:
        return False
    if _DATE.search(text):
        # a bare date ("Feb. 21, 2019") is left alone: pages print it inside stories too
        return bool(_TIME.search(text) or _STAMP_WORD.search(text) or _BY_ANYWHERE.search(text))
    if _STAMP_WORD.search(text) and _TIME.search(text):
        return True
    return bool(_BY_START.search(text)) and len(text) <= 80 and not _SENTENCE_END.search(text)
