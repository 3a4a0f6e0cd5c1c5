"""A brute-force oracle: which documents a parsed query matches, by looking at every one.

Pure Python and tests only. It reads the query tree (``indexer.query.tree``) the way the
language defines it (docs/query-language.md) and walks each document of a corpus, so an engine's
hit set can be checked against it. It does no text analysis: the words of a document are its
lower-cased ``\\w+`` runs, which is exactly what an engine's analyzer keeps for words that are
not stop words and have no stemmable ending (the corpora generated for it use only such words;
``test_oracle`` checks that the vocabulary is left unchanged).

Semantics, as the engine defines them (indexer/engine/whoosh/compile.py):
- a word matches a document whose text has it; a phrase, its words adjacent and in order;
- ``pre*`` any word starting with ``pre``; ``word~d`` any word with the same first letter,
  a length within ``d`` and an optimal-string-alignment (Damerau-Levenshtein) distance <= ``d``;
- ``headline:x`` is ``x`` in a headline document; ``kind:k`` the documents of that kind;
  ``source:s`` those whose article's source is ``s`` ignoring case (the whole value);
- a group: its ``required`` clauses must all match and its ``excluded`` none; its ``optional``
  ones must match at least one when every required clause only restricts (``kind:caption x``),
  else they only add to the score (``+x y``); ``NOT``/``-`` inside AND/OR is the complement
  over every document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from indexer import Article
from indexer.query.tree import (
    AllOf,
    AnyOf,
    DateSpan,
    Fuzzy,
    Group,
    Negated,
    Node,
    Phrase,
    Prefix,
    Required,
    Word,
    restricts,
)

__all__ = ["Doc", "documents", "matching", "osa_distance", "words_of"]

_WORD = re.compile(r"\w+")


def words_of(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class Doc:
    """One searchable document: a headline, caption, paragraph or note of an article."""

    doc_id: str
    article_id: str
    kind: str
    words: tuple[str, ...]
    source: str | None


def documents(articles: Iterable[Article]) -> list[Doc]:
    """The documents of ``articles``, in the reading order that gives their positions (and so
    ``Hit.doc_id``, ``article_id#position``): headline, captions, paragraphs, notes."""
    docs = []
    for article in articles:
        parts = [("headline", article.headline)] if article.headline else []
        parts += [("caption", c.text) for c in article.captions]
        parts += [("paragraph", p) for p in article.paragraphs]
        parts += [("note", n) for n in article.notes]
        for position, (kind, text) in enumerate(parts):
            docs.append(
                Doc(
                    doc_id=f"{article.id}#{position}",
                    article_id=article.id,
                    kind=kind,
                    words=words_of(text),
                    source=article.source,
                )
            )
    return docs


def osa_distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbouring letters as one edit (what the
    engine's fuzzy words use)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _has_phrase(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _fuzzy(word: str, text: str, distance: int) -> bool:
    return (
        word[:1] == text[:1]
        and abs(len(word) - len(text)) <= distance
        and osa_distance(word, text) <= distance
    )


def _leaf(node: Word | Phrase | Prefix | Fuzzy, doc: Doc, field: str | None) -> bool:
    field = node.field or field
    if field == "headline":
        return doc.kind == "headline" and _leaf(replace(node, field=None), doc, None)
    if field == "kind":
        # the engine takes the text of any word form here (kind:caption* is kind:caption)
        return doc.kind == node.text.strip().lower()
    if field == "source" and isinstance(node, Word | Phrase):
        return doc.source is not None and doc.source.lower() == node.text.strip().lower()
    if field is not None:
        raise NotImplementedError(f"the oracle does not model the {field}: field")
    if isinstance(node, Prefix):
        return any(w.startswith(node.text.lower()) for w in doc.words)
    if isinstance(node, Fuzzy):
        text = node.text.lower()
        return any(_fuzzy(w, text, node.distance) for w in doc.words)
    phrase = words_of(node.text)
    if not phrase:
        raise NotImplementedError("the oracle does not model words the analyzer drops")
    return _has_phrase(doc.words, phrase)


def _group(group: Group, doc: Doc) -> bool:
    if any(_matches(n, doc) for n in group.excluded):
        return False
    required = all(_matches(n, doc) for n in group.required)
    if not group.optional:
        return bool(group.required) and required
    if not group.required:
        return any(_matches(n, doc) for n in group.optional)
    if any(not restricts(n) for n in group.required):
        return required  # +x y: y only scores
    return required and any(_matches(n, doc) for n in group.optional)


def _matches(node: Node, doc: Doc, field: str | None = None) -> bool:
    if isinstance(node, Group):
        return _group(node, doc)
    if isinstance(node, AllOf):
        return all(_matches(c, doc, field) for c in node.children)
    if isinstance(node, AnyOf):
        return any(_matches(c, doc, field) for c in node.children)
    if isinstance(node, Negated):
        return not _matches(node.child, doc, field)
    if isinstance(node, Required):
        return _matches(node.child, doc, field)
    if isinstance(node, DateSpan):
        raise NotImplementedError("the oracle does not model dates")
    return _leaf(node, doc, field)


def matching(tree: Node, docs: Iterable[Doc]) -> set[str]:
    """The doc ids of the documents in ``docs`` that ``tree`` matches."""
    return {doc.doc_id for doc in docs if _matches(tree, doc)}
