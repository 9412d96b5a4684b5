"""The code is linted and formatted with ruff (settings in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

RUFF = Path(sys.executable).parent / "ruff"


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUFF), *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check_is_clean():
    proc = _ruff("check", "--no-cache", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_leaves_every_file_unchanged():
    proc = _ruff("format", "--no-cache", "--check", ".")
    assert proc.returncode == 0, "run `.venv/bin/ruff format`:\n" + proc.stdout + proc.stderr
