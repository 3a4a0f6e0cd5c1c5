"""The package data is declared as setuptools wants it: building copies every template and
static file, and prints no warning about data folders missing from the packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_building_copies_the_web_files_without_warnings(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        (source / name).write_bytes((ROOT / name).read_bytes())
    for package in ("indexer", "webapp"):
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                target = source / path.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "default",
            "-c",
            "import sys; from setuptools import setup; "
            "sys.argv = ['setup.py', 'build_py', '--build-lib', sys.argv[1]]; setup()",
            str(tmp_path / "lib"),
        ],  # fmt: skip
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "absent from the" not in output and "as data is deprecated" not in output
    built = tmp_path / "lib" / "webapp"
    for path in (ROOT / "webapp").rglob("*"):
        if path.suffix in (".html", ".css", ".js"):
            assert (built / path.relative_to(ROOT / "webapp")).is_file(), path
