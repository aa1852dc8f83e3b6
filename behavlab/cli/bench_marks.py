"""`behavlab fst mark`: a bench mark typed at the command line (camera started, a mouse in or out)."""

from datetime import datetime

import typer

from behavlab.cli.options import aware_time
from behavlab.cli.output import stdout
from behavlab.cli.state import state_of
from behavlab.errors import InvalidInputError
from behavlab.services import BenchMarkView, record_camera_started, record_mouse_mark
from behavlab.services.bench_marks import clock_text
from behavlab.services.dosing import local_now


def fst_mark(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    camera_started: bool = typer.Option(False, "--camera-started", help="Mark the camera started recording."),
    mouse_in: str | None = typer.Option(
        None, "--in", help="Mark this animal (lab ID or code) put in its tank."
    ),
    mouse_out: str | None = typer.Option(None, "--out", help="Mark this animal (lab ID or code) taken out."),
    tank: str | None = typer.Option(None, "--tank", help="The animal's tank, e.g. 1-4 or its ROI label."),
    at: datetime | None = typer.Option(None, "--at", help="When (ISO time; naive is local; default now)."),
) -> None:
    """Record one bench mark of a running FST recording; a mouse-in mark gives the animal's test start."""
    chosen = [
        name
        for name, given in (("--camera-started", camera_started), ("--in", mouse_in), ("--out", mouse_out))
        if given
    ]
    if len(chosen) != 1:
        raise InvalidInputError("give exactly one of --camera-started, --in CODE or --out CODE")
    workspace = state_of(ctx).workspace()
    moment = aware_time(at) or local_now()
    if camera_started:
        mark = record_camera_started(workspace, study, moment)
    else:
        if tank is None:
            raise InvalidInputError(f"{chosen[0]} needs --tank (the animal's tank)")
        animal = mouse_in or mouse_out or ""
        mark = record_mouse_mark(
            workspace, study, "mouse in" if mouse_in else "mouse out", animal, tank, moment
        )
    stdout().print(_described(mark), markup=False)


def _described(mark: BenchMarkView) -> str:
    who = "" if mark.code is None else f" {mark.code} tank {mark.tank}"
    return f"bench mark {mark.id}: {mark.kind}{who} at {clock_text(mark.at)}"
