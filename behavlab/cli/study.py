"""`behavlab study ...`: create, list and show studies."""

import typer

from behavlab.cli.output import primary_declaration, print_study, stdout, studies_table
from behavlab.cli.state import state_of
from behavlab.services import (
    PRIMARY_METHODS,
    StudySettings,
    create_study,
    declare_primary,
    get_study,
    list_studies,
)

app = typer.Typer(help="Create, list and show studies.", no_args_is_help=True)
DEFAULTS = StudySettings(name="")


@app.command("create")
def create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A unique study name."),
    compound: str = typer.Option(DEFAULTS.compound, help="The drug under test."),
    dose_mg_per_kg: float = typer.Option(DEFAULTS.dose_mg_per_kg, help="Drug dose in mg/kg."),
    route: str = typer.Option(DEFAULTS.route, help="Route of administration (ip, sc, po, iv, im, in)."),
    vehicle: str = typer.Option(DEFAULTS.vehicle, help="The vehicle given to the control arm."),
    volume_ml_per_kg: float = typer.Option(
        DEFAULTS.volume_ml_per_kg, help="Injection volume in mL/kg, the same for every arm (max 20)."
    ),
    species: str = typer.Option(DEFAULTS.species, help="Species."),
    strain: str = typer.Option(DEFAULTS.strain, help="Strain."),
    test_hours_post_dose: float = typer.Option(
        DEFAULTS.test_hours_post_dose, help="Planned hours from the dose to the behavioral test."
    ),
    syringe_graduation_ml: float = typer.Option(
        DEFAULTS.syringe_graduation_ml,
        help="The syringe's smallest mark in mL; sheet volumes are rounded to it.",
    ),
    volume_tolerance_pct: float = typer.Option(
        DEFAULTS.volume_tolerance_pct, help="How far a volume given may be from the computed one, in %."
    ),
    weight_precision_g: float = typer.Option(
        DEFAULTS.weight_precision_g, help="The balance's precision in g; finer weights are refused."
    ),
) -> None:
    """Create a study: the compound against its vehicle at one volume per kg."""
    overview = create_study(
        state_of(ctx).workspace(),
        StudySettings(
            name=name,
            compound=compound,
            dose_mg_per_kg=dose_mg_per_kg,
            route=route,
            vehicle=vehicle,
            volume_ml_per_kg=volume_ml_per_kg,
            species=species,
            strain=strain,
            test_hours_post_dose=test_hours_post_dose,
            syringe_graduation_ml=syringe_graduation_ml,
            volume_tolerance_pct=volume_tolerance_pct,
            weight_precision_g=weight_precision_g,
        ),
    )
    stdout().print(f"created study {overview.study.name}")
    print_study(overview)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List every study."""
    studies = list_studies(state_of(ctx).workspace())
    if not studies:
        stdout().print("no studies yet; create one with `behavlab study create NAME`")
        return
    stdout().print(studies_table(studies))


@app.command("show")
def show(ctx: typer.Context, name: str = typer.Argument(..., help="The study's name.")) -> None:
    """Show one study's settings and arms."""
    print_study(get_study(state_of(ctx).workspace(), name))


@app.command("primary")
def primary(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The study's name."),
    outcome: str = typer.Option(
        ..., help="The primary outcome: fst_immobility_s, fst_latency_s or spt_preference_pct."
    ),
    method: str | None = typer.Option(
        None, help=f"Its scoring method ({', '.join(PRIMARY_METHODS)}); none for sucrose preference."
    ),
    reason: str | None = typer.Option(None, help="Why an earlier declaration changes (required then)."),
) -> None:
    """Declare the primary outcome and its scoring method, before the study is unmasked."""
    declared = declare_primary(state_of(ctx).workspace(), name, outcome, method, reason)
    stdout().print(f"study {name}: primary outcome {primary_declaration(declared)}")
