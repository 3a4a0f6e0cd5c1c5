"""The README's Python example runs as written, against the seed index it builds itself."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT


def _python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_readme_has_a_python_example():
    assert _python_blocks(), "README lost its Python API example"


@pytest.mark.parametrize("block", _python_blocks())
def test_readme_python_example_runs(block, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "1 articles" in out
    assert "<mark>" in out
