"""An article page's body: the paragraphs of the container that holds the article.

The body is found the way reader modes find it: the page is flattened into text blocks, each
block scores its ancestors, and the best-scoring container (with its like-scoring siblings) is
the article; blocks under navigation, share bars, "related" lists and similar are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4.element import Tag

from indexer.ingest.html.blocks import Block
from indexer.ingest.html.tree import attr, chain_to

__all__ = ["Body", "select_body"]

_SCORED = frozenset({"p", "pre", "td", "div", "section", "article", "blockquote", "span"})
_MARKED_TAGS = frozenset({"nav", "aside", "footer", "form", "menu"})
_BAD_ROLES = frozenset(
    {"navigation", "complementary", "banner", "contentinfo", "dialog", "alertdialog", "alert"}
    | {"menu", "menubar", "search"}
)
_NEGATIVE = re.compile(
    r"(?:^|[\s_-])(?:ad|ads|adv|advert\w*|advertisement|ad?slot|banner|breadcrumbs?|"
    r"comments?|commenting|cookie\w*|consent|disqus|footer|masthead|menu|modal|nav|navbar|"
    r"navigation|newsletter|outbrain|taboola|pagination|pager|popup|promo\w*|related\w*|"
    r"recommend\w*|share\w*|sharing|social\w*|sidebar|sponsor\w*|subscribe\w*|subscription|tags|"
    r"toolbar|widget\w*|gdpr|paywall|skip\w*|trending|popular|signup|login|"
    r"visually-hidden|sr-only|screen-reader\w*|print\w*|tools|utility|"
    r"follow|newsletters|more-(?:stories|news|from|on|articles)|rail|suggest\w*|recirc\w*|"
    r"teasers?|upsell|read-?next)(?=$|[\s_-])"
)
# Parts of the article that are not body text: they become captions and metadata instead.
_NON_BODY = re.compile(
    r"(?:^|[\s_-])(?:byline\w*|author\w*|timestamp|dateline|credits?|captions?|\w*caption|"
    r"copyright|kicker|eyebrow)(?=$|[\s_-])"
)
_POSITIVE = re.compile(
    r"(?:^|[\s_-])(?:article\w*|body|content|entry|main|story\w*|text|post|prose|"
    r"richtext|blog)(?=$|[\s_-])"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_TAG_WEIGHT = {
    "div": 5, "article": 8, "section": 3, "main": 5, "pre": 3, "td": 3, "blockquote": 3,
    "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3,
    "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5,
}  # fmt: skip
_BOILERPLATE = re.compile(
    r"^(?:advertisement|story continues below(?: advertisement)?|continue reading\W*|"
    r"read more\W*|share(?: this)?(?: article| story)?\W*|sign up\W*|skip (?:to )?\w+.*|"
    r"related:?|image|photo|getty images|click here.*)$",
    re.I,
)


def _class_id(tag: Tag) -> str:
    raw = f"{attr(tag, 'class')} {attr(tag, 'id')}"
    return _CAMEL.sub("-", raw).lower()


def _is_prose(block: Block) -> bool:
    return len(block.text) >= 60 and block.link_chars < 0.3 * len(block.text)


def _initial_score(tag: Tag) -> float:
    names = _class_id(tag)
    weight = float(_TAG_WEIGHT.get(tag.name, 0))
    if _NEGATIVE.search(names):
        weight -= 25
    if _POSITIVE.search(names):
        weight += 25
    return weight


@dataclass
class Body:
    """The chosen paragraphs, and what was left out as boilerplate (captions skip it too)."""

    paragraphs: tuple[str, ...]
    excluded: set[int]  # ids of elements whose text is boilerplate (for caption gathering)


def select_body(blocks: list[Block], root: Tag, headline: str | None) -> Body:
    """Choose the article's container by paragraph scores and return its paragraphs."""
    chains = [chain_to(b.node, root) for b in blocks]
    text_len: dict[int, int] = {}
    link_len: dict[int, int] = {}
    prose: dict[int, int] = {}  # text in sentence-like blocks: what boilerplate lacks
    tags: dict[int, Tag] = {}
    for block, chain in zip(blocks, chains, strict=True):
        for tag in chain:
            key = id(tag)
            tags[key] = tag
            text_len[key] = text_len.get(key, 0) + len(block.text)
            link_len[key] = link_len.get(key, 0) + block.link_chars
            if _is_prose(block):
                prose[key] = prose.get(key, 0) + len(block.text)
    total = max(1, sum(len(b.text) for b in blocks if _is_prose(b)))

    excluded: set[int] = set()
    non_body: set[int] = set()
    for key, tag in tags.items():
        names = _class_id(tag)
        marked = (
            tag.name in _MARKED_TAGS
            or attr(tag, "role").lower() in _BAD_ROLES
            or bool(_NEGATIVE.search(names))
        )
        if marked:
            # A page wrapped whole in a <form> or a "nav-drawer" div is still the page: a marked
            # element that holds most of the page's prose is not boilerplate.
            share = prose.get(key, 0) / total
            strong = tag.name in ("form", "article", "main", "body") or _POSITIVE.search(names)
            if share < 0.5 and not (strong and share >= 0.3):
                excluded.add(key)
        if tag.name in ("figure", "figcaption", "h1") or _NON_BODY.search(names):
            non_body.add(key)

    usable = [
        (b, c) for b, c in zip(blocks, chains, strict=True) if not any(id(t) in excluded for t in c)
    ]
    scores: dict[int, float] = {}
    for block, chain in usable:
        if len(block.text) < 25 or any(id(t) in non_body for t in chain):
            continue
        if not block.is_run and block.node.name not in _SCORED:
            continue
        ancestors = chain if block.is_run else chain[1:]
        score = 1.0 + len(re.findall(r"[,\uff0c\u3001\u060c]", block.text))
        score += min(len(block.text) / 100, 3)
        for level, tag in enumerate(ancestors[:5]):
            if tag.name in ("html", "[document]"):
                break
            key = id(tag)
            if key not in scores:
                scores[key] = _initial_score(tag)
            scores[key] += score / (1 if level == 0 else 2 if level == 1 else level * 3)
    for key in scores:
        scores[key] *= 1 - min(1.0, link_len[key] / max(1, text_len[key]))

    region = _region(scores, tags, text_len, link_len, prose, excluded, root)
    paragraphs: list[str] = []
    seen: set[str] = set()
    for block, chain in usable:
        ids = [id(t) for t in chain]
        if region is not None and not any(i in region for i in ids):
            continue
        if any(i in non_body for i in ids):
            continue
        if block.link_chars > 0.5 * len(block.text) or _BOILERPLATE.match(block.text):
            continue
        if block.text in seen or (headline and block.text == headline):
            continue
        seen.add(block.text)
        paragraphs.append(block.text)
    return Body(tuple(paragraphs), excluded)


def _region(
    scores: dict[int, float],
    tags: dict[int, Tag],
    text_len: dict[int, int],
    link_len: dict[int, int],
    prose: dict[int, int],
    excluded: set[int],
    root: Tag,
) -> set[int] | None:
    """Ids of the elements that hold the article: the top candidate and its kindred siblings."""
    if not scores:
        return None
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    top = tags[ranked[0]]
    top_score = scores[ranked[0]]

    # Several strong candidates under one ancestor: the article is split into sections.
    strong = [tags[k] for k in ranked[1:5] if scores[k] >= 0.75 * top_score]
    if len(strong) >= 3:
        strong_chains = [{id(t) for t in chain_to(s, root)} for s in strong]
        for ancestor in chain_to(top, root)[1:]:
            if sum(id(ancestor) in c for c in strong_chains) >= 3:
                top = ancestor
                break

    # A parent scoring higher than its child holds more of the article.
    last = scores.get(id(top), top_score)
    parent = top.parent
    while parent is not None and parent is not root and parent.name != "body":
        if id(parent) in scores:
            score = scores[id(parent)]
            if score < top_score / 3:
                break
            if score > last:
                top = parent
                break
            last = score
        parent = parent.parent

    # A parent with clearly more prose and next to no links: the intro sits outside the child.
    parent = top.parent
    while parent is not None and parent is not root and id(parent) not in excluded:
        key = id(parent)
        more = prose.get(key, 0) >= 1.25 * prose.get(id(top), 0)
        if not more or link_len.get(key, 0) > 0.05 * text_len.get(key, 1):
            break
        top, parent = parent, parent.parent

    while top.parent is not None and top is not root:
        siblings = [c for c in top.parent.children if isinstance(c, Tag)]
        if len(siblings) != 1 or top.parent.name in ("body", "html"):
            break
        top = top.parent

    top_score = scores.get(id(top), top_score)
    region = {id(top)}
    if top.parent is None or top is root:
        return region
    threshold = max(10.0, top_score * 0.2)
    top_class = attr(top, "class")
    for sibling in top.parent.children:
        if not isinstance(sibling, Tag) or sibling is top:
            continue
        key = id(sibling)
        bonus = top_score * 0.2 if top_class and attr(sibling, "class") == top_class else 0.0
        if key in scores and scores[key] + bonus >= threshold:
            region.add(key)
        elif key in excluded or key not in text_len:
            continue
        elif prose.get(key, 0) >= 140 and prose[key] >= 0.6 * text_len[key]:
            # Article sections wrapped too deep for paragraph scores to reach: mostly prose.
            if link_len[key] < 0.2 * text_len[key]:
                region.add(key)
        elif sibling.name == "p":
            length = text_len[key]
            density = link_len[key] / max(1, length)
            if length > 80 and density < 0.25:
                region.add(key)
            elif 0 < length <= 80 and density == 0 and re.search(r"\.( |$)", sibling.get_text()):
                region.add(key)

    # An article split into containers of one kind ("story-body-1", "story-body-2") placed too
    # far apart for the sibling rule: same leading class, one that says "content", and a
    # comparable score.
    kind = attr(top, "class").split()[:1]
    if kind and _POSITIVE.search(_class_id(top)):
        top_chain = {id(t) for t in chain_to(top, root)}
        for key, score in scores.items():
            if key in top_chain or score < 0.25 * top_score:
                continue
            if attr(tags[key], "class").split()[:1] != kind:
                continue
            chain = {id(t) for t in chain_to(tags[key], root)}
            if not chain & (region | excluded):
                region.add(key)
    return region
