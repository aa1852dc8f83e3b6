"""Transactions: readers share the database; writers are serialized so the audit chain never forks."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlmodel import Session

from behavlab.db.driver_errors import translated_errors
from behavlab.db.engine import writer_engine
from behavlab.db.row_digests import require_all_audited, track_writes
from behavlab.models import load_all

# Any constant works; it only has to be the same for every behavlab process sharing one PostgreSQL database.
POSTGRES_WRITER_LOCK_KEY = 0x62656861766C6162  # "behavlab"


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for reads; objects stay usable after it closes."""
    with translated_errors(), Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A session whose transaction holds the database's single writer slot, committed on success.

    It tracks the audited rows it writes: each must be covered by an audit event (`record_event`) recorded
    after it in the same transaction, or the transaction is refused and rolled back. Every table is loaded
    first, so the order SQLAlchemy writes rows in follows every foreign key.
    """
    load_all()
    with (
        translated_errors(),
        Session(writer_engine(engine), expire_on_commit=False) as session,
        session.begin(),
    ):
        if engine.dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_WRITER_LOCK_KEY})
        track_writes(session)
        yield session
        require_all_audited(session)
