"""The head revision is known without Alembic, and a database already at head opens without importing it."""

import subprocess
import sys
from pathlib import Path

from alembic import command

from behavlab.db.engine import create_database_engine
from behavlab.db.migrate import (
    HEAD_REVISION,
    alembic_config,
    head_revision,
    stored_revisions,
    upgrade_to_head,
)


def test_the_head_constant_is_alembics_head() -> None:
    assert head_revision() == HEAD_REVISION


def test_stored_revisions_of_an_empty_and_of_a_migrated_database(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'behavlab.sqlite'}")
    assert stored_revisions(engine) == []
    upgrade_to_head(engine)
    assert stored_revisions(engine) == [HEAD_REVISION]
    engine.dispose()


def test_a_database_at_head_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behavlab.sqlite'}"
    upgrade_to_head(create_database_engine(url))
    code = (
        "import sys; from behavlab.services import open_workspace; "
        f"open_workspace({url!r}, 'tester'); print('alembic' in sys.modules)"
    )
    opened = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert opened.stdout.strip() == "False"


def test_a_database_behind_head_is_still_migrated(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'behavlab.sqlite'}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
    result = upgrade_to_head(engine)
    assert (result.before, result.after) == ("0009", HEAD_REVISION)
    engine.dispose()
