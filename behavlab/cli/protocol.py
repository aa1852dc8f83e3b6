"""`behavlab protocol ...`: declare a study's protocol plan before randomizing, show it with its hash."""

import typer

from behavlab.cli.output import stdout
from behavlab.cli.state import state_of
from behavlab.services import (
    OUTCOME_ALIASES,
    PLAN_COMPARISONS,
    PLAN_TESTS,
    PRIMARY_METHODS,
    DeclaredProtocol,
    ProtocolPlan,
    declare_protocol,
    protocol_lines,
    study_protocol,
)

app = typer.Typer(help="Declare and show a study's protocol plan.", no_args_is_help=True)
DEFAULTS = ProtocolPlan(primary_outcome="", primary_method=None, smallest_effect_d=0.0)


@app.command("declare")
def declare(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    primary: str = typer.Option(
        ..., help=f"The primary outcome ({', '.join(OUTCOME_ALIASES)} or full name)."
    ),
    method: str | None = typer.Option(None, help=f"Its scoring method ({', '.join(PRIMARY_METHODS)})."),
    smallest_effect_d: float = typer.Option(..., help="The smallest effect of interest, as Cohen's d."),
    secondary: list[str] = typer.Option([], help="A secondary outcome (repeat for several)."),
    comparison: list[str] = typer.Option(
        [], help=f"A comparison of interest ({', '.join(PLAN_COMPARISONS)}); default: the test's."
    ),
    test: str = typer.Option("", help=f"The test ({', '.join(PLAN_TESTS)}); default: the design's."),
    alpha: float = typer.Option(DEFAULTS.alpha, help="Two-sided alpha."),
    power: float = typer.Option(DEFAULTS.power, help="Power wanted at the smallest effect."),
    n_per_arm: int | None = typer.Option(None, help="Planned animals per arm (default: the computed n)."),
    inclusion: str = typer.Option("", help="Inclusion criteria."),
    exclusion: str = typer.Option("", help="Exclusion criteria."),
    outliers: str = typer.Option("", help="Outlier rules."),
    test_hours: float | None = typer.Option(
        None, help="Hours from dosing to the test (default: the study's)."
    ),
    reason: str | None = typer.Option(None, help="Why an earlier version changes (required then)."),
) -> None:
    """Record the protocol plan as the study's next version; after randomization a change is an amendment."""
    plan = ProtocolPlan(
        primary_outcome=primary,
        primary_method=method,
        smallest_effect_d=smallest_effect_d,
        test_hours_post_dose=test_hours,
        secondary_outcomes=tuple(secondary),
        comparisons=tuple(comparison),
        test=test,
        alpha=alpha,
        power=power,
        planned_n_per_arm=n_per_arm,
        inclusion_criteria=inclusion,
        exclusion_criteria=exclusion,
        outlier_rules=outliers,
    )
    declared = declare_protocol(state_of(ctx).workspace(), study, plan, reason)
    _print(study, declared)


@app.command("show")
def show(ctx: typer.Context, study: str = typer.Argument(..., help="The study's name.")) -> None:
    """Print the study's current protocol version, its plan and the plan's SHA-256."""
    declared = study_protocol(state_of(ctx).workspace(), study)
    if declared is None:
        stdout().print(f"study {study}: no protocol declared; declare one with `behavlab protocol declare`")
        return
    _print(study, declared)


def _print(study: str, declared: DeclaredProtocol) -> None:
    console = stdout()
    console.print(f"study {study}: protocol version {declared.version}")
    for line in protocol_lines(declared):
        console.print(f"  {line}", markup=False)
