"""``newsfind search`` of a join labels each hit with its side, and proximity runs as typed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from indexer.cli.commands import cli


def test_a_join_labels_said_and_pictured_hits(seed_index: Path) -> None:
    query = 'said:("no limits") pictured:(putin xi)'
    result = CliRunner().invoke(cli, ["search", query, "--index", str(seed_index)])
    assert result.exit_code == 0, result.stderr
    assert "[said: paragraph] " in result.stdout and "*no-limits*" in result.stdout
    assert "[pictured: caption] " in result.stdout
    plain = CliRunner().invoke(cli, ["search", "putin NEAR/3 orban", "--index", str(seed_index)])
    assert plain.exit_code == 0 and "[paragraph] " in plain.stdout and "[said" not in plain.stdout
    bad = CliRunner().invoke(cli, ["search", "putin NEAR/0 xi", "--index", str(seed_index)])
    assert bad.exit_code == 2 and "NEAR/0: the distance must be at least 1" in bad.stderr
