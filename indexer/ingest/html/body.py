"""An article page's body: the paragraphs of the container that holds the article.

The body is found the way reader modes find it: the page is flattened into text blocks, each
block scores its ancestors, and the best-scoring container (with its like-scoring siblings) is
the article; blocks under navigation, share bars, "related" lists and similar are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4.element import Tag

from indexer.ingest.html.blocks import Block
from indexer.ingest.html.byline import is_byline_line
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
    r"copyright|kicker|eyebrow|excerpt|standfirst|dek)(?=$|[\s_-])"
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
    r"^(?:advertisement|advertising|story continues below(?: advertisement)?|continue reading\W*|"
    r"read later|caption|close|back to gallery|(?:caption )?close back to gallery|buy now|shop now|"
    r"[\u3010\[]?(?:\u95a2\u9023\u8a18\u4e8b|\u76f8\u5173(?:\u9605\u8bfb|\u6587\u7ae0))[\u3011\]]?|"
    r"read more\W*|share(?: this)?(?: article| story)?\W*|sign up\W*|skip (?:to )?\w+.*|"
    r"related:?|image|photo|getty images|click here.*)$",
    re.I,
)


# A gallery's counters ("14", "+10", "3 of 14", "3/14"): the number of its photos, not text.
_COUNT = re.compile(r"^\+?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$")
_GALLERY = re.compile(r"gallery|slideshow|carousel|lightbox|slider", re.I)


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


@dataclass
class _Page:
    """What the block pass learns about every element above a text block, keyed by ``id(tag)``:
    the choice of the article's region reads it from several angles, so it is computed once."""

    root: Tag
    tags: dict[int, Tag] = field(default_factory=dict)
    text_len: dict[int, int] = field(default_factory=dict)
    link_len: dict[int, int] = field(default_factory=dict)
    prose: dict[int, int] = field(default_factory=dict)  # text in sentence-like blocks
    excluded: set[int] = field(default_factory=set)  # boilerplate: navigation, share bars, ...
    non_body: set[int] = field(default_factory=set)  # in the article but not body text
    scores: dict[int, float] = field(default_factory=dict)  # paragraph scores of containers


def select_body(blocks: list[Block], root: Tag, headline: str | None) -> Body:
    """Choose the article's container by paragraph scores and return its paragraphs."""
    chains = [chain_to(b.node, root) for b in blocks]
    page = _measure(blocks, chains, root)
    _mark(page, total=max(1, sum(len(b.text) for b in blocks if _is_prose(b))))
    usable = [
        (b, c)
        for b, c in zip(blocks, chains, strict=True)
        if not any(id(t) in page.excluded for t in c)
    ]
    _score(page, usable)
    region = _region(page)
    return Body(_paragraphs(page, usable, region, headline), page.excluded)


def _measure(blocks: list[Block], chains: list[list[Tag]], root: Tag) -> _Page:
    """Per element, how much text, link text and prose its blocks hold (what boilerplate and
    article containers are told apart by)."""
    page = _Page(root)
    for block, chain in zip(blocks, chains, strict=True):
        for tag in chain:
            key = id(tag)
            page.tags[key] = tag
            page.text_len[key] = page.text_len.get(key, 0) + len(block.text)
            page.link_len[key] = page.link_len.get(key, 0) + block.link_chars
            if _is_prose(block):
                page.prose[key] = page.prose.get(key, 0) + len(block.text)
    return page


def _mark(page: _Page, total: int) -> None:
    """Mark boilerplate elements (left out with all they hold) and non-body parts of the
    article (figures, bylines: they become captions and metadata, not paragraphs); ``total``
    is the page's prose."""
    headed = _headline_holders(page)
    quoting = _embedded_post_wrappers(page)
    for key, tag in page.tags.items():
        names = _class_id(tag)
        marked = (
            tag.name in _MARKED_TAGS
            or attr(tag, "role").lower() in _BAD_ROLES
            or bool(_NEGATIVE.search(names))
        )
        if marked and key not in quoting:
            # A page wrapped whole in a <form> or a "nav-drawer" div is still the page: a marked
            # element that holds most of the page's prose is not boilerplate. Such a wrapper
            # holds the page's headline too; an <aside> (a live-blog sidebar beside a short
            # story) that does not is tangential by definition, however much it holds.
            share = page.prose.get(key, 0) / total
            strong = tag.name in ("form", "article", "main", "body") or _POSITIVE.search(names)
            aside = tag.name == "aside" or attr(tag, "role").lower() == "complementary"
            wraps = not aside or headed is None or key in headed
            if not wraps or (share < 0.5 and not (strong and share >= 0.3)):
                page.excluded.add(key)
        if tag.name in ("figure", "figcaption", "h1") or _NON_BODY.search(names):
            page.non_body.add(key)


_EMBEDDED_POST = re.compile(r"twitter-tweet|instagram-media|tiktok-embed|bluesky-embed|fb-post")


def _embedded_post_wrappers(page: _Page) -> set[int]:
    """Ids of the elements that only wrap posts the story quotes (an embedded tweet's
    ``<blockquote>`` in a "widget" or "social" box): the quote is part of the story, so such
    a wrapper is not boilerplate. Found from the blocks' own elements, without a tree search."""
    quoted: dict[int, int] = {}
    for key, tag in page.tags.items():
        if tag.name == "blockquote" and _EMBEDDED_POST.search(attr(tag, "class")):
            for holder in chain_to(tag, page.root):
                quoted[id(holder)] = quoted.get(id(holder), 0) + page.text_len.get(key, 0)
    return {k for k, n in quoted.items() if n and n >= 0.8 * page.text_len.get(k, 0)}


def _headline_holders(page: _Page) -> set[int] | None:
    """Ids of the elements holding an ``<h1>`` (None when the page has none): a wrapper of the
    whole page holds its headline."""
    h1s = [t for t in page.tags.values() if t.name == "h1"]
    if not h1s:
        return None
    return {id(t) for h1 in h1s for t in chain_to(h1, page.root)}


def _score(page: _Page, usable: list[tuple[Block, list[Tag]]]) -> None:
    """Each paragraph-like block gives its nearest ancestors points for its commas and length,
    less the further up they are; a container's points then shrink with its share of links."""
    scores = page.scores
    for block, chain in usable:
        if len(block.text) < 25 or any(id(t) in page.non_body for t in chain):
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
        scores[key] *= 1 - min(1.0, page.link_len[key] / max(1, page.text_len[key]))


def _paragraphs(
    page: _Page,
    usable: list[tuple[Block, list[Tag]]],
    region: set[int] | None,
    headline: str | None,
) -> tuple[str, ...]:
    """The region's blocks that read as body text, in page order, each text once."""
    paragraphs: list[str] = []
    seen: set[str] = set()
    flow = _flow_containers(usable)
    for block, chain in usable:
        ids = [id(t) for t in chain]
        if region is not None and not any(i in region for i in ids):
            continue
        if any(i in page.non_body for i in ids):
            continue
        linked = block.link_chars > 0.5 * len(block.text) and not _in_flow(block, flow)
        if linked or _BOILERPLATE.match(block.text) or is_byline_line(block.text):
            continue
        if _COUNT.match(block.text) and any(_in_gallery(t) for t in chain):
            continue
        if block.text in seen or (headline and block.text == headline):
            continue
        seen.add(block.text)
        paragraphs.append(block.text)
    return tuple(paragraphs)


def _in_gallery(tag: Tag) -> bool:
    """An element that says it is a gallery or slideshow, in its class, id or ``data-*``
    attributes (names or values: ``data-slideshow-id``, ``data-behavior="lightbox_trigger"``)."""
    for name, value in tag.attrs.items():
        if name in ("class", "id") or name.startswith("data-"):
            text = value if isinstance(value, str) else " ".join(value)
            if _GALLERY.search(text) or (name.startswith("data-") and _GALLERY.search(name)):
                return True
    return False


def _flow_containers(usable: list[tuple[Block, list[Tag]]]) -> set[int]:
    """Ids of the elements that directly hold three or more prose ``<p>``: the article's own
    run of paragraphs, where a linked line ("Read more: ...", "Profile: ...") is part of the
    story as written, not a list of links beside it."""
    counts: dict[int, int] = {}
    for block, chain in usable:
        if not block.is_run and block.node.name == "p" and _is_prose(block) and len(chain) > 1:
            counts[id(chain[1])] = counts.get(id(chain[1]), 0) + 1
    return {key for key, n in counts.items() if n >= 3}


def _in_flow(block: Block, flow: set[int]) -> bool:
    """A ``<p>`` of a flow container, or an item of a list that sits directly in one, with at
    most two links (a cluster of links inside a paragraph is a pop-up card, not the story)."""
    node = block.node
    if block.is_run or node.parent is None or block.links > 2:
        return False
    if node.name == "p":
        return id(node.parent) in flow
    grand = node.parent.parent
    return (
        node.name == "li" and node.parent.name == "ul" and grand is not None and id(grand) in flow
    )


def _region(page: _Page) -> set[int] | None:
    """Ids of the elements that hold the article: the top candidate and its kindred siblings."""
    scores = page.scores
    if not scores:
        return None
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    best_score = scores[ranked[0]]
    top = _sections_ancestor(
        page, _scoring_at_least(page, ranked[1:5], 0.75 * best_score), ranked[0]
    )
    top = _better_parent(page, top, best_score)
    top = _prose_parent(page, top)
    top = _only_child_parent(page, top)
    top_score = scores.get(id(top), best_score)
    region = {id(top)}
    if top.parent is None or top is page.root:
        return region
    region |= _kindred_siblings(page, top, top.parent, top_score)
    region |= _sandwiched_siblings(page, top.parent, region)
    return region | _kindred_containers(page, top, top_score, region)


def _scoring_at_least(page: _Page, keys: list[int], at_least: float) -> list[Tag]:
    """The elements of ``keys`` scoring at least ``at_least``."""
    return [page.tags[k] for k in keys if page.scores[k] >= at_least]


def _sections_ancestor(page: _Page, strong: list[Tag], best: int) -> Tag:
    """The best candidate, or, when three or more strong candidates share an ancestor of it,
    that ancestor: the article is split into sections."""
    top = page.tags[best]
    if len(strong) < 3:
        return top
    strong_chains = [{id(t) for t in chain_to(s, page.root)} for s in strong]
    for ancestor in chain_to(top, page.root)[1:]:
        if sum(id(ancestor) in c for c in strong_chains) >= 3:
            return ancestor
    return top


def _better_parent(page: _Page, top: Tag, best_score: float) -> Tag:
    """A parent scoring higher than its child holds more of the article (the climb stops at
    one scoring under a third of the best)."""
    last = page.scores.get(id(top), best_score)
    parent = top.parent
    while parent is not None and parent is not page.root and parent.name != "body":
        if id(parent) in page.scores:
            score = page.scores[id(parent)]
            if score < best_score / 3:
                break
            if score > last:
                return parent
            last = score
        parent = parent.parent
    return top


def _prose_parent(page: _Page, top: Tag) -> Tag:
    """A parent with clearly more prose and next to no links: the intro sits outside the
    child."""
    parent = top.parent
    while parent is not None and parent is not page.root and id(parent) not in page.excluded:
        key = id(parent)
        more = page.prose.get(key, 0) >= 1.25 * page.prose.get(id(top), 0)
        if not more or page.link_len.get(key, 0) > 0.05 * page.text_len.get(key, 1):
            break
        top, parent = parent, parent.parent
    return top


def _only_child_parent(page: _Page, top: Tag) -> Tag:
    """Up through parents that hold nothing else (below ``body``): the same region, whole."""
    while top.parent is not None and top is not page.root:
        siblings = [c for c in top.parent.children if isinstance(c, Tag)]
        if len(siblings) != 1 or top.parent.name in ("body", "html"):
            break
        top = top.parent
    return top


def _kindred_siblings(page: _Page, top: Tag, parent: Tag, top_score: float) -> set[int]:
    """Siblings of ``top`` that belong to the article: scoring near it (more easily with its
    class), mostly prose with few links, or plain sentence paragraphs beside it."""
    found: set[int] = set()
    threshold = max(10.0, top_score * 0.2)
    top_class = attr(top, "class")
    for sibling in parent.children:
        if not isinstance(sibling, Tag) or sibling is top:
            continue
        key = id(sibling)
        bonus = top_score * 0.2 if top_class and attr(sibling, "class") == top_class else 0.0
        if key in page.scores and page.scores[key] + bonus >= threshold:
            found.add(key)
        elif _unscored_sibling_belongs(page, key, sibling):
            found.add(key)
    return found


def _sandwiched_siblings(page: _Page, parent: Tag, region: set[int]) -> set[int]:
    """Siblings lying between two parts of the article (a gallery's heading between its
    sections): in the story by position, unless boilerplate or mostly links."""
    children = [c for c in parent.children if isinstance(c, Tag)]
    inside = [i for i, c in enumerate(children) if id(c) in region]
    if len(inside) < 2:
        return set()
    found: set[int] = set()
    for child in children[inside[0] + 1 : inside[-1]]:
        key = id(child)
        if key in region or key in page.excluded or key not in page.text_len:
            continue
        if page.link_len[key] < 0.2 * page.text_len[key]:
            found.add(key)
    return found


def _unscored_sibling_belongs(page: _Page, key: int, sibling: Tag) -> bool:
    """A sibling the paragraph scores did not reach: boilerplate never; mostly prose with few
    links (article sections wrapped too deep for the scores); else a sentence ``<p>``."""
    if key in page.excluded or key not in page.text_len:
        return False
    prose, text = page.prose.get(key, 0), page.text_len[key]
    if prose >= 140 and prose >= 0.6 * text:
        return page.link_len[key] < 0.2 * text
    return sibling.name == "p" and _sentence_paragraph(page, key, sibling)


def _sentence_paragraph(page: _Page, key: int, sibling: Tag) -> bool:
    """A ``<p>`` beside the article: long with few links, or short, linkless and a sentence."""
    length = page.text_len[key]
    density = page.link_len[key] / max(1, length)
    if length > 80 and density < 0.25:
        return True
    return 0 < length <= 80 and density == 0 and bool(re.search(r"\.( |$)", sibling.get_text()))


def _kindred_containers(page: _Page, top: Tag, top_score: float, region: set[int]) -> set[int]:
    """An article split into containers of one kind ("story-body-1", "story-body-2") placed too
    far apart for the sibling rule: same leading class, one that says "content", and a
    comparable score; none inside the region or boilerplate already."""
    kind = attr(top, "class").split()[:1]
    if not kind or not _POSITIVE.search(_class_id(top)):
        return set()
    found: set[int] = set()
    top_chain = {id(t) for t in chain_to(top, page.root)}
    for key, score in page.scores.items():
        if key in top_chain or score < 0.25 * top_score:
            continue
        if attr(page.tags[key], "class").split()[:1] != kind:
            continue
        chain = {id(t) for t in chain_to(page.tags[key], page.root)}
        if not chain & (region | found | page.excluded):
            found.add(key)
    return found
