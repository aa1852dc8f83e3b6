"""The records a study report is made of, one frozen dataclass each.

The study, its arms and animals, exclusions, the randomization, who knew the allocation at each stage,
scoring methods, procedures and the agreement of scoring methods. The application fills them; any field
that would name an arm is None (or absent) in a blind report, as :class:`behavlab.report.data.ReportData`
checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cohorts.syringe import DEFAULT_SYRINGE_GRADUATION_ML, DEFAULT_VOLUME_TOLERANCE_PCT
from tracking.rules.presets import FST_SCORED_WINDOW_S

#: The stages of a study, in order, as the blinding table names them.
ALLOCATION_STAGE = "allocation"
CONDUCT_STAGE = "conduct"
ASSESSMENT_STAGE = "outcome assessment"
ANALYSIS_STAGE = "analysis"
#: Stages whose people must not know the allocation for the study to count as blinded.
STAGES_MEANT_BLIND = (CONDUCT_STAGE, ASSESSMENT_STAGE)


@dataclass(frozen=True)
class StudyInfo:
    """The study's settings: compound against vehicle, dose, route, volume, animals, planned test time.

    The syringe graduation (mL) is what each volume was drawn to; the tolerance (% of the computed volume) is
    how far a volume given could stray from the computed one.
    """

    name: str
    compound: str
    dose_mg_per_kg: float
    route: str
    vehicle: str
    volume_ml_per_kg: float
    species: str
    strain: str
    created_at: datetime
    created_by: str
    test_hours_post_dose: float = 24.0
    sample_size_rationale: str | None = None
    syringe_graduation_ml: float = DEFAULT_SYRINGE_GRADUATION_ML
    volume_tolerance_pct: float = DEFAULT_VOLUME_TOLERANCE_PCT


@dataclass(frozen=True)
class ArmInfo:
    """One arm; ``reference`` marks the arm every difference is taken against (the vehicle by default).

    ``stock_mg_per_ml`` is the stock stated for the arm; None: its dose over the study's volume per kg.
    """

    name: str
    substance: str
    dose_mg_per_kg: float
    reference: bool = False
    stock_mg_per_ml: float | None = None


@dataclass(frozen=True)
class AnimalInfo:
    """One animal on the roster: its blind code (None if never randomized), and once unmasked its arm.

    ``dosing_weight_g`` is the weight its dose was computed from, if it was dosed; ``factor_level`` its level
    of the study's non-randomized factor and ``cohort`` its cohort, as the roster gives them (None: none).
    """

    code: str | None
    label: str
    sex: str
    strain: str
    cage: str | None
    date_of_birth: date | None = None
    age_weeks: float | None = None
    baseline_weight_g: float | None = None
    source: str | None = None
    arm: str | None = None
    dosing_weight_g: float | None = None
    factor_level: str | None = None
    cohort: str | None = None


@dataclass(frozen=True)
class ExclusionInfo:
    """An animal left out of the analysis: why, whether the criterion was a priori, whether decided blind.

    The animal is named by its blind code, or by its lab ID (``label``) when it was excluded before it got
    a code; the application gives both when it has them.
    """

    code: str | None
    reason: str
    a_priori: bool
    decided_blind: bool
    decided_by: str
    decided_at: datetime
    arm: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class ProtocolDeclaration:
    """One version of the study's declared primary outcome; ``reason`` says why it changed the one before."""

    version: int
    outcome: str
    method: str | None
    declared_at: datetime
    declared_by: str
    reason: str | None = None


@dataclass(frozen=True)
class PrimaryEndpoint:
    """The outcome and scoring method the study declared primary (``method`` None for an unscored one).

    ``declarations`` holds every version of the declaration, oldest first (the last is the one in force);
    ``before_randomization`` says whether that last one was made before the allocation was committed (else
    it was made after it, while the allocation was still sealed: a declaration is refused once unmasked).
    """

    outcome: str
    method: str | None
    declarations: tuple[ProtocolDeclaration, ...] = ()
    before_randomization: bool = True


@dataclass(frozen=True)
class DoseInfo:
    """One injection as given, by the animal's blind code: the weight used and the volume given.

    ``planned_ml_per_kg`` is the study's volume per kg, ``given_ml_per_kg`` the volume given per kg of the
    weight used and ``deviation_pct`` the volume given against the computed one, in percent. No mg/kg: the
    stock differs by arm, so the mg/kg received is worked out only once the arms are known.
    """

    code: str
    dosed_at: datetime
    weight_g: float
    volume_ml: float
    planned_ml_per_kg: float
    given_ml_per_kg: float
    deviation_pct: float

    @property
    def computed_volume_ml(self) -> float:
        """The volume computed from the weight used and the planned mL/kg."""
        return self.weight_g / 1000.0 * self.planned_ml_per_kg


@dataclass(frozen=True)
class VoidedInfo:
    """A record voided with its reason: what (weight, dose, session, score, bottle sheet), whose, who, when.

    ``code`` is its animal's blind code (None for a bottle sheet or an animal never randomized): a void tells
    nothing of an arm.
    """

    entity: str
    record_id: int
    code: str | None
    reason: str
    voided_by: str
    voided_at: datetime


@dataclass(frozen=True)
class RandomizationInfo:
    """How the allocation was made; the sealed parts are given only once unmasked.

    The seed, block sizes, balance and the commitment's opening are sealed. ``balance_was_readable`` marks a
    study whose per-arm aggregates were stored in the clear before behavlab 0.2.0.
    """

    method: str
    strata: tuple[str, ...]
    n_arms: int
    roster_sha256: str
    library_version: str
    commitment: str
    created_at: datetime
    created_by: str
    seed: int | None = None
    block_sizes: tuple[int, ...] = ()
    draws_previewed: int = 1
    balance_was_readable: bool = False
    balance_lines: tuple[str, ...] = ()
    commitment_opening: Mapping[str, str] | None = None


@dataclass(frozen=True)
class EmergencyUnblinding:
    """One animal's allocation revealed early for welfare; ``arm`` is None in a blind report."""

    code: str
    reason: str
    by: str
    at: datetime
    arm: str | None = None


@dataclass(frozen=True)
class Amendment:
    """A correction recorded after unmasking, always flagged in the report."""

    what: str
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class StageAccount:
    """One person declared for a stage (``--user``) and the operating-system account and host that acted."""

    declared: str
    os_account: str
    host: str

    @property
    def differs(self) -> bool:
        """Whether the declared person is not the operating-system account the commands ran under."""
        return self.declared.strip().casefold() != self.os_account.strip().casefold()


@dataclass(frozen=True)
class BlindingStage:
    """Who did one stage of the study (allocation, conduct, outcome assessment, analysis) and if they knew.

    ``accounts`` pairs each person declared in the audit log for the stage with the OS account and host that
    did it (empty for stages done before behavlab recorded accounts).
    """

    stage: str
    people: tuple[str, ...]
    knew_allocation: bool
    accounts: tuple[StageAccount, ...] = ()

    @property
    def account_mismatches(self) -> tuple[StageAccount, ...]:
        """The accounts whose declared person differs from the OS account that acted."""
        return tuple(account for account in self.accounts if account.differs)


@dataclass(frozen=True)
class BlindingInfo:
    """The key holder, each stage's people, and the unmasking (None while blind)."""

    key_holder: str
    stages: tuple[BlindingStage, ...]
    unmasked_at: datetime | None = None
    unmasked_by: str | None = None


@dataclass(frozen=True)
class ScoringInfo:
    """One scoring method as used: its parameters, software version and scored window (seconds)."""

    method: str
    parameters: Mapping[str, Any]
    software_version: str
    window_s: tuple[float, float] = FST_SCORED_WINDOW_S
    description: str = ""


@dataclass(frozen=True)
class SptPeriodInfo:
    """One sucrose-preference period as run."""

    label: str
    phase: str
    starts_at: datetime
    ends_at: datetime
    sucrose_pct: float


@dataclass(frozen=True)
class ProcedureInfo:
    """Conditions as recorded: hours from dose to test, water temperature and depth per FST, SPT periods.

    ``test_times`` gives each FST's hours from dose to test with the animal's blind code (for the deviations
    from the protocol's test time: a time tells nothing of an arm).
    """

    hours_post_dose: tuple[float, ...] = ()
    test_times: tuple[tuple[str, float], ...] = ()
    water_temp_c: tuple[float, ...] = ()
    water_depth_cm: tuple[float, ...] = ()
    spt_periods: tuple[SptPeriodInfo, ...] = ()


@dataclass(frozen=True)
class AgreementInfo:
    """Agreement of two scoring methods on the same animals, as ``tracking.evaluation.agreement`` gives it.

    ``bias`` and the limits of agreement are the other method minus the reference method.
    """

    outcome: str
    reference_method: str
    other_method: str
    n: int
    pearson_r: float
    bias: float
    lower_limit: float
    upper_limit: float
