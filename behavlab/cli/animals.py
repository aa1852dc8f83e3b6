"""`behavlab animals ...`: the roster, weights, the cohort table and exclusions."""

from datetime import datetime
from pathlib import Path

import typer

from behavlab import services
from behavlab.cli.options import EXISTING_FILE, aware_time
from behavlab.cli.output import shown, stdout, table
from behavlab.cli.state import state_of
from behavlab.errors import ConflictError
from behavlab.services.display import local_minute

app = typer.Typer(help="Roster, weights and exclusions.", no_args_is_help=True)


@app.command("import")
def import_(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    file: Path = typer.Argument(..., help="Roster CSV or XLSX.", **EXISTING_FILE),
    weighed_at: datetime | None = typer.Option(
        None,
        "--weighed-at",
        help="When the roster's weights were measured (local time), for rows without weighed_at.",
    ),
) -> None:
    """Import a roster: animal_id, sex, strain, dob, cage [, ear_tag, weight_g, weighed_at, source, notes]."""
    result = services.import_roster(state_of(ctx).workspace(), study, file, weighed_at=aware_time(weighed_at))
    weights = f", {result.n_weights} baseline weights" if result.n_weights else ""
    stdout().print(
        f"imported {result.n_animals} animals{weights} into {study} (roster sha256 {result.roster_sha256})"
    )
    if result.default_weighed_at is not None:
        stdout().print(
            f"weights recorded as weighed at {local_minute(result.default_weighed_at)} (no weighed_at given)"
        )


@app.command("weigh")
def weigh(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    file: Path = typer.Argument(
        ..., help="Weight sheet: animal_id (lab ID or blind code), weight_g [, measured_at].", **EXISTING_FILE
    ),
    back_entry: bool = typer.Option(
        False,
        "--back-entry",
        help="The sheet is dated before the latest weights: earlier weighings entered late.",
    ),
) -> None:
    """Add a weight sheet to the animals' weight histories."""
    try:
        result = services.record_weights(state_of(ctx).workspace(), study, file, back_entry=back_entry)
    except services.BackDatedWeightError as refused:
        raise ConflictError(f"{refused} (--back-entry)") from None
    stdout().print(f"recorded {result.n_weights} weights in {study}")
    if result.default_measured_at is not None:
        stdout().print(
            f"rows without measured_at recorded as weighed at {local_minute(result.default_measured_at)}"
        )
    if result.flagged:
        flagged = shown(", ".join(result.flagged))
        stdout().print(f"[bold yellow]welfare:[/] more than 15% below baseline: {flagged}", markup=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    matching: str = typer.Option(
        "", "--match", help="Only the animals whose roster ID, code or cage contains this text (any case)."
    ),
    sort: services.AnimalOrder = typer.Option(
        services.AnimalOrder.ANIMAL, "--sort", help="Sort by this column; animals without a value last."
    ),
) -> None:
    """List the cohort: ID, code, cage, sex, weights and flags."""
    view = services.AnimalView(matching, sort)
    animals = services.list_animals(state_of(ctx).workspace(), study, view)
    if not animals and view.narrowed:
        stdout().print(f"no animal of {study} has {matching.strip()!r} in its ID, code or cage")
        return
    if not animals:
        stdout().print(
            f"no animals in {study} yet; import a roster with `behavlab animals import {study} FILE`"
        )
        return
    rows = []
    for a in animals:
        flags = [flag for flag, on in (("weight loss", a.weight_loss_flag), ("excluded", a.excluded)) if on]
        rows.append(
            (
                a.label,
                a.blind_code or "-",
                a.cage or "-",
                a.sex,
                a.strain,
                a.date_of_birth.isoformat(),
                "-" if a.baseline_weight_g is None else f"{a.baseline_weight_g:.1f}",
                "-" if a.last_weight_g is None else f"{a.last_weight_g:.1f}",
                "-" if a.last_weighed_at is None else local_minute(a.last_weighed_at),
                ", ".join(flags),
            )
        )
    columns = ["animal", "code", "cage", "sex", "strain", "dob", "baseline g", "last g", "weighed", "flags"]
    shown_as = f" matching {matching.strip()!r}" if view.narrowed else ""
    stdout().print(table(f"{study}: {len(animals)} animals{shown_as}", columns, rows))


@app.command("exclude")
def exclude(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    animal: str = typer.Argument(..., help="The animal's ID or blind code."),
    reason: str = typer.Option(..., "--reason", help="Why the animal is excluded."),
    a_priori: bool = typer.Option(
        False, "--a-priori", help="The criterion was set before the study started (ARRIVE item 3)."
    ),
) -> None:
    """Record an exclusion (the animal stays on the roster; decided-blind is recorded)."""
    exclusion = services.exclude_animal(state_of(ctx).workspace(), study, animal, reason, a_priori)
    when = "before unmasking (blind)" if exclusion.decided_blind else "after unmasking (not blind)"
    stdout().print(f"excluded {animal} from {study}, decided {when}: {exclusion.reason}")


@app.command("timeline")
def timeline(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    animal: str = typer.Argument(..., help="The animal's lab ID or blind code."),
) -> None:
    """One animal's record in time order, shown by its code: weights, doses, SPT, FST, scores, exclusions."""
    record = services.animal_timeline(state_of(ctx).workspace(), study, animal)
    rows = [
        (
            local_minute(e.at),
            e.kind,
            "" if e.record_id is None else str(e.record_id),
            e.detail if e.void_reason is None else f"VOID ({e.void_reason}): {e.detail}",
        )
        for e in record.entries
    ]
    stdout().print(table(f"{record.shown_as} in {study}", ["when", "what", "id", "detail"], rows))
