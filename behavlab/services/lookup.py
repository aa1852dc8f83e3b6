"""Finding recorded things by the names users type, with errors that say what exists."""

from sqlmodel import Session, col, select

from behavlab.errors import NotFoundError
from behavlab.models import Study


def find_study(session: Session, name: str) -> Study:
    """The study called `name`, or an error listing the studies that exist."""
    study = session.exec(select(Study).where(Study.name == name)).first()
    if study is not None:
        return study
    names = session.exec(select(Study.name).order_by(col(Study.name))).all()
    known = ", ".join(names) if names else "none yet; create one with `behavlab study create NAME`"
    raise NotFoundError(f"no study named {name!r}; studies: {known}")
