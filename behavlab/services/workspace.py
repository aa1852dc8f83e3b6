"""A workspace: an opened, up-to-date database and the person acting on it; every service takes one."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy import Engine

from behavlab.config import APP_NAME, resolve_actor, resolve_database_url
from behavlab.db.engine import create_database_engine, describe_url, parse_database_url
from behavlab.db.migrate import UpgradeResult, upgrade_to_head
from behavlab.services.text import checked_text

#: A folder name that is kept as it is; any other gets its unsafe characters replaced and a digest appended.
_SAFE_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Workspace:
    """The database engine, who is acting (for the audit log), and the URL as it may be shown."""

    engine: Engine
    actor: str
    location: str

    def files_folder(self, purpose: str) -> Path:
        """The folder for this database's ``purpose`` files (e.g. ``scoring``), named after the database.

        Beside a SQLite file, ``<file stem>.<purpose>``; for a server (or an in-memory database), under the
        user data directory, ``<purpose>/<host>[-<port>]_<database>``.
        """
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            database = Path(str(url.database)).absolute()
            return database.with_name(f"{database.stem}.{purpose}")
        server = "-".join(str(part) for part in (url.host or url.get_backend_name(), url.port) if part)
        name = f"{server}_{url.database or 'memory'}"
        return user_data_path(APP_NAME, appauthor=False) / purpose / safe_folder_name(name)


def safe_folder_name(name: str) -> str:
    """``name`` as one folder name: kept when it is plain, else made plain and suffixed with its digest.

    The digest keeps two names that differ only in unsafe characters (``a/b``, ``a:b``) in different folders.
    """
    if _SAFE_FOLDER_NAME.fullmatch(name):
        return name
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "unnamed"
    return f"{plain}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


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
