"""The `behavlab` command: global options, subcommands, and one-line errors instead of tracebacks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from behavlab import __version__
from behavlab.cli import (
    agreement,
    animals,
    audit,
    calibration,
    cohorts,
    database,
    export,
    export_boris,
    export_nwb,
    labels,
    pose,
    protocol,
    scoring,
    serve,
    study,
)
from behavlab.cli.bench_marks import fst_mark
from behavlab.cli.blinding import (
    dose,
    dosing_sheet_command,
    preparer_sheet,
    randomize,
    report,
    unblind_animal_command,
    unmask,
)
from behavlab.cli.corrections import void
from behavlab.cli.demo import demo
from behavlab.cli.output import print_error
from behavlab.cli.sessions import fst_app, spt_app, timeline
from behavlab.cli.state import CliState, state_of
from behavlab.errors import BehavlabError

if TYPE_CHECKING:
    # Typer vendors click; group methods receive its Context, the base class of `typer.Context`.
    from typer import _click


class ErrorReportingGroup(TyperGroup):
    """Runs a command and turns any failure into one line on stderr and exit code 1 (unless --debug)."""

    def invoke(self, ctx: _click.Context) -> Any:
        """Invoke the command chain, reporting failures as one clear line."""
        try:
            return super().invoke(ctx)
        except BehavlabError as exc:
            if state_of(ctx).debug:
                raise
            print_error(str(exc))
        except (OSError, ValueError) as exc:
            if state_of(ctx).debug:
                raise
            print_error(f"{type(exc).__name__}: {exc} (run with --debug for details)")
        raise typer.Exit(code=1)


app = typer.Typer(
    cls=ErrorReportingGroup,
    help="behavlab: blinded preclinical antidepressant studies in mice, from roster to unmasked result.",
    add_completion=False,
    pretty_exceptions_enable=False,
    invoke_without_command=True,
)
app.add_typer(study.app, name="study")
app.add_typer(protocol.app, name="protocol")
app.add_typer(animals.app, name="animals")
app.add_typer(cohorts.app, name="cohort")
app.add_typer(database.app, name="db")
app.add_typer(fst_app, name="fst")
fst_app.command("mark")(fst_mark)
app.add_typer(spt_app, name="spt")
animals.app.command("timeline")(timeline)
app.add_typer(audit.app, name="audit")
app.add_typer(export.app, name="export")
export.app.command("boris")(export_boris.export_boris)
export.app.command("nwb")(export_nwb.export_nwb_files)
app.command("randomize")(randomize)
app.command("preparer-sheet")(preparer_sheet)
app.command("dosing-sheet")(dosing_sheet_command)
app.command("dose")(dose)
app.command("void")(void)
app.command("unblind-animal")(unblind_animal_command)
app.command("unmask")(unmask)
app.command("report")(report)
app.command("labels")(labels.labels)
app.command("demo")(demo)
app.command("score")(scoring.score)
app.command("rescore")(scoring.rescore)
app.add_typer(scoring.rois_app, name="rois")
app.add_typer(pose.app, name="pose")
app.command("calibrate-noise")(scoring.calibrate_noise)
app.command("calibrate")(calibration.calibrate)
app.command("agreement")(agreement.agreement)
app.command("serve")(serve.serve)


def _print_version(value: bool) -> None:
    if value:
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


def main() -> None:
    """Console-script entry point."""
    app()
