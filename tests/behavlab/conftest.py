"""Fixtures for every test of the application: the randomized study and the command line on a database."""

from pathlib import Path

import pytest

from behavlab.services import Workspace
from tests.behavlab.cli.invoke import Invoke, cli_on
from tests.behavlab.randomized_study import RandomizedStudy, randomize_study


@pytest.fixture
def randomized(workspace: Workspace, tmp_path: Path) -> RandomizedStudy:
    """A randomized 24-mouse study named 'blind', weighed yesterday morning."""
    return randomize_study(workspace, tmp_path)


@pytest.fixture
def cli(database_url: str) -> Invoke:
    """Invoke `behavlab --db URL ARGS...`; set env=... for environment variables."""
    return cli_on(database_url)
