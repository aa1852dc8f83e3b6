"""Helpers for the tests of running DeepLabCut: a real Python interpreter that has no DeepLabCut."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def python_without_deeplabcut(folder: Path) -> Path:
    """The python of a fresh virtual environment (``venv --without-pip``): ``import deeplabcut`` fails."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import deeplabcut"], capture_output=True, check=False)
    assert probe.returncode != 0, f"{python} unexpectedly imports deeplabcut"
    return python
