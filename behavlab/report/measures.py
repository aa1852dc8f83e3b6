"""The outcome measures a study report knows: their names, units and definitions.

The names are the ``outcome`` column of the report's tables; the application writes its rows under them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cohorts.spt import ANHEDONIA_THRESHOLD_PCT
from tracking.rules.presets import FST_DURATION_S, FST_SCORED_WINDOW_S

IMMOBILITY_OUTCOME = "fst_immobility_s"
LATENCY_OUTCOME = "fst_latency_s"
SPT_OUTCOME = "spt_preference_pct"


@dataclass(frozen=True)
class OutcomeDefinition:
    """What an outcome measures, in its unit; which outcome is primary is the study's declaration."""

    name: str
    label: str
    unit: str
    definition: str


DEFAULT_OUTCOMES = (
    OutcomeDefinition(
        IMMOBILITY_OUTCOME,
        "FST immobility",
        "s",
        "Seconds immobile (floating, only the movements needed to keep the head above water) in the scored "
        f"window of the {FST_DURATION_S / 60:g}-min forced swim test, "
        f"{FST_SCORED_WINDOW_S[0]:g}-{FST_SCORED_WINDOW_S[1]:g} s unless the scoring method states "
        "otherwise.",
    ),
    OutcomeDefinition(
        LATENCY_OUTCOME,
        "FST latency to immobility",
        "s",
        "Seconds from the start of the test to the first immobility bout.",
    ),
    OutcomeDefinition(
        SPT_OUTCOME,
        "Sucrose preference",
        "%",
        "Sucrose intake / (sucrose + water intake) x 100 per period, spillage and evaporation on an empty "
        f"cage's bottles subtracted; below {ANHEDONIA_THRESHOLD_PCT:g}% is the anhedonia criterion.",
    ),
)
#: Each known outcome's unit, by name.
OUTCOME_UNITS = {definition.name: definition.unit for definition in DEFAULT_OUTCOMES}
