"""Names in news prose: who a subject phrase names, and its fullest form in the article.

``quotes.py`` finds where a quotation is attributed; this module decides who that is. A name is
a run of capitalised words; titles and descriptions in front of it ("Russian President",
"Pershing analyst") are trimmed, so the run "Russian President Vladimir Putin" is the name
"Vladimir Putin", and a later "Putin" or "Mr Putin" is looked up as that fullest form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["NameBook", "describe_subject", "name_runs"]

_TOKEN = re.compile(r"[^\W\d_][\w.'\u2019&-]*|[-\u2014,;:()]|\d[\w.,-]*|\S")

#: Words that stand before a name without being part of it: titles, roles, parties,
#: nationalities, and capitalised function words that open sentences.
_NOT_NAME = frozenset(
    """president prime minister secretary chairman chairwoman chancellor governor senator
    director commissioner chief executive leader manager general deputy assistant foreign home
    shadow trade finance affairs external secretary-general democrat republican labour
    conservative tory liberal lib dem fellow broker analyst dealer spokesman spokeswoman
    matchwinner man-of-the-match oscar-winner star champion coach captain striker manager
    correspondent political reporter editor broadcaster judge king queen prince princess
    actor actress singer boss ambassador negotiator consultant head
    pope officer official economist minister's mayor
    russian chinese american british french german japanese irish hungarian canadian
    the a an in on at but and or as if so then when while meanwhile however asked speaking for
    from with after before despite since although last this that these those it he she they
    we i his her their its our some many most both other others another one two three
    analysts dealers officials bankers economists traders according under by to of
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
_INITIALS = re.compile(r"^(?:[A-Z]\.)+[A-Z]?\.?$")
_VERBISH = frozenset(
    """is was has had will would can could may might must should did does said says told
    tells added adds warned noted agreed spent won lost took made gave went got saw knew
    thinks thought believes believed wants wanted expects expected""".split()
)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "prof"})
_CORPORATE = frozenset(
    {"ag", "inc", "corp", "co", "ltd", "plc", "group", "sa", "nv", "gmbh", "llc", "bank"}
)
_PREPOSITIONS = frozenset({"of", "for", "at", "from", "in", "with", "to", "on", "by", "against"})
_CONNECTORS = frozenset({"and", "the", "of", "&"})
_PRONOUNS = frozenset({"he", "she", "they", "it", "him", "her", "we", "i"})
#: What a definite description may name that speaks without being a person: its words are
#: the last speaker's when that one spoke just before (the statement of the RSPCA), else no one's.
_DOCUMENTS = frozenset(
    """lawsuit letter report statement resolution study survey document filing complaint
    ruling bill agreement communique memo suit petition""".split()
)
#: "the spokesman": whoever spoke for a body last, not the last person named.
_ROLES = frozenset("spokesman spokeswoman spokesperson official source".split())
#: "the company", "the auto maker": the body last named, not a person.
_BODY_NOUNS = frozenset(
    """company group firm bank maker carrier airline lender insurer retailer producer unit
    concern ministry department agency government board""".split()
)
_ANONYMOUS = frozenset({"a", "an", "one", "another", "some", "several", "two", "three"})


def _is_cap(token: str) -> bool:
    return token[:1].isalpha() and token[:1].isupper()


def _bare(token: str) -> str:
    """A token without a possessive ending."""
    for end in ("'s", "\u2019s", "'", "\u2019"):
        if token.endswith(end) and len(token) > len(end):
            return token[: -len(end)]
    return token


#: Last words of the names of bodies ("Foreign Ministry", "Cabinet Office"): such a name is
#: kept whole, since the words before them ("Foreign") are part of it, not a title.
_BODIES = frozenset(
    """ministry office department commission committee council party union association
    agency court government parliament senate congress institute foundation""".split()
)
_NATIONALITY = frozenset(
    "russian chinese american british french german japanese irish hungarian canadian".split()
)


def _trim(run: list[str]) -> list[str]:
    """The name at the end of a run of capitalised tokens: titles and roles in front dropped
    (a title of address, "Mr", is kept: "Mr Howard" may be all the article gives)."""
    if len(run) >= 2 and run[-1].lower() in _BODIES:
        body = list(run)
        while body and (body[0].lower() in _NATIONALITY or body[0].lower() in {"the", "a"}):
            body = body[1:]
        return body
    out: list[str] = []
    for token in reversed(run):
        low = token.lower()
        if low in _TITLES:
            out.append(token)
            break
        if low in _NOT_NAME or (len(out) >= 2 and token.isupper() and len(token) > 1):
            break  # "group EADS Philippe Camus": a company's acronym before a person
        out.append(token)
    return list(reversed(out))


def _runs_with_pos(text: str) -> list[tuple[int, list[str], bool]]:
    """(offset, name tokens, inside a prepositional phrase) for each name in ``text``, and
    whether a lower-case word follows it (a verb, often) is read by the caller."""
    runs: list[tuple[int, list[str], bool]] = []
    current: list[str] = []
    start = 0
    in_pp = False
    pp_for_run = False
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        stop = token.endswith(".") and not _INITIALS.match(token)
        if stop:  # "Mick McCarthy. Kerr": a full stop ends a name (not "K.K" or "U.S.")
            token = token[:-1]
        if token and _is_cap(token):
            if not current:
                start, pp_for_run = m.start(), in_pp
            current.append(_bare(token))
            if _bare(token) != token or stop:  # "France's Mauresmo": a possessive ends one
                runs.append((start, current, pp_for_run))
                current = []
                # "Bank of Tokyo's Kimura": what a possessive names heads a phrase of its own
                in_pp = False
            continue
        if current:
            runs.append((start, current, pp_for_run))
            current = []
        low = token.lower()
        if low in _PREPOSITIONS:
            in_pp = True
        elif low in _VERBISH or not low[:1].isalnum() or stop:
            # a prepositional phrase ("of administrators David Rubin & Partners") runs on
            # over lower-case words to the next punctuation or verb
            in_pp = low == "&" and in_pp
    if current:
        runs.append((start, current, pp_for_run))
    out = []
    for pos, toks, pp in runs:
        if pp and len(toks) >= 3 and toks[-1].lower() not in _BODIES:
            toks = toks[1:]  # "to China Octavio Valerio": the place the phrase names first
        if _trim(toks):
            out.append((pos, _trim(toks), pp))
    return out


def name_runs(text: str) -> list[str]:
    """The names in ``text`` in order (trimmed of titles)."""
    return [" ".join(toks) for _, toks, _ in _runs_with_pos(text)]


def describe_subject(phrase: str) -> tuple[str, str | None]:
    """What a subject phrase is: ("pronoun", None), ("definite", None) for "the Chelsea
    star", ("anonymous", None) for "one dealer", ("name", name), or ("other", None)."""
    words = phrase.split()
    if not words:
        return "other", None
    first, last = words[0].lower(), words[-1].lower()
    if first in _PRONOUNS or (last in _PRONOUNS and len(words) <= 2):
        return "pronoun", None
    body = re.split(r"\s+(?:who|whose|which)\b", phrase)[0]
    spoken_for = re.search(
        r"\b(?:for|of|at)\s+((?:[A-Z][\w.'&-]*\s*)+)", body
    )  # "a spokeswoman for Human Rights Watch"
    if first in _ANONYMOUS:
        if spoken_for and re.search(r"\b(?:spokes\w+|official|source)\b", body):
            return "spokes", " ".join(_trim(spoken_for.group(1).split())) or None
        # "A Cabinet Office spokeswoman": the body she speaks for
        before = re.match(r"^\w+\s+((?:[A-Z][\w.'&-]*\s+)+)(?:spokes\w+|official)\b", body)
        if before:
            return "spokes", " ".join(_trim(before.group(1).split())) or None
        return "anonymous", None
    if first == "the" and last.rstrip(".") in _DOCUMENTS:
        return "document", None
    if first == "the" and last.rstrip(".") in _ROLES:
        return "role", None
    if first == "the" and last.rstrip(".") in _BODY_NOUNS:
        return "body", None
    if first == "the" and words[-1][:1].islower():
        return "definite", None
    runs = [toks for _, toks, in_pp in _runs_with_pos(body) if not in_pp]
    if runs:
        return "name", " ".join(runs[-1])
    return "other", None


class NameBook:
    """The names an article gives, to find the fullest form of a short one."""

    def __init__(self, paragraphs: Sequence[str]) -> None:
        self._names: list[list[str]] = []
        for text in paragraphs:
            for _, toks, _ in _runs_with_pos(text):
                self._names.append([t for t in toks if t.lower() not in _TITLES] or toks)
        self._surnames = {toks[-1] for toks in self._names if len(toks) >= 2}
        # candidates by last and by first token, and answers already given: an article may
        # name thousands of people, and every quote asks
        self._by_last: dict[str, list[list[str]]] = {}
        self._by_first: dict[str, list[list[str]]] = {}
        for toks in self._names:
            self._by_last.setdefault(toks[-1], []).append(toks)
            self._by_first.setdefault(toks[0], []).append(toks)
        self._fullest: dict[str, str] = {}

    def fullest(self, name: str) -> str:
        """The longest name in the article that ends with ``name`` (titles aside), or that
        is ``name`` with a corporate suffix ("Citibank" -> "Citibank AG"); else ``name``."""
        known = self._fullest.get(name)
        if known is not None:
            return known
        self._fullest[name] = found = self._find_fullest(name)
        return found

    def _find_fullest(self, name: str) -> str:
        toks = [t for t in name.split() if t.lower() not in _TITLES]
        if not toks:
            return name
        best = toks
        candidates = self._by_last.get(toks[-1], []) + self._by_first.get(toks[0], [])
        for cand in candidates:
            n = len(toks)
            if len(cand) <= len(best):
                continue
            if cand[-n:] == toks or (
                cand[:n] == toks and all(t.lower() in _CORPORATE for t in cand[n:])
            ):
                best = cand
        if best is toks:
            return name
        return " ".join(best)

    def bodies(self, text: str) -> list[tuple[int, str]]:
        """(offset, fullest name) of each company or institution ``text`` names ("World
        Bank", "Ford Motor Co"): what "it" and "the company" point back to."""
        out = []
        for pos, toks, _ in _runs_with_pos(text):
            name = self.fullest(" ".join(toks))
            last = name.split()[-1].lower()
            if len(name.split()) >= 2 and (last in _CORPORATE or last in _BODIES):
                out.append((pos, name))
        return out

    def subjects(self, text: str) -> list[tuple[int, str]]:
        """(offset, fullest name) of each person ``text`` names as a subject: opening a
        sentence, or before a verb; a full name or the surname of one, not a company."""
        out: list[tuple[int, str]] = []
        for pos, toks, in_pp in _runs_with_pos(text):
            if in_pp or not (len(toks) >= 2 or toks[-1] in self._surnames):
                continue
            end = text.find(toks[-1], pos) + len(toks[-1])
            after = text[end : end + 40]  # bounded: a paragraph may hold thousands of names
            if after.startswith(("'s", "\u2019s")):
                continue
            follow = re.match(r"\s+(?:also\s+)?([a-z]\w*)", after)
            verb = follow is not None and (
                follow.group(1) in _VERBISH or follow.group(1).endswith("ed")
            )
            before = text[max(0, pos - 8) : pos]
            opens = pos == 0 or re.search(r"[.?!][\"\u201d]?\s+$", before) is not None
            if not verb and not opens:
                continue
            name = self.fullest(" ".join(toks))
            if name.split()[-1].lower() not in _CORPORATE:
                out.append((pos, name))
        return out
