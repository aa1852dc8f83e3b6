"""How stored values are shown by the command line, the terminal app and the sheets: one format per kind.

Table cells are text by blind code; no row here has an arm. A missing value is shown as `missing` (empty in
the terminal app and the sheets, ``-`` on the command line). Stored text goes to a screen through `visible`
(`cohorts.text_safety`), which shows control, bidi and zero-width characters as escapes.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple, Protocol

from cohorts.text_safety import visible
from tracking.rules.starts import StartSource

if TYPE_CHECKING:
    from behavlab.services.cohort_batches import CohortView
    from behavlab.services.dosing import DosingLine
    from behavlab.services.fst import FstSessionView
    from behavlab.services.fst_starts import SessionStart
    from behavlab.services.spt import SptLine

__all__ = [
    "AUDIT_COLUMNS",
    "COHORT_COLUMNS",
    "DOSING_COLUMNS",
    "GIVEN_MARK",
    "SPT_COLUMNS",
    "STATISTICS_COLUMNS",
    "AuditEventFields",
    "DosingCells",
    "FstSessionCells",
    "audit_cells",
    "cohort_cells",
    "dosing_cells",
    "fst_session_cells",
    "fst_start_cell",
    "local_minute",
    "optional_number",
    "spt_cells",
    "visible",
]

#: What a cell shows for a dose given (on screen and in the CSV sheet).
GIVEN_MARK = "yes"
DOSING_COLUMNS = ("code", "cage", "weight g", "weighed", "volume mL", "given", "refused")
SPT_COLUMNS = ("period", "phase", "code", "side", "sucrose mL", "water mL", "preference %", "mL/g", "flag")
AUDIT_COLUMNS = ("#", "at (UTC)", "actor", "action", "entity", "payload")
#: An outcome's statistics by arm, as the results screen lists them (`OutcomeResult.statistics_rows`).
STATISTICS_COLUMNS = ("arm", "n", "mean ± SD", "diff [95% CI]", "Hedges' g [95% CI]", "Welch p", "MWU p")


#: A cohort's columns wherever cohorts are listed (`cohort_cells`).
COHORT_COLUMNS = ("cohort", "starts on", "animals", "randomized")


def cohort_cells(cohort: CohortView) -> tuple[str, str, str, str]:
    """A cohort as `COHORT_COLUMNS`: its name, start date (``-``: none), animals, and whether it is drawn."""
    starts_on = cohort.starts_on.isoformat() if cohort.starts_on else "-"
    return (cohort.name, starts_on, str(cohort.n_animals), "yes" if cohort.randomized else "no")


def local_minute(moment: datetime) -> str:
    """A time in the computer's time zone, to the minute: ``2025-03-03 10:00``."""
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def optional_number(value: float | None, decimals: int, missing: str = "") -> str:
    """A number with a fixed count of decimals, or `missing` when there is none (None, NaN or infinite)."""
    return missing if value is None or not math.isfinite(value) else f"{value:.{decimals}f}"


class DosingCells(NamedTuple):
    """One line of the dosing sheet as cells, in `DOSING_COLUMNS` order."""

    code: str
    cage: str
    weight_g: str
    weighed_at: str
    volume_ml: str
    given: str
    refused: str


def dosing_cells(line: DosingLine, missing: str = "") -> DosingCells:
    """One dosing-sheet line: weight to 0.1 g, volume to the syringe's mark, when weighed, given or not."""
    return DosingCells(
        line.code,
        line.cage,
        optional_number(line.weight_g, 1, missing),
        missing if line.weighed_at is None else local_minute(line.weighed_at),
        optional_number(line.volume_ml, line.volume_decimals, missing),
        GIVEN_MARK if line.dosed else "",
        line.refusal or "",
    )


def spt_cells(line: SptLine) -> tuple[str, ...]:
    """One animal's sucrose preference in one period, in `SPT_COLUMNS` order."""
    return (
        line.period,
        line.phase,
        line.code,
        line.sucrose_side,
        f"{line.sucrose_ml:.2f}",
        f"{line.water_ml:.2f}",
        f"{line.preference_pct:.1f}",
        optional_number(line.total_ml_per_g, 3, "-"),
        "anhedonic" if line.anhedonic else "",
    )


class FstSessionCells(NamedTuple):
    """The cells every list of FST sessions shows, whatever it adds about the scores."""

    id: str
    code: str
    video: str
    roi_label: str
    tested_at: str
    hours_post_dose: str
    start: str
    warnings: str


def fst_start_cell(start: SessionStart | None, missing: str = "-") -> str:
    """A test start with its source, and a detection's confidence: ``23.4 s detected (0.97)``.

    A mouse in the water from the first frame reads ``present at start (0.99)`` (its start is 0).
    """
    if start is None:
        return missing
    confidence = "" if start.confidence is None else f" ({start.confidence:.2f})"
    if start.source == StartSource.PRESENT_AT_START:
        return f"{start.source}{confidence}"
    return f"{start.start_s:.1f} s {start.source}{confidence}"


def fst_session_cells(view: FstSessionView) -> FstSessionCells:
    """One FST session: video and ROI, when tested, hours after the dose, test start, warnings."""
    return FstSessionCells(
        str(view.id),
        view.code,
        view.video,
        view.roi_label,
        local_minute(view.tested_at),
        optional_number(view.hours_post_dose, 1, "-"),
        fst_start_cell(view.start),
        "; ".join(view.warnings),
    )


class AuditEventFields(Protocol):
    """The fields of an audit event a table shows."""

    id: int | None
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    payload: str


def audit_cells(event: AuditEventFields, max_payload_chars: int | None = None) -> tuple[str, ...]:
    """One audit event in `AUDIT_COLUMNS` order; its JSON payload cut to `max_payload_chars` if given."""
    payload = event.payload
    if max_payload_chars is not None and len(payload) > max_payload_chars:
        payload = payload[: max_payload_chars - 3] + "..."
    return (
        str(event.id),
        f"{event.at:%Y-%m-%d %H:%M:%S}",
        event.actor,
        event.action,
        f"{event.entity} {event.entity_id or ''}".strip(),
        payload,
    )
