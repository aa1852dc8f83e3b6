"""FST outcomes as the screens show them, read from the study's report data (blind until unmasked).

The values are the report's own (:func:`behavlab.services.reporting.build_report_data`): each animal's latest
score per method, its seconds immobile per minute, and its arm only once the study is unmasked. The report's
data (pandas) is imported on the first call, so the bench app that imports this opens without pandas.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from behavlab.report.measures import IMMOBILITY_OUTCOME
from behavlab.services.workspace import Workspace


@dataclass(frozen=True)
class FstOutcomes:
    """Each coded animal's immobility per scoring method, per-minute bins, and arms only once unmasked."""

    immobility_s: dict[str, dict[str, float]]
    per_minute_s: dict[str, list[float]]
    arm_of: dict[str, str]


def immobility_text(scores: Mapping[str, float]) -> str:
    """Seconds immobile by method, e.g. 'manual 150.0'."""
    return ", ".join(f"{method} {seconds:.1f}" for method, seconds in sorted(scores.items())) or "-"


def fst_outcomes(workspace: Workspace, study: str) -> FstOutcomes:
    """Read the study's FST scores (latest per method) and, after unmasking only, each code's arm.

    The per-minute bins are those of the first scoring method of each animal, by name.
    """
    from behavlab.services.reporting import build_report_data

    data = build_report_data(workspace, study)
    immobility: dict[str, dict[str, float]] = defaultdict(dict)
    rows = data.outcomes[data.outcomes["outcome"] == IMMOBILITY_OUTCOME]
    for code, method, value in zip(rows["code"], rows["method"], rows["value"], strict=True):
        immobility[code][method] = float(value)
    per_minute: dict[str, list[float]] = defaultdict(list)
    minutes = data.immobility_per_minute.sort_values(["code", "method", "minute"])
    first_method: dict[str, str] = {}
    for code, method, seconds in zip(minutes["code"], minutes["method"], minutes["immobile_s"], strict=True):
        if first_method.setdefault(code, method) == method:
            per_minute[code].append(float(seconds))
    arm_of = {} if data.blinded else {a.code: a.arm for a in data.animals if a.code and a.arm}
    return FstOutcomes(dict(immobility), dict(per_minute), arm_of)
