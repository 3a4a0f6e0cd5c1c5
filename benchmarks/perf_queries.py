"""The committed query mix (``queries.txt``) and its small structure shared by every engine.

Each engine gets the same query: our API receives the text and filters as a user types them,
and the peers receive the same clauses translated into their own syntax, so the mix measures
the same work everywhere. The translation is deliberately literal (every clause required).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

__all__ = ["Clause", "BenchQuery", "load_queries", "QUERIES_FILE", "FIELDS"]

QUERIES_FILE = Path(__file__).with_name("queries.txt")

#: Fields a query may name (the rest of a ``name:`` prefix is read as a plain word).
FIELDS = ("headline", "dateline", "byline")

_CLAUSE = re.compile(r'(?:(?P<field>[a-z]+):)?(?:"(?P<phrase>[^"]+)"|(?P<word>[^\s"]+))')
_WORD = re.compile(r"\w+(?:\.\w+)*")


@dataclass(frozen=True)
class Clause:
    """One required part of a query: a word, phrase, prefix or fuzzy word, maybe fielded."""

    kind: str  # "word" | "phrase" | "prefix" | "fuzzy"
    text: str  # lower-case; for a phrase the words joined by spaces
    field: str = "text"

    @property
    def words(self) -> list[str]:
        return _WORD.findall(self.text)


@dataclass(frozen=True)
class BenchQuery:
    """One line of the mix."""

    category: str
    text: str
    kind: str | None = None
    source: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    clauses: tuple[Clause, ...] = field(default=())

    def api_kwargs(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "source": self.source,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }

    def url_params(self) -> dict[str, str]:
        params = {"q": self.text}
        if self.kind:
            params["kind"] = self.kind
        if self.source:
            params["source"] = self.source
        if self.date_from:
            params["from"] = self.date_from.isoformat()
        if self.date_to:
            params["to"] = self.date_to.isoformat()
        return params


def parse_clauses(text: str) -> tuple[Clause, ...]:
    clauses = []
    for m in _CLAUSE.finditer(text):
        fld = m.group("field")
        name = fld if fld in FIELDS else "text"
        if m.group("phrase") is not None:
            clauses.append(Clause("phrase", m.group("phrase").lower(), name))
            continue
        word = m.group("word").lower()
        if fld and name == "text":
            word = f"{fld}:{word}"
        if word.endswith("*"):
            clauses.append(Clause("prefix", word.rstrip("*"), name))
        elif re.search(r"~\d?$", word):
            clauses.append(Clause("fuzzy", re.sub(r"~\d?$", "", word), name))
        else:
            clauses.append(Clause("word", word, name))
    return tuple(c for c in clauses if c.words)


def _parse_line(line: str, where: str) -> BenchQuery:
    parts = [p.strip() for p in line.split("|")]
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise ValueError(f"{where}: expected 'category | query [| params]'")
    params: dict[str, str] = {}
    if len(parts) == 3:
        for item in parts[2].split(";"):
            key, sep, value = item.partition("=")
            if not sep or key.strip() not in ("kind", "source", "from", "to"):
                raise ValueError(f"{where}: bad parameter {item.strip()!r}")
            params[key.strip()] = value.strip()
    return BenchQuery(
        category=parts[0],
        text=parts[1],
        kind=params.get("kind"),
        source=params.get("source"),
        date_from=date.fromisoformat(params["from"]) if "from" in params else None,
        date_to=date.fromisoformat(params["to"]) if "to" in params else None,
        clauses=parse_clauses(parts[1]),
    )


def load_queries(path: Path = QUERIES_FILE) -> list[BenchQuery]:
    """Every query of the mix, in file order (ValueError naming file and line if malformed)."""
    queries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith("#"):
            queries.append(_parse_line(line, f"{path}:{number}"))
    return queries
