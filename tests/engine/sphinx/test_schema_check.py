"""Shards configured by an older newsfind (a column this version needs is missing) are
refused at open in one line saying what to do, not by every search failing."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import NewsfindError, open_index
from indexer.engine.sphinx import cluster
from indexer.engine.sphinx.conf import DISTRIBUTED, free_local_cluster

from .local import _started, need_searchd


def test_shards_without_a_column_this_version_reads_are_refused_at_open(
    tmp_path: Path,
) -> None:
    need_searchd()
    from indexer.engine.sphinx.conf import write_local

    layout = free_local_cluster(2, 1)
    write_local(layout, tmp_path)
    confs = sorted(tmp_path.glob("shard*/searchd.conf"))
    assert len(confs) == 2
    for conf in confs:
        text = conf.read_text(encoding="utf-8")
        assert "rt_attr_bigint = credit_key\n" in text
        conf.write_text(text.replace("    rt_attr_bigint = credit_key\n", ""), encoding="utf-8")
    _started.append(tmp_path)
    cluster.start(tmp_path)
    with pytest.raises(NewsfindError) as caught:
        open_index(f"sphinx://{layout.head.address}/{DISTRIBUTED}")
    message = str(caught.value)
    assert "lacks credit_key" in message and "newsfind sphinx conf" in message
    assert "\n" not in message
