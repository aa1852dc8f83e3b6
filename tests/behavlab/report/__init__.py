"""Tests of the report package, and the synthetic studies they report on.

:func:`synthetic_report` builds one 24-mouse study (ketamine lowers FST immobility by about 45 s and keeps
sucrose preference up while the vehicle arm's drops) and returns it blind or unmasked: the same animals,
codes and values, with the arms stripped when blind.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from behavlab.report import (
    AgreementInfo,
    Amendment,
    AnimalInfo,
    ArmInfo,
    BlindingInfo,
    BlindingStage,
    EmergencyUnblinding,
    ExclusionInfo,
    PrimaryEndpoint,
    ProcedureInfo,
    RandomizationInfo,
    ReportData,
    ScoringInfo,
    SptPeriodInfo,
    StudyInfo,
)
from behavlab.report.measures import IMMOBILITY_OUTCOME, LATENCY_OUTCOME, SPT_OUTCOME

ARMS = ("vehicle", "ketamine")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EFFECT_S = -45.0


def _code(i: int) -> str:
    return f"QX{i:02d}R"


def synthetic_report(
    *,
    blinded: bool = False,
    sexes: str = "FM",
    periods: int = 3,
    method: str = "stratified-block",
    seed: int = 7,
) -> ReportData:
    """A 24-mouse study: ``sexes`` "M" for males only, ``periods`` SPT periods, randomization ``method``."""
    rng = np.random.default_rng(seed)
    animals, outcomes, per_minute = [], [], []
    for i in range(24):
        cage = f"C{i // 4 + 1}"
        arm = ARMS[(i // 4) % 2] if method == "cage-cluster" else ARMS[i % 2]
        sex = sexes[(i // 4) % len(sexes)]
        animal = AnimalInfo(
            code=_code(i),
            label=f"M{i + 1:03d}",
            sex=sex,
            strain="C57BL/6J",
            cage=cage,
            date_of_birth=date(2026, 1, 1),
            age_weeks=8.0 + (i % 3) * 0.5,
            baseline_weight_g=round(float(rng.normal(24 if sex == "M" else 20, 1.5)), 1),
            source="Jackson Laboratory",
            arm=arm,
        )
        animals.append(animal)
        common = {"code": animal.code, "arm": arm, "sex": sex, "cage": cage}
        immobility = 160.0 + (EFFECT_S if arm == "ketamine" else 0.0) + rng.normal(0, 15)
        for scoring, offset in (("motion", 0.0), ("manual", rng.normal(6, 4))):
            outcomes.append(
                common | {"outcome": IMMOBILITY_OUTCOME, "method": scoring, "value": immobility + offset}
            )
        outcomes.append(
            common | {"outcome": LATENCY_OUTCOME, "method": "motion", "value": 60 + rng.normal(0, 10)}
        )
        for p in range(periods):
            drop = 14.0 if arm == "vehicle" and p > 0 else 0.0
            value = 84.0 - drop + rng.normal(0, 3)
            outcomes.append(
                common | {"outcome": SPT_OUTCOME, "method": None, "period": f"day {p}", "value": value}
            )
        for minute in range(1, 7):
            share = min(1.0, max(0.0, (minute - 1) / 5 * immobility / 240))
            per_minute.append(
                {
                    "code": animal.code,
                    "arm": arm,
                    "method": "motion",
                    "minute": minute,
                    "immobile_s": 60 * share,
                }
            )
    table = pd.DataFrame(outcomes)
    table["period"] = table["period"].where(table["period"].notna(), None)
    table["unit"] = np.where(table["outcome"] == SPT_OUTCOME, "%", "s")
    data = ReportData(
        study=StudyInfo(
            name="Demo study 2026",
            compound="ketamine",
            dose_mg_per_kg=10.0,
            route="i.p.",
            vehicle="saline",
            volume_ml_per_kg=10.0,
            species="mouse",
            strain="C57BL/6J",
            created_at=T0 - timedelta(days=20),
            created_by="alice",
            sample_size_rationale="power analysis: 12 per arm detect g = 1.2 with 80% power at alpha 0.05",
        ),
        blinded=False,
        arms=(ArmInfo("vehicle", "saline", 0.0, reference=True), ArmInfo("ketamine", "ketamine", 10.0)),
        animals=tuple(animals),
        outcomes=table,
        immobility_per_minute=pd.DataFrame(per_minute),
        blinding=BlindingInfo(
            key_holder="kim",
            stages=(
                BlindingStage("allocation", ("kim",), True),
                BlindingStage("conduct", ("bob", "carol"), False),
                BlindingStage("outcome assessment", ("carol",), False),
                BlindingStage("analysis", ("dave",), False),
            ),
            unmasked_at=T0 + timedelta(days=10),
            unmasked_by="kim",
        ),
        randomization=RandomizationInfo(
            method=method,
            strata=("sex",),
            n_arms=2,
            roster_sha256="a" * 64,
            library_version="0.1.0",
            commitment="c" * 64,
            created_at=T0 - timedelta(days=5),
            created_by="kim",
            seed=424242,
            block_sizes=(4, 2, 4),
        ),
        exclusions=(
            ExclusionInfo(
                _code(23),
                "weight loss above 15% before dosing",
                True,
                True,
                "bob",
                T0,
                arm=animals[23].arm,
                label=animals[23].label,
            ),
        ),
        emergency_unblindings=(
            EmergencyUnblinding(
                _code(5), "seizure after injection", "kim", T0 + timedelta(hours=2), arm=animals[5].arm
            ),
        ),
        amendments=(
            Amendment(
                "manual score of QX03R corrected 152 -> 125 s", "typo", "carol", T0 + timedelta(days=11)
            ),
        ),
        scoring=(
            ScoringInfo(
                "motion", {"pixel_cutoff": 10, "threshold": 0.012, "min_bout_s": 1.0}, "tracking 0.1.0"
            ),
            ScoringInfo("manual", {"scorer": "carol", "sheet": "5-s time sampling"}, "behavlab 0.1.0"),
        ),
        procedures=ProcedureInfo(
            hours_post_dose=tuple(24.0 + 0.1 * (i % 5) for i in range(24)),
            water_temp_c=tuple(24.0 + 0.2 * (i % 3) for i in range(24)),
            water_depth_cm=(15.0,) * 24,
            spt_periods=tuple(
                SptPeriodInfo(
                    f"day {p}",
                    "baseline" if p == 0 else "test",
                    T0 + timedelta(days=p),
                    T0 + timedelta(days=p + 1),
                    1.0,
                )
                for p in range(periods)
            ),
        ),
        agreement=(AgreementInfo(IMMOBILITY_OUTCOME, "manual", "motion", 24, 0.95, -6.1, -14.0, 1.8),),
        video_sha256={"fst/QX00R.mp4": "d" * 64, "fst/QX01R.mp4": "e" * 64},
        software={"behavlab": "0.1.0"},
        generated_at=T0 + timedelta(days=12),
        primary=PrimaryEndpoint(IMMOBILITY_OUTCOME, "motion"),
    )
    return blind(data) if blinded else data


def with_third_arm(data: ReportData, name: str = "esketamine") -> ReportData:
    """The unmasked study with every third animal moved to a third arm."""
    arm_of = {a.code: name if i % 3 == 2 else a.arm for i, a in enumerate(data.animals)}
    return replace(
        data,
        arms=(*data.arms, ArmInfo(name, name, 5.0)),
        animals=tuple(replace(animal, arm=arm_of[animal.code]) for animal in data.animals),
        outcomes=data.outcomes.assign(arm=data.outcomes["code"].map(arm_of)),
        immobility_per_minute=data.immobility_per_minute.assign(
            arm=data.immobility_per_minute["code"].map(arm_of)
        ),
        exclusions=tuple(replace(e, arm=arm_of[e.code]) for e in data.exclusions),
        emergency_unblindings=tuple(replace(e, arm=arm_of[e.code]) for e in data.emergency_unblindings),
    )


def blind(data: ReportData) -> ReportData:
    """The same study before unmasking: no arm anywhere, no seed, no block sizes, no unmasking."""
    assert data.randomization is not None
    return replace(
        data,
        blinded=True,
        arms=(),
        animals=tuple(replace(animal, arm=None) for animal in data.animals),
        outcomes=data.outcomes.assign(arm=None),
        immobility_per_minute=data.immobility_per_minute.assign(arm=None),
        exclusions=tuple(replace(exclusion, arm=None) for exclusion in data.exclusions),
        emergency_unblindings=tuple(replace(event, arm=None) for event in data.emergency_unblindings),
        amendments=(),
        randomization=replace(data.randomization, seed=None, block_sizes=()),
        blinding=replace(data.blinding, unmasked_at=None, unmasked_by=None),
    )
