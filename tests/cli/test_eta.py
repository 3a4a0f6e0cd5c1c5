"""The indexing ETA counts the commits still to come, so it converges on the truth: the case
of the issue (reading fast, commits slow) is worked through with the estimator's own inputs."""

from __future__ import annotations

from indexer.cli.progress import estimate_seconds_left


def test_commits_still_to_come_are_counted() -> None:
    # 10 s in: 1% read in 2 s of reading, and one commit of 1,000 documents took 8 s
    left = estimate_seconds_left(
        elapsed=10.0,
        committing=8.0,
        bytes_read=1,
        bytes_total=100,
        documents_added=1000,
        documents_committed=1000,
    )
    # reading: 2 s per 1% -> 198 s; committing: 8 ms a document for 99,000 more -> 792 s
    assert left is not None and abs(left - (198.0 + 792.0)) < 1e-6


def test_at_the_end_nothing_is_left() -> None:
    left = estimate_seconds_left(
        elapsed=300.0, committing=200.0, bytes_read=100, bytes_total=100,
        documents_added=5000, documents_committed=5000,
    )  # fmt: skip
    assert left == 0.0


def test_nothing_to_go_on_yet() -> None:
    assert estimate_seconds_left(
        elapsed=0.5, committing=0.0, bytes_read=0, bytes_total=100,
        documents_added=0, documents_committed=0,
    ) is None  # fmt: skip
