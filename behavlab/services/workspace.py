"""A workspace: an opened, up-to-date database and the person acting on it; every service takes one."""

from dataclasses import dataclass

from sqlalchemy import Engine

from behavlab.config import resolve_actor, resolve_database_url
from behavlab.db.engine import create_database_engine, describe_url, parse_database_url
from behavlab.db.migrate import UpgradeResult, upgrade_to_head
from behavlab.services.text import checked_text


@dataclass(frozen=True)
class Workspace:
    """The database engine, who is acting (for the audit log), and the URL as it may be shown."""

    engine: Engine
    actor: str
    location: str


def open_workspace(database_url: str | None = None, actor: str | None = None) -> Workspace:
    """Open the database (upgrading its schema to this release) for the resolved actor."""
    url = resolve_database_url(database_url)
    engine = create_database_engine(url)
    upgrade_to_head(engine)
    return Workspace(
        engine=engine,
        actor=checked_text(resolve_actor(actor), "user name (--user or $BEHAVLAB_USER)"),
        location=describe_url(parse_database_url(url)),
    )


def upgrade_database(database_url: str | None = None) -> tuple[str, UpgradeResult]:
    """Bring the database to this release's schema; returns where it is and the revisions before and after."""
    url = resolve_database_url(database_url)
    result = upgrade_to_head(create_database_engine(url))
    return describe_url(parse_database_url(url)), result
