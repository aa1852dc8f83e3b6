"""A person's FST score of a session: seconds immobile or a 5-s time-sampling sheet over the window."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import writing
from behavlab.errors import InvalidInputError, NotFoundError
from behavlab.models import FstSession, ImmobilityScore, Study
from behavlab.services.amendments import amendment_reason, record_amendment
from behavlab.services.audit import record_event
from behavlab.services.fst import parameters_digest
from behavlab.services.lookup import find_animal_by_typed_code, find_study, stored_id
from behavlab.services.precision import MANUAL_PRECISION_S, refuse_finer_than
from behavlab.services.scoring_methods import MANUAL_METHOD
from behavlab.services.text import checked_text
from behavlab.services.time_sampling import SampledSheet, sampled_sheet
from behavlab.services.voiding import live_sessions
from behavlab.services.workspace import Workspace
from cohorts.fst_sampling import TimeSampling
from tracking.rules.presets import FST_SCORED_WINDOW_S


@dataclass(frozen=True)
class ManualEntry:
    """A checked manual score: seconds immobile, latency, scorer and the time-sampling sheet if read.

    ``test_start_s``/``start_source`` and ``n_bouts``: the test start the window was counted from and the
    bouts in it, when the score was computed from bouts in video time (a BORIS import).
    """

    seconds: float
    latency_s: float | None
    scorer: str
    sampling: TimeSampling | None
    parameters: dict[str, object]
    details: dict[str, object]
    test_start_s: float | None = None
    start_source: str | None = None
    n_bouts: int | None = None


def record_manual_score(
    workspace: Workspace,
    study_name: str,
    typed_code: str,
    immobility_s: float | None,
    scorer: str,
    latency_s: float | None = None,
    sheet: Path | None = None,
    amend_reason: str | None = None,
    bins: Sequence[str] | None = None,
) -> ImmobilityScore:
    """Store a human's score of the animal's latest FST session (last 4 of 6 minutes).

    The score is seconds immobile, or a 5-s time-sampling sheet (48 bins: immobile, swimming, climbing) as
    a file or as the `bins` typed in order.
    After unmasking only as an amendment with its reason.
    """
    entry = manual_entry(immobility_s, scorer, latency_s, sampled_sheet(sheet, bins))
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        amending = amendment_reason(session, study, "add scores", amend_reason)
        return store_manual_entry(session, workspace, study, typed_code, entry, amending)


def store_manual_entry(
    session: Session,
    workspace: Workspace,
    study: Study,
    typed_code: str,
    entry: ManualEntry,
    amending: str | None,
) -> ImmobilityScore:
    """Store a checked entry for the animal's latest FST session, audited (an amendment when ``amending``)."""
    fst, code = latest_fst_session(session, study, typed_code)
    return store_session_entry(session, workspace, study, fst, code, entry, amending)


def store_session_entry(
    session: Session,
    workspace: Workspace,
    study: Study,
    fst: FstSession,
    code: str,
    entry: ManualEntry,
    amending: str | None,
) -> ImmobilityScore:
    """Store a checked entry for the FST session ``fst`` of the animal ``code``, audited like any entry."""
    score = _manual_score(fst, entry)
    session.add(score)
    session.flush()
    record_event(
        session,
        actor=workspace.actor,
        action=AuditAction.FST_MANUAL_SCORE,
        entity="fst_session",
        entity_id=fst.id,
        study_id=study.id,
        payload={
            "immobility_s": entry.seconds,
            "latency_s": entry.latency_s,
            "scorer": entry.scorer,
            **entry.details,
        },
    )
    if amending:
        record_amendment(
            session,
            study,
            actor=workspace.actor,
            what=f"manual FST score of {code} entered after unmasking: "
            f"{entry.seconds:g} s immobile (scorer {entry.scorer})",
            reason=amending,
            entity="fst_session",
            entity_id=str(fst.id),
        )
    return score


def manual_entry(
    immobility_s: float | None, scorer: str, latency_s: float | None, sheet: SampledSheet | None
) -> ManualEntry:
    """The checked score, with the parameters stored with it and the sheet's details for the audit log."""
    refuse_finer_than(immobility_s, MANUAL_PRECISION_S, "s", "--immobility-s")
    refuse_finer_than(latency_s, MANUAL_PRECISION_S, "s", "--latency-s")
    seconds = _manual_seconds(immobility_s, sheet)
    if latency_s is not None and not 0 <= latency_s <= FST_SCORED_WINDOW_S[1]:
        raise InvalidInputError(
            f"--latency-s {latency_s:g} not accepted; accepted: 0 to {FST_SCORED_WINDOW_S[1]:g}"
        )
    name = checked_text(scorer.strip(), "scorer")
    if not name:
        raise InvalidInputError("--scorer must name the person who scored")
    parameters: dict[str, object] = {"scorer": name, "window_s": list(FST_SCORED_WINDOW_S)}
    details: dict[str, object] = {}
    if sheet is not None:
        details = sheet.details()
        parameters["time_sampling"] = sheet.parameters()
    sampling = None if sheet is None else sheet.sampling
    return ManualEntry(seconds, latency_s, name, sampling, parameters, details)


def _manual_score(fst: FstSession, entry: ManualEntry) -> ImmobilityScore:
    """The score row of a manual entry; its digest includes the entry time, so each entry is its own."""
    parameters = entry.parameters
    return ImmobilityScore(
        session_id=stored_id(fst),
        method=MANUAL_METHOD,
        parameters=json.dumps(parameters, sort_keys=True),
        parameters_sha256=parameters_digest({**parameters, "entered_at": datetime.now().isoformat()}),
        software_version=MANUAL_METHOD,
        scorer=entry.scorer,
        immobility_s=entry.seconds,
        latency_s=entry.latency_s,
        n_bouts=entry.n_bouts,
        window_start_s=FST_SCORED_WINDOW_S[0],
        window_end_s=FST_SCORED_WINDOW_S[1],
        test_start_s=entry.test_start_s,
        start_source=entry.start_source,
        time_sampling=json.dumps(entry.sampling.counts if entry.sampling else {}),
    )


def _manual_seconds(immobility_s: float | None, sheet: SampledSheet | None) -> float:
    """Seconds immobile typed, or read from a time-sampling sheet (exactly one of the two), in the window."""
    window = FST_SCORED_WINDOW_S[1] - FST_SCORED_WINDOW_S[0]
    if sheet is not None and immobility_s is not None:
        raise InvalidInputError(
            "give either --immobility-s (seconds immobile) or --sheet (a 5-s time-sampling sheet), not both"
        )
    if sheet is not None:
        return sheet.sampling.immobility_s
    if immobility_s is None:
        raise InvalidInputError(
            "give --immobility-s (seconds immobile) or --sheet (a 5-s time-sampling sheet)"
        )
    if not 0 <= immobility_s <= window:
        raise InvalidInputError(
            f"--immobility-s {immobility_s:g} not accepted; accepted: 0 to {window:g} seconds"
        )
    return immobility_s


def latest_fst_session(session: Session, study: Study, typed_code: str) -> tuple[FstSession, str]:
    """The live FST session last tested of the animal whose blind code was typed, with that code."""
    animal, allocation = find_animal_by_typed_code(session, study, typed_code)
    fst = session.exec(
        select(FstSession)
        .where(FstSession.animal_id == animal.id, live_sessions())
        .order_by(col(FstSession.tested_at).desc())
    ).first()
    if fst is None:
        raise NotFoundError(
            f"animal {allocation.blind_code} has no FST session; record it with `behavlab fst add` first"
        )
    return fst, allocation.blind_code
