"""Fingerprints: shingles and MinHash estimate body similarity, and survive being stored."""

from __future__ import annotations

import numpy as np

from indexer import Article
from indexer.lineage.fingerprint import fingerprint, parse_fingerprint, text_hash
from indexer.lineage.minhash import PERMUTATIONS, decode, encode, signature, similarity
from indexer.lineage.shingles import shingle_hashes, words

from .corpus import body, copy_of


def sig(paragraphs: list[str]) -> np.ndarray:
    return signature(shingle_hashes(words(paragraphs)))


def true_jaccard(a: list[str], b: list[str]) -> float:
    sa, sb = set(shingle_hashes(words(a)).tolist()), set(shingle_hashes(words(b)).tolist())
    return len(sa & sb) / len(sa | sb)


def test_estimate_is_close_to_the_true_jaccard() -> None:
    original = body(1)
    for seed, rate in enumerate((0.01, 0.05, 0.1, 0.3)):
        copy = copy_of(original, seed, rate)
        estimate = similarity(sig(original), sig(copy))
        # four standard errors of a 128-slot estimate
        assert abs(estimate - true_jaccard(original, copy)) < 4 * (0.25 / PERMUTATIONS) ** 0.5


def test_unrelated_bodies_are_far_apart_and_copies_close() -> None:
    assert similarity(sig(body(1)), sig(body(2))) < 0.1
    assert similarity(sig(body(1)), sig(copy_of(body(1), 7))) > 0.5
    assert similarity(sig(body(3)), sig(body(3))) == 1.0


def test_word_order_inside_a_shingle_counts() -> None:
    assert not set(shingle_hashes(["a", "b", "c"]).tolist()) & set(
        shingle_hashes(["c", "b", "a"]).tolist()
    )


def test_stored_text_round_trips_and_damage_is_refused() -> None:
    s = sig(body(4))
    text = encode(s)
    decoded = decode(text)
    assert decoded is not None and np.array_equal(decoded, s)
    assert decode(text[:-8]) is None
    assert decode("not base64 at all!") is None
    assert decode("é") is None


def test_short_bodies_get_no_signature_and_damage_reads_as_none() -> None:
    short = parse_fingerprint(fingerprint(Article(id="x", paragraphs=("Shr loss",))))
    assert short is not None and short.signature is None and short.paragraphs == (0,)
    full = parse_fingerprint(fingerprint(Article(id="y", paragraphs=tuple(body(5)))))
    assert full is not None and full.signature is not None and len(full.paragraphs) == 3
    assert 0 not in full.paragraphs
    for damaged in ("", "2;;;", "1;xx;;", "1;;zz;", "1;;;1:", "garbage"):
        assert parse_fingerprint(damaged) is None, damaged


def test_paragraph_hashes_ignore_case_punctuation_and_spacing() -> None:
    assert text_hash("The minister said: 'No.'") == text_hash("the  minister said no")
    assert text_hash("The minister said no") != text_hash("The minister said yes")


def test_fingerprints_are_the_same_in_every_process() -> None:
    # stored fingerprints are compared with new ones: nothing may depend on the process
    import subprocess
    import sys

    code = (
        "from indexer import Article; from indexer.lineage.fingerprint import fingerprint; "
        "print(fingerprint(Article(id='z', paragraphs=('one two three four five six seven "
        "eight nine ten',))))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            env={"PYTHONHASHSEED": str(seed), "PYTHONPATH": "."},
        ).stdout
        for seed in (1, 2)
    }  # fmt: skip
    assert len(runs) == 1
