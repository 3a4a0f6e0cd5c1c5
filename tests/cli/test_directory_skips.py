"""Inside a directory, files with other names are recognised by their content, and those
that cannot hold articles are reported in the summary (count and first names), never silently."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from indexer import open_index


def test_other_names_are_sniffed_and_skips_are_reported(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("Harbour reopens\n\nThe harbour reopened on Monday.\n")
    (d / "notes.md").write_text("Lighthouse notes\n\nThe lighthouse was repainted.\n")
    (d / "data").write_text(json.dumps({"id": "j1", "headline": "Ferry strike ends"}) + "\n")
    (d / "paper.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    (d / "blob.bin").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    (d / ".hidden").write_text("Secret\n\nNot for indexing.\n")
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "index", str(d), "--index", str(tmp_path / "ix")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("3 articles: 3 added"), done.stderr
    assert lines[1] == (
        f"skipped 3 files that hold no articles: {d / '.hidden'} (hidden file), "
        f"{d / 'blob.bin'} (binary file), {d / 'paper.pdf'} (binary file)"
    )
    with open_index(tmp_path / "ix") as ix:
        assert ix.search("lighthouse").total_articles == 1
        assert ix.article("j1") is not None
