"""Direct quotations and their speakers, found in an article's paragraphs.

News prose marks speech in a few fixed ways (``"...," Putin said``, ``"...," said Alexander
Gabuev, director of ...``, ``Putin told CCTV: "..."``, ``"...," he told The Associated Press``,
a quote continued over paragraphs by an opening mark without a closing one). Those forms are
regular enough for rules, and rules keep ingest fast and explainable; ``python -m
benchmarks.quotes`` measures them against a hand-labelled set. Words in quotation marks that no
one is said to have said (``the "no-limits" relationship``, ``the "Belt and Road" initiative``)
are scare quotes or names, not quotations. Engine-neutral: the engines only store the result.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import Quote
from .speakers import NameBook, describe_subject, name_runs

__all__ = ["MAX_QUOTES", "MAX_QUOTE_TEXT", "QUOTE_RULES", "Quote", "extract_quotes", "speaker_key"]

#: Changes whenever the rules find different quotations, so that the content hash of every
#: article changes and a re-index writes its quote documents anew (and only then).
QUOTE_RULES = 1


_OPEN = "\u201c"
_CLOSE = "\u201d"
_VERBS = (
    "said|says|say|told|tells|added|adds|adding|saying|stated|states|noted|notes|commented|"
    "explained|declared|warned|insisted|argued|agreed|replied|wrote|writes|continued|"
    "concluded|admitted|acknowledged|announced|confirmed|calls|called|branded|described|"
    "maintained|urged|asked|insists|warns|explains|claimed|claiming"
)
_VERB = re.compile(rf"\b(?:{_VERBS})\b")
_SENTENCE_END = re.compile(r"[.?!][\"\u201d\u2019']*\s+(?=[\"\u201c(]?[A-Z0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Jr|Sr|Inc|Co|Corp|Ltd|No"
    r"|Oct|Nov|Dec|Jan|Feb|Mar|Apr|Aug|Sep|Sept)|\b[A-Z]|\b[A-Z]\.[A-Z])\.$"
)
_WORD = re.compile(r"[\w'\u2019-]+")


@dataclass
class _Segment:
    paragraph: int
    start: int
    end: int
    open_at: int
    close_at: int | None  # index of the closing mark, None when the quote runs on


def _mark_role(text: str, i: int) -> str:
    """ "open", "close" or "either" for the quotation mark at ``text[i]``."""
    ch = text[i]
    if ch == _OPEN:
        return "open"
    if ch == _CLOSE:
        return "close"
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    opens = (before.isspace() or before in "([\u2014-/") and not after.isspace()
    closes = not before.isspace() and (after.isspace() or after in ".,;:!?)]\u2014-")
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    return "either"


def _segments(index: int, text: str) -> list[_Segment]:
    """The quoted stretches of one paragraph. A quote left open at its end continues in the
    next paragraph only when that one opens with a mark again (the newspaper convention), so
    the continuation is found like any other quote; its speaker is the one who spoke last."""
    found: list[_Segment] = []
    start: int | None = None
    open_at = 0
    for m in re.finditer(r"[\"\u201c\u201d]", text):
        i = m.start()
        role = _mark_role(text, i)
        if start is None and role in ("open", "either"):
            start, open_at = i + 1, i
        elif start is not None and role == "open" and text[start:i].strip():
            # an opening mark inside an open quote: the quote ran on into a new paragraph
            # that the source joined to this one
            found.append(_Segment(index, start, i, open_at, None))
            start, open_at = i + 1, i
        elif start is not None and role in ("close", "either"):
            found.append(_Segment(index, start, i, open_at, i))
            start = None
    if start is not None:
        found.append(_Segment(index, start, len(text), open_at, None))
    return found


def _masked(text: str, segments: Sequence[_Segment]) -> str:
    """``text`` with quoted words blanked (kept: the marks and a final stop), so sentence
    boundaries and attribution verbs are looked for in the reporter's words only."""
    pieces = []
    pos = 0
    for seg in segments:
        last = seg.end
        while last > seg.start and text[last - 1] in " .?!,":
            last -= 1
        pieces.append(text[pos : seg.start])
        pieces.append(_NON_SPACE.sub("x", text[seg.start : last]))
        pos = max(pos, last)
    pieces.append(text[pos:])
    return "".join(pieces)


_NON_SPACE = re.compile(r"\S")


#: How far from a quote its attribution is looked for: attributions are next to their quote,
#: and bounding the look keeps a paragraph of thousands of quotes linear to read.
WINDOW = 400


class _Sentences:
    """The sentence boundaries of one (masked) paragraph, found once."""

    def __init__(self, masked: str) -> None:
        self.ends = [
            m.end()
            for m in _SENTENCE_END.finditer(masked)
            if not _ABBREV.search(masked[max(0, m.start() - 6) : m.start() + 1])
        ]
        self.length = len(masked)

    def around(self, pos: int) -> tuple[int, int]:
        """Start and end of the sentence around ``pos``, at most WINDOW characters away."""
        k = bisect.bisect_right(self.ends, pos)
        start = self.ends[k - 1] if k else 0
        end = self.ends[k] if k < len(self.ends) else self.length
        return max(start, pos - WINDOW), min(end, pos + 2 * WINDOW)


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _within_limit(paragraphs: Sequence[str]) -> list[str]:
    """The paragraphs up to MAX_QUOTE_TEXT characters in all (the last one cut there)."""
    out: list[str] = []
    room = MAX_QUOTE_TEXT
    for text in paragraphs:
        if room <= 0:
            break
        out.append(text[:room])
        room -= len(text)
    return out


#: (offset, "subject" | "body" | "speaker" | "role", name): who the text names, in order
_Event = tuple[int, str, str | None]


@dataclass
class _Context:
    """What the paragraphs so far say about who is speaking."""

    book: NameBook
    last_speaker: str | None = None
    last_speaker_paragraph: int = -10
    last_subject: str | None = None
    last_subject_at: tuple[int, int] = (-1, -1)
    last_speaker_at: tuple[int, int] = (-1, -1)
    paragraph: int = 0
    last_body: str | None = None  # the company or institution last named ("it")
    last_spokes: str | None = None  # the body a spokesperson last spoke for ("the spokesman")
    seen_at: tuple[int, int] = (-1, -1)  # how far the events of the text are taken in
    sentences: _Sentences = field(default_factory=lambda: _Sentences(""))
    events: list[_Event] = field(default_factory=list)  # the paragraph's, in order
    next_event: int = 0

    def latest_person(self) -> str | None:
        """The person last named as a speaker or subject (what a pronoun points to); None
        when the last speaker was unnamed ("a dealer said")."""
        if self.last_subject and self.last_subject_at > self.last_speaker_at:
            return self.last_subject
        return self.last_speaker


_PRONOUN = re.compile(r"^(?:he|she|they|it|him|her)$", re.IGNORECASE)
_AFTER = re.compile(
    rf"^[\s,]*(?:(?P<verb1>{_VERBS})\s+(?:(?:{_VERBS})\s+)?(?P<obj>[^;:!?\"\u201c]*)"
    rf"|(?P<subj>[^,;:!?\"\u201c]{{1,80}}?)\s+(?:also\s+|later\s+|then\s+)?(?P<verb2>{_VERBS})\b)"
)
_CLEAN_REST = re.compile(r"[^;!?\"\u201c]*[:,]\s*")
_EXCLUDED = re.compile(r"[;!?\"\u201c]")


def _introduced_by(head: str) -> str | None:
    """The subject of ``X said:`` / ``X told Y,`` when ``head`` (the sentence up to an
    opening mark) ends with one: the words before the first such verb (after any other
    quote or clause mark), or None. Found verb by verb, so a long sentence costs little."""
    for m in _VERB.finditer(head):
        if _CLEAN_REST.fullmatch(head, m.end()):
            marks = [x.end() for x in _EXCLUDED.finditer(head, 0, m.start())]
            return head[marks[-1] if marks else 0 : m.start()]
    return None


def _resolve(phrase: str, ctx: _Context, sentence: str) -> tuple[str | None, bool]:
    """The speaker a subject or object phrase names: (name, found). A pronoun or a
    definite description ("the Chelsea star") is the person last named; an indefinite one
    ("a dealer") is nobody, unless it speaks for a named body ("a spokeswoman for X")."""
    phrase = phrase.strip(" ,")
    if not phrase:
        return None, False
    kind, name = describe_subject(phrase)
    if kind == "pronoun":
        if phrase.split()[0].lower() in ("it", "its") and ctx.last_body:
            return ctx.last_body, True
        return ctx.latest_person(), True
    if kind == "definite":
        return ctx.latest_person(), True
    if kind == "anonymous":
        ctx.last_spokes = None
        return None, True
    if kind == "role":
        return ctx.last_spokes, True
    if kind == "body":
        return ctx.last_body, True
    if kind == "document":
        # "said the statement": the words of whoever spoke just before, in this paragraph,
        # else of the body last named ("the report" of the World Bank)
        if ctx.last_speaker_at[0] == ctx.paragraph:
            return ctx.last_speaker, True
        return ctx.last_body, True
    if kind == "spokes" and name:
        ctx.last_spokes = ctx.book.fullest(name)
        return ctx.last_spokes, True
    if kind == "name" and name:
        return ctx.book.fullest(name), True
    if phrase.split()[0].lower() in ("who", "whose", "which") or phrase.endswith(","):
        # "Sharapova, who lost ..., said": the subject opens the sentence
        runs = name_runs(sentence)
        if runs:
            return ctx.book.fullest(runs[0]), True
    return None, False


def _attribution(seg: _Segment, masked: str, ctx: _Context) -> tuple[str | None, str] | None:
    """(speaker, how) when the reporter's words around the quote attribute it, else None."""
    s_start, s_end = ctx.sentences.around(seg.open_at)
    sentence = masked[s_start:s_end]
    if seg.close_at is not None:
        tail = masked[seg.close_at + 1 : s_end]
        m = _AFTER.match(tail)
        inner = masked[seg.start : seg.end].rstrip()
        if m and m.group("verb1") and not (inner.endswith((",", "?", "!", ".")) or tail[:1] == ","):
            m = None  # '"false" claims about ...': a noun after the quote, not a verb
        if m:
            phrases = (m.group("obj") or "").split(",") if m.group("verb1") else [m.group("subj")]
            for phrase in phrases:
                # "said head of equities at Jardine Fleming, Mario Malt": the name may follow
                who, found = _resolve(phrase or "", ctx, sentence)
                if found:
                    return who, "after"
    subject = _introduced_by(masked[s_start : seg.open_at])
    if subject is not None:
        # "If USDA decides ..., he said," / "Gabuev, director of ..., said": the words just
        # before the verb, else the sentence's opening ones
        parts = [p for p in subject.split(",") if p.strip()] or [""]
        who, found = _resolve(parts[-1], ctx, sentence)
        if not found and len(parts) > 1:
            who, found = _resolve(parts[0], ctx, sentence)
        if found:
            return who, "before"
        # "It added," with no subject found: the last speaker goes on
        return ctx.latest_person(), "before"
    return _in_sentence(seg, masked, sentence, s_start, ctx)


def _in_sentence(
    seg: _Segment, masked: str, sentence: str, s_start: int, ctx: _Context
) -> tuple[str | None, str] | None:
    """A quoted fragment inside reported speech (``Putin said it would "achieve ..."``):
    the speaker is the subject of a verb of saying elsewhere in the same sentence."""
    rel = seg.open_at - s_start
    inner = masked[seg.start : seg.end].rstrip()
    clause_end = inner.endswith((",", ".", "?", "!")) or _words(inner) >= 4
    best: tuple[str | None, str] | None = None
    for m in _VERB.finditer(sentence):
        if m.start() > rel and not clause_end:
            break  # '"junk bond" experts ..., GAF said': a term, not the words said
        before = sentence[: m.start()]
        run = _subject_before(before)
        if run is None and before.rstrip().endswith((",", "-", "\u2014")):
            # "Zoltan Boesze, chief of ..., told Reuters": the sentence's subject, a
            # description ("The report, published ..., said") or its first name
            opening = re.match(r"\s*[Tt]he\s+(?:[a-z][\w-]*\s+){0,3}[a-z][\w-]*(?=[\s,])", before)
            runs = name_runs(before)
            apposed = [p for p in before.split(",") if p.strip()][-1:]
            if opening and apposed and describe_subject(apposed[0])[0] == "name":
                run = apposed[0]  # "The board chairman, Sam Ruiz, said": the name beside it
            else:
                run = opening.group(0) if opening else (runs[0] if runs else None)
        if run is None:
            continue
        who, found = _resolve(run, ctx, sentence)
        if found:
            best = (who, "partial")
            if m.start() < rel:
                continue  # a later verb before the quote is nearer still
            break
    return best


def _subject_before(before: str) -> str | None:
    """The words just before a verb that could be its subject (a name or a pronoun)."""
    m = re.search(
        r"((?:[A-Z][\w.'\u2019&-]*\s+)*[A-Z][\w.'\u2019&-]*|\b(?:he|she|they|it|He|She|They|It)"
        r"|\b(?:the|a|an|one|The|A|An|One)\s+[a-z][\w-]*(?:\s+[a-z][\w-]*)?)"
        r"(?:\s+(?:also|later|then|had|has|have|would|will|previously))?\s*$",
        before[-120:],  # a subject stands right before its verb
    )
    return m.group(1) if m else None


def _standalone(seg: _Segment, text: str, masked: str, ctx: _Context) -> bool:
    """A quote that is a sentence of its own (its speaker is the one who spoke last)."""
    s_start, _ = ctx.sentences.around(seg.open_at)
    lead = masked[s_start : seg.open_at].strip()
    inner = text[seg.start : seg.end].rstrip()
    if lead:
        return False
    return seg.close_at is None or inner.endswith((".", "?", "!", ",")) or _words(inner) >= 6


def _quote_of(seg: _Segment, text: str, masked: str, ctx: _Context) -> Quote | None:
    """The segment as a quotation, or None for a scare quote or a name in quotation marks."""
    inner = text[seg.start : seg.end]
    words = _words(inner)
    if words == 0:
        return None
    found = _attribution(seg, masked, ctx)
    if found is not None and found[1] == "partial" and words < 2:
        found = None
    if found is None and _standalone(seg, text, masked, ctx) and words >= 2:
        found = (ctx.latest_person(), "standalone")
    if found is None and words >= 5 and inner.rstrip().endswith((".", "?", "!")):
        found = (ctx.latest_person(), "sentence")
    if found is None:
        return None
    speaker = found[0]
    lead = len(inner) - len(inner.lstrip())
    trail = len(inner.rstrip())
    return Quote(
        seg.paragraph,
        seg.start + lead,
        seg.start + trail,
        inner.strip(),
        speaker,
        speaker_key(speaker) if speaker else None,
    )


#: Quoted stretches looked at per article, and characters of its paragraphs read (some 50,000
#: words, a long feature many times over): real articles hold a few dozen quotation marks (47
#: at most in Reuters-21578 and BBC News), and a hostile 64 MB article must not cost minutes
#: of rules; past these limits the rest of the article is not searched for quotations.
MAX_QUOTES = 1000
MAX_QUOTE_TEXT = 300_000


def extract_quotes(paragraphs: Sequence[str]) -> tuple[Quote, ...]:
    """Every direct quotation in ``paragraphs`` (an article's, in reading order), within
    MAX_QUOTES quoted stretches and the first MAX_QUOTE_TEXT characters."""
    paragraphs = _within_limit(paragraphs)
    ctx = _Context(NameBook(paragraphs))
    out: list[Quote] = []
    looked = 0
    for index, text in enumerate(paragraphs):
        ctx.paragraph = index
        segments = _segments(index, text)
        if segments and segments[-1].close_at is None:
            _close_at_attribution(segments[-1], text)
        masked = _masked(text, segments)
        ctx.sentences = _Sentences(masked)
        ctx.events = sorted(
            [(at, "subject", name) for at, name in ctx.book.subjects(masked)]
            + [(at, "body", name) for at, name in ctx.book.bodies(masked)]
            + _spoken_names(masked, ctx)
        )
        ctx.next_event = 0
        segments = segments[: max(0, MAX_QUOTES - looked)]
        looked += len(segments)
        for seg in segments:
            _advance_subject(ctx, index, seg.open_at)
            quote = _quote_of(seg, text, masked, ctx)
            if quote is None:
                continue
            out.append(quote)
            ctx.last_speaker = quote.speaker
            ctx.last_speaker_at = (index, seg.open_at)
        _advance_subject(ctx, index, len(text))
    return tuple(out)


#: Verbs whose subject or object after them is the one speaking (not "told X": the listener).
_SPEAKING = (
    "said|says|added|adds|argued|noted|commented|explained|declared|warned|insisted|agreed|"
    "replied|wrote|continued|concluded|admitted|stated|maintained"
)


def _close_at_attribution(seg: _Segment, text: str) -> None:
    """A quote left open at the end of its paragraph: when an attribution follows a comma
    inside it (``"... quarter, said Archie Dunham``), the closing mark was forgotten there (a
    quote continued into the next paragraph never holds its own attribution)."""
    inner = text[seg.start : seg.end]
    m = re.search(
        rf"[,?!]\s+(?=(?:{_VERBS})\s+[A-Z]|(?:[A-Z][\w.'\u2019-]*\s+){{1,3}}(?:{_VERBS})\b)",
        inner,
    )
    if m:
        seg.end = seg.close_at = seg.start + m.start() + 1


def _spoken_names(masked: str, ctx: _Context) -> list[_Event]:
    """Speakers of reported speech (``..., argued Lewis.``, ``a State Department official
    said``): subjects a later pronoun may point to, as much as a quote's speaker."""
    out: list[_Event] = []
    for m in re.finditer(rf"\b(?:{_SPEAKING})\s+([^;:!?\"\u201c\u201d]{{1,80}})", masked):
        clause = re.split(r"(?<![A-Z])\.(?:\s|$)", m.group(1))[0]
        for phrase in clause.split(","):
            words = phrase.split()
            if not words or not words[-1][:1].isupper() or words[0].lower() in _LEADS:
                continue  # "said on television station Canal Plus": a place, not a speaker
            kind, name = describe_subject(phrase)
            if kind == "name" and name:
                out.append((m.start(1), "subject", ctx.book.fullest(name)))
                break
    anonymous = rf"\b(?:[Aa]n?|[Oo]ne|[Aa]nother|[Tt]he)\s+(?:[\w.-]+\s+){{0,4}}?{_ANONYMOUS_HEADS}"
    for m in re.finditer(rf"{anonymous}(?:,[^,]*,)?\s+(?:also\s+)?(?:{_SPEAKING})\b", masked):
        # "the State Department official said": whoever spoke for a body last, or nobody
        definite = m.group(0)[:3].lower() == "the"
        out.append((m.start(), "role" if definite else "speaker", None))
    return out


_LEADS = frozenset({"in", "on", "at", "to", "from", "after", "before", "that", "the", "a"})
_ANONYMOUS_HEADS = r"(?:official|spokes\w+|source|dealer|analyst|banker|broker|trader|economist)"


def _advance_subject(ctx: _Context, index: int, upto: int) -> None:
    """Take in what paragraph ``index`` says before ``upto``: the last person named as a
    subject, the last body named, a speaker of reported speech (None when unnamed)."""
    while ctx.next_event < len(ctx.events) and ctx.events[ctx.next_event][0] < upto:
        at, kind, name = ctx.events[ctx.next_event]
        ctx.next_event += 1
        ctx.seen_at = (index, at)
        if kind == "subject":
            ctx.last_subject, ctx.last_subject_at = name, (index, at)
        elif kind == "body":
            ctx.last_body = name
        elif kind == "role":
            ctx.last_speaker, ctx.last_speaker_at = ctx.last_spokes, (index, at)
        else:
            ctx.last_speaker, ctx.last_speaker_at = name, (index, at)


_TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "prof"}


def speaker_key(name: str) -> str:
    """The facet value of a speaker: lower-cased, accents folded, titles (Mr, Dr, ...) and
    punctuation dropped, so "Mr Blair" and "Blair" group with each other but not with others."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    words = [w for w in re.split(r"[^\w]+", folded) if w]
    while len(words) > 1 and words[0] in _TITLES:
        words = words[1:]
    return " ".join(words)
