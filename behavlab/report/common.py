"""The sections and cells a blind and an unmasked report write the same way.

Nothing here names an arm: randomisation, blinding, outcome measures, the animals described over the whole
roster, procedures and the agreement of scoring methods, plus the cells of the exclusion, emergency
unblinding and animal tables that come after the code (and, once unmasked, the arm).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from behavlab.notices import BALANCE_WAS_READABLE
from behavlab.report.blocks import Block, Bullets, Heading, Paragraph, Table, table
from behavlab.report.data import ReportData
from behavlab.report.declaration import primary_declaration
from behavlab.report.formats import interval, num, yes_no
from behavlab.report.records import (
    STAGES_MEANT_BLIND,
    AnimalInfo,
    BlindingStage,
    EmergencyUnblinding,
    ExclusionInfo,
    ScoringInfo,
)
from cohorts.fst_sheet import WATER_TEMP_OK_C

SEALED = "sealed until unmasking"
NOT_RANDOMIZED = "not randomized"
NO_PRIMARY = "No primary outcome and scoring method was declared, so no result is labelled primary."
EXCLUSION_HEADER = ("reason", "criterion set a priori", "decided blind", "by", "at", "when")
EMERGENCY_HEADER = ("reason", "by", "at")
ANIMAL_HEADER = ("sex", "cage", "age (weeks)", "baseline weight (g)", "source", "excluded")


def shown_code(code: str | None, label: str | None) -> str:
    """An animal's blind code; one never randomized has none and is named by its lab ID, as it has no arm."""
    return code if code is not None else f"{label} ({NOT_RANDOMIZED})"


def exclusion_cells(data: ReportData, exclusion: ExclusionInfo) -> tuple[str, ...]:
    """An exclusion's cells after its code (and arm): `EXCLUSION_HEADER`."""
    return (
        exclusion.reason,
        yes_no(exclusion.a_priori),
        yes_no(exclusion.decided_blind),
        exclusion.decided_by,
        exclusion.decided_at.isoformat(timespec="minutes"),
        randomization_timing(data, exclusion.decided_at),
    )


def hours_after_randomization(data: ReportData, at: datetime) -> float | None:
    """Signed hours from the randomization to ``at`` (negative before it); None if not randomized."""
    randomization = data.randomization
    return None if randomization is None else (at - randomization.created_at).total_seconds() / 3600


def randomization_timing(data: ReportData, at: datetime) -> str:
    """How long before or after the randomization something happened (in minutes under an hour)."""
    hours = hours_after_randomization(data, at)
    if hours is None:
        return "before randomization (not randomized yet)"
    interval = f"{abs(hours) * 60:.0f} min" if abs(hours) < 1 else f"{abs(hours):.1f} h"
    return f"{interval} {'before' if hours < 0 else 'after'} randomization"


def exclusions_summary(data: ReportData) -> Paragraph:
    """How many of the roster were excluded, and how many of those before randomization or a priori."""
    hours = [hours_after_randomization(data, e.decided_at) for e in data.exclusions]
    before = sum(h is None or h < 0 for h in hours)
    a_priori = sum(e.a_priori for e in data.exclusions)
    return Paragraph(
        f"{len(data.exclusions)} of the {len(data.animals)} animals on the roster "
        f"{'was' if len(data.exclusions) == 1 else 'were'} excluded: "
        f"{before} before randomization, {len(data.exclusions) - before} after; {a_priori} on a "
        "criterion set a priori."
    )


def emergency_cells(event: EmergencyUnblinding) -> tuple[str, ...]:
    """An emergency unblinding's cells after its code (and arm): `EMERGENCY_HEADER`."""
    return (event.reason, event.by, event.at.isoformat(timespec="minutes"))


def animal_cells(data: ReportData, animal: AnimalInfo) -> tuple[str, ...]:
    """An animal's cells after its code (and lab ID and arm): `ANIMAL_HEADER`."""
    return (
        animal.sex,
        animal.cage or "",
        num(animal.age_weeks, 3),
        num(animal.baseline_weight_g, 3),
        animal.source or "",
        yes_no(data.is_excluded(animal)),
    )


def randomisation(data: ReportData, block_sizes: str) -> list[Block]:
    """ARRIVE 4: the randomization record, the balance the key holder saw and the commitment's opening."""
    blocks: list[Block] = [Heading(2, "4. Randomisation")]
    r = data.randomization
    if r is None:
        return [*blocks, Paragraph("The study has not been randomized.")]
    rows = [
        ("method", r.method),
        ("strata", ", ".join(r.strata) or "none"),
        ("arms", r.n_arms),
        ("seed", SEALED if r.seed is None else r.seed),
        ("block sizes", block_sizes),
        ("roster SHA-256 (input list)", r.roster_sha256),
        ("allocation commitment SHA-256", r.commitment),
        ("randomization library version", r.library_version),
        ("made by, at", f"{r.created_by}, {r.created_at.isoformat(timespec='minutes')}"),
        ("draws previewed before committing", r.draws_previewed),
    ]
    blocks.append(table(("item", "value"), rows, "Randomization record"))
    if r.balance_was_readable:
        blocks.append(Paragraph(BALANCE_WAS_READABLE))
    if r.balance_lines:
        blocks += [Paragraph("Baseline balance of the arms, as the key holder saw it before committing:")]
        blocks += [Paragraph(line) for line in r.balance_lines]
    if r.commitment_opening is not None and not data.cohort_draws:
        blocks.append(opening_table(r.commitment_opening, "Commitment opening: anyone can check it"))
    return blocks


def opening_table(opening: Mapping[str, str], caption: str) -> Block:
    """A commitment's published opening: the commitment, salt, canonical allocation, how to recompute it."""
    rows = [
        ("commitment (published before dosing)", opening["commitment"]),
        ("salt", opening["salt"]),
        ("canonical allocation (animal ID -> arm index)", opening["allocation"]),
        ("recompute the commitment with", opening["command"]),
    ]
    return table(("item", "value"), rows, caption)


def blinding(data: ReportData, allocation_status: str) -> list[Block]:
    """ARRIVE 5: the key holder, who knew the allocation at each stage, and ``allocation_status``."""
    b = data.blinding
    rows = [
        (
            stage.stage,
            ", ".join(stage.people) or "not recorded",
            yes_no(stage.knew_allocation),
            ", ".join(f"{a.os_account} on {a.host}" for a in stage.accounts) or "not recorded",
            yes_no(bool(stage.account_mismatches)) if stage.accounts else "not recorded",
        )
        for stage in b.stages
    ]
    blocks: list[Block] = [
        Heading(2, "5. Blinding"),
        Paragraph(
            f"Key holder (prepared the coded syringes, held the passphrase): {b.key_holder}. Each animal has "
            "its own blind code; the allocation was encrypted and committed by SHA-256 before dosing."
        ),
        table(
            ("stage", "people", "knew the allocation", "OS account (host)", "declared person differs"),
            rows,
            "Who knew the allocation at each stage, and the operating-system account that did it",
        ),
        Paragraph(
            "The table lists people: automated scoring is listed under the person who ran it, and the "
            "software with its version is named with each scoring method (6) and in the statistical "
            "methods (7)."
        ),
        *_account_mismatches(b.stages),
        *_incomplete_blinding(b.stages),
    ]
    emergencies = len(data.emergency_unblindings)
    blocks.append(Paragraph(f"{allocation_status} Emergency unblindings: {emergencies} (listed at the end)."))
    return blocks


def _account_mismatches(stages: Sequence[BlindingStage]) -> list[Block]:
    """Where the person declared for a stage is not the operating-system account that acted."""
    mismatched = [stage for stage in stages if stage.account_mismatches]
    if not mismatched:
        return []
    found = "; ".join(
        f"{stage.stage}: "
        + ", ".join(
            f"recorded as {a.declared} by OS account {a.os_account} on {a.host}"
            for a in stage.account_mismatches
        )
        for stage in mismatched
    )
    return [
        Paragraph(
            f"The person declared differs from the operating-system account that acted: {found}. "
            "Who did these stages rests on the declared names alone."
        )
    ]


def _incomplete_blinding(stages: Sequence[BlindingStage]) -> list[Block]:
    """The stages meant blind that someone holding the key did."""
    unblinded = [stage for stage in stages if stage.stage in STAGES_MEANT_BLIND and stage.knew_allocation]
    if not unblinded:
        return []
    return [
        Paragraph(
            "Blinding was incomplete: "
            + "; ".join(f"{stage.stage} was done by someone who held the key" for stage in unblinded)
            + ". Blinding needs the key holder to stay out of dosing, testing and scoring."
        )
    ]


def outcome_measures(data: ReportData) -> list[Block]:
    """ARRIVE 6: each outcome present and how each scoring method was set."""
    present = list(dict.fromkeys(data.outcomes["outcome"].astype(str)))
    declared = data.primary
    rows = []
    for name in present:
        known = data.definition(name)
        primary = yes_no(declared is not None and declared.outcome == name)
        rows.append((known.label, known.unit, primary, known.definition))
    blocks: list[Block] = [
        Heading(2, "6. Outcome measures"),
        table(("outcome", "unit", "primary", "definition"), rows, "Outcomes"),
    ]
    if declared is None:
        blocks.append(Paragraph(NO_PRIMARY))
    else:
        blocks += primary_declaration(data, declared)
    for scoring in data.scoring:
        blocks.append(scoring_table(scoring))
    return blocks


def scoring_table(scoring: ScoringInfo) -> Table:
    """A scoring method's settings, one row each (nested ones by dotted path), its window and software."""
    rows = parameter_rows(scoring.parameters)
    rows += [("scored window (s)", f"{num(scoring.window_s[0])}-{num(scoring.window_s[1])}")]
    rows += [("software version", scoring.software_version)]
    caption = f"Scoring method '{scoring.method}'" + (
        f": {scoring.description}" if scoring.description else ""
    )
    return table(("parameter", "value"), rows, caption)


def parameter_rows(parameters: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Each setting as (name, value); a nested mapping's settings as ``outer.inner``, a list joined."""
    rows: list[tuple[str, str]] = []
    for key, value in parameters.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows += parameter_rows(value, f"{name}.")
        elif isinstance(value, list | tuple):
            rows.append((name, ", ".join(parameter_value(item) for item in value)))
        else:
            rows.append((name, parameter_value(value)))
    return rows


def parameter_value(value: object) -> str:
    """A setting as text: numbers in the report's format, None as none."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, float):
        return num(value)
    return str(value)


def animal_lines(data: ReportData) -> tuple[str, ...]:
    """ARRIVE 8 over the whole roster: species, strain, source, sexes, ages and baseline weights."""
    animals = data.animals
    sexes = ", ".join(f"{sex}: {n}" for sex, n in sorted(count(a.sex for a in animals).items()))
    ages = [a.age_weeks for a in animals if a.age_weeks is not None]
    weights = [a.baseline_weight_g for a in animals if a.baseline_weight_g is not None]
    sources = ", ".join(sorted({a.source for a in animals if a.source})) or "not stated"
    strains = ", ".join(sorted({a.strain for a in animals})) or data.study.strain
    return (
        f"Species: {data.study.species}; strain: {strains}; source: {sources}.",
        f"Sex: {sexes}.",
        f"Age at the start: {spread(ages)} weeks.",
        f"Baseline body weight: {mean_sd(weights)} g.",
    )


def count(values: Iterable[str]) -> dict[str, int]:
    """How often each value occurs."""
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def spread(values: Sequence[float]) -> str:
    """``median (min-max), n = k`` or not recorded."""
    if not values:
        return "not recorded"
    low, high = num(min(values), 3), num(max(values), 3)
    return f"median {num(statistics.median(values), 3)} (range {low}-{high}, n = {len(values)})"


def mean_sd(values: Sequence[float]) -> str:
    """``mean +- SD (n = k)`` or not recorded."""
    if not values:
        return "not recorded"
    sd = statistics.stdev(values) if len(values) > 1 else float("nan")
    return f"{num(statistics.fmean(values), 3)} +- {num(sd, 2)} (n = {len(values)})"


def procedures(data: ReportData, treatment: str) -> list[Block]:
    """ARRIVE 9: ``treatment``, time from dose to test, FST water and sucrose preference periods."""
    s, p = data.study, data.procedures
    low, high = WATER_TEMP_OK_C
    temperatures = [t for t in p.water_temp_c if t is not None]
    outside = sum(not low <= t <= high for t in temperatures)
    lines = [
        treatment,
        f"Planned time from dose to test: {num(s.test_hours_post_dose)} h; "
        f"recorded: {spread(p.hours_post_dose)} h.",
        f"FST water temperature: {spread(temperatures)} C ({outside} outside {low:g}-{high:g} C); "
        f"depth: {spread(p.water_depth_cm)} cm.",
    ]
    blocks: list[Block] = [Heading(2, "9. Experimental procedures"), Bullets(tuple(lines))]
    if p.spt_periods:
        rows = [
            (
                period.label,
                period.phase,
                period.starts_at.isoformat(),
                period.ends_at.isoformat(),
                num(period.sucrose_pct),
            )
            for period in p.spt_periods
        ]
        blocks.append(
            table(("period", "phase", "start", "end", "sucrose (%)"), rows, "Sucrose preference periods")
        )
    return blocks


def agreement(data: ReportData) -> list[Block]:
    """Pearson r and Bland-Altman limits between scoring methods, and why a comparison is not shown."""
    if not data.agreement and not data.agreement_notes:
        return []
    blocks: list[Block] = [Heading(3, "Agreement between scoring methods")]
    if data.agreement_notes:
        blocks.append(Bullets(data.agreement_notes))
    if not data.agreement:
        return blocks
    rows = [
        (
            data.definition(a.outcome).label,
            f"{a.other_method} vs {a.reference_method}",
            a.n,
            num(a.pearson_r, 3),
            num(a.bias, 3),
            interval(a.lower_limit, a.upper_limit),
        )
        for a in data.agreement
    ]
    header = ("outcome", "methods", "n", "Pearson r", "bias (other - reference)", "95% limits of agreement")
    caption = "Pearson r and Bland-Altman bias and limits (Bland & Altman 1986), same animals"
    return [*blocks, table(header, rows, caption)]
