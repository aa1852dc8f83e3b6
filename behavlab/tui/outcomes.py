"""FST outcomes as the screens show them, read from the study's report data (blind until unmasked)."""

import statistics
from collections import defaultdict
from dataclasses import dataclass

from behavlab.services import Workspace, build_report_data

IMMOBILITY = "fst_immobility_s"


@dataclass(frozen=True)
class ArmSummary:
    """Immobility of one revealed arm: animals scored, mean and SD in seconds."""

    arm: str
    n: int
    mean_s: float
    sd_s: float | None


@dataclass(frozen=True)
class FstOutcomes:
    """Each coded animal's immobility per scoring method, per-minute bins, and arms only once unmasked."""

    immobility_s: dict[str, dict[str, float]]
    per_minute_s: dict[str, list[float]]
    arm_of: dict[str, str]

    def arm_summaries(self, method: str | None = None) -> list[ArmSummary]:
        """Per-arm immobility of one method (default: each animal's first method); empty while blind."""
        by_arm: dict[str, list[float]] = defaultdict(list)
        for code, arm in sorted(self.arm_of.items()):
            scores = self.immobility_s.get(code, {})
            chosen = method or next(iter(sorted(scores)), None)
            if chosen in scores:
                by_arm[arm].append(scores[chosen])
        return [
            ArmSummary(
                arm,
                len(values),
                statistics.fmean(values),
                statistics.stdev(values) if len(values) > 1 else None,
            )
            for arm, values in sorted(by_arm.items())
        ]


def immobility_text(scores: dict[str, float]) -> str:
    """Seconds immobile by method, e.g. 'manual 150.0'."""
    return ", ".join(f"{method} {seconds:.1f}" for method, seconds in sorted(scores.items())) or "-"


def fst_outcomes(workspace: Workspace, study: str) -> FstOutcomes:
    """Read the study's FST scores (latest per method) and, after unmasking only, each code's arm."""
    data = build_report_data(workspace, study)
    immobility: dict[str, dict[str, float]] = defaultdict(dict)
    rows = data.outcomes[data.outcomes["outcome"] == IMMOBILITY]
    for code, method, value in zip(rows["code"], rows["method"], rows["value"], strict=True):
        immobility[code][method] = float(value)
    per_minute: dict[str, list[float]] = defaultdict(list)
    minutes = data.immobility_per_minute.sort_values(["code", "method", "minute"])
    first_method: dict[str, str] = {}
    for code, method, seconds in zip(minutes["code"], minutes["method"], minutes["immobile_s"], strict=True):
        if first_method.setdefault(code, method) == method:
            per_minute[code].append(float(seconds))
    arm_of = {} if data.blinded else {a.code: a.arm for a in data.animals if a.arm is not None}
    return FstOutcomes(dict(immobility), dict(per_minute), arm_of)
