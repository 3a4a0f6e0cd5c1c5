"""What the article page and ``show --json`` say of an article's lineage: its story, how each
other version differs from the lead, and where its paragraphs and photos recur elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import Article
from ..results import Copy, StoryInfo
from .diff import CaptionChange, ParagraphChange, diff_captions, diff_paragraphs
from .fingerprint import text_hash
from .stories import Stories, StoryRecord

if TYPE_CHECKING:
    from ..index import NewsIndex

__all__ = ["ArticleLineage", "Version", "ParagraphReuse", "PhotoReuse", "build_lineage"]

#: Other versions compared on one page (a wire story can have hundreds of copies).
MAX_VERSIONS = 20
#: Articles linked per reused paragraph or photo (the rest are counted).
MAX_LINKS = 10


@dataclass(frozen=True)
class Version:
    """A copy of the story against its lead."""

    copy: Copy
    paragraphs: tuple[ParagraphChange, ...]
    captions: tuple[CaptionChange, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.copy.to_json(),
            "paragraphs": [p.to_json() for p in self.paragraphs],
            "captions": [c.to_json() for c in self.captions],
        }


@dataclass(frozen=True)
class ParagraphReuse:
    """A paragraph (``index`` among the body's) also in ``count`` articles of other stories."""

    index: int
    count: int
    articles: tuple[Copy, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "paragraph": self.index,
            "count": self.count,
            "articles": [a.to_json() for a in self.articles],
        }


@dataclass(frozen=True)
class PhotoReuse:
    """A caption whose text recurs: how often, first and last use, the outlets, and whether
    the same text carries different credits (``credits``: the distinct ones found)."""

    index: int
    text: str
    uses: int
    first: Copy
    last: Copy
    outlets: tuple[str, ...]
    credit_conflict: bool
    credits: tuple[str, ...]
    articles: tuple[Copy, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "caption": self.index,
            "text": self.text,
            "uses": self.uses,
            "first": self.first.to_json(),
            "last": self.last.to_json(),
            "outlets": list(self.outlets),
            "credit_conflict": self.credit_conflict,
            "credits": list(self.credits),
            "articles": [a.to_json() for a in self.articles],
        }


@dataclass(frozen=True)
class ArticleLineage:
    """An article's story (None when the engine keeps no stories), the other versions against
    the lead, and its reused paragraphs and photos."""

    story: StoryInfo | None
    versions: tuple[Version, ...] = ()
    paragraph_reuse: tuple[ParagraphReuse, ...] = ()
    photo_reuse: tuple[PhotoReuse, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "story": self.story.to_json() if self.story else None,
            "versions": [v.to_json() for v in self.versions],
            "paragraph_reuse": [r.to_json() for r in self.paragraph_reuse],
            "photo_reuse": [r.to_json() for r in self.photo_reuse],
        }


def _copy(record: StoryRecord) -> Copy:
    return Copy(record.article_id, record.source, record.published, record.headline)


def _versions(ix: NewsIndex, story: StoryInfo) -> tuple[Version, ...]:
    lead = ix.article(story.lead.article_id)
    if lead is None:
        return ()
    out = []
    for copy in story.copies[1 : MAX_VERSIONS + 1]:
        other = ix.article(copy.article_id)
        if other is not None:
            paragraphs = diff_paragraphs(lead.paragraphs, other.paragraphs)
            captions = diff_captions(lead.captions, other.captions)
            out.append(Version(copy, tuple(paragraphs), tuple(captions)))
    return tuple(out)


def _photo(
    ix: NewsIndex, article: Article, index: int, uses: tuple[tuple[StoryRecord, bool], ...]
) -> PhotoReuse:
    caption = article.captions[index]
    credits = {caption.credit or ""}
    for record, differs in uses[:MAX_LINKS]:
        other = ix.article(record.article_id) if differs else None
        wanted = text_hash(caption.text)
        for c in other.captions if other is not None else ():
            if text_hash(c.text) == wanted:
                credits.add(c.credit or "")
    records = [r for r, _ in uses]
    return PhotoReuse(
        index=index,
        text=caption.text,
        uses=len(records),
        first=_copy(records[0]),
        last=_copy(max(records, key=lambda r: (r.published is not None, r.published or 0))),
        outlets=tuple(sorted({r.source for r in records if r.source})),
        credit_conflict=any(differs for _, differs in uses),
        credits=tuple(sorted(c for c in credits if c)),
        articles=tuple(_copy(r) for r in records[:MAX_LINKS]),
    )


def build_lineage(ix: NewsIndex, article_id: str, stories: Stories | None) -> ArticleLineage:
    """The lineage of one article of ``ix`` (``NewsIndex.lineage``)."""
    article = ix.article(article_id)
    story = ix.story(article_id)
    if stories is None or story is None or article is None:
        return ArticleLineage(story=story)
    reused = tuple(
        ParagraphReuse(n, len(others), tuple(_copy(r) for r in others[:MAX_LINKS]))
        for n, others in stories.paragraph_reuse(article_id)
    )
    photos = tuple(
        _photo(ix, article, n, uses)
        for n, uses in stories.caption_reuse(article_id)
        if n < len(article.captions)
    )
    versions = _versions(ix, story) if story.size > 1 else ()
    return ArticleLineage(story, versions, reused, photos)
