"""The lineage benchmark's corpora: real articles with planted copies, and the real BBC duplicates.

Every planted copy is made from a real Reuters-21578 article by edits a syndicating paper makes:
truncation, paragraphs dropped or reordered, 1-10% of words changed, the headline rewritten,
the date shifted later (so the original must stay the lead), some copies undated. The truth is
which original each copy came from; exact counts of every edit are returned for the report.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from indexer import iter_articles
from indexer.errors import ParseError
from indexer.lineage.fingerprint import fingerprint
from indexer.lineage.stories import StoryRecord, build_stories
from indexer.model import Article

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "news"
REUTERS = DATA / "derived" / "reuters21578.jsonl.gz"
BBC = DATA / "derived" / "bbc.jsonl.gz"
DUPLICATES = DATA / "bbc_duplicates.tsv"

#: Edits a planted copy gets (each copy draws a few).
EDITS = ("truncate", "drop_paragraph", "reorder", "headline", "undated")


@dataclass
class Planted:
    """A corpus with its truth: ``origin[id]`` is the original a copy was made from (an
    original is its own origin); ``edits`` counts each edit made; ``changed`` word rates."""

    articles: list[Article]
    origin: dict[str, str]
    edits: Counter[str] = field(default_factory=Counter)
    word_rates: Counter[str] = field(default_factory=Counter)


def load(path: Path) -> list[Article]:
    return [a for a in iter_articles([str(path)]) if not isinstance(a, ParseError)]


def _body_words(article: Article) -> int:
    return sum(len(p.split()) for p in article.paragraphs)


def originals(
    articles: list[Article], count: int, seed: int
) -> tuple[list[Article], list[Article]]:
    """``count`` dated articles of 80+ words with distinct bodies to copy, and the rest (one of
    each distinct body) as background."""
    seen: set[tuple[str, ...]] = set()
    distinct = []
    for a in articles:
        if a.paragraphs and a.paragraphs not in seen:
            seen.add(a.paragraphs)
            distinct.append(a)
    rng = random.Random(seed)
    alone = _without_near_copies(distinct)
    eligible = [
        a for a in distinct if a.id in alone and a.published is not None and _body_words(a) >= 80
    ]
    chosen = rng.sample(eligible, count)
    ids = {a.id for a in chosen}
    return chosen, [a for a in distinct if a.id not in ids]


def _without_near_copies(articles: list[Article]) -> set[str]:
    """Ids of the articles no other one resembles even loosely (estimated Jaccard 0.15): only
    those can be originals, so that the truth of "same story" is known for every pair that
    involves a planted article (Reuters-21578 has real near-copies of its own)."""
    records = [
        StoryRecord(a.id, a.published, a.source, a.headline, fingerprint(a)) for a in articles
    ]
    stories = build_stories(records, threshold=0.15)
    return {a.id for a in articles if len(stories.members(stories.story_of(a.id) or "")) == 1}


def _change_words(
    paragraphs: list[str], rate: float, rng: random.Random, vocab: list[str]
) -> list[str]:
    out = []
    for p in paragraphs:
        words = p.split()
        for i in range(len(words)):
            if rng.random() < rate:
                words[i] = rng.choice(vocab)
        out.append(" ".join(words))
    return out


def plant_copy(
    original: Article, n: int, rng: random.Random, vocab: list[str], corpus: Planted
) -> Article:
    """The ``n``th copy of ``original``: a random mix of edits, 1-10% of its words changed."""
    paragraphs = list(original.paragraphs)
    if len(paragraphs) > 2 and rng.random() < 0.4:
        del paragraphs[rng.randrange(1, len(paragraphs))]
        corpus.edits["drop_paragraph"] += 1
    if len(paragraphs) > 2 and rng.random() < 0.3:
        rng.shuffle(paragraphs)
        corpus.edits["reorder"] += 1
    if rng.random() < 0.4:
        words = " ".join(paragraphs).split()
        keep = max(40, int(len(words) * rng.uniform(0.6, 0.9)))
        paragraphs = [" ".join(words[:keep])]
        corpus.edits["truncate"] += 1
    rate = rng.choice((0.01, 0.02, 0.05, 0.08, 0.10))
    corpus.word_rates[f"{rate:.0%}"] += 1
    paragraphs = _change_words(paragraphs, rate, rng, vocab)
    headline = original.headline
    if rng.random() < 0.5:
        label = rng.choice(("UPDATE", "WIRE", "BRIEF"))
        headline = f"{label}: {' '.join(reversed((headline or 'news').split()))}"
        corpus.edits["headline"] += 1
    published = original.published
    if rng.random() < 0.15:
        published = None
        corpus.edits["undated"] += 1
    elif published is not None:
        published = published + timedelta(hours=rng.randint(1, 96))
        corpus.edits["date_shifted"] += 1
    return replace(
        original,
        id=f"{original.id}-copy{n}",
        headline=headline,
        paragraphs=tuple(paragraphs),
        published=published,
        source=rng.choice(("AP", "Reuters", "AFP", "The Times", "Le Monde")),
    )


def planted(originals_count: int, copies: int, background: int, seed: int = 15) -> Planted:
    """Originals with ``copies`` planted copies each (1 to 2*copies-1, mean ``copies``) among
    ``background`` other real articles."""
    rng = random.Random(seed)
    chosen, rest = originals(load(REUTERS), originals_count, seed)
    vocab = sorted({w for a in rest[:2000] for p in a.paragraphs for w in p.split()})
    corpus = Planted(articles=[], origin={})
    for original in chosen:
        corpus.articles.append(original)
        corpus.origin[original.id] = original.id
        for n in range(rng.randint(1, 2 * copies - 1)):
            copy = plant_copy(original, n, rng, vocab, corpus)
            corpus.articles.append(copy)
            corpus.origin[copy.id] = original.id
    for a in rng.sample(rest, min(background, len(rest))):
        corpus.articles.append(a)
        corpus.origin[a.id] = a.id
    rng.shuffle(corpus.articles)
    return corpus


def bbc_duplicates() -> tuple[list[Article], list[tuple[str, str]]]:
    """The BBC articles and the pairs of ids the dataset lists as byte-identical files."""
    pairs = []
    for line in DUPLICATES.read_text(encoding="utf-8").splitlines()[1:]:
        kept, dup = line.split("\t")
        pairs.append(tuple(f"bbc-{p.removesuffix('.txt').replace('/', '-')}" for p in (kept, dup)))
    return load(BBC), [(a, b) for a, b in pairs]
