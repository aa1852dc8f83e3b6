"""`behavlab study ...`: create, list and show studies."""

import typer

from behavlab.cli.output import print_study, stdout, studies_table
from behavlab.cli.state import state_of
from behavlab.services import StudySettings, create_study, get_study, list_studies

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
