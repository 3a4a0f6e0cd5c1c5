"""Compiling a parsed query into Whoosh queries against one searcher.

Wildcards and fuzzy words are expanded against the searcher's vocabulary within the caps of
query.py; the result is a CompiledQuery, which only search.py (the owner of the searcher) runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from whoosh import query as wq
from whoosh.matching import AndNotMatcher
from whoosh.support.charset import accent_map
from whoosh.support.levenshtein import distance as edit_distance

from ...errors import QueryError
from ...model import language_tag
from ...query.parser import MAX_EXPANSIONS, MAX_TERMS
from ...query.tree import (
    AllOf,
    AnyOf,
    DateSpan,
    Fuzzy,
    Group,
    Near,
    Negated,
    Node,
    Phrase,
    Prefix,
    Required,
    SameSentence,
    Side,
    Sloppy,
    Word,
    restricts,
)
from ...text.near import Alt, Pair, Pattern, Seq, Window
from .closeness import Proximate
from .schema import KINDS
from .stories import searcher_stories

__all__ = ["CompiledQuery", "Clause", "compile_query", "terms_within", "MAX_SCAN", "PROXIMITY_SLOP"]

#: How many candidate words a wildcard looks at before choosing; bounds the scan of ``a*``-like
#: prefixes over a large vocabulary.
MAX_SCAN = 20000
#: Unquoted words found near each other get a bonus (a phrase with this much slack).
PROXIMITY_SLOP = 2
#: Words a ``"..."~N`` may hold: matching assigns each a position of its own, a search that
#: grows quickly with their number.
MAX_WINDOW_WORDS = 8


#: How many index terms a wildcard or fuzzy expansion reads between two looks at the clock.
_TERMS_PER_CHECK = 64

Check = Callable[[], None]


def _no_check() -> None:
    return None


def _checked(items: Iterable[Any], check: Check) -> Iterable[Any]:
    """``items``, calling ``check`` (which raises past the time budget) every few of them."""
    for i, item in enumerate(items):
        if i % _TERMS_PER_CHECK == 0:
            check()
        yield item


def terms_within(
    reader: Any, field: str, text: str, distance: int, check: Check = _no_check
) -> list[str]:
    """The field's own terms within ``distance`` edits of ``text`` (first letter kept).

    Not ``reader.terms_within``: on a single segment Whoosh answers that from the field's
    spelling word list, the unstemmed words, which are not the stemmed terms the query then
    looks up (``coffe~`` found only "coffee" and no document); on several segments it scans
    the terms. This always scans the terms, so the answer does not depend on segmentation.
    Whoosh's scan computes the edit distance of every term sharing the first letter, which
    for a 2,000-letter word took 79 s; an edit changes the length by at most one, so a term
    whose length differs by more than ``distance`` is skipped unmeasured (the same answer)."""
    to_text = reader.schema[field].from_bytes
    found = []
    for raw in _checked(reader.expand_prefix(field, text[:1]), check):
        word = to_text(raw)
        if (
            abs(len(word) - len(text)) <= distance
            and edit_distance(word, text, distance) <= distance
        ):
            found.append(word)
    return found


@dataclass(frozen=True)
class Clause:
    """One top-level clause: ``text`` decides whether a document is a hit and scores it;
    ``headline`` (plain words only) adds the same words found in the article's headline."""

    text: wq.Query
    headline: wq.Query | None


@dataclass(frozen=True)
class CompiledQuery:
    """A parsed query made runnable against one searcher (its wildcards expanded)."""

    match: wq.Query
    clauses: tuple[Clause, ...]
    proximity: wq.Phrase | None
    marks: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    words: tuple[Word, ...]
    #: True when ``match`` is just "any clause" (no required or excluded parts), so the clauses'
    #: own matchers can drive the search without a second pass over the postings
    union: bool = False
    #: proximity patterns (``"a b"~N``, NEAR, SENTENCE) whose matching words are marked
    patterns: tuple[Pattern, ...] = ()


class _Compiler:
    def __init__(self, reader: Any, schema: Any, check: Check, searcher: Any = None) -> None:
        self.searcher = searcher
        self.reader = reader
        self.schema = schema
        self.check = check
        self.terms = 0
        self.marks: set[str] = set()
        self.phrases: list[tuple[str, ...]] = []
        self.words: list[Word] = []
        self.dropped: list[str] = []
        self.negative = 0
        self.patterns: list[Pattern] = []

    def analyze(self, field: str, text: str) -> list[tuple[str, int]]:
        analyzer = self.schema[field].analyzer
        tokens = [(t.text, t.pos) for t in analyzer(text, positions=True, mode="query")]
        self.terms += len(tokens)
        if self.terms > MAX_TERMS:
            raise QueryError(
                f"the query has more than {MAX_TERMS} search words; shorten it to the ones "
                "that matter"
            )
        if not tokens:
            self.dropped.append(text)
        return tokens

    def words_query(self, field: str, text: str, phrase: bool) -> wq.Query | None:
        tokens = self.analyze(field, text)
        if not tokens:
            return None
        if field == "text" and not self.negative:
            if len(tokens) == 1:
                self.marks.add(tokens[0][0])
            else:
                self.phrases.append(tuple(t for t, _ in tokens))
        if len(tokens) == 1:
            return wq.Term(field, tokens[0][0])
        # stop words leave gaps in the positions ("Belt and Road"); allow exactly those
        gap = max(b[1] - a[1] for a, b in zip(tokens, tokens[1:], strict=False))
        return wq.Phrase(field, [t for t, _ in tokens], slop=max(1, gap))

    def window(self, node: Sloppy) -> tuple[Pattern, wq.Query]:
        """``"a b c"~N``: its words in any order within the window; the documents with all."""
        words = [t for t, _ in self.analyze("text", node.text)]
        where = f'"{node.text[:40]}"~{node.slop}'
        if len(words) < 2:
            raise QueryError(
                f"{where}: fewer than two of its words are searched (very common words are "
                "not); use a phrase without ~ or more words"
            )
        if len(words) > MAX_WINDOW_WORDS:
            raise QueryError(
                f"{where}: at most {MAX_WINDOW_WORDS} words go in a phrase with ~; use NEAR "
                "between shorter parts"
            )
        terms = tuple(frozenset({w}) for w in words)
        # ANDs of two, so that the array path adds the scores as Whoosh's matchers do
        candidates: wq.Query = wq.Term("text", words[-1])
        for word in reversed(words[:-1]):
            candidates = wq.And([wq.Term("text", word), candidates])
        return Window(terms, node.slop), candidates

    def expand(self, field: str, node: Prefix | Fuzzy) -> wq.Query:
        folded = node.text.lower().translate(accent_map)
        self.terms += 1
        if isinstance(node, Prefix):
            found = []
            for i, term in enumerate(
                _checked(self.reader.expand_prefix(field, folded), self.check)
            ):
                if i >= MAX_SCAN:
                    break
                found.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        else:
            stems = [t.text for t in self.schema[field].analyzer(folded, mode="query")]
            probe = stems[0] if len(stems) == 1 else folded
            found = terms_within(self.reader, field, probe, node.distance, self.check)
            if probe != folded:
                found += terms_within(self.reader, field, folded, node.distance, self.check)
            found = sorted(set(found))
        if len(found) > MAX_EXPANSIONS:
            freq = {t: self.reader.doc_frequency(field, t) for t in _checked(found, self.check)}
            found.sort(key=lambda t: -freq[t])
            found = found[:MAX_EXPANSIONS]
        if field == "text" and not self.negative:
            self.marks.update(found)
        if not found:
            # a real query that matches nothing, so the caller can still suggest a spelling
            return wq.Term(field, folded)
        return wq.Or([wq.Term(field, t) for t in sorted(found)])

    def leaf(self, node: Node, field: str | None) -> wq.Query | None:
        if isinstance(node, DateSpan):
            if node.field not in self.schema:  # crawled: on an index older than captures
                return wq.NullQuery
            return wq.DateRange(node.field, node.start, node.end, endexcl=True)
        assert isinstance(node, Word | Phrase | Prefix | Fuzzy)
        field = node.field or field
        if field == "headline":
            inner = self.leaf(replace(node, field=None), None)
            return None if inner is None else wq.And([wq.Term("kind", "headline"), inner])
        if field == "kind":
            value = node.text.strip().lower()
            if value not in KINDS:
                raise QueryError(f"kind: must be one of {', '.join(KINDS)}, not {node.text!r}")
            return wq.Term("kind", value)
        if field == "source" and isinstance(node, Word | Phrase):
            return wq.Term("source", node.text.strip().lower())
        if field == "story":
            return self.story(node.text.strip().lower())
        if field == "lang":
            # lang:pt finds "pt" and every regional "pt-..." tag
            tag = language_tag(node.text)
            return wq.Or([wq.Term("language", tag), wq.Prefix("language", f"{tag}-")])
        target = field or "text"
        if isinstance(node, Prefix | Fuzzy):
            return self.expand(target, node)
        if isinstance(node, Word) and field is None and not self.negative:
            self.words.append(node)
        return self.words_query(target, node.text, isinstance(node, Phrase))

    def story(self, story_id: str) -> wq.Query:
        """``story:ID``: the documents of the story's copies (none for an unknown story)."""
        members = searcher_stories(self.searcher).members(story_id)
        if not members:
            return wq.NullQuery
        return wq.Or([wq.Term("article_id", m.article_id) for m in members])

    def node(self, node: Node, field: str | None = None) -> wq.Query | None:
        if isinstance(node, Group):
            return self.group(node)
        if isinstance(node, AllOf | AnyOf):
            subs = [q for q in (self.node(c, field) for c in node.children) if q is not None]
            if not subs:
                return None
            if len(subs) == 1:
                return subs[0]
            return wq.And(subs) if isinstance(node, AllOf) else wq.Or(subs)
        if isinstance(node, Negated):
            self.negative += 1
            inner = self.node(node.child, field)
            self.negative -= 1
            return wq.Not(inner) if inner is not None else None
        if isinstance(node, Required):
            return self.node(node.child, field)
        if isinstance(node, Sloppy | Near | SameSentence):
            pattern, candidates = self.pattern(node)
            if not self.negative:
                self.patterns.append(pattern)
            return Proximate(candidates, pattern, self.check)
        if isinstance(node, Side):
            return self.group(node.group)  # marking only: the join runs its sides itself
        return self.leaf(node, field)

    def pattern(self, node: Node) -> tuple[Pattern, wq.Query]:
        """A proximity operand's pattern and the query of the documents that may hold it
        (every word it needs); its words are not marked on their own."""
        if isinstance(node, Near | SameSentence):
            left, lq = self.pattern(node.left)
            right, rq = self.pattern(node.right)
            distance = node.distance if isinstance(node, Near) else None
            return Pair(left, right, distance), wq.And([lq, rq])
        if isinstance(node, Group | AnyOf):
            children = node.optional if isinstance(node, Group) else node.children
            parts = [self.pattern(c) for c in children]
            if len(parts) == 1:
                return parts[0]
            return Alt(tuple(p for p, _ in parts)), wq.Or([q for _, q in parts])
        if isinstance(node, Prefix | Fuzzy):
            self.negative += 1  # expanded without marking every expansion
            q = self.expand("text", node)
            self.negative -= 1
            found = [t.text for t in (q.subqueries if isinstance(q, wq.Or) else [q])]
            return Seq((frozenset(found),)), q
        if isinstance(node, Sloppy):
            return self.window(node)
        assert isinstance(node, Word | Phrase)
        words = [t for t, _ in self.analyze("text", node.text)]
        if not words:
            raise QueryError(
                f"'{node.text[:40]}' is too common to search near another word; use a more "
                "specific one"
            )
        seq = Seq(tuple(frozenset({w}) for w in words))
        if len(words) == 1:
            return seq, wq.Term("text", words[0])
        return seq, wq.Phrase("text", words, slop=1)

    def parts(self, group: Group) -> tuple[list[wq.Query], list[wq.Query], list[wq.Query]]:
        required = [q for q in (self.node(n) for n in group.required) if q is not None]
        optional = [q for q in (self.node(n) for n in group.optional) if q is not None]
        self.negative += 1
        excluded = [q for q in (self.node(n) for n in group.excluded) if q is not None]
        self.negative -= 1
        return required, optional, excluded

    def group(self, group: Group) -> wq.Query | None:
        required, optional, excluded = self.parts(group)
        if not required and not optional:
            return None
        base: wq.Query
        if required and optional and not _explicit(group):
            base = _all(required + [_any(optional)])
        elif required and optional:
            base = wq.AndMaybe(_all(required), _any(optional))
        else:
            base = _all(required) if required else _any(optional)
        return _Excluding(base, _any(excluded)) if excluded else base

    def headline(self, node: Node) -> wq.Query | None:
        """The same plain words against the article's headline field (for scoring only)."""
        if isinstance(node, Word | Phrase) and node.field is None:
            tokens = [
                (t.text, t.pos)
                for t in self.schema["headline"].analyzer(node.text, positions=True, mode="query")
            ]
            if len(tokens) == 1:
                return wq.Term("headline", tokens[0][0])
            if tokens:
                return wq.Phrase("headline", [t for t, _ in tokens], slop=len(tokens))
        return None


def _explicit(group: Group) -> bool:
    """Whether the group has a ``+required`` clause (not just restricting fields)."""
    return any(not restricts(n) for n in group.required)


def _all(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.And(queries)


class _ExcludingMatcher(AndNotMatcher):  # type: ignore[misc]
    """Whoosh's AND NOT matcher, which at its start skips the excluded side forward only when
    both stand on the same document: when the excluded word's first document comes before the
    first candidate, that candidate was kept even if it holds the word (``kind:note -zorp``
    found a note saying "zorp"; the contract suite's oracle found it). ``_find_next`` does the
    skip right, so start with it."""

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class _Excluding(wq.AndNot):  # type: ignore[misc]
    """``a ANDNOT b`` on :class:`_ExcludingMatcher` (scores are ``a``'s, as in Whoosh's)."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        scored = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return _ExcludingMatcher(scored, excluded)


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def compile_query(tree: Group, searcher: Any, check: Check = _no_check) -> CompiledQuery:
    """Whoosh queries for a parsed query against ``searcher``'s index (QueryError when nothing
    searchable is left, e.g. only stop words). ``check`` is called while wildcards and fuzzy
    words scan the vocabulary; it raises to stop (the search's time budget)."""
    comp = _Compiler(searcher.reader(), searcher.schema, check, searcher)
    required: list[wq.Query] = []
    optional: list[wq.Query] = []
    clauses: list[Clause] = []
    restrictions: list[Clause] = []
    for node, bucket in [(n, required) for n in tree.required] + [
        (n, optional) for n in tree.optional
    ]:
        q = comp.node(node)
        if q is not None:
            bucket.append(q)
            # a restriction decides which documents are hits; scoring it would add the same
            # constant to every hit
            (restrictions if restricts(node) else clauses).append(Clause(q, comp.headline(node)))
    clauses = clauses or restrictions
    comp.negative += 1
    excluded = [q for q in (comp.node(n) for n in tree.excluded) if q is not None]
    comp.negative -= 1
    if not clauses:
        words = ", ".join(repr(w) for w in comp.dropped[:5]) or "the query"
        raise QueryError(
            f"{words}: too short or too common to search for on its own; add a more specific word"
        )
    if required and optional and not _explicit(tree):
        # only restrictions are required (kind:caption putin): a word must still match
        match = _all(required + [_any(optional)])
    else:
        # +putin xi: xi only adds to the score, as in other search engines
        match = _all(required) if required else _any(optional)
    if excluded:
        match = _Excluding(match, _any(excluded))
    plain = [
        node.text
        for node in tree.required + tree.optional
        if isinstance(node, Word) and node.field is None
    ]
    proximity = None
    if 2 <= len(plain) <= 8:
        tokens = [t.text for t in searcher.schema["text"].analyzer(" ".join(plain), mode="query")]
        if len(tokens) >= 2:
            proximity = wq.Phrase("text", tokens, slop=PROXIMITY_SLOP)
    return CompiledQuery(
        match=match,
        clauses=tuple(clauses),
        proximity=proximity,
        marks=frozenset(comp.marks),
        phrases=tuple(comp.phrases),
        words=tuple(comp.words),
        union=not required and not excluded,
        patterns=tuple(comp.patterns),
    )
