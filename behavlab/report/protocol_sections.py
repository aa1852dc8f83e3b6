"""The protocol in the report: its plan, and ARRIVE items 2, 3, 6 and 7 filled from it; each cohort's draw.

The plan is public design (it names no animal's arm), so a blind report shows it whole. What was reached
against it is counted over all animals while blind; per arm only once unmasked, as a count per arm is an
aggregate that can narrow the allocation.
"""

from __future__ import annotations

from analysis.plan import ProtocolPlan
from behavlab.report.blocks import Block, Bullets, Heading, Paragraph, table
from behavlab.report.common import SEALED, opening_table
from behavlab.report.data import ReportData
from behavlab.report.formats import num, yes_no
from behavlab.report.primary import PLAN_TEST_TEXT

NOT_STATED = "not stated"


def protocol_section(data: ReportData) -> list[Block]:
    """The protocol in force with its whole plan, or that none was declared (or that it was waived)."""
    heading = Heading(3, "Protocol")
    protocol = data.protocol
    waiver = [Paragraph("The randomization was run without a protocol (waived, as recorded).")]
    if protocol is None:
        declared = Paragraph("No protocol plan was declared: the analysis was not pre-specified.")
        return [heading, declared, *(waiver if data.protocol_waived else [])]
    plan = protocol.plan
    rows = [
        ("version", protocol.version),
        ("plan SHA-256", protocol.plan_sha256),
        ("declared by, at", f"{protocol.declared_by}, {protocol.declared_at.isoformat(timespec='minutes')}"),
        ("primary outcome", data.title(plan.primary_outcome, plan.primary_method)),
        ("scoring method", plan.primary_method or "none (not scored by a method)"),
        ("secondary outcomes", ", ".join(data.title(o) for o in plan.secondary_outcomes) or "none"),
        ("comparisons of interest", ", ".join(plan.comparisons)),
        ("test", f"{plan.test}: {PLAN_TEST_TEXT[plan.test]}"),
        ("alpha", num(plan.alpha)),
        ("power", num(plan.power)),
        ("smallest effect of interest (Cohen's d)", num(plan.smallest_effect_d)),
        ("planned n per arm", plan.planned_n_per_arm or NOT_STATED),
        ("test time after dosing (h)", num(plan.test_hours_post_dose)),
        ("inclusion criteria", plan.inclusion_criteria or NOT_STATED),
        ("exclusion criteria", plan.exclusion_criteria or NOT_STATED),
        ("outlier rules", plan.outlier_rules or NOT_STATED),
    ]
    return [
        heading,
        table(("item", "value"), rows, "The protocol in force, sealed before randomization"),
        *(waiver if data.protocol_waived else []),
    ]


def sample_size(data: ReportData) -> list[Block]:
    """ARRIVE 2: the planned and computed n per arm with the power inputs, and the n reached."""
    heading = Heading(2, "2. Sample size")
    if data.protocol is None:
        rationale = data.study.sample_size_rationale or NOT_STATED
        return [heading, Paragraph(f"How the sample size was set: {rationale}.")]
    plan = data.protocol.plan
    return [heading, Paragraph(f"How the sample size was set: {planned_size(plan)}"), *reached(data)]


def planned_size(plan: ProtocolPlan) -> str:
    """The planned n per arm, and the n computed from alpha, power and the smallest effect, with inputs."""
    planned = plan.planned_n_per_arm
    text = f"planned {planned} animals per arm" if planned else "no planned n per arm"
    computed = plan.sample_size
    if computed is None:
        return f"{text}; no power calculation recorded."
    inputs = ", ".join(f"{key} = {value}" for key, value in sorted(computed.inputs.items()))
    return (
        f"{text} ({plan.n_arms} arms); computed {computed.n_per_arm} per arm ({computed.n_total} in all) by "
        f"{computed.method} for the smallest effect of interest d = {num(plan.smallest_effect_d)}, alpha = "
        f"{num(plan.alpha)}, power = {num(plan.power)} (achieved {num(computed.achieved_power, 3)}); "
        f"inputs: {inputs}."
    )


def reached_counts(data: ReportData, arm: str | None = None) -> tuple[int, int, int]:
    """Animals randomized, excluded after getting a code, and analysed: of one arm, or of all (None)."""
    coded = [a for a in data.animals if a.code is not None and (arm is None or a.arm == arm)]
    excluded = sum(a.code in data.excluded_codes for a in coded)
    return len(coded), excluded, len(coded) - excluded


def reached(data: ReportData) -> list[Block]:
    """The n reached: over all animals while blind, per arm once unmasked."""
    randomized, excluded, analysed = reached_counts(data)
    total = Paragraph(
        f"Reached: {randomized} animals randomized, {excluded} of them excluded, {analysed} analysed."
    )
    if data.blinded:
        return [total, Paragraph("The n reached per arm is withheld until the allocation is unmasked.")]
    planned = data.protocol.plan.planned_n_per_arm if data.protocol else None
    rows = [(arm, planned or NOT_STATED, *reached_counts(data, arm)) for arm in data.arm_names]
    header = ("arm", "planned", "randomized", "excluded", "analysed")
    return [total, table(header, rows, "Sample size per arm: planned and reached")]


def criteria(data: ReportData) -> list[Block]:
    """ARRIVE 3: the inclusion and exclusion criteria and outlier rules the protocol set a priori."""
    if data.protocol is None:
        return []
    plan = data.protocol.plan
    return [
        Bullets(
            (
                f"Inclusion criteria (protocol): {plan.inclusion_criteria or NOT_STATED}.",
                f"Exclusion criteria (protocol): {plan.exclusion_criteria or NOT_STATED}.",
                f"Outlier rules (protocol): {plan.outlier_rules or NOT_STATED}.",
            )
        )
    ]


def planned_outcomes(data: ReportData) -> list[Block]:
    """ARRIVE 6: the primary and secondary outcomes as the protocol declared them."""
    if data.protocol is None:
        return []
    plan = data.protocol.plan
    secondary = ", ".join(data.title(o) for o in plan.secondary_outcomes) or "none"
    return [
        Paragraph(
            f"Protocol: primary outcome {data.title(plan.primary_outcome, plan.primary_method)}; secondary "
            f"outcomes: {secondary}."
        )
    ]


def planned_methods(data: ReportData) -> list[Block]:
    """ARRIVE 7: the test and alpha the protocol declared, and that the assumption checks choose nothing."""
    if data.protocol is None:
        return []
    plan = data.protocol.plan
    return [
        Paragraph(
            f"Pre-declared primary analysis (protocol version {data.protocol.version}): {plan.test}, "
            f"{PLAN_TEST_TEXT[plan.test]}, of {data.title(plan.primary_outcome, plan.primary_method)}; "
            f"alpha = {num(plan.alpha)}, two-sided; with cohorts the cohort enters as an additive fixed "
            "block. Assumption checks (Shapiro-Wilk, Brown-Forsythe) are reported beside it and never "
            "switch the test. Every other analysis is exploratory."
        )
    ]


def cohort_randomizations(data: ReportData) -> list[Block]:
    """ARRIVE 4 with cohorts: each cohort's own randomization; its seed, balance and opening once unmasked."""
    if not data.cohort_draws:
        return []
    rows = [
        (
            d.cohort,
            d.starts_on.isoformat() if d.starts_on else NOT_STATED,
            d.method,
            ", ".join(d.strata) or "none",
            d.n_animals,
            f"{d.created_by}, {d.created_at.isoformat(timespec='minutes')}",
            d.commitment,
            "waived" if d.protocol_waived else "in force",
            yes_no(d.commitment_verified) if not data.blinded else "at unmasking",
            SEALED if d.seed is None else d.seed,
            ", ".join(map(str, d.block_sizes)) or (SEALED if data.blinded else "none"),
        )
        for d in data.cohort_draws
    ]
    header = (
        "cohort", "starts", "method", "strata", "animals", "drawn by, at", "commitment SHA-256",
        "protocol", "commitment verified", "seed", "block sizes",
    )  # fmt: skip
    blocks: list[Block] = [table(header, rows, "Randomization of each cohort (each sealed within itself)")]
    for draw in data.cohort_draws:
        if draw.balance_lines:
            blocks.append(Paragraph(f"Baseline balance of cohort {draw.cohort}, as drawn:"))
            blocks += [Paragraph(line) for line in draw.balance_lines]
        if draw.commitment_opening is not None:
            caption = f"Commitment opening of cohort {draw.cohort}: anyone can check it"
            blocks.append(opening_table(draw.commitment_opening, caption))
    return blocks
