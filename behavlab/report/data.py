"""What a study report is made from: a frozen, validated snapshot of one study, blind or unmasked.

The application fills a :class:`ReportData` from its database; everything in :mod:`behavlab.report` works from
it alone. One model serves both reports: before unmasking ``blinded`` is True and the model holds no arm at
all (no arm list, no arm on any animal, outcome, exclusion or emergency unblinding, no seed or block sizes),
so a blind report cannot group by arm however it is rendered; after unmasking every animal carries its arm.

Tables are pandas DataFrames in tidy form:

- ``outcomes``: one row per animal x outcome x scoring method [x period], columns :data:`OUTCOME_COLUMNS`
  (``arm`` None while blind; ``method`` e.g. "motion", "pose", "manual"; ``period`` None for single tests).
- ``immobility_per_minute``: one row per animal x scoring method x minute of the FST, columns
  :data:`PER_MINUTE_COLUMNS` (``minute`` 1 is 0-60 s).
- ``spt_intakes``: one row per animal x sucrose preference period, columns :data:`INTAKE_COLUMNS` (mL drunk
  from each bottle, spillage subtracted).

``protocol`` is the plan in force (None: none declared; ``protocol_waived`` when the randomization ran
without one), ``factor_name`` the study's non-randomized factor and ``cohort_draws`` each cohort's
randomization.

``doses`` lists each injection by code in mL/kg (never mg/kg, which would tell the arm: the mg/kg received is
worked out from the arms once unmasked, :meth:`ReportData.mg_per_kg_received`); ``voided`` every record voided
with its reason, by code (a void tells nothing of an arm).

An animal excluded before randomization has no blind code: it is named by its lab ID, which tells nothing of
an arm it never got.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from behavlab.audit_head import ChainHead
from behavlab.report.measures import DEFAULT_OUTCOMES, OutcomeDefinition
from behavlab.report.plan_records import CohortDraw, ProtocolInfo
from behavlab.report.records import (
    AgreementInfo,
    Amendment,
    AnimalInfo,
    ArmInfo,
    BlindingInfo,
    DoseInfo,
    EmergencyUnblinding,
    ExclusionInfo,
    PrimaryEndpoint,
    ProcedureInfo,
    RandomizationInfo,
    ScoringInfo,
    StudyInfo,
    VoidedInfo,
)
from cohorts.dosing import arm_stock_mg_per_ml
from cohorts.spt import ANHEDONIA_THRESHOLD_PCT

OUTCOME_COLUMNS = ("code", "arm", "sex", "cage", "outcome", "method", "period", "value", "unit")
PER_MINUTE_COLUMNS = ("code", "arm", "method", "minute", "immobile_s")
INTAKE_COLUMNS = ("code", "period", "sucrose_ml", "water_ml")
CAGE_RANDOMIZATION = "cage-cluster"
#: The one group of a blind report's descriptives, and of a figure that pools every animal.
POOLED = "all animals"


def text_or_none(value: str | float | None) -> str | None:
    """A table cell as text, or None when missing or empty."""
    return None if value is None or pd.isna(value) or value == "" else str(value)


def outcome_groups(table: pd.DataFrame) -> Iterator[tuple[str, str | None, str | None, pd.DataFrame]]:
    """The rows of each outcome x scoring method x period, in order of first appearance."""
    keys = ["outcome", "method", "period"]
    filled = table[keys].astype(object).where(table[keys].notna(), "")
    for (outcome, method, period), rows in table.groupby([filled[key] for key in keys], sort=False):
        yield str(outcome), str(method) or None, str(period) or None, rows


def _arms_in(table: pd.DataFrame) -> set[str]:
    """Arm names present in a table's ``arm`` column."""
    return set(table["arm"].dropna().astype(str)) if "arm" in table.columns else set()


def _require(table: pd.DataFrame, columns: Sequence[str], name: str) -> pd.DataFrame:
    """A copy of the table, or ValueError naming the missing columns."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {missing}; expected {list(columns)}")
    return table.loc[:, list(columns)].copy()


@dataclass(frozen=True, eq=False)
class ReportData:
    """One study's report input; blind (no arm anywhere) or unmasked (every randomized animal's arm known)."""

    study: StudyInfo
    blinded: bool
    animals: tuple[AnimalInfo, ...]
    outcomes: pd.DataFrame
    blinding: BlindingInfo
    randomization: RandomizationInfo | None = None
    arms: tuple[ArmInfo, ...] = ()
    immobility_per_minute: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=PER_MINUTE_COLUMNS)
    )
    spt_intakes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=INTAKE_COLUMNS))
    exclusions: tuple[ExclusionInfo, ...] = ()
    emergency_unblindings: tuple[EmergencyUnblinding, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    scoring: tuple[ScoringInfo, ...] = ()
    procedures: ProcedureInfo = field(default_factory=ProcedureInfo)
    agreement: tuple[AgreementInfo, ...] = ()
    agreement_notes: tuple[str, ...] = ()
    outcome_definitions: tuple[OutcomeDefinition, ...] = DEFAULT_OUTCOMES
    video_sha256: Mapping[str, str] = field(default_factory=dict)
    software: Mapping[str, str] = field(default_factory=dict)
    generated_at: datetime | None = None
    anhedonia_threshold_pct: float = ANHEDONIA_THRESHOLD_PCT
    audit_head: ChainHead | None = None
    primary: PrimaryEndpoint | None = None
    doses: tuple[DoseInfo, ...] = ()
    voided: tuple[VoidedInfo, ...] = ()
    protocol: ProtocolInfo | None = None
    protocol_waived: bool = False
    factor_name: str | None = None
    cohort_draws: tuple[CohortDraw, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcomes", _require(self.outcomes, OUTCOME_COLUMNS, "outcomes"))
        per_minute = _require(self.immobility_per_minute, PER_MINUTE_COLUMNS, "immobility_per_minute")
        object.__setattr__(self, "immobility_per_minute", per_minute)
        object.__setattr__(self, "spt_intakes", _require(self.spt_intakes, INTAKE_COLUMNS, "spt_intakes"))
        for name, table, column in (
            ("outcomes", self.outcomes, "value"),
            ("immobility_per_minute", per_minute, "immobile_s"),
        ):
            if len(table) and not pd.api.types.is_numeric_dtype(table[column]):
                raise ValueError(f"{name}.{column} must hold numbers (NaN for a missing value)")
        self._check_identities()
        if self.blinded:
            self._check_blind()
        else:
            self._check_unmasked()

    def _check_identities(self) -> None:
        """Codes and lab IDs unique; every row and record names an animal on the roster."""
        codes = [animal.code for animal in self.animals if animal.code is not None]
        labels = [animal.label for animal in self.animals]
        for kind, names in (("codes", codes), ("lab IDs", labels)):
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                raise ValueError(f"animal {kind} {repeated} appear more than once")
        referenced = (
            set(self.outcomes["code"].astype(str))
            | set(self.immobility_per_minute["code"].astype(str))
            | set(self.spt_intakes["code"].astype(str))
            | {exclusion.code for exclusion in self.exclusions if exclusion.code is not None}
            | {event.code for event in self.emergency_unblindings}
            | {dose.code for dose in self.doses}
            | {record.code for record in self.voided if record.code is not None}
        )
        unknown = sorted(referenced - set(codes))
        if unknown:
            raise ValueError(f"codes {unknown} are not among the study's animals")
        unnamed = [e.reason for e in self.exclusions if e.code is None and e.label not in labels]
        if unnamed:
            raise ValueError(f"exclusions {unnamed} name no animal of the roster by code or lab ID")

    def _arm_bearers(self) -> dict[str, set[str]]:
        """Every place an arm can appear, with the arm names found there."""
        records: tuple[AnimalInfo | ExclusionInfo | EmergencyUnblinding, ...] = (
            *self.animals,
            *self.exclusions,
            *self.emergency_unblindings,
        )
        return {
            "arms": {arm.name for arm in self.arms},
            "animals, exclusions or emergency unblindings": {r.arm for r in records if r.arm is not None},
            "outcomes": _arms_in(self.outcomes),
            "immobility_per_minute": _arms_in(self.immobility_per_minute),
        }

    def _check_blind(self) -> None:
        found = [place for place, arms in self._arm_bearers().items() if arms]
        if found:
            raise ValueError(f"a blind report must hold no arm, but {', '.join(found)} name one")
        r = self.randomization
        if r is not None and (
            r.seed is not None or r.block_sizes or r.balance_lines or r.commitment_opening is not None
        ):
            raise ValueError(
                "a blind report must not hold the sealed seed, block sizes, balance or commitment opening"
            )
        if any(
            d.seed is not None or d.block_sizes or d.balance_lines or d.commitment_opening is not None
            for d in self.cohort_draws
        ):
            raise ValueError(
                "a blind report must not hold a cohort's sealed seed, block sizes, balance or opening"
            )
        if self.blinding.unmasked_at is not None:
            raise ValueError("a blind report cannot have an unmasking time")

    def _check_unmasked(self) -> None:
        names = [arm.name for arm in self.arms]
        if len(names) < 2 or len(set(names)) != len(names):
            raise ValueError(f"an unmasked report needs two or more distinct arms, got {names}")
        references = [arm.name for arm in self.arms if arm.reference]
        if len(references) != 1:
            raise ValueError(f"exactly one arm must be the reference (vehicle), got {references}")
        bearers = self._arm_bearers()
        stray = sorted(set().union(*bearers.values()) - set(names))
        if stray:
            raise ValueError(f"arms {stray} are not among the study's arms {names}")
        arm_of = {animal.code: animal.arm for animal in self.animals}
        for name, table in (
            ("outcomes", self.outcomes),
            ("immobility_per_minute", self.immobility_per_minute),
        ):
            unassigned = sorted(set(table.loc[table["arm"].isna(), "code"].astype(str)))
            if unassigned:
                raise ValueError(f"{name} rows of {unassigned} have no arm in an unmasked report")
            clash = sorted(
                {str(c) for c, a in zip(table["code"], table["arm"], strict=True) if arm_of[str(c)] != a}
            )
            if clash:
                raise ValueError(f"{name} give {clash} another arm than the animal list does")

    @property
    def reference_arm(self) -> str | None:
        """The vehicle arm's name (None while blind)."""
        return next((arm.name for arm in self.arms if arm.reference), None)

    @property
    def arm_names(self) -> tuple[str, ...]:
        """Arm names, reference first (empty while blind)."""
        return tuple(sorted((arm.name for arm in self.arms), key=lambda name: name != self.reference_arm))

    @property
    def cage_is_unit(self) -> bool:
        """Whether cages were randomized, making the cage the experimental unit."""
        return self.randomization is not None and self.randomization.method == CAGE_RANDOMIZATION

    @property
    def excluded_codes(self) -> frozenset[str]:
        """Codes of every excluded animal that has one."""
        return frozenset(exclusion.code for exclusion in self.exclusions if exclusion.code is not None)

    def is_excluded(self, animal: AnimalInfo) -> bool:
        """Whether an exclusion names the animal, by code or by lab ID."""
        return animal.code in self.excluded_codes or any(
            exclusion.label == animal.label for exclusion in self.exclusions
        )

    def is_primary(self, outcome: str, method: str | None) -> bool:
        """Whether the outcome scored by the method is the one the study declared primary."""
        return self.primary is not None and (self.primary.outcome, self.primary.method) == (outcome, method)

    @property
    def analysed_outcomes(self) -> pd.DataFrame:
        """The outcome rows of animals not excluded."""
        return self.outcomes.loc[~self.outcomes["code"].astype(str).isin(self.excluded_codes)]

    def with_roster_columns(self, table: pd.DataFrame) -> pd.DataFrame:
        """A copy of a table by code with each animal's ``factor_level`` and ``cohort`` (None when none)."""
        by_code = {animal.code: animal for animal in self.animals}
        codes = table["code"].astype(str)
        return table.assign(
            factor_level=pd.Series(
                [by_code[code].factor_level for code in codes], index=table.index, dtype=object
            ),
            cohort=pd.Series([by_code[code].cohort for code in codes], index=table.index, dtype=object),
        )

    @property
    def analysed_per_minute(self) -> pd.DataFrame:
        """The per-minute rows of animals not excluded."""
        table = self.immobility_per_minute
        return table.loc[~table["code"].astype(str).isin(self.excluded_codes)]

    def mg_per_kg_received(self, dose: DoseInfo) -> float | None:
        """The mg/kg a dose delivered: its arm's stock times the volume given per kg; None while blind.

        The stock (stated, else the arm's dose in the study's planned volume) makes the vehicle's 0 mg/kg.
        """
        arm_name = next((animal.arm for animal in self.animals if animal.code == dose.code), None)
        arm = next((arm for arm in self.arms if arm.name == arm_name), None)
        if self.blinded or arm is None:
            return None
        return self.stock_mg_per_ml(arm) * dose.given_ml_per_kg

    def stock_mg_per_ml(self, arm: ArmInfo) -> float:
        """The arm's stock: the one stated, else its dose in the study's volume per kg."""
        return arm_stock_mg_per_ml(arm.dose_mg_per_kg, self.study.volume_ml_per_kg, arm.stock_mg_per_ml)

    def definition(self, outcome: str) -> OutcomeDefinition:
        """The definition of an outcome, or a plain one naming it when none was given."""
        known = {definition.name: definition for definition in self.outcome_definitions}
        return known.get(outcome, OutcomeDefinition(outcome, outcome.replace("_", " "), "", "not stated"))

    def title(self, outcome: str, method: str | None = None, period: str | None = None) -> str:
        """How the report names an outcome as scored by a method in a period: "FST immobility (motion)"."""
        parts = [self.definition(outcome).label, method and f"({method})", period and f"- {period}"]
        return " ".join(part for part in parts if part)

    def scoring_for(self, method: str | None) -> ScoringInfo | None:
        """The scoring method's record, if given."""
        return next((scoring for scoring in self.scoring if scoring.method == method), None)
