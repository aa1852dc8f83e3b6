"""Where a study stands (randomized, unmasked) and the refusals that follow from it."""

from sqlmodel import Session, select

from behavlab.errors import ConflictError
from behavlab.models import Randomization, Study, UnmaskEvent

FULL_UNMASK = "full"
EMERGENCY_UNMASK = "emergency"


def study_is_randomized(session: Session, study: Study) -> bool:
    """Whether the study's allocation has been committed."""
    return (
        session.exec(select(Randomization.id).where(Randomization.study_id == study.id)).first() is not None
    )


def study_is_unmasked(session: Session, study: Study) -> bool:
    """Whether the whole study has been unmasked (an emergency unblinding of one animal does not count)."""
    query = select(UnmaskEvent.id).where(UnmaskEvent.study_id == study.id, UnmaskEvent.kind == FULL_UNMASK)
    return session.exec(query).first() is not None


def refuse_unless_randomized(session: Session, study: Study, doing: str) -> None:
    """Stop a step that needs the allocation before it exists."""
    if not study_is_randomized(session, study):
        raise ConflictError(
            f"study {study.name!r} is not randomized yet; "
            f"run `behavlab randomize {study.name}` before you {doing}"
        )


def refuse_if_unmasked(session: Session, study: Study, doing: str) -> None:
    """Stop new data once the study is unmasked and locked."""
    if study_is_unmasked(session, study):
        raise ConflictError(f"study {study.name!r} is unmasked and locked; cannot {doing}")
