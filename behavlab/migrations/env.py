"""Alembic environment: runs on the connection behavlab hands over, in batch mode for SQLite."""

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from behavlab.config import resolve_database_url
from behavlab.db.engine import create_database_engine
from behavlab.models import load_all
from behavlab.models.utc_time import UTCDateTime

load_all()
target_metadata = SQLModel.metadata


def _render_plain_types(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Write migrations with plain SQLAlchemy types, so old revisions never import today's code."""
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_plain_types,
    )
    with context.begin_transaction():
        context.run_migrations()


handed_over = context.config.attributes.get("connection")
if handed_over is not None:
    _run(handed_over)
else:  # run from the alembic command line by a developer (e.g. `alembic revision --autogenerate`)
    engine = create_database_engine(resolve_database_url())
    with engine.begin() as own_connection:
        _run(own_connection)
