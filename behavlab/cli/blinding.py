"""Randomization and blinding commands: randomize, preparer-sheet, dosing-sheet, dose, unblind-animal."""

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from behavlab import services
from behavlab.cli.options import LIMIT_ML_PER_KG_OPTION, aware_time
from behavlab.cli.output import print_warning, stdout, table
from behavlab.cli.passphrase import PASSPHRASE_FILE_OPTION, read_passphrase
from behavlab.cli.state import state_of
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.services import (
    DEFAULT_BLOCK_MULTIPLES,
    DEFAULT_RANDOMIZATION_METHOD,
    DEFAULT_STRATA,
    RANDOMIZATION_METHODS,
)
from behavlab.services.display import dosing_cells
from behavlab.services.dosing import RepeatDoseError

if TYPE_CHECKING:
    from behavlab.services import CommittedRandomization, RandomizationDraft

METHOD_HELP = " | ".join(RANDOMIZATION_METHODS)
COHORT_OPTION = typer.Option(
    None, "--cohort", help="Randomize this cohort alone (required when the study runs in cohorts)."
)
NO_PROTOCOL_OPTION = typer.Option(
    False, "--no-protocol", help="Randomize without a declared protocol plan (recorded and audited)."
)


def _split(values: str | None) -> list[str] | None:
    return None if values is None else [value.strip() for value in values.split(",") if value.strip()]


def randomize(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    arms: str | None = typer.Option(
        None, help='Arms in order, e.g. "vehicle,ketamine" (default: the study\'s).'
    ),
    method: str = typer.Option(DEFAULT_RANDOMIZATION_METHOD, help=METHOD_HELP),
    strata: str = typer.Option(
        ",".join(DEFAULT_STRATA), help="Strata for stratified-block: sex, cage, or sex,cage."
    ),
    block_multiples: str = typer.Option(
        ",".join(map(str, DEFAULT_BLOCK_MULTIPLES)),
        "--block-multiples",
        help="Block sizes of the blocked methods, as multiples of the number of arms, drawn per block; "
        '"1" keeps each stratum balanced to within one animal per arm, but makes every block end known.',
    ),
    seed: int | None = typer.Option(
        None,
        min=0,
        max=2**128 - 1,
        help="Seed (default: drawn from the operating system); mixed with OS randomness unless --bare-seed.",
    ),
    bare_seed: bool = typer.Option(
        False,
        "--bare-seed",
        help="Use --seed as given, not mixed with OS randomness: anyone who learns or guesses it can "
        "reproduce the allocation.",
    ),
    preparer_sheet: Path | None = typer.Option(
        None, "--preparer-sheet", help="Write the unblinded preparer's sheet (code, arm, stock) to this CSV."
    ),
    passphrase_file: Path | None = PASSPHRASE_FILE_OPTION,
    yes: bool = typer.Option(False, "--yes", help="Commit without asking after showing the balance."),
    no_protocol: bool = NO_PROTOCOL_OPTION,
    cohort: str | None = COHORT_OPTION,
) -> None:
    """Draw a blinded allocation, show its balance, then seal and commit it."""
    workspace = state_of(ctx).workspace()
    _warn_of_bare_seed(seed, bare_seed)
    options = services.RandomizationOptions(
        arms=_split(arms),
        method=method,
        strata=_split(strata) or [],
        block_multiples=services.parse_block_multiples(block_multiples, "--block-multiples"),
        seed=seed,
        bare_seed=bare_seed,
        no_protocol=no_protocol,
        cohort=cohort,
    )
    draft = services.draft_randomization(workspace, study, options)
    _print_draft(draft, method)
    if not yes:
        _confirm_commit()
    passphrase = read_passphrase(
        passphrase_file, confirm=True, check=lambda typed: services.check_sealing_passphrase(draft, typed)
    )
    _print_committed(services.commit_randomization(workspace, draft, passphrase, preparer_sheet))


def _print_draft(draft: "RandomizationDraft", method: str) -> None:
    """What the key holder should know of a draw before committing it: warnings, then its balance."""
    for warning in draft.warnings:
        print_warning(warning)
    console = stdout()
    console.print(f"{draft.study_name}: {draft.n_animals} animals, {len(draft.arms)} arms, method {method}")
    for line in draft.balance.lines():
        console.print(f"  {line}")


def _print_committed(committed: "CommittedRandomization") -> None:
    """The commitment, where the preparer's sheet went, and each animal's blind code."""
    console = stdout()
    console.print(f"committed; allocation commitment (SHA-256): {committed.commitment}")
    if committed.preparer_sheet is not None:
        console.print(f"preparer's sheet (unblinded, for the key holder only): {committed.preparer_sheet}")
    console.print(table("Blind codes", ["animal", "code"], sorted(committed.codes.items())))


def _confirm_commit() -> None:
    """Ask the key holder at a terminal to commit the draw shown; refuse without a terminal."""
    if not sys.stdin.isatty():
        raise InvalidInputError("not committed: confirm with --yes when not running in a terminal")
    if not typer.confirm("Commit this allocation?", default=False):
        stdout().print("not committed; nothing was recorded")
        raise typer.Exit(code=1)


def _warn_of_bare_seed(seed: int | None, bare_seed: bool) -> None:
    """Refuse --bare-seed without --seed, and warn what a bare seed gives away."""
    if bare_seed:
        if seed is None:
            raise InvalidInputError("--bare-seed needs --seed; accepted: --seed N --bare-seed, or neither")
        print_warning(
            "--bare-seed: the seed is used as given, so it can be found by trying likely seeds against what "
            "the study shows, and it reproduces the whole allocation for anyone who learns it"
        )


def preparer_sheet(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    out: Path = typer.Option(..., "--out", help="Where to write the preparer's CSV."),
    passphrase_file: Path | None = PASSPHRASE_FILE_OPTION,
) -> None:
    """Re-print the unblinded preparer's sheet (needs the passphrase; audited)."""
    workspace = state_of(ctx).workspace()
    path = services.reprint_preparer_sheet(workspace, study, read_passphrase(passphrase_file), out)
    stdout().print(f"preparer's sheet written to {path} (unblinded, for the key holder only)")


def dosing_sheet_command(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    day: datetime | None = typer.Option(
        None, "--date", formats=["%Y-%m-%d"], help="Dosing day (default today)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Write the sheet to FILE.csv or printable FILE.html."
    ),
    limit_ml_per_kg: float = LIMIT_ML_PER_KG_OPTION,
) -> None:
    """The coded dosing sheet: code, cage, that day's weight and volume; never an arm."""
    sheet = services.dosing_sheet(
        state_of(ctx).workspace(), study, day=day.date() if day else None, limit_ml_per_kg=limit_ml_per_kg
    )
    cells = [dosing_cells(line, missing="-") for line in sheet.lines]
    rows = [(c.code, c.cage, c.weight_g, c.volume_ml, c.given) for c in cells]
    title = f"Dosing {sheet.study} {sheet.day.isoformat()}: {sheet.volume_ml_per_kg:g} mL/kg for every animal"
    stdout().print(table(title, ["code", "cage", "weight g", "volume mL", "given"], rows))
    for line in sheet.refused:
        print_warning(f"refused: {line.refusal}")
    if out is not None:
        stdout().print(f"written to {services.write_dosing_sheet(sheet, out)}")


def dose(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    code: str = typer.Argument(..., help="The animal's blind code."),
    at: datetime | None = typer.Option(None, "--at", help="When it was given (default now; local time)."),
    volume_ml: float | None = typer.Option(
        None, "--volume-ml", help="The volume given, if not the computed one."
    ),
    again: str | None = typer.Option(None, "--again", help="Reason for another injection."),
) -> None:
    """Record one injection: weight used, volume, time and operator."""
    when = aware_time(at)
    try:
        event = services.record_dose(
            state_of(ctx).workspace(), study, code, at=when, volume_ml=volume_ml, again_reason=again
        )
    except RepeatDoseError as repeat:
        raise ConflictError(f"{repeat}: give it with --again REASON") from None
    stdout().print(
        f"dosed {code.upper()}: {event.volume_ml:g} mL for {event.weight_g:g} g "
        f"({event.deviation_pct:+.1f} % of the computed volume) at "
        f"{event.dosed_at.astimezone():%Y-%m-%d %H:%M} by {event.operator}"
    )


def unblind_animal_command(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    code: str = typer.Argument(..., help="The animal's blind code."),
    reason: str = typer.Option(..., "--reason", help="The welfare reason (recorded and reported)."),
    passphrase_file: Path | None = PASSPHRASE_FILE_OPTION,
) -> None:
    """Emergency unblinding of one animal for welfare: needs the passphrase; audited; reported at the end."""
    workspace = state_of(ctx).workspace()
    revealed = services.unblind_animal(workspace, study, code, reason, read_passphrase(passphrase_file))
    stdout().print(
        f"EMERGENCY UNBLINDING recorded: animal {revealed.label} ({revealed.code}) is in arm {revealed.arm}"
    )


def unmask(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    passphrase_file: Path | None = PASSPHRASE_FILE_OPTION,
    force: str | None = typer.Option(
        None, "--force", help="Unmask despite open items; the reason is recorded."
    ),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Study end: verify the commitment, reveal the allocation, lock the study (audited, once)."""
    workspace = state_of(ctx).workspace()
    console = stdout()
    pending = services.open_items(workspace, study)
    for line in pending.lines():
        print_warning(f"open: {line}")
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInputError("not unmasked: confirm with --yes when not running in a terminal")
        if not typer.confirm(f"Unmask {study}? The study is then locked", default=False):
            console.print("not unmasked; nothing was changed")
            raise typer.Exit(code=1)
    revealed = services.unmask_study(workspace, study, read_passphrase(passphrase_file), force)
    console.print(
        f"{study} unmasked at {revealed.at.astimezone():%Y-%m-%d %H:%M} by {revealed.by}; commitment verified"
    )
    console.print(table("Allocation", ["code", "arm"], sorted(revealed.arms_by_code.items())))
    for opening in revealed.openings:
        console.print(
            f"commitment {opening['commitment']} opened (salt {opening['salt']}); "
            f"anyone can recompute it with:\n{opening['command']}",
            markup=False,
            soft_wrap=True,
        )


def report(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    out: Path = typer.Option(..., "--out", help="Folder for report.html, report.md, figures and data files."),
) -> None:
    """Write the ARRIVE-style report: blind (codes only) before unmasking, with the group analysis after."""
    from behavlab.services import write_study_report  # pandas and the report's renderer load for this only

    written = write_study_report(state_of(ctx).workspace(), study, out)
    kind = "blind report (codes only, no grouping)" if written.blinded else "report"
    stdout().print(f"{kind} written: {written.files.html}")
    for path in (written.files.markdown, written.files.csv, written.files.xlsx, written.files.manifest):
        stdout().print(f"  {path}")
    for note in written.notes:
        stdout().print(f"note: {note}", soft_wrap=True)
