"""The query language: parsing what a person types into a syntax tree, with human error messages.

Whoosh's own parser turns broken input into a query that silently finds nothing and folds unknown
``field:`` prefixes into plain words, so the language is parsed here and every problem becomes a
QueryError saying what to change. The tree's node types live in query_tree.py (re-exported here);
query_compile.py turns a tree into Whoosh queries within the cost caps defined below.

Grammar (juxtaposition binds loosest; its default operator is OR with a coordination bonus)::

    group   := clause*
    clause  := or_expr
    or_expr := and_expr ("OR" and_expr)*
    unary   := "NOT" unary | ["+" | "-"] primary
    and_expr:= near ("AND" near)*
    near    := unary (("NEAR/" N | "SENTENCE") unary)*
    primary := "(" group ")" | FIELD ":" (phrase | "(" group ")" | word) | phrase ["~" N] | word

``said:(...)`` and ``pictured:(...)`` (JOIN_FIELDS) stand only at the top of a query; what may
stand beside them is checked in query/join.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import MAXYEAR, date, datetime, timedelta

from ..errors import QueryError
from .join import check_join
from .tree import (
    DATE_FIELDS,
    FIELDS,
    JOIN_FIELDS,
    MAX_NEAR,
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

# The syntax tree's node types live in query_tree, which both this parser and the compiler use.
__all__ = [
    "MAX_DEPTH",
    "MAX_FUZZY",
    "MIN_PREFIX",
    "MAX_TERMS",
    "MAX_EXPANSIONS",
    "MAX_EXPANDED_WORDS",
    "MAX_FUZZY_CHARS",
    "parse_query",
]

#: Deeper nesting than this is not something a person writes, and recursion must stay bounded.
MAX_DEPTH = 20
#: Edit distance beyond 2 matches nearly any short word, so larger ``~N`` is refused.
MAX_FUZZY = 2
#: ``a*`` would expand to a large part of the vocabulary; two letters is the least that narrows.
MIN_PREFIX = 2
#: More distinct words than this in one query are refused: each costs a pass over its postings.
MAX_TERMS = 64
#: A wildcard or fuzzy word searches at most this many index words (the most common ones).
MAX_EXPANSIONS = 64
#: Fuzzy and wildcard words a query may hold: each is matched as up to MAX_EXPANSIONS words
#: one document at a time, about 0.25 s of CPU each on the 134,000-passage Reuters index.
MAX_EXPANDED_WORDS = 4
#: A fuzzy word longer than this is refused: comparing it costs its length times each candidate's,
#: and a word that long is better searched as it is.
MAX_FUZZY_CHARS = 32

# --- lexing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "(", ")", "AND", "OR", "NOT", "NEAR", "SENTENCE"
    text: str
    start: int
    end: int
    mod: str = ""  # "+", "-" or ""
    field: str | None = None
    slop: str | None = None  # the digits of a phrase's "~N" (NEAR's N is its text)


_OPERATORS = ("AND", "OR", "NOT")
#: Operators between two operands that say how close they are; one message names them all.
_CLOSENESS = ("NEAR", "SENTENCE")
_BINARY = ("AND", "OR") + _CLOSENESS
_NEAR_RE = re.compile(r"^NEAR(?:/(.*))?$")
#: Fields a query may name, joins included (the lexer's set; FIELDS lists what they search)
_NAMED = FIELDS + JOIN_FIELDS
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
        if m and (m.end() >= n or text[m.end()].isspace()) and m.group(1).lower() not in _NAMED:
            m = None  # "Update: Putin ..." is prose, not a field
        if m:
            name = m.group(1).lower()
            if name not in _NAMED:
                known = ", ".join(f"{f}:" for f in _NAMED)
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
            slop, after = _slop(text, close + 1)
            tokens.append(_Token("phrase", text[i + 1 : close], start, after, mod, field, slop))
            i = after
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
                j += 1
            word = text[i:j]
            near = _NEAR_RE.match(word) if not mod and field is None else None
            if not mod and field is None and (word in _OPERATORS or word == "SENTENCE"):
                tokens.append(_Token(word, word, start, j))
            elif near is not None:
                tokens.append(_Token("NEAR", near.group(1) or "", start, j))
            else:
                tokens.append(_Token("word", word, i, j, mod, field))
            i = j
    return tokens


def _slop(text: str, at: int) -> tuple[str | None, int]:
    """The digits of a ``~N`` right after a closing quote at ``at`` (None: there is none),
    and where lexing goes on."""
    if at >= len(text) or text[at] != "~":
        return None, at
    end = at + 1
    while end < len(text) and text[end] in "0123456789":
        end += 1
    return text[at + 1 : end], end


# --- parsing ------------------------------------------------------------------------------------

_FUZZY_RE = re.compile(r"^(.*?)~([0-9]*)$")
#: ASCII digits only: ``\d`` would take other scripts' digits (٢٠٢٣), which no date field means
_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?$")


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.expanded = 0  # fuzzy and wildcard words so far
        self.joining: str | None = None  # inside said:(...) or pictured:(...)

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
        first = self.near(field, after)
        children = [first]
        while (tok := self.peek()) is not None and tok.kind == "AND":
            self.take()
            children.append(self.near(field, after="AND"))
        if len(children) == 1:
            return first
        kept = [_unwrap(c) for c in children if c is not None]
        if not any(not isinstance(c, Negated) for c in kept):
            raise QueryError("AND needs a word to look for on at least one side, not only NOT")
        return AllOf(tuple(kept)) if len(kept) > 1 else kept[0]

    def near(self, field: str | None, after: str | None = None) -> Node | None:
        """Operands joined by NEAR/N or SENTENCE, left to right (a chain's match spans from
        its first operand's match to its last one's)."""
        node = self.unary(field, after)
        while (tok := self.peek()) is not None and tok.kind in _CLOSENESS:
            self.take()
            op = f"NEAR/{tok.text}" if tok.kind == "NEAR" else "SENTENCE"
            distance = _distance(tok.text, op) if tok.kind == "NEAR" else None
            right = self.unary(field, after=op)
            if node is None or right is None:
                raise QueryError(f"{op} needs a word to look for on both sides")
            _closeness_operand(node, op)
            _closeness_operand(right, op)
            node = SameSentence(node, right) if distance is None else Near(node, right, distance)
        return node

    def unary(self, field: str | None, after: str | None = None) -> Node | None:
        tok = self.peek()
        if tok is None or tok.kind in (")",) + _BINARY:
            op = after or (_op_name(tok) if tok is not None and tok.kind != ")" else None)
            if op is not None:
                raise QueryError(f"{op} needs a word on both sides (e.g. putin {op} xi)")
            raise QueryError("a word is missing here")
        if tok.kind == "NOT":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in (")",) + _BINARY:
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
        if tok.field in JOIN_FIELDS:
            return self.side(tok)
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
            if tok.slop is not None:
                return _sloppy(tok, field)
            if field in DATE_FIELDS:
                return _date_span(field, tok.text)
            return Phrase(tok.text, field) if tok.text.strip() else None
        node = _word(tok, field)
        if isinstance(node, Prefix | Fuzzy):
            self.expanded += 1
            if self.expanded > MAX_EXPANDED_WORDS:
                raise QueryError(
                    f"the query has more than {MAX_EXPANDED_WORDS} fuzzy (~) or wildcard (*) "
                    f"words; each searches up to {MAX_EXPANSIONS} index words, so keep the ones "
                    "that matter"
                )
        return node

    def side(self, tok: _Token) -> Side:
        """``said:(...)`` / ``pictured:(...)`` (also with one word or phrase): its group."""
        name = tok.field or ""
        if self.joining is not None:
            raise QueryError(
                f"{name}: is inside {self.joining}:(...): a join cannot be nested; put them "
                "side by side, as in said:(...) pictured:(...)"
            )
        self.joining = name
        if tok.kind == "(":
            self.depth += 1
            inner = self.group(None)
            if self.peek() is None:
                raise QueryError(f"unbalanced parentheses: {name}:( is never closed")
            self.take()
            self.depth -= 1
        else:
            # the same word or phrase without the join field, parsed as any other
            self.i -= 1
            self.tokens[self.i] = _Token(tok.kind, tok.text, tok.start, tok.end, "", None, tok.slop)
            node = self.primary(None)
            inner = Group(optional=(node,) if node is not None else ())
        self.joining = None
        if not (inner.optional or inner.required):
            raise QueryError(
                f"{name}:() has nothing to look for: put words inside, e.g. {name}:(putin xi)"
            )
        return Side(name, inner)


def _op_name(tok: _Token) -> str:
    return f"NEAR/{tok.text}" if tok.kind == "NEAR" else tok.kind


def _distance(digits: str, op: str) -> int:
    """NEAR's N: 1 to MAX_NEAR (compared as text: thousands of digits are refused unread)."""
    if not digits or not all(c in "0123456789" for c in digits):
        raise QueryError(
            f"'{op[:20]}': write the distance in words as NEAR/5 (1 to {MAX_NEAR}), "
            "as in putin NEAR/5 xi"
        )
    value = digits.lstrip("0")
    if not value:
        raise QueryError(
            f"{op}: the distance must be at least 1; for words side by side use a phrase "
            '("putin xi")'
        )
    if len(value) > 2 or int(value) > MAX_NEAR:
        raise QueryError(
            f"'{op[:20]}': the distance can be at most {MAX_NEAR} words; for anywhere in the "
            "same passage use AND"
        )
    return int(value)


def _closeness_operand(node: Node, op: str) -> None:
    """QueryError unless ``node`` has a place in the text: a word, a phrase, a group of
    alternatives of those, or another NEAR/SENTENCE."""
    if isinstance(node, Word | Phrase | Prefix | Fuzzy):
        if node.field is not None:
            raise QueryError(f"{op} works on the text: '{node.field}:' cannot be one of its sides")
        return
    if isinstance(node, Sloppy | Near | SameSentence):
        return
    if isinstance(node, AnyOf):
        for child in node.children:
            _closeness_operand(child, op)
        return
    if isinstance(node, Group) and not node.required and not node.excluded:
        for child in node.optional:
            _closeness_operand(child, op)
        return
    if isinstance(node, DateSpan):
        raise QueryError(f"{op} works on the text: '{node.field}:' cannot be one of its sides")
    if isinstance(node, Side):
        raise QueryError(f"{op} cannot join {node.name}:(...); put {op} inside it")
    raise QueryError(
        f"{op} joins words, phrases or groups of alternatives such as (putin OR xi), not AND, "
        f"NOT, + or -; put those outside, as in +(putin {op} xi)"
    )


def _sloppy(tok: _Token, field: str | None) -> Sloppy:
    """``"putin xi"~5``: refused on a field, on one word and without a number."""
    where = f'"{tok.text[:40]}"~{(tok.slop or "")[:10]}'
    if field is not None:
        raise QueryError(f"{where}: ~ after a phrase works on the text, not in {field}:")
    if not tok.slop:
        raise QueryError(f'{where}: write how many words may come between, as in "putin xi"~5')
    words = re.findall(r"\w+", tok.text)
    if len(words) < 2:
        word = words[0] if words else "putin"
        raise QueryError(
            f'{where}: ~ after quotes needs two or more words ("putin xi"~5); for a word '
            f"spelled about so, write {word}~ without quotes"
        )
    return Sloppy(tok.text, _distance(tok.slop, "~" + tok.slop))


def _unrequire(node: Node | None) -> Node | None:
    """Inside AND/OR a leading ``+`` adds nothing: the operator already decides."""
    return node.child if isinstance(node, Required) else node


def _unwrap(node: Node) -> Node:
    return node.child if isinstance(node, Required) else node


def _name_value(field: str | None, text: str) -> None:
    """A name field (speaker:) takes words, not a comparison or a range of dates."""
    if field == "speaker" and (text[:1] in "<>=" or ".." in text):
        raise QueryError(
            f'speaker: takes a name, as in speaker:putin or speaker:"alexander gabuev", '
            f"not {text[:40]!r}; ranges work on published: and photo_date:"
        )


def _word(tok: _Token, field: str | None) -> Node | None:
    text = tok.text
    if field in DATE_FIELDS:
        return _date_span(field, text)
    _name_value(field, text)
    fuzzy = _FUZZY_RE.match(text)
    if fuzzy is None and "~" in text and text.rpartition("~")[2].isdigit():
        # another script's digits (putin~٢) would otherwise be searched as a word
        raise QueryError(f"'{text[:40]}': write the distance as ~1 or ~2 (ASCII digits)")
    if fuzzy and "~" in text:
        stem, digits = fuzzy.group(1), fuzzy.group(2)
        if not stem or "~" in stem:
            raise QueryError(f"'~' goes right after a word, as in Puttin~ (not {text!r})")
        # compared as text: int() of thousands of digits is refused (and slow to make)
        digits = digits.lstrip("0") or ("0" if digits else "")
        distance = int(digits) if len(digits) <= 2 and digits else (1 if not digits else 99)
        if distance and len(stem) > MAX_FUZZY_CHARS:
            raise QueryError(
                f"'{stem[:20]}…~': a fuzzy word can have at most {MAX_FUZZY_CHARS} letters "
                "(comparing longer ones with every index word is slow); drop the ~"
            )
        if distance > MAX_FUZZY:
            raise QueryError(
                f"'{text[:40]}' allows too many differences: use ~1 or ~2 (at most {MAX_FUZZY})"
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


def _parse_day(text: str, field: str) -> tuple[datetime, datetime | None]:
    """The span ``[start, end)`` a date names: a day, a month (2023-10) or a year (2023).

    ``end`` is None when the span reaches the last day there is (9999-12-31): the day after it
    cannot be written as a datetime, and an open end means the same."""
    m = _DATE_RE.match(text.strip())
    problem = f"{field}: '{text[:40]}' is not a date; use YYYY-MM-DD (or YYYY-MM, YYYY)"
    if not m:
        raise QueryError(problem)
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        start = datetime(year, int(month or 1), int(day or 1))
    except ValueError:
        raise QueryError(problem) from None
    if day is not None:
        last = start.date() == date.max
        return start, None if last else start + timedelta(days=1)
    if month is not None:
        if start.month == 12:
            return start, None if year == MAXYEAR else datetime(year + 1, 1, 1)
        return start, datetime(year, start.month + 1, 1)
    return start, None if year == MAXYEAR else datetime(year + 1, 1, 1)


#: ``[start, start)``: a span no date is in (what "after 9999-12-31" names)
_NOTHING = datetime.max


def _date_span(field: str, text: str) -> DateSpan:
    """The DateSpan of a date field's value: a date, ``>``/``>=``/``<``/``<=`` a date, or a
    range ``a..b`` (either end may be left out); every calendar date from 0001-01-01 to
    9999-12-31 works in each form."""
    text = text.strip()
    for op in (">=", "<=", ">", "<"):
        if text.startswith(op):
            start, end = _parse_day(text[len(op) :], field)
            if op == ">=":
                return DateSpan(field, start, None)
            if op == ">":
                if end is None:
                    return DateSpan(field, _NOTHING, _NOTHING)
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
    check_join(tree)
    return tree
