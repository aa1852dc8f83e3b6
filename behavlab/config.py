"""Where behavlab keeps its data and who is acting: resolved from options, environment, then defaults."""

import getpass
import os
import socket
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "behavlab"
DATABASE_ENV = "BEHAVLAB_DB"
USER_ENV = "BEHAVLAB_USER"


def default_database_path() -> Path:
    """The embedded SQLite file in the user's data directory (platformdirs)."""
    return user_data_path(APP_NAME, appauthor=False) / "behavlab.sqlite"


def resolve_database_url(explicit: str | None = None) -> str:
    """The database URL: the explicit option, else $BEHAVLAB_DB, else the embedded SQLite file."""
    if explicit:
        return explicit
    from_env = os.environ.get(DATABASE_ENV, "").strip()
    if from_env:
        return from_env
    return f"sqlite:///{default_database_path()}"


def resolve_actor(explicit: str | None = None) -> str:
    """Who is acting, for the audit log: --user, else $BEHAVLAB_USER, else the OS login."""
    for candidate in (explicit, os.environ.get(USER_ENV)):
        if candidate and candidate.strip():
            return candidate.strip()
    return os_account()


def os_account() -> str:
    """The operating-system account running this process (login name, else the numeric uid, else unknown)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        uid = getattr(os, "getuid", None)
        return f"uid {uid()}" if uid is not None else "unknown"


def host_name() -> str:
    """The name of the machine running this process ("unknown" when it has none)."""
    return socket.gethostname() or "unknown"
