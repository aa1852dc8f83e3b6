"""A database driver's failure as behavlab's own error, for sessions and plain connections alike.

It needs SQLAlchemy's exceptions only, so a Core read (the studies list) can use it without the ORM.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError

from behavlab.errors import DatabaseError


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn a driver's operational failure (locked, unreachable, read-only) into one clear line."""
    try:
        yield
    except OperationalError as exc:
        raise DatabaseError(f"database error: {' '.join(str(exc.orig).split())}") from exc
