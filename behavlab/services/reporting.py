"""The study report: the database read into behavlab.report's model, blind before unmasking, grouped after."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from sqlmodel import Session, col, select

from behavlab import __version__
from behavlab.db.session import reading
from behavlab.models import (
    Allocation,
    Animal,
    Arm,
    Cohort,
    DoseEvent,
    Exclusion,
    FstSession,
    ImmobilityScore,
    RevealedAllocation,
    SptPeriod,
    Study,
    UnmaskEvent,
    utc_now,
)
from behavlab.report import (
    AgreementInfo,
    Amendment,
    AnimalInfo,
    ArmInfo,
    EmergencyUnblinding,
    ExclusionInfo,
    ProcedureInfo,
    ReportData,
    ScoringInfo,
    SptPeriodInfo,
    StudyInfo,
)
from behavlab.report.data import INTAKE_COLUMNS, OUTCOME_COLUMNS, PER_MINUTE_COLUMNS
from behavlab.report.measures import IMMOBILITY_OUTCOME, LATENCY_OUTCOME, OUTCOME_UNITS, SPT_OUTCOME
from behavlab.services.allocation_record import blinding_record, randomization_record
from behavlab.services.amendments import study_amendments
from behavlab.services.arms import reference_arm
from behavlab.services.audit_anchor import chain_head
from behavlab.services.guards import EMERGENCY_UNMASK, FULL_UNMASK
from behavlab.services.library_errors import refused_writes
from behavlab.services.lookup import find_study
from behavlab.services.report_records import (
    cohort_draws,
    doses_given,
    primary_endpoint,
    protocol_info,
    protocol_waived,
    voided,
)
from behavlab.services.roster_view import current_roster
from behavlab.services.scoring_methods import MANUAL_METHOD
from behavlab.services.spt import SptLine, spt_results
from behavlab.services.voiding import live_scores, live_sessions, not_voided
from behavlab.services.workspace import Workspace
from tracking.evaluation.agreement import seconds_agreement

if TYPE_CHECKING:
    from behavlab.report.render import ReportFiles

#: An animal's latest score by one method: its blind code, the method and the score row.
LatestScore = tuple[str, str, ImmobilityScore]
#: The method of sucrose preference values: bottles weighed.
SPT_METHOD = "bottles"
#: The fewest animals scored both by hand and by a method for the two scorings' agreement to be reported.
AGREEMENT_MIN_ANIMALS = 3


@dataclass(frozen=True)
class StudyReport:
    """The files written, whether the report was blind, and its notes on what it leaves out and why."""

    files: ReportFiles
    blinded: bool
    notes: tuple[str, ...]


def write_study_report(workspace: Workspace, study_name: str, out_dir: Path) -> StudyReport:
    """Write the report: blind (codes only, no grouping) before unmasking, the full analysis after."""
    from behavlab.report.render import write_report

    data = build_report_data(workspace, study_name)
    with refused_writes():
        return StudyReport(write_report(data, out_dir), data.blinded, data.agreement_notes)


def build_report_data(workspace: Workspace, study_name: str) -> ReportData:
    """Read one study into the report model; arms appear only if the study was unmasked."""
    spt = spt_results(workspace, study_name)
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        unmask = session.exec(
            select(UnmaskEvent).where(UnmaskEvent.study_id == study.id, UnmaskEvent.kind == FULL_UNMASK)
        ).first()
        arms = session.exec(select(Arm).where(Arm.study_id == study.id).order_by(col(Arm.position))).all()
        arm_of = {} if unmask is None else _revealed_arms(session, study, {arm.id: arm.name for arm in arms})
        roster = _animals(session, study, arm_of)
        animals = {animal.code: animal for animal in roster if animal.code is not None}
        scores = _latest_scores(session, study)
        randomization = randomization_record(session, study, unmask)
        return ReportData(
            study=_study_info(study),
            blinded=unmask is None,
            animals=tuple(roster),
            outcomes=_outcome_table(animals, scores, spt),
            blinding=blinding_record(session, study, randomization, unmask, workspace.actor),
            randomization=randomization,
            arms=() if unmask is None else tuple(_arm_info(arm, reference_arm(arms)) for arm in arms),
            immobility_per_minute=_per_minute_table(animals, scores),
            spt_intakes=pd.DataFrame(
                [(line.code, line.period, line.sucrose_ml, line.water_ml) for line in spt],
                columns=list(INTAKE_COLUMNS),
            ),
            exclusions=tuple(_exclusions(session, study, arm_of)),
            emergency_unblindings=tuple(_emergencies(session, study, arm_of)),
            amendments=tuple(
                Amendment(a.what, a.reason, a.by, a.at) for a in study_amendments(session, study)
            ),
            scoring=tuple(_scoring(scores)),
            procedures=_procedures(session, study),
            agreement=tuple(_agreement(scores)),
            agreement_notes=tuple(_agreement_notes(scores)),
            video_sha256=_videos(session, study),
            software={"behavlab": __version__},
            generated_at=utc_now(),
            audit_head=chain_head(session),
            primary=primary_endpoint(session, study),
            doses=doses_given(session, study),
            voided=voided(session, study),
            protocol=protocol_info(session, study),
            protocol_waived=protocol_waived(session, study),
            factor_name=study.factor_name,
            cohort_draws=cohort_draws(session, study, unmask),
        )


def _study_info(study: Study) -> StudyInfo:
    return StudyInfo(
        name=study.name,
        compound=study.compound,
        dose_mg_per_kg=study.dose_mg_per_kg,
        route=study.route,
        vehicle=study.vehicle,
        volume_ml_per_kg=study.volume_ml_per_kg,
        species=study.species,
        strain=study.strain,
        created_at=study.created_at,
        created_by=study.created_by,
        test_hours_post_dose=study.test_hours_post_dose,
        syringe_graduation_ml=study.syringe_graduation_ml,
        volume_tolerance_pct=study.volume_tolerance_pct,
    )


def _arm_info(arm: Arm, reference: Arm) -> ArmInfo:
    """An arm as the report names it, with its stated stock and whether it is the reference."""
    return ArmInfo(arm.name, arm.substance, arm.dose_mg_per_kg, arm is reference, arm.stock_mg_per_ml)


def _outcome_table(
    animals: Mapping[str, AnimalInfo], scores: Sequence[LatestScore], spt: Sequence[SptLine]
) -> pd.DataFrame:
    """One row per animal x outcome x method [x period] (`OUTCOME_COLUMNS`); the arm only once unmasked."""
    rows: list[tuple[object, ...]] = []
    for code, method, score in scores:
        for outcome, value in ((IMMOBILITY_OUTCOME, score.immobility_s), (LATENCY_OUTCOME, score.latency_s)):
            if value is not None:
                rows.append(_outcome_row(animals[code], outcome, method, None, value))
    for line in spt:
        rows.append(
            _outcome_row(animals[line.code], SPT_OUTCOME, SPT_METHOD, line.period, line.preference_pct)
        )
    return pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))


def _outcome_row(
    animal: AnimalInfo, outcome: str, method: str, period: str | None, value: float
) -> tuple[object, ...]:
    unit = OUTCOME_UNITS[outcome]
    return (animal.code, animal.arm, animal.sex, animal.cage, outcome, method, period, value, unit)


def _per_minute_table(animals: Mapping[str, AnimalInfo], scores: Sequence[LatestScore]) -> pd.DataFrame:
    """Seconds immobile in each minute of each scored FST (`PER_MINUTE_COLUMNS`)."""
    rows = [
        (code, animals[code].arm, method, minute, seconds)
        for code, method, score in scores
        for minute, seconds in enumerate(json.loads(score.per_minute), start=1)
    ]
    return pd.DataFrame(rows, columns=list(PER_MINUTE_COLUMNS)).astype({"immobile_s": float})


def _revealed_arms(session: Session, study: Study, arm_names: dict[int | None, str]) -> dict[str, str]:
    rows = session.exec(
        select(Allocation.blind_code, RevealedAllocation.arm_id)
        .join(RevealedAllocation, col(RevealedAllocation.animal_id) == Allocation.animal_id)
        .where(Allocation.study_id == study.id)
    ).all()
    return {code: arm_names[arm_id] for code, arm_id in rows}


def _animals(session: Session, study: Study, arm_of: dict[str, str]) -> list[AnimalInfo]:
    """Every animal on the roster, excluded or not; one never randomized has no code."""
    roster = {entry.animal_id: entry for entry in current_roster(session, study, include_excluded=True)}
    rows = session.exec(
        select(Animal, Allocation.blind_code)
        .join(Allocation, col(Allocation.animal_id) == Animal.id, isouter=True)
        .where(Animal.study_id == study.id)
        .order_by(col(Allocation.blind_code), col(Animal.label))
    ).all()
    dosing_weights = _dosing_weights(session, study)
    cohorts = {c.id: c.name for c in session.exec(select(Cohort).where(Cohort.study_id == study.id))}
    infos = []
    for animal, code in rows:
        entry = roster[animal.label]
        age = (study.created_at.date() - animal.date_of_birth).days / 7
        infos.append(
            AnimalInfo(
                code=code,
                label=animal.label,
                sex=animal.sex,
                strain=animal.strain,
                cage=entry.cage,
                date_of_birth=animal.date_of_birth,
                age_weeks=round(age, 1),
                baseline_weight_g=entry.weight_g,
                source=animal.source,
                arm=None if code is None else arm_of.get(code),
                dosing_weight_g=dosing_weights.get(animal.id),
                factor_level=animal.factor_level,
                cohort=cohorts.get(animal.cohort_id),
            )
        )
    return infos


def _dosing_weights(session: Session, study: Study) -> dict[int | None, float]:
    """Each dosed animal's weight its first dose was computed from, by animal id."""
    doses = session.exec(
        select(DoseEvent)
        .join(Animal, col(Animal.id) == DoseEvent.animal_id)
        .where(Animal.study_id == study.id, not_voided("dose", DoseEvent.id))
        .order_by(col(DoseEvent.dosed_at).desc(), col(DoseEvent.id).desc())
    ).all()
    return {dose.animal_id: dose.weight_g for dose in doses}


def _latest_scores(session: Session, study: Study) -> list[LatestScore]:
    """Each animal's latest scoring per method (a re-scoring with new parameters supersedes, but is kept)."""
    rows = session.exec(
        select(ImmobilityScore, Allocation.blind_code)
        .join(FstSession, col(FstSession.id) == ImmobilityScore.session_id)
        .join(Allocation, col(Allocation.animal_id) == FstSession.animal_id)
        .where(FstSession.study_id == study.id, live_scores())
        .order_by(col(ImmobilityScore.scored_at), col(ImmobilityScore.id))
    ).all()
    latest: dict[tuple[str, str], ImmobilityScore] = {}
    for score, code in rows:
        latest[(code, score.method)] = score
    return [(code, method, score) for (code, method), score in sorted(latest.items())]


def _exclusions(session: Session, study: Study, arm_of: dict[str, str]) -> list[ExclusionInfo]:
    """Every exclusion, with the animal's lab ID and its code if it was randomized."""
    rows = session.exec(
        select(Exclusion, Animal.label, Allocation.blind_code)
        .join(Animal, col(Animal.id) == Exclusion.animal_id)
        .join(Allocation, col(Allocation.animal_id) == Exclusion.animal_id, isouter=True)
        .where(Animal.study_id == study.id)
        .order_by(col(Exclusion.decided_at), col(Exclusion.id))
    ).all()
    return [
        ExclusionInfo(
            code,
            e.reason,
            e.criterion_set_a_priori,
            e.decided_blind,
            e.decided_by,
            e.decided_at,
            None if code is None else arm_of.get(code),
            label,
        )
        for e, label, code in rows
    ]


def _emergencies(session: Session, study: Study, arm_of: dict[str, str]) -> list[EmergencyUnblinding]:
    rows = session.exec(
        select(UnmaskEvent, Allocation.blind_code)
        .join(Allocation, col(Allocation.animal_id) == UnmaskEvent.animal_id)
        .where(UnmaskEvent.study_id == study.id, UnmaskEvent.kind == EMERGENCY_UNMASK)
    ).all()
    return [
        EmergencyUnblinding(code, event.reason, event.by, event.at, arm_of.get(code)) for event, code in rows
    ]


def _scoring(scores: list[LatestScore]) -> list[ScoringInfo]:
    seen: dict[str, ScoringInfo] = {}
    for _, method, score in scores:
        seen.setdefault(
            method,
            ScoringInfo(
                method=method,
                parameters=json.loads(score.parameters),
                software_version=score.software_version,
                window_s=(score.window_start_s, score.window_end_s),
            ),
        )
    return list(seen.values())


def _scored_by_both(scores: list[LatestScore]) -> Iterator[tuple[str, list[float], list[float]]]:
    """Each method besides manual scoring, with the manual and its seconds of the animals scored by both."""
    by_method: dict[str, dict[str, float]] = defaultdict(dict)
    for code, method, score in scores:
        seconds = by_method[method]  # a method whose every score is missing still has its (empty) entry
        if score.immobility_s is not None:
            seconds[code] = score.immobility_s
    manual = by_method.get(MANUAL_METHOD, {})
    for method, values in sorted(by_method.items()):
        if method != MANUAL_METHOD and manual:
            common = sorted(set(values) & set(manual))
            yield method, [manual[c] for c in common], [values[c] for c in common]


def _agreement(scores: list[LatestScore]) -> list[AgreementInfo]:
    agreements = []
    for method, manual, other in _scored_by_both(scores):
        if len(manual) < AGREEMENT_MIN_ANIMALS:
            continue
        stats = seconds_agreement(manual, other)
        agreements.append(
            AgreementInfo(
                IMMOBILITY_OUTCOME,
                MANUAL_METHOD,
                method,
                stats.n,
                stats.pearson_r,
                stats.bias,
                stats.lower_limit,
                stats.upper_limit,
            )
        )
    return agreements


def _agreement_notes(scores: list[LatestScore]) -> list[str]:
    """Why the agreement of a method with manual scoring is not shown: too few animals scored by both."""
    return [
        f"Agreement of {method} with {MANUAL_METHOD} immobility scoring is not shown: it needs at least "
        f"{AGREEMENT_MIN_ANIMALS} animals scored by both; animals scored by both: {len(manual)}."
        for method, manual, _ in _scored_by_both(scores)
        if len(manual) < AGREEMENT_MIN_ANIMALS
    ]


def _procedures(session: Session, study: Study) -> ProcedureInfo:
    sessions = session.exec(select(FstSession).where(FstSession.study_id == study.id, live_sessions())).all()
    allocated = select(Allocation.animal_id, Allocation.blind_code).where(Allocation.study_id == study.id)
    codes = dict(session.exec(allocated).all())
    periods = session.exec(
        select(SptPeriod).where(SptPeriod.study_id == study.id).order_by(col(SptPeriod.starts_at))
    ).all()
    return ProcedureInfo(
        hours_post_dose=tuple(s.hours_post_dose for s in sessions if s.hours_post_dose is not None),
        test_times=tuple(
            (codes[s.animal_id], s.hours_post_dose) for s in sessions if s.hours_post_dose is not None
        ),
        water_temp_c=tuple(s.water_temp_c for s in sessions if s.water_temp_c is not None),
        water_depth_cm=tuple(s.water_depth_cm for s in sessions if s.water_depth_cm is not None),
        spt_periods=tuple(
            SptPeriodInfo(p.label, p.phase, p.starts_at, p.ends_at, p.sucrose_pct) for p in periods
        ),
    )


def _videos(session: Session, study: Study) -> dict[str, str]:
    rows = session.exec(
        select(FstSession.video_path, FstSession.video_sha256).where(
            FstSession.study_id == study.id, live_sessions()
        )
    )
    return {Path(path).name: digest for path, digest in rows}
