"""Weight sheets (animal_id, weight_g, optional measured_at) and the welfare rule on weight loss.

A weight sheet follows the file rules of `cohorts.sheet_files` and the weight range of `cohorts.roster`.
The ``animal_id`` column takes the roster's ID or, when blind codes are given, the animal's blind code (a
code does not unblind a weight; typed codes are normalized as `cohorts.blind_codes` reads them). An animal
may appear more than once when the rows carry different ``measured_at`` times; two rows for the same animal
at the same time (or both without a time) are refused. Naive times are read in the given timezone, by
default the machine's local time, and returned timezone-aware.

Notes
-----
Body-weight loss is the most used objective humane endpoint in rodent studies (Morton & Griffiths 1985, Vet
Rec 116:431-436). The cut-off is a study setting: more than 15% below the baseline (first) weight by default,
20% being the other common choice (Talbot et al. 2020, Lab Anim 54:99-110, appraise both critically).
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from cohorts.blind_codes import BlindCodeError, normalize_code
from cohorts.errors import CohortsError
from cohorts.precision import WEIGHT_PRECISION_G
from cohorts.problems import InputError
from cohorts.roster import MAX_CHARS, MAX_WEIGHT_G, MIN_WEIGHT_G
from cohorts.tabular import Columns, iter_readers, read_table

WEIGHT_COLUMNS = Columns(required=("animal_id", "weight_g"), optional=("measured_at",))
MAX_WEIGHT_LOSS_FRACTION = 0.15


class WeightSheetError(InputError):
    """A weight sheet was refused; `problems` lists every fault found in it."""


@dataclass(frozen=True)
class WeightEntry:
    """One weighing from a sheet; `measured_at` is aware, or ``None`` when the sheet gives no time."""

    animal_id: str
    weight_g: float
    measured_at: datetime | None = None


def read_weight_sheet(
    path: Path | str,
    known_ids: Collection[str] | None = None,
    now: datetime | None = None,
    assume_tz: tzinfo | None = None,
    blind_codes: Mapping[str, str] | None = None,
    precision_g: float = WEIGHT_PRECISION_G,
) -> tuple[WeightEntry, ...]:
    """Read and validate a weight sheet.

    Parameters
    ----------
    path
        The CSV or XLSX weight sheet (weights in grams).
    known_ids
        The roster's animal IDs: another ID is a problem, and IDs are returned spelled as here (matched
        ignoring case). ``None`` accepts any ID.
    now
        Times after this are refused (default: the current time).
    assume_tz
        The timezone of naive ``measured_at`` times (default: the machine's local time).
    blind_codes
        Each blind code's animal ID (codes in canonical form): a sheet's ``animal_id`` that is no roster ID
        is read as a code and returned as that animal's ID. Needs `known_ids`.
    precision_g
        The balance's precision, in grams: a finer weight is refused.

    Returns
    -------
    tuple of WeightEntry
        Each weighing: animal ID, weight in grams and its timezone-aware time (``None`` when not given).

    Raises
    ------
    WeightSheetError
        The sheet has faults; every faulty row and field is listed.
    """
    now = datetime.now(UTC) if now is None else now
    roster_ids = None if known_ids is None else {animal_id.casefold(): animal_id for animal_id in known_ids}
    codes = blind_codes or {}
    accepted_id = "an animal_id of the roster or its blind code" if codes else "an animal_id of the roster"
    table = read_table(Path(path), WEIGHT_COLUMNS)
    problems = list(table.problems)
    entries: list[WeightEntry] = []
    first_row: dict[tuple[str, datetime | None], int] = {}
    for reader in iter_readers(table, problems):
        animal_id = reader.text("animal_id", MAX_CHARS["animal_id"])
        weight_g = reader.number("weight_g", MIN_WEIGHT_G, MAX_WEIGHT_G, "g", step=precision_g)
        measured_at = reader.iso_datetime("measured_at", latest=now, assume_tz=assume_tz, required=False)
        if animal_id is None:
            continue
        if roster_ids is not None:
            on_roster = _roster_id(animal_id, roster_ids, codes)
            if on_roster is None:
                reader.problem("animal_id", animal_id, "is not on the study's roster", accepted_id)
                continue
            animal_id = on_roster
        key = (animal_id.casefold(), measured_at)
        if key in first_row:
            issue = f"is weighed again at the same time as on row {first_row[key]}"
            reader.problem("animal_id", animal_id, issue, "one weight per animal and measured_at")
            continue
        first_row[key] = reader.row.number
        if weight_g is not None:
            entries.append(WeightEntry(animal_id, weight_g, measured_at))
    if problems:
        raise WeightSheetError(problems)
    return tuple(entries)


def _roster_id(typed: str, roster_ids: Mapping[str, str], codes: Mapping[str, str]) -> str | None:
    """The roster ID a sheet's ``animal_id`` names (a roster ID ignoring case, else a blind code), if any."""
    by_id = roster_ids.get(typed.casefold())
    if by_id is not None or not codes:
        return by_id
    try:
        return codes.get(normalize_code(typed))
    except BlindCodeError:
        return None


def weight_loss_exceeds(
    baseline_g: float, weight_g: float, max_loss_fraction: float = MAX_WEIGHT_LOSS_FRACTION
) -> bool:
    """True when `weight_g` is more than `max_loss_fraction` below the baseline weight (welfare flag).

    Parameters
    ----------
    baseline_g, weight_g
        The baseline and the current body weight, in grams.
    max_loss_fraction
        The largest loss accepted, as a fraction of the baseline (0.15 is 15 percent).

    Returns
    -------
    bool
        Whether the loss exceeds `max_loss_fraction`.

    Raises
    ------
    CohortsError
        The baseline weight is 0 g or less.
    """
    if not baseline_g > 0:
        raise CohortsError(f"baseline weight must be above 0 g, got {baseline_g:g}")
    return (baseline_g - weight_g) / baseline_g > max_loss_fraction


def flag_weight_history(
    weights_g: Sequence[float], max_loss_fraction: float = MAX_WEIGHT_LOSS_FRACTION
) -> tuple[bool, ...]:
    """The welfare flag of each weight in a chronological history, against the first weight as baseline.

    Parameters
    ----------
    weights_g
        Body weights in grams, oldest first.
    max_loss_fraction
        The largest loss accepted, as a fraction of the first weight.

    Returns
    -------
    tuple of bool
        One flag per weight (see `weight_loss_exceeds`); empty for an empty history.
    """
    if not weights_g:
        return ()
    return tuple(weight_loss_exceeds(weights_g[0], weight, max_loss_fraction) for weight in weights_g)
