"""Quotation extraction against the hand-labelled set: span precision/recall, speaker accuracy.

Run: ``.venv/bin/python -m benchmarks.quotes [--json FILE]``. The labels
(``tests/data/quotes_labelled.jsonl``, see its README) are references into the real corpora of
../shared/data/news and the seed article, not copies of their text. A predicted quotation is
right when its paragraph and its words (ends' punctuation aside) are a labelled quotation's;
speaker accuracy counts, among those, the ones whose speaker key is the label's. Targets:
precision >= 0.95, recall >= 0.90, speaker accuracy >= 0.90. Failures are listed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.ingest.paths import iter_articles
from indexer.ingest.quotes import Quote, extract_quotes, speaker_key
from indexer.model import Article, article_from_json

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "tests" / "data" / "quotes_labelled.jsonl"
#: labelled after the rules were first written (heldout) and after they were revised (test), to
#: see how they do on text they were not made on; each was then used to improve them
HELDOUT = REPO / "tests" / "data" / "quotes_heldout.jsonl"
TEST = REPO / "tests" / "data" / "quotes_test.jsonl"
#: labelled last and never used to change the rules: the estimate for unseen text
FINAL = REPO / "tests" / "data" / "quotes_final.jsonl"
NEWS = REPO.parent / "shared" / "data" / "news"
TARGETS = {"precision": 0.95, "recall": 0.90, "speaker_accuracy": 0.90}


@dataclass(frozen=True)
class Label:
    """One labelled span: a quotation (with its speaker, None when unnamed) or not."""

    file: str
    article: str
    paragraph: int
    start: int
    end: int
    sha1: str
    quote: bool
    speaker: str | None


def load_labels(path: Path = LABELS) -> list[Label]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        try:
            out.append(Label(**row) if row["quote"] else Label(**row, speaker=None))
        except TypeError as exc:
            raise SystemExit(f"{path}:{n}: {exc}") from None
    return out


def _read(file: str, wanted: set[str]) -> Iterator[Article]:
    if file.startswith("seeds/"):
        for item in iter_articles([str(REPO / file)]):
            if isinstance(item, Article) and item.id in wanted:
                yield item
        return
    with gzip.open(NEWS / file, "rt", encoding="utf-8") as fh:
        for line in fh:
            if any(f'"{w}"' in line for w in wanted):
                art = article_from_json(json.loads(line))
                if art.id in wanted:
                    yield art


def load_articles(labels: Iterable[Label]) -> dict[str, Article]:
    by_file: dict[str, set[str]] = {}
    for lab in labels:
        by_file.setdefault(lab.file, set()).add(lab.article)
    return {a.id: a for f, ids in by_file.items() for a in _read(f, ids)}


def _norm(text: str) -> str:
    return " ".join(text.strip(" ,.;:\"\u201c\u201d'").split())


def _label_text(lab: Label, art: Article) -> str:
    text = art.paragraphs[lab.paragraph][lab.start : lab.end]
    if hashlib.sha1(text.encode("utf-8")).hexdigest()[:12] != lab.sha1:
        raise SystemExit(f"{LABELS}: {lab.article} paragraph {lab.paragraph}: text changed")
    return text


def evaluate(labels: list[Label], articles: dict[str, Article]) -> dict[str, Any]:
    """Scores and failures of ``extract_quotes`` on every labelled article."""
    gold: dict[tuple[str, int, str], Label] = {}
    for lab in labels:
        if lab.quote:
            gold[(lab.article, lab.paragraph, _norm(_label_text(lab, articles[lab.article])))] = lab
    predicted: list[tuple[str, Quote]] = []
    for aid in sorted({lab.article for lab in labels}):
        predicted.extend((aid, q) for q in extract_quotes(articles[aid].paragraphs))
    hits, speakers_right, failures = set(), 0, []
    for aid, q in predicted:
        key = (aid, q.paragraph, _norm(q.text))
        lab = gold.get(key)
        if lab is None:
            failures.append({"kind": "false quote", "article": aid, "paragraph": q.paragraph,
                             "text": q.text[:80], "speaker": q.speaker})  # fmt: skip
            continue
        hits.add(key)
        want = speaker_key(lab.speaker) if lab.speaker else None
        if q.speaker_key == want:
            speakers_right += 1
        else:
            failures.append({"kind": "wrong speaker", "article": aid, "paragraph": q.paragraph,
                             "text": q.text[:80], "speaker": q.speaker,
                             "label": lab.speaker})  # fmt: skip
    for key, lab in gold.items():
        if key not in hits:
            failures.append({"kind": "missed", "article": key[0], "paragraph": key[1],
                             "text": key[2][:80], "label": lab.speaker})  # fmt: skip
    return {
        "labelled_quotes": len(gold),
        "labelled_negatives": sum(not lab.quote for lab in labels),
        "articles": len(articles),
        "predicted": len(predicted),
        "precision": len(hits) / len(predicted) if predicted else 0.0,
        "recall": len(hits) / len(gold) if gold else 0.0,
        "speaker_accuracy": speakers_right / len(hits) if hits else 0.0,
        "failures": failures,
    }


def print_report(result: dict[str, Any]) -> None:
    print(
        f"{result['labelled_quotes']} labelled quotations, {result['labelled_negatives']} "
        f"negatives, {result['articles']} articles; {result['predicted']} predicted"
    )
    print(f"{'metric':<18}{'value':>8}{'target':>8}  met")
    for name, target in TARGETS.items():
        value = result[name]
        print(f"{name:<18}{value:>8.3f}{target:>8.2f}  {'yes' if value >= target else 'NO'}")
    print(f"\nfailures ({len(result['failures'])}):")
    for f in result["failures"]:
        extra = f" speaker={f.get('speaker')!r}" if "speaker" in f else ""
        label = f" label={f.get('label')!r}" if "label" in f else ""
        print(f"  {f['kind']:<14}{f['article']} p{f['paragraph']}: {f['text']!r}{extra}{label}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the scores and failures here")
    parser.add_argument(
        "--labels", type=Path, action="append", help="a labels file (default: all four sets)"
    )
    args = parser.parse_args(argv)
    files = args.labels or [LABELS, HELDOUT, TEST, FINAL]
    sets = {f.name: load_labels(f) for f in files}
    labels = [lab for group in sets.values() for lab in group]
    articles = load_articles(labels)
    print(f"{'set':<26}{'quotes':>7}{'precision':>10}{'recall':>8}{'speaker':>9}")
    per_set = {}
    for name, group in sets.items():
        part = evaluate(group, articles)
        per_set[name] = {k: part[k] for k in ("labelled_quotes", *TARGETS)}
        print(
            f"{name:<26}{part['labelled_quotes']:>7}{part['precision']:>10.3f}"
            f"{part['recall']:>8.3f}{part['speaker_accuracy']:>9.3f}"
        )
    print()
    result = evaluate(labels, articles)
    result["sets"] = per_set
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
