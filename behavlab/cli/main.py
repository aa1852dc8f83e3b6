"""The `behavlab` command: global options, subcommands, and one-line errors instead of tracebacks."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup

from behavlab.cli.state import CliState, state_of
from behavlab.errors import BehavlabError


@dataclass(frozen=True)
class Subcommand:
    """A subcommand as the root lists it: its module loads only when it runs or shows its own help."""

    module: str
    """Its module under `behavlab.cli`."""
    attribute: str
    """A `typer.Typer` (a group of commands) or a command function in that module."""
    summary: str
    """Its line in `behavlab --help`: the first paragraph of its own help (a test holds them equal)."""

    def load(self, name: str) -> _click.Command:
        """Import the module and build the click command typer makes of it."""
        target = getattr(import_module(f"behavlab.cli.{self.module}"), self.attribute)
        if isinstance(target, typer.Typer):
            return typer.main.get_group(target)
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        return typer.main.get_command(single)


#: Every subcommand of `behavlab`, in the order `--help` lists them.
SUBCOMMANDS: dict[str, Subcommand] = {
    "randomize": Subcommand(
        "blinding", "randomize", "Draw a blinded allocation, show its balance, then seal and commit it."
    ),
    "preparer-sheet": Subcommand(
        "blinding",
        "preparer_sheet",
        "Re-print the unblinded preparer's sheet (needs the passphrase; audited).",
    ),
    "dosing-sheet": Subcommand(
        "blinding",
        "dosing_sheet_command",
        "The coded dosing sheet: code, cage, that day's weight and volume; never an arm.",
    ),
    "dose": Subcommand("blinding", "dose", "Record one injection: weight used, volume, time and operator."),
    "void": Subcommand(
        "corrections",
        "void",
        "Void a weight, dose, FST session, score or bottle sheet: kept and audited, no longer counted.",
    ),
    "unblind-animal": Subcommand(
        "blinding",
        "unblind_animal_command",
        "Emergency unblinding of one animal for welfare: needs the passphrase; audited; reported at the end.",
    ),
    "unmask": Subcommand(
        "blinding",
        "unmask",
        "Study end: verify the commitment, reveal the allocation, lock the study (audited, once).",
    ),
    "report": Subcommand(
        "blinding",
        "report",
        "Write the ARRIVE-style report: blind (codes only) before unmasking, with the group analysis after.",
    ),
    "labels": Subcommand(
        "labels",
        "labels",
        "Print labels of each blind code with its QR symbol; an arm only on the key holder's preparer copy.",
    ),
    "demo": Subcommand(
        "demo",
        "demo",
        "Run a demo study, its protocol declared before randomizing, on its own SQLite database in --dir.",
    ),
    "score": Subcommand(
        "scoring",
        "score",
        "Score immobility (motion or pose) in videos, DeepLabCut files or a study's FST sessions.",
    ),
    "rescore": Subcommand(
        "scoring",
        "rescore",
        "Re-apply thresholds and bout rules from the cached signals, without decoding the videos again.",
    ),
    "calibrate-noise": Subcommand(
        "scoring",
        "calibrate_noise",
        "Suggest the pixel cutoff: twice the 99.99th percentile of frame-to-frame change (ezTrack).",
    ),
    "calibrate": Subcommand(
        "calibration",
        "calibrate",
        "Fit threshold and minimum bout to human labels, cross-validated; save a preset.",
    ),
    "agreement": Subcommand(
        "agreement",
        "agreement",
        "Agreement of scorings per frame and per video: each pair, and several raters overall.",
    ),
    "serve": Subcommand(
        "serve",
        "serve",
        "Serve the terminal app to web browsers; each visit runs the app on this database as this user.",
    ),
    "study": Subcommand("study", "app", "Create, list and show studies."),
    "protocol": Subcommand("protocol", "app", "Declare and show a study's protocol plan."),
    "animals": Subcommand("animals", "app", "Roster, weights and exclusions."),
    "cohort": Subcommand(
        "cohorts",
        "app",
        "Cohorts of a study: batches run weeks apart, each randomized and sealed within itself.",
    ),
    "db": Subcommand("database", "app", "Database maintenance."),
    "fst": Subcommand("sessions", "fst_app", "Forced-swim sessions and manual scores."),
    "spt": Subcommand("sessions", "spt_app", "Sucrose-preference periods and bottle sheets."),
    "audit": Subcommand("audit", "app", "Read and verify the audit log."),
    "export": Subcommand(
        "export",
        "app",
        "Export a study's sessions in the field's formats: NWB files for DANDI, BORIS observations.",
    ),
    "rois": Subcommand("scoring", "rois_app", "Regions of interest: one per animal (tank)."),
    "pose": Subcommand("pose", "app", "Pose estimation with DeepLabCut (extra: behavlab[dlc])."),
}


class DeferredCommand(TyperCommand):
    """A subcommand listed by its summary whose module is imported when the command line reaches it."""

    def __init__(self, name: str, subcommand: Subcommand) -> None:
        super().__init__(name=name, short_help=subcommand.summary)
        self.subcommand = subcommand

    def load(self) -> _click.Command:
        """The command itself, its module imported."""
        assert self.name is not None
        return self.subcommand.load(self.name)

    def make_context(
        self, info_name: str | None, args: list[str], parent: _click.Context | None = None, **extra: Any
    ) -> _click.Context:
        """The context of the loaded command, so the command line runs (or shows the help of) the real one."""
        return self.load().make_context(info_name, args, parent=parent, **extra)


class ErrorReportingGroup(TyperGroup):
    """Runs a command and turns any failure into one line on stderr and exit code 1 (unless --debug).

    Its subcommands are `DeferredCommand`s: `behavlab --version` and `behavlab --help` import none of them,
    and a command imports only its own module.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, subcommand in SUBCOMMANDS.items():
            self.add_command(DeferredCommand(name, subcommand))

    def invoke(self, ctx: _click.Context) -> Any:
        """Invoke the command chain, reporting failures as one clear line."""
        try:
            return super().invoke(ctx)
        except BehavlabError as exc:
            if state_of(ctx).debug:
                raise
            _print_error(str(exc))
        except (OSError, ValueError) as exc:
            if state_of(ctx).debug:
                raise
            _print_error(f"{type(exc).__name__}: {exc} (run with --debug for details)")
        raise typer.Exit(code=1)


def _print_error(message: str) -> None:
    from behavlab.cli.output import print_error  # rich loads when there is something to print

    print_error(message)


app = typer.Typer(
    cls=ErrorReportingGroup,
    help="behavlab: blinded preclinical antidepressant studies in mice, from roster to unmasked result.",
    add_completion=False,
    pretty_exceptions_enable=False,
    invoke_without_command=True,
)


def _print_version(value: bool) -> None:
    if value:
        from behavlab import __version__

        typer.echo(f"behavlab {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="BEHAVLAB_DB",
        help="SQLAlchemy database URL (default: SQLite in the user data dir).",
    ),
    user: str | None = typer.Option(
        None, "--user", envvar="BEHAVLAB_USER", help="Who is acting, for the audit log (default: OS login)."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Open the terminal app when no command is given; otherwise run the command."""
    ctx.obj = CliState(database_url=db, user=user, debug=debug)
    if ctx.invoked_subcommand is None:
        from behavlab.tui.app import BehavlabApp

        BehavlabApp(ctx.obj.workspace()).run()


#: The cyclic garbage collector's thresholds for a `behavlab` process. Python's default first threshold
#: (700 net allocations) runs about 150 young and 13 older collections while SQLAlchemy, pydantic and typer
#: import, each finding almost nothing; 50,000 cuts that to a few and a command starts about 15 ms sooner.
GC_THRESHOLDS = (50_000, 20, 20)


def main() -> None:
    """Console-script entry point."""
    gc.set_threshold(*GC_THRESHOLDS)
    app()
