"""Fixtures for the terminal app's tests (the randomized study comes from `tests/behavlab/conftest.py`)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from behavlab.services import Workspace, open_workspace


@pytest.fixture
def sqlite_workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A SQLite workspace for snapshots (one image per test, whatever the backends in the run)."""
    opened = open_workspace(f"sqlite:///{tmp_path / 'snap.sqlite'}", actor="tester")
    yield opened
    opened.engine.dispose()
