"""The query language: parsing what a person types into a syntax tree, with human error messages.

Whoosh's own parser turns broken input into a query that silently finds nothing and folds unknown
``field:`` prefixes into plain words, so the language is parsed here and every problem becomes a
QueryError saying what to change. ``compile_query`` then turns the tree into Whoosh queries
against one searcher, expanding wildcards and fuzzy words within fixed caps.

Grammar (juxtaposition binds loosest; its default operator is OR with a coordination bonus)::

    group   := clause*
    clause  := or_expr
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary ("AND" unary)*
    unary   := "NOT" unary | ["+" | "-"] primary
    primary := "(" group ")" | FIELD ":" (phrase | "(" group ")" | word) | phrase | word
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from whoosh import query as wq
from whoosh.support.charset import accent_map

from .errors import QueryError
from .schema import KINDS

__all__ = [
    "FIELDS",
    "DATE_FIELDS",
    "MAX_DEPTH",
    "MAX_FUZZY",
    "MIN_PREFIX",
    "Node",
    "Word",
    "Phrase",
    "Prefix",
    "Fuzzy",
    "DateSpan",
    "Group",
    "AllOf",
    "AnyOf",
    "Negated",
    "Required",
    "parse_query",
    "compile_query",
    "restricts",
    "CompiledQuery",
    "Clause",
    "MAX_TERMS",
    "MAX_EXPANSIONS",
]

#: Fields a query may name, with what they search (shown in the error for an unknown field).
FIELDS = ("headline", "kind", "credit", "source", "byline", "dateline", "published", "photo_date")
DATE_FIELDS = ("published", "photo_date")
#: Deeper nesting than this is not something a person writes, and recursion must stay bounded.
MAX_DEPTH = 20
#: Edit distance beyond 2 matches nearly any short word, so larger ``~N`` is refused.
MAX_FUZZY = 2
#: ``a*`` would expand to a large part of the vocabulary; two letters is the least that narrows.
MIN_PREFIX = 2


@dataclass(frozen=True)
class Word:
    """A plain word as typed; ``field`` None means the document text. ``start``/``end`` locate it
    in the query string (for "did you mean")."""

    text: str
    field: str | None = None
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Phrase:
    """A quoted phrase (words in order)."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Prefix:
    """``infra*``: any word beginning with ``text``."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Fuzzy:
    """``Puttin~`` (distance 1) or ``Puttin~2``: words within ``distance`` edits."""

    text: str
    distance: int
    field: str | None = None


@dataclass(frozen=True)
class DateSpan:
    """``published:2023-10-01..2023-10-31``: ``start`` inclusive, ``end`` exclusive, either open."""

    field: str
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class Group:
    """Clauses side by side: ``required`` must all match, ``excluded`` must not, and ``optional``
    match any (more is better). A group always has a positive clause."""

    optional: tuple[Node, ...] = ()
    required: tuple[Node, ...] = ()
    excluded: tuple[Node, ...] = ()


@dataclass(frozen=True)
class AllOf:
    """``a AND b``."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    """``a OR b`` (no coordination bonus: the user asked for either)."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Negated:
    """``NOT a`` or ``-a``."""

    child: Node


@dataclass(frozen=True)
class Required:
    """``+a``: required in a group; inside AND/OR it is just ``a``."""

    child: Node


Node = Word | Phrase | Prefix | Fuzzy | DateSpan | Group | AllOf | AnyOf | Negated | Required

# --- lexing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "(", ")", "AND", "OR", "NOT"
    text: str
    start: int
    end: int
    mod: str = ""  # "+", "-" or ""
    field: str | None = None


_OPERATORS = ("AND", "OR", "NOT")
_FIELD_RE = re.compile(r"([A-Za-z_]+):(?!//)")
_SPECIAL = set('()"')


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        mod = ""
        if ch in "+-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] not in "+-)":
            mod = ch
            i += 1
        field = None
        m = _FIELD_RE.match(text, i)
        if m and (m.end() >= n or text[m.end()].isspace()) and m.group(1).lower() not in FIELDS:
            m = None  # "Update: Putin ..." is prose, not a field
        if m:
            name = m.group(1).lower()
            if name not in FIELDS:
                known = ", ".join(f"{f}:" for f in FIELDS)
                raise QueryError(f"unknown field '{m.group(1)}:'; the fields are {known}")
            field = name
            i = m.end()
            if i >= n or text[i].isspace() or text[i] == ")":
                raise QueryError(f"'{m.group(1)}:' needs something after it, e.g. {name}:word")
        if i < n and text[i] == "(":
            tokens.append(_Token("(", "(", start, i + 1, mod, field))
            i += 1
        elif i < n and text[i] == ")":
            if mod:
                raise QueryError(f"'{mod}' needs a word after it")
            tokens.append(_Token(")", ")", start, i + 1))
            i += 1
        elif i < n and text[i] == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise QueryError('unbalanced quotes: a phrase opened with " is never closed')
            tokens.append(_Token("phrase", text[i + 1 : close], start, close + 1, mod, field))
            i = close + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
                j += 1
            word = text[i:j]
            if not mod and field is None and word in _OPERATORS:
                tokens.append(_Token(word, word, start, j))
            else:
                tokens.append(_Token("word", word, i, j, mod, field))
            i = j
    return tokens


# --- parsing ------------------------------------------------------------------------------------

_FUZZY_RE = re.compile(r"^(.*?)~(\d*)$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def group(self, field: str | None) -> Group:
        optional: list[Node] = []
        required: list[Node] = []
        excluded: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind != ")":
            node = self.or_expr(field)
            if node is None:
                continue
            if isinstance(node, Negated):
                excluded.append(node.child)
            elif isinstance(node, Required) or restricts(node):
                required.append(_unrequire(node) or node)
            else:
                optional.append(node)
        return Group(tuple(optional), tuple(required), tuple(excluded))

    def or_expr(self, field: str | None) -> Node | None:
        children = [self.and_expr(field)]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            children.append(self.and_expr(field, after="OR"))
        if len(children) == 1:
            return children[0]
        kept = [c for c in (_unrequire(c) for c in children) if c is not None]
        if len(kept) <= 1:
            return kept[0] if kept else None
        return AnyOf(tuple(kept))

    def and_expr(self, field: str | None, after: str | None = None) -> Node | None:
        first = self.unary(field, after)
        children = [first]
        while (tok := self.peek()) is not None and tok.kind == "AND":
            self.take()
            children.append(self.unary(field, after="AND"))
        if len(children) == 1:
            return first
        kept = [_unwrap(c) for c in children if c is not None]
        if not any(not isinstance(c, Negated) for c in kept):
            raise QueryError("AND needs a word to look for on at least one side, not only NOT")
        return AllOf(tuple(kept)) if len(kept) > 1 else kept[0]

    def unary(self, field: str | None, after: str | None = None) -> Node | None:
        tok = self.peek()
        if tok is None or tok.kind in (")", "AND", "OR"):
            op = after or (tok.kind if tok is not None and tok.kind != ")" else None)
            if op is not None:
                raise QueryError(f"{op} needs a word on both sides (e.g. putin {op} xi)")
            raise QueryError("a word is missing here")
        if tok.kind == "NOT":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "AND", "OR"):
                raise QueryError("NOT needs a word after it (e.g. putin NOT xi)")
            child = self.unary(field, after="NOT")
            return Negated(_unwrap(child)) if child is not None else None
        node = self.primary(field)
        if node is None:
            return None
        if tok.mod == "-":
            return Negated(node)
        if tok.mod == "+":
            return Required(node)
        return node

    def primary(self, outer: str | None) -> Node | None:
        tok = self.take()
        field = tok.field or outer
        if tok.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"parentheses are nested too deeply (at most {MAX_DEPTH})")
            inner = self.group(field)
            closing = self.peek()
            if closing is None:
                raise QueryError("unbalanced parentheses: a '(' is never closed")
            self.take()
            self.depth -= 1
            if not (inner.optional or inner.required or inner.excluded):
                raise QueryError("empty parentheses: put words inside them or remove them")
            if not (inner.optional or inner.required):
                raise QueryError("a group in parentheses only excludes; add a word to look for")
            return inner
        if tok.kind == "phrase":
            if field in DATE_FIELDS:
                return _date_span(field, tok.text)
            return Phrase(tok.text, field) if tok.text.strip() else None
        return _word(tok, field)


#: Fields that narrow the results rather than describe the topic: beside words they must hold
#: (``kind:caption putin`` means captions about Putin), unless joined with OR.
RESTRICTING_FIELDS = ("kind", "source", "credit", "byline", "dateline") + DATE_FIELDS


def restricts(node: Node) -> bool:
    """Whether ``node`` only names restricting fields (see RESTRICTING_FIELDS)."""
    if isinstance(node, Word | Phrase | Prefix | Fuzzy | DateSpan):
        return node.field in RESTRICTING_FIELDS
    if isinstance(node, AllOf | AnyOf):
        return all(restricts(c) for c in node.children)
    if isinstance(node, Group):
        return all(restricts(c) for c in node.required + node.optional)
    return False


def _unrequire(node: Node | None) -> Node | None:
    """Inside AND/OR a leading ``+`` adds nothing: the operator already decides."""
    return node.child if isinstance(node, Required) else node


def _unwrap(node: Node) -> Node:
    return node.child if isinstance(node, Required) else node


def _word(tok: _Token, field: str | None) -> Node | None:
    text = tok.text
    if field in DATE_FIELDS:
        return _date_span(field, text)
    fuzzy = _FUZZY_RE.match(text)
    if fuzzy and "~" in text:
        stem, digits = fuzzy.group(1), fuzzy.group(2)
        if not stem or "~" in stem:
            raise QueryError(f"'~' goes right after a word, as in Puttin~ (not {text!r})")
        distance = int(digits) if digits else 1
        if distance > MAX_FUZZY:
            raise QueryError(
                f"'{text}' allows too many differences: use ~1 or ~2 (at most {MAX_FUZZY})"
            )
        _no_wildcard(stem)
        return Fuzzy(stem, distance, field) if distance else Word(stem, field, tok.start, tok.end)
    if "*" in text:
        if text.strip("*") == "":
            raise QueryError("a bare '*' would match everything; put letters before it (infra*)")
        if text.startswith("*"):
            raise QueryError(f"'{text}': a wildcard can only end a word (infra*), not begin it")
        if text.index("*") != len(text) - 1:
            raise QueryError(f"'{text}': a wildcard can only end a word (infra*)")
        prefix = text[:-1]
        if len(prefix.strip("-'.")) < MIN_PREFIX:
            raise QueryError(
                f"'{text}': put at least {MIN_PREFIX} letters before the '*' (e.g. infra*)"
            )
        return Prefix(prefix, field)
    return Word(text, field, tok.start, tok.end)


def _no_wildcard(text: str) -> None:
    if "*" in text:
        raise QueryError(f"'{text}': a word cannot be both fuzzy (~) and a wildcard (*)")


def _parse_day(text: str, field: str) -> tuple[datetime, datetime]:
    """The span ``[start, end)`` a date names: a day, a month (2023-10) or a year (2023)."""
    m = _DATE_RE.match(text.strip())
    problem = f"{field}: '{text}' is not a date; use YYYY-MM-DD (or YYYY-MM, YYYY)"
    if not m:
        raise QueryError(problem)
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day is not None:
            start = datetime(year, int(month or 1), int(day))
            return start, start + timedelta(days=1)
        if month is not None:
            start = datetime(year, int(month), 1)
            nxt = date(year + (start.month == 12), start.month % 12 + 1, 1)
            return start, datetime(nxt.year, nxt.month, 1)
        return datetime(year, 1, 1), datetime(year + 1, 1, 1)
    except ValueError:
        raise QueryError(problem) from None


def _date_span(field: str, text: str) -> DateSpan:
    text = text.strip()
    for op in (">=", "<=", ">", "<"):
        if text.startswith(op):
            start, end = _parse_day(text[len(op) :], field)
            if op == ">=":
                return DateSpan(field, start, None)
            if op == ">":
                return DateSpan(field, end, None)
            if op == "<=":
                return DateSpan(field, None, end)
            return DateSpan(field, None, start)
    if ".." in text:
        low, _, high = text.partition("..")
        if not low.strip() and not high.strip():
            raise QueryError(f"{field}: give at least one end of the range (2023-10-01..)")
        since = _parse_day(low, field)[0] if low.strip() else None
        until = _parse_day(high, field)[1] if high.strip() else None
        if since is not None and until is not None and since >= until:
            raise QueryError(f"{field}: the range {text} ends before it starts")
        return DateSpan(field, since, until)
    start, end = _parse_day(text, field)
    return DateSpan(field, start, end)


def parse_query(text: str) -> Group:
    """The syntax tree of a query, or QueryError with a message a person understands."""
    if not text.strip():
        raise QueryError("the query is empty: type something to search for")
    parser = _Parser(_lex(text))
    tree = parser.group(None)
    if parser.peek() is not None:
        raise QueryError("unbalanced parentheses: a ')' has no matching '('")
    if not (tree.optional or tree.required):
        if tree.excluded:
            raise QueryError("the query only excludes words; add a word to look for")
        raise QueryError("the query has nothing to search for")
    return tree


# --- compiling to Whoosh ------------------------------------------------------------------------

#: More distinct words than this in one query are refused: each costs a pass over its postings.
MAX_TERMS = 64
#: A wildcard or fuzzy word searches at most this many index words (the most common ones).
MAX_EXPANSIONS = 64
#: How many candidate words a wildcard looks at before choosing; bounds the scan of ``a*``-like
#: prefixes over a large vocabulary.
MAX_SCAN = 20000
#: Unquoted words found near each other get a bonus (a phrase with this much slack).
PROXIMITY_SLOP = 2

_NAME_FIELDS = ("credit", "byline", "dateline")


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
    proximity: wq.Query | None
    marks: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    words: tuple[Word, ...]
    #: True when ``match`` is just "any clause" (no required or excluded parts), so the clauses'
    #: own matchers can drive the search without a second pass over the postings
    union: bool = False


class _Compiler:
    def __init__(self, reader: Any, schema: Any) -> None:
        self.reader = reader
        self.schema = schema
        self.terms = 0
        self.marks: set[str] = set()
        self.phrases: list[tuple[str, ...]] = []
        self.words: list[Word] = []
        self.dropped: list[str] = []
        self.negative = 0

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

    def expand(self, field: str, node: Prefix | Fuzzy) -> wq.Query:
        folded = node.text.lower().translate(accent_map)
        self.terms += 1
        if isinstance(node, Prefix):
            found = []
            for i, term in enumerate(self.reader.expand_prefix(field, folded)):
                if i >= MAX_SCAN:
                    break
                found.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        else:
            stems = [t.text for t in self.schema[field].analyzer(folded, mode="query")]
            probe = stems[0] if len(stems) == 1 else folded
            found = list(self.reader.terms_within(field, probe, node.distance, prefix=1))
            if probe != folded:
                found += self.reader.terms_within(field, folded, node.distance, prefix=1)
            found = sorted(set(found))
        if len(found) > MAX_EXPANSIONS:
            found.sort(key=lambda t: -self.reader.doc_frequency(field, t))
            found = found[:MAX_EXPANSIONS]
        if field == "text" and not self.negative:
            self.marks.update(found)
        if not found:
            # a real query that matches nothing, so the caller can still suggest a spelling
            return wq.Term(field, folded)
        return wq.Or([wq.Term(field, t) for t in sorted(found)])

    def leaf(self, node: Node, field: str | None) -> wq.Query | None:
        if isinstance(node, DateSpan):
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
        target = field or "text"
        if isinstance(node, Prefix | Fuzzy):
            return self.expand(target, node)
        if isinstance(node, Word) and field is None and not self.negative:
            self.words.append(node)
        return self.words_query(target, node.text, isinstance(node, Phrase))

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
        return self.leaf(node, field)

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
        return wq.AndNot(base, _any(excluded)) if excluded else base

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


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def compile_query(tree: Group, searcher: Any) -> CompiledQuery:
    """Whoosh queries for a parsed query against ``searcher``'s index (QueryError when nothing
    searchable is left, e.g. only stop words)."""
    comp = _Compiler(searcher.reader(), searcher.schema)
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
        match = wq.AndNot(match, _any(excluded))
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
    )
