"""`behavlab fst ...` and `behavlab spt ...`: sessions, shown by blind code."""

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from behavlab import services
from behavlab.cli.bench_marks import fst_mark
from behavlab.cli.options import EXISTING_FILE, aware_time
from behavlab.cli.output import print_warning, stdout, table
from behavlab.cli.state import state_of
from behavlab.errors import InvalidInputError
from behavlab.services.boris_import import DEFAULT_BORIS_BEHAVIOR, import_boris_scores
from behavlab.services.display import SPT_COLUMNS, fst_session_cells, spt_cells

if TYPE_CHECKING:
    from behavlab.services import FstSessionView

fst_app = typer.Typer(help="Forced-swim sessions and manual scores.", no_args_is_help=True)
spt_app = typer.Typer(help="Sucrose-preference periods and bottle sheets.", no_args_is_help=True)


@fst_app.command("add")
def fst_add(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    animal: str = typer.Argument(..., help="The animal's lab ID or blind code."),
    video: Path = typer.Option(..., "--video", help="The recorded video.", **EXISTING_FILE),
    roi: str | None = typer.Option(None, "--roi", help="The ROI label in --rois for this animal."),
    rois: Path | None = typer.Option(None, "--rois", help="ROI JSON for the video.", **EXISTING_FILE),
    tank: str | None = typer.Option(None, "--tank", help="Tank position, e.g. A or left."),
    water_temp_c: float | None = typer.Option(24.0, "--water-temp-c", help="Water temperature (C)."),
    water_depth_cm: float | None = typer.Option(15.0, "--water-depth-cm", help="Water depth (cm)."),
    at: datetime | None = typer.Option(None, "--at", help="When the test started (default now)."),
    start_s: float | None = typer.Option(
        None,
        "--start-s",
        min=0,
        help="The animal's test start in seconds of video time (its entry into the water); "
        "default: the animal's bench mark (fst mark, the bench timer), else detected when scored.",
    ),
) -> None:
    """Record one animal's forced-swim session and its video."""
    view = services.add_fst_session(
        state_of(ctx).workspace(),
        study,
        animal,
        video,
        roi,
        rois,
        tank,
        water_temp_c,
        water_depth_cm,
        aware_time(at),
        start_s,
    )
    stdout().print(f"FST session {view.id}: {view.code} in {view.video} ({view.roi_label})")
    for warning in view.warnings:
        print_warning(f"{view.code}: {warning}")


@fst_app.command("import")
def fst_import(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    sheet: Path = typer.Argument(
        ...,
        help="code (or lab ID), video, tested_at [, roi, tank, water_temp_c, water_depth_cm, start_s "
        "(test start in s of video time; empty: the bench mark, else detected)]",
        **EXISTING_FILE,
    ),
    rois: Path | None = typer.Option(None, "--rois", help="ROI JSON for the videos.", **EXISTING_FILE),
) -> None:
    """Record a day's forced-swim sessions from a sheet (all rows or none)."""
    views = services.import_fst_sheet(state_of(ctx).workspace(), study, sheet, rois)
    stdout().print(f"recorded {len(views)} FST sessions in {study}")
    for view in views:
        for warning in view.warnings:
            print_warning(f"{view.code}: {warning}")


@fst_app.command("list")
def fst_list(ctx: typer.Context, study: str = typer.Argument(..., help="The study's name.")) -> None:
    """List FST sessions with their videos, timing and scorings."""
    views = services.list_fst_sessions(state_of(ctx).workspace(), study)
    rows = [_fst_row(view) for view in views]
    columns = ["#", "code", "video", "roi", "tested", "h post dose", "test start", "scored by", "warnings"]
    stdout().print(table(f"{study}: {len(views)} FST sessions", columns, rows))


def _fst_row(view: "FstSessionView") -> tuple[str, ...]:
    """One session of `fst list`: the shared session cells with the methods that scored it."""
    c = fst_session_cells(view)
    scored_by = ", ".join(view.scored_methods) or "-"
    return (
        c.id,
        c.code,
        c.video,
        c.roi_label,
        c.tested_at,
        c.hours_post_dose,
        c.start,
        scored_by,
        c.warnings,
    )


@fst_app.command("manual")
def fst_manual(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    code: str | None = typer.Argument(
        None, help="The animal's blind code (scoring stays blind: no lab IDs); none with --boris."
    ),
    immobility_s: float | None = typer.Option(None, "--immobility-s", help="Seconds immobile in 120-360 s."),
    sheet: Path | None = typer.Option(
        None, "--sheet", help="A 5-s time-sampling sheet: bin (1-48), behavior (I/S/C).", **EXISTING_FILE
    ),
    scorer: str = typer.Option(..., "--scorer", help="Who scored (blind to the arm)."),
    latency_s: float | None = typer.Option(None, "--latency-s", help="Latency to the first immobility (s)."),
    amend: str | None = typer.Option(
        None, "--amend", help="After unmasking only: the reason for this correction (listed in the report)."
    ),
    boris: Path | None = typer.Option(
        None,
        "--boris",
        help="A BORIS aggregated-events export (TSV/CSV): each Subject (else Observation id) is a blind "
        "code; all animals or none.",
        **EXISTING_FILE,
    ),
    behavior: str = typer.Option(
        DEFAULT_BORIS_BEHAVIOR,
        "--behavior",
        help="With --boris: the BORIS state behavior that is immobility.",
    ),
) -> None:
    """Enter a human score of an animal's latest FST session: seconds immobile or a time-sampling sheet.

    With --boris, a rater's BORIS export scores every animal it holds.
    """
    if boris is not None:
        if code is not None or immobility_s is not None or sheet is not None or latency_s is not None:
            raise InvalidInputError("--boris reads every animal's score from the file: give no code or score")
        _boris_scores(ctx, study, boris, scorer, behavior, amend)
        return
    if code is None:
        raise InvalidInputError("give the animal's blind code (or --boris FILE)")
    score = services.record_manual_score(
        state_of(ctx).workspace(),
        study,
        code,
        immobility_s,
        scorer,
        latency_s,
        sheet=sheet,
        amend_reason=amend,
    )
    counts = json.loads(score.time_sampling)
    sampled = f" ({', '.join(f'{n} {name}' for name, n in counts.items())} bins)" if counts else ""
    seconds = f"{score.immobility_s:g} s immobile{sampled}"
    stdout().print(f"manual score recorded for {code.upper()}: {seconds} (scorer {scorer})")


def _boris_scores(
    ctx: typer.Context, study: str, boris: Path, scorer: str, behavior: str, amend: str | None
) -> None:
    """Store the manual scores of a BORIS export, one line per animal."""
    imported = import_boris_scores(state_of(ctx).workspace(), study, boris, scorer, behavior, amend)
    for shown, seconds, n_bouts in imported.scores:
        stdout().print(f"manual score recorded for {shown}: {seconds:g} s immobile ({n_bouts} bouts)")


@spt_app.command("period")
def spt_period(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    label: str = typer.Option(..., "--label", help="A short name, e.g. day3."),
    start: datetime = typer.Option(..., "--start", help="When the bottles went in."),
    end: datetime = typer.Option(..., "--end", help="When they were weighed out."),
    phase: str = typer.Option("test", "--phase", help="habituation | baseline | test"),
    sucrose_pct: float = typer.Option(1.0, "--sucrose-pct", help="Sucrose concentration (%)."),
) -> None:
    """Declare a two-bottle period."""
    start_at, end_at = aware_time(start), aware_time(end)
    if start_at is None or end_at is None:
        raise InvalidInputError("--start and --end are required")
    services.create_spt_period(state_of(ctx).workspace(), study, label, start_at, end_at, phase, sucrose_pct)
    stdout().print(f"SPT period {label} ({phase}) declared in {study}")


@spt_app.command("bottles")
def spt_bottles(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    period: str = typer.Argument(..., help="The period's label."),
    sheet: Path = typer.Argument(
        ...,
        help="code, sucrose_side, sucrose_start_g, sucrose_end_g, water_start_g, water_end_g",
        **EXISTING_FILE,
    ),
) -> None:
    """Store a period's bottle weights (rows with code 'control' are the empty-cage bottles)."""
    recorded = services.record_spt_bottles(state_of(ctx).workspace(), study, period, sheet)
    stdout().print(f"stored bottles of {recorded.n_animals} animals for period {recorded.period}")
    for warning in recorded.warnings:
        print_warning(warning)
    if recorded.anhedonic:
        print_warning(
            f"preference below {recorded.anhedonia_threshold_pct:g}%: {', '.join(recorded.anhedonic)}"
        )


@spt_app.command("results")
def spt_results_command(
    ctx: typer.Context, study: str = typer.Argument(..., help="The study's name.")
) -> None:
    """Sucrose preference per animal and period (by code)."""
    lines = services.spt_results(state_of(ctx).workspace(), study)
    rows = [spt_cells(line) for line in lines]
    stdout().print(table(f"{study}: sucrose preference", SPT_COLUMNS, rows))


fst_app.command("mark")(fst_mark)
