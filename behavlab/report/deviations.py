"""Deviations from the protocol, as the report lists them.

Sample size reached, exclusions outside the criteria, test times off plan, the primary outcome scored by
another method, and amendments made after the randomization.

While blind, the sample size is compared in total only (a count per arm is an aggregate that can narrow the
allocation); the rest names animals by blind code, which tells nothing of an arm.
"""

from __future__ import annotations

from behavlab.report.blocks import Block, Bullets, Heading, Paragraph
from behavlab.report.common import shown_code
from behavlab.report.data import ReportData
from behavlab.report.formats import num
from behavlab.report.protocol_sections import reached_counts

#: How far a test time may stray from the protocol's time after dosing, in percent of it, before it deviates.
TEST_TIME_TOLERANCE_PCT = 10.0
NO_DEVIATION = "No deviation from the protocol."


def deviations(data: ReportData) -> list[Block]:
    """Every deviation from the protocol, or that there is none, or no protocol to deviate from."""
    heading = Heading(2, "Deviations from the protocol")
    if data.protocol is None:
        return [heading, Paragraph("No protocol plan was declared, so no deviation can be judged.")]
    lines = [
        *sample_size_deviations(data),
        *exclusion_deviations(data),
        *test_time_deviations(data),
        *method_deviations(data),
        *amendment_deviations(data),
    ]
    return [heading, Bullets(tuple(lines)) if lines else Paragraph(NO_DEVIATION)]


def sample_size_deviations(data: ReportData) -> list[str]:
    """The n analysed against the planned n: in total while blind, per arm once unmasked."""
    planned = data.protocol.plan.planned_n_per_arm if data.protocol else None
    if not planned:
        return []
    if data.blinded:
        n_arms = data.protocol.plan.n_arms if data.protocol else 0
        analysed = reached_counts(data)[2]
        if analysed == planned * n_arms:
            return []
        return [
            f"Sample size: {analysed} animals analysed in all, {planned * n_arms} planned "
            f"({planned} per arm); per arm once unmasked."
        ]
    return [
        f"Sample size, arm {arm}: {analysed} analysed, {planned} planned."
        for arm in data.arm_names
        if (analysed := reached_counts(data, arm)[2]) != planned
    ]


def exclusion_deviations(data: ReportData) -> list[str]:
    """Exclusions on a criterion not set a priori, or decided by someone who knew the allocation."""
    lines = []
    for e in data.exclusions:
        why = [
            *([] if e.a_priori else ["its criterion was not set a priori"]),
            *([] if e.decided_blind else ["it was decided unblinded"]),
        ]
        if why:
            lines.append(f"Exclusion of {shown_code(e.code, e.label)} ({e.reason}): {' and '.join(why)}.")
    return lines


def test_time_deviations(data: ReportData) -> list[str]:
    """Each FST whose time after dosing strays from the protocol's by more than the tolerance."""
    planned = data.protocol.plan.test_hours_post_dose if data.protocol else None
    if planned is None:
        return []
    allowed = planned * TEST_TIME_TOLERANCE_PCT / 100
    return [
        f"Test time of {code}: {num(hours)} h after dosing, planned {num(planned)} h "
        f"(+- {TEST_TIME_TOLERANCE_PCT:g}%)."
        for code, hours in sorted(data.procedures.test_times)
        if abs(hours - planned) > allowed
    ]


def method_deviations(data: ReportData) -> list[str]:
    """The primary outcome scored only by methods other than the declared one."""
    if data.protocol is None:
        return []
    plan = data.protocol.plan
    rows = data.outcomes.loc[data.outcomes["outcome"] == plan.primary_outcome]
    methods = sorted(set(rows["method"].dropna().astype(str)))
    if not methods or plan.primary_method is None or plan.primary_method in methods:
        return []
    return [
        f"Method changed: {data.title(plan.primary_outcome)} was scored by {', '.join(methods)}, not by the "
        f"declared {plan.primary_method}; the primary analysis has no values."
    ]


def amendment_deviations(data: ReportData) -> list[str]:
    """Each protocol amendment made after the randomization, with its reason."""
    amendments = data.protocol.amendments if data.protocol else ()
    return [
        f"Protocol amended after the randomization: version {a.version} by {a.by} on "
        f"{a.at.isoformat(timespec='minutes')}, reason: {a.reason or 'none given'}."
        for a in amendments
    ]
