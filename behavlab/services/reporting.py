"""The study report: the database read into behavlab.report's model, blind before unmasking, grouped after."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
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
    AuditEvent,
    DoseEvent,
    Exclusion,
    FstSession,
    ImmobilityScore,
    Randomization,
    RevealedAllocation,
    SealedKey,
    SptPeriod,
    Study,
    UnmaskEvent,
    utc_now,
)
from behavlab.report.data import (
    AgreementInfo,
    Amendment,
    AnimalInfo,
    ArmInfo,
    BlindingInfo,
    BlindingStage,
    EmergencyUnblinding,
    ExclusionInfo,
    ProcedureInfo,
    RandomizationInfo,
    ReportData,
    ScoringInfo,
    SptPeriodInfo,
    StageAccount,
    StudyInfo,
)
from behavlab.services.amendments import study_amendments
from behavlab.services.audit_anchor import chain_head
from behavlab.services.files import refused_writes
from behavlab.services.guards import EMERGENCY_UNMASK, FULL_UNMASK
from behavlab.services.lookup import find_study
from behavlab.services.roster_view import current_roster
from behavlab.services.sealing import PREPARER_REPRINT
from behavlab.services.spt import spt_results
from behavlab.services.workspace import Workspace
from cohorts.balance import BalanceReport, arm_label
from tracking.evaluation.agreement import seconds_agreement

if TYPE_CHECKING:
    from behavlab.report.render import ReportFiles

MANUAL = "manual"


@dataclass(frozen=True)
class StudyReport:
    """The files written and whether the report was blind."""

    files: ReportFiles
    blinded: bool


def write_study_report(workspace: Workspace, study_name: str, out_dir: Path) -> StudyReport:
    """Write the report: blind (codes only, no grouping) before unmasking, the full analysis after."""
    from behavlab.report.render import write_report

    data = build_report_data(workspace, study_name)
    with refused_writes():
        return StudyReport(write_report(data, out_dir), data.blinded)


def build_report_data(workspace: Workspace, study_name: str) -> ReportData:
    """Read one study into the report model; arms appear only if the study was unmasked."""
    spt = spt_results(workspace, study_name)
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        unmask = session.exec(
            select(UnmaskEvent).where(UnmaskEvent.study_id == study.id, UnmaskEvent.kind == FULL_UNMASK)
        ).first()
        blinded = unmask is None
        arms = session.exec(select(Arm).where(Arm.study_id == study.id).order_by(col(Arm.position))).all()
        arm_of = {} if blinded else _revealed_arms(session, study, {arm.id: arm.name for arm in arms})
        animals = _animals(session, study, arm_of)
        sex_of = {a.code: a.sex for a in animals}
        cage_of = {a.code: a.cage for a in animals}
        scores = _latest_scores(session, study)
        outcome_rows = []
        minute_rows = []
        for code, method, score in scores:
            for outcome, value in (
                ("fst_immobility_s", score.immobility_s),
                ("fst_latency_s", score.latency_s),
            ):
                if value is not None:
                    outcome_rows.append(
                        (
                            code,
                            arm_of.get(code),
                            sex_of[code],
                            cage_of[code],
                            outcome,
                            method,
                            None,
                            value,
                            "s",
                        )
                    )
            for minute, seconds in enumerate(json.loads(score.per_minute), start=1):
                minute_rows.append((code, arm_of.get(code), method, minute, seconds))
        for line in spt:
            outcome_rows.append(
                (
                    line.code,
                    arm_of.get(line.code),
                    sex_of[line.code],
                    cage_of[line.code],
                    "spt_preference_pct",
                    "bottles",
                    line.period,
                    line.preference_pct,
                    "%",
                )
            )
        randomization = _randomization(session, study, None if blinded else unmask)
        return ReportData(
            study=StudyInfo(
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
            ),
            blinded=blinded,
            animals=tuple(animals),
            outcomes=pd.DataFrame(outcome_rows, columns=list(_OUTCOME_COLUMNS)),
            blinding=_blinding(session, study, randomization, unmask),
            randomization=randomization,
            arms=()
            if blinded
            else tuple(ArmInfo(a.name, a.substance, a.dose_mg_per_kg, a.position == 1) for a in arms),
            immobility_per_minute=pd.DataFrame(minute_rows, columns=list(_MINUTE_COLUMNS)),
            exclusions=tuple(_exclusions(session, study, arm_of)),
            emergency_unblindings=tuple(_emergencies(session, study, arm_of)),
            amendments=tuple(
                Amendment(a.what, a.reason, a.by, a.at) for a in study_amendments(session, study)
            ),
            scoring=tuple(_scoring(scores)),
            procedures=_procedures(session, study),
            agreement=tuple(_agreement(scores)),
            video_sha256=_videos(session, study),
            software={"behavlab": __version__},
            generated_at=utc_now(),
            audit_head=chain_head(session),
        )


_OUTCOME_COLUMNS = ("code", "arm", "sex", "cage", "outcome", "method", "period", "value", "unit")
_MINUTE_COLUMNS = ("code", "arm", "method", "minute", "immobile_s")


def _revealed_arms(session: Session, study: Study, arm_names: dict[int | None, str]) -> dict[str, str]:
    rows = session.exec(
        select(Allocation.blind_code, RevealedAllocation.arm_id)
        .join(RevealedAllocation, col(RevealedAllocation.animal_id) == Allocation.animal_id)
        .where(Allocation.study_id == study.id)
    ).all()
    return {code: arm_names[arm_id] for code, arm_id in rows}


def _animals(session: Session, study: Study, arm_of: dict[str, str]) -> list[AnimalInfo]:
    roster = {entry.animal_id: entry for entry in current_roster(session, study, include_excluded=True)}
    rows = session.exec(
        select(Animal, Allocation.blind_code)
        .join(Allocation, col(Allocation.animal_id) == Animal.id)
        .where(Animal.study_id == study.id)
        .order_by(col(Allocation.blind_code))
    ).all()
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
                arm=arm_of.get(code),
            )
        )
    return infos


def _latest_scores(session: Session, study: Study) -> list[tuple[str, str, ImmobilityScore]]:
    """Each animal's latest scoring per method (a re-scoring with new parameters supersedes, but is kept)."""
    rows = session.exec(
        select(ImmobilityScore, Allocation.blind_code)
        .join(FstSession, col(FstSession.id) == ImmobilityScore.session_id)
        .join(Allocation, col(Allocation.animal_id) == FstSession.animal_id)
        .where(FstSession.study_id == study.id)
        .order_by(col(ImmobilityScore.scored_at), col(ImmobilityScore.id))
    ).all()
    latest: dict[tuple[str, str], ImmobilityScore] = {}
    for score, code in rows:
        latest[(code, score.method)] = score
    return [(code, method, score) for (code, method), score in sorted(latest.items())]


def _randomization(session: Session, study: Study, unmask: UnmaskEvent | None) -> RandomizationInfo | None:
    record = session.exec(select(Randomization).where(Randomization.study_id == study.id)).first()
    key = session.exec(select(SealedKey).where(SealedKey.study_id == study.id)).first()
    if record is None or key is None:
        return None
    revealed = json.loads(unmask.revealed or "{}") if unmask is not None else {}
    sizes = revealed.get("block_sizes", {})
    balance = BalanceReport.from_dict(revealed["balance"]).lines() if "balance" in revealed else []
    return RandomizationInfo(
        method=record.method,
        strata=tuple(s for s in record.strata.split(",") if s),
        n_arms=record.n_arms,
        roster_sha256=record.roster_sha256,
        library_version=record.library_version,
        commitment=key.commitment,
        created_at=record.created_at,
        created_by=record.created_by,
        seed=revealed.get("seed"),
        block_sizes=tuple(size for stratum in sorted(sizes) for size in sizes[stratum]),
        draws_previewed=record.draws_previewed,
        balance_was_readable=record.balance_was_readable,
        balance_lines=(*balance, *_arm_legend(revealed.get("arms", []))) if balance else (),
        commitment_opening=revealed.get("commitment_opening"),
    )


def _arm_legend(arm_names: Sequence[str]) -> tuple[str, ...]:
    """Which arm each number of the balance report stands for, once unmasked."""
    return (", ".join(f"{arm_label(index)} = {name}" for index, name in enumerate(arm_names)),)


def _blinding(
    session: Session, study: Study, randomization: RandomizationInfo | None, unmask: UnmaskEvent | None
) -> BlindingInfo:
    key_holder = randomization.created_by if randomization else study.created_by
    operators = set(
        session.exec(
            select(DoseEvent.operator)
            .join(Allocation, col(Allocation.animal_id) == DoseEvent.animal_id)
            .where(Allocation.study_id == study.id)
        )
    ) | set(session.exec(select(FstSession.recorded_by).where(FstSession.study_id == study.id)))
    scorers = set(
        session.exec(
            select(ImmobilityScore.scorer)
            .join(FstSession, col(FstSession.id) == ImmobilityScore.session_id)
            .where(FstSession.study_id == study.id)
        )
    )
    knowers = {key_holder} | set(
        session.exec(
            select(AuditEvent.actor).where(
                AuditEvent.study_id == study.id, AuditEvent.action == PREPARER_REPRINT
            )
        )
    )
    stages = (
        BlindingStage("allocation", (key_holder,), True),
        BlindingStage("conduct", tuple(sorted(operators)), bool(operators & knowers)),
        BlindingStage("outcome assessment", tuple(sorted(scorers)), bool(scorers & knowers)),
        BlindingStage("analysis", (unmask.by,) if unmask else (), unmask is not None),
    )
    stages = tuple(replace(stage, accounts=_stage_accounts(session, study, stage.stage)) for stage in stages)
    return BlindingInfo(key_holder, stages, unmask.at if unmask else None, unmask.by if unmask else None)


#: The audit actions that make up each stage of the blinding table; their events say who acted.
STAGE_ACTIONS: dict[str, tuple[str, ...]] = {
    "allocation": ("study.randomize", "preparer_sheet.write", PREPARER_REPRINT),
    "conduct": ("dose.record", "fst.add"),
    "outcome assessment": ("fst.score", "fst.manual_score"),
    "analysis": ("study.unmask",),
}


def _stage_accounts(session: Session, study: Study, stage: str) -> tuple[StageAccount, ...]:
    """Each declared person of a stage's audit events with the OS account and host that acted."""
    rows = session.exec(
        select(AuditEvent.actor, AuditEvent.os_user, AuditEvent.host)
        .where(
            AuditEvent.study_id == study.id,
            col(AuditEvent.action).in_(STAGE_ACTIONS[stage]),
            col(AuditEvent.os_user).is_not(None),
        )
        .distinct()
    ).all()
    return tuple(
        StageAccount(actor, os_user or "", host or "unknown")
        for actor, os_user, host in sorted(rows, key=str)
    )


def _exclusions(session: Session, study: Study, arm_of: dict[str, str]) -> list[ExclusionInfo]:
    rows = session.exec(
        select(Exclusion, Allocation.blind_code)
        .join(Allocation, col(Allocation.animal_id) == Exclusion.animal_id)
        .where(Allocation.study_id == study.id)
        .order_by(col(Exclusion.decided_at))
    ).all()
    return [
        ExclusionInfo(
            code,
            e.reason,
            e.criterion_set_a_priori,
            e.decided_blind,
            e.decided_by,
            e.decided_at,
            arm_of.get(code),
        )
        for e, code in rows
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


def _scoring(scores: list[tuple[str, str, ImmobilityScore]]) -> list[ScoringInfo]:
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


def _agreement(scores: list[tuple[str, str, ImmobilityScore]]) -> list[AgreementInfo]:
    by_method: dict[str, dict[str, float]] = defaultdict(dict)
    for code, method, score in scores:
        if score.immobility_s is not None:
            by_method[method][code] = score.immobility_s
    agreements = []
    for method, values in sorted(by_method.items()):
        if method == MANUAL or MANUAL not in by_method:
            continue
        common = sorted(set(values) & set(by_method[MANUAL]))
        if len(common) < 3:
            continue
        stats = seconds_agreement([by_method[MANUAL][c] for c in common], [values[c] for c in common])
        agreements.append(
            AgreementInfo(
                "fst_immobility_s",
                MANUAL,
                method,
                stats.n,
                stats.pearson_r,
                stats.bias,
                stats.lower_limit,
                stats.upper_limit,
            )
        )
    return agreements


def _procedures(session: Session, study: Study) -> ProcedureInfo:
    sessions = session.exec(select(FstSession).where(FstSession.study_id == study.id)).all()
    periods = session.exec(
        select(SptPeriod).where(SptPeriod.study_id == study.id).order_by(col(SptPeriod.starts_at))
    ).all()
    return ProcedureInfo(
        hours_post_dose=tuple(s.hours_post_dose for s in sessions if s.hours_post_dose is not None),
        water_temp_c=tuple(s.water_temp_c for s in sessions if s.water_temp_c is not None),
        water_depth_cm=tuple(s.water_depth_cm for s in sessions if s.water_depth_cm is not None),
        spt_periods=tuple(
            SptPeriodInfo(p.label, p.phase, p.starts_at, p.ends_at, p.sucrose_pct) for p in periods
        ),
    )


def _videos(session: Session, study: Study) -> dict[str, str]:
    rows = session.exec(
        select(FstSession.video_path, FstSession.video_sha256).where(FstSession.study_id == study.id)
    )
    return {Path(path).name: digest for path, digest in rows}
