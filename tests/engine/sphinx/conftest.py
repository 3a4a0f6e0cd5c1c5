"""Fixtures of the sphinx engine's own tests: real local clusters in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .local import start_cluster, stop_all

StartCluster = Callable[..., tuple[str, Path]]


@pytest.fixture(scope="session", autouse=True)
def _stop_clusters() -> Iterator[None]:
    yield
    stop_all()


@pytest.fixture
def new_cluster(tmp_path: Path) -> StartCluster:
    """``new_cluster(shards=2, mirrors=1)``: a running cluster's location and directory."""
    counter = iter(range(100))

    def start(shards: int = 2, mirrors: int = 1) -> tuple[str, Path]:
        directory = tmp_path / f"cluster{next(counter)}"
        location, _ = start_cluster(directory, shards, mirrors)
        return location, directory

    return start
