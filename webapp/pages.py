"""The pages people read: search, article, query-syntax help."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup

from indexer import Article, NewsIndex

from .context import SearchRequest, search_context
from .errors import RequestFailed
from .facets import KIND_LABELS, active_filters, facet_groups
from .indexes import get_index
from .quotes import paragraph_html, paragraph_texts
from .replay import captures_of
from .timeline import timeline_chart
from .views import search_url
from .watching import watch_command

__all__ = ["bp", "ArticleBlock", "article_blocks"]

bp = Blueprint("pages", __name__)


@bp.get("/")
@bp.get("/search")
def search() -> tuple[str, int]:
    """The search page; with nothing asked, the home page with the same box."""
    asked = SearchRequest.from_args(request.args)
    index = get_index()
    if asked.is_blank:
        return render_template("home.html", search=asked, stats=index.stats()), 200
    context = search_context(index, asked)
    groups = []
    chart = None
    if context.results is not None:
        groups = facet_groups(context.results, asked, search_url)
        chart = timeline_chart(context.results, asked)
    status = 400 if context.error is not None else 200
    page = render_template(
        "search.html",
        search=asked,
        results=context.results,
        error=context.error,
        facets=groups,
        filters=active_filters(asked, search_url),
        kind_labels=KIND_LABELS,
        chart=chart,
        watch_command=watch_command(asked),
    )
    return page, status


@dataclass(frozen=True)
class ArticleBlock:
    """One passage of an article page, with the position its index document has."""

    position: int
    kind: str
    text: Markup
    credit: str | None = None
    date: date | None = None


def article_blocks(
    index: NewsIndex, article: Article, query: str, time_budget: float | None = None
) -> list[ArticleBlock]:
    """The article's passages with their document positions (INTERFACE.md reading order:
    headline, captions, paragraphs, notes), the query's matches marked by the index as its
    snippets mark them (within ``time_budget`` seconds; past it the rest is shown unmarked)."""
    kinds: list[tuple[str, str | None, date | None]] = []
    pieces: list[list[str]] = []  # a paragraph is marked in pieces cut at its quotations
    if article.headline:
        kinds.append(("headline", None, None))
        pieces.append([article.headline])
    for caption in article.captions:
        kinds.append(("caption", caption.credit, caption.date))
        pieces.append([caption.text])
    for i in range(len(article.paragraphs)):
        kinds.append(("paragraph", None, None))
        pieces.append(paragraph_texts(article, i))
    kinds.extend(("note", None, None) for _ in article.notes)
    pieces.extend([note] for note in article.notes)
    flat_kinds = [kind for (kind, _, _), texts in zip(kinds, pieces, strict=True) for _ in texts]
    marked = iter(
        index.highlight(
            [t for p in pieces for t in p], query, time_budget=time_budget, kinds=flat_kinds
        )
    )
    blocks = []
    paragraph = 0
    for position, ((kind, credit, when), texts) in enumerate(zip(kinds, pieces, strict=True)):
        html = [next(marked) for _ in texts]
        if kind == "paragraph":
            text = paragraph_html(article, paragraph, html)
            paragraph += 1
        else:
            text = Markup(html[0])
        blocks.append(ArticleBlock(position, kind, text, credit, when))
    return blocks


@bp.get("/articles/<article_id:article_id>", merge_slashes=False)
def article(article_id: str) -> str:
    """One article in reading order; ``?q=`` marks the query's words, ``#doc-N`` a passage."""
    budget = current_app.config.get("QUERY_TIME_BUDGET")
    index = get_index()
    found = index.article(article_id, time_budget=budget)
    if found is None:
        raise RequestFailed(404, f"There is no article with id {article_id!r}.", "id")
    query = request.args.get("q", "")
    blocks = article_blocks(index, found, query, budget)
    lineage = index.lineage(article_id)
    return render_template(
        "article.html",
        article=found,
        lineage=lineage,
        paragraph_reuse={r.index: r for r in lineage.paragraph_reuse},
        photo_reuse={r.index: r for r in lineage.photo_reuse},
        headline=next((b for b in blocks if b.kind == "headline"), None),
        captions=[b for b in blocks if b.kind == "caption"],
        paragraphs=[b for b in blocks if b.kind == "paragraph"],
        notes=[b for b in blocks if b.kind == "note"],
        captures=captures_of(found.url, found.captures),
        search=SearchRequest(q=query),
    )


@bp.get("/articles")
def article_by_query() -> str:
    """``/articles?id=..``: the article page for the ids ``.`` and ``..``, which browsers would
    resolve away from any path (see ``views.article_url``)."""
    return article(request.args.get("id", ""))


@bp.get("/help")
def help_page() -> str:
    """How to write queries."""
    return render_template("help.html", search=SearchRequest.from_args(request.args))
