"""`behavlab study ...`: create, list and show studies."""

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from behavlab import services
from behavlab.cli.output import primary_declaration, print_study, stdout, studies_table
from behavlab.cli.state import state_of
from behavlab.errors import InvalidInputError
from behavlab.services import PRIMARY_METHODS, StudySettings

if TYPE_CHECKING:
    from behavlab.services import ArmsDesign

app = typer.Typer(help="Create, list and show studies.", no_args_is_help=True)
DEFAULTS = StudySettings(name="")
COMPOUND_OPTION = typer.Option(None, help=f"The drug under test [default: {DEFAULTS.compound}].")
DOSE_OPTION = typer.Option(None, help=f"Drug dose in mg/kg [default: {DEFAULTS.dose_mg_per_kg:g}].")
VEHICLE_OPTION = typer.Option(
    None, help=f"The vehicle given to the control arm [default: {DEFAULTS.vehicle}]."
)
FACTOR_OPTION = typer.Option(
    None,
    "--factor",
    help="A between-animal factor that is not randomized (e.g. stress): the roster column of that name "
    "gives each animal's level; every randomization method stratifies on it.",
)
ARM_OPTION = typer.Option(
    [],
    "--arm",
    help="One arm, NAME:SUBSTANCE:DOSE_MG_PER_KG[:STOCK_MG_PER_ML]; repeat it for each arm, in order "
    "(instead of --compound, --dose-mg-per-kg and --vehicle). The stock defaults to dose / mL/kg.",
)
ARMS_FILE_OPTION = typer.Option(
    None,
    "--arms-file",
    help="A CSV or XLSX file of arms, one a row: name, substance, dose_mg_per_kg and optional "
    "stock_mg_per_ml and reference (yes on one arm).",
)
REFERENCE_OPTION = typer.Option(
    None, "--reference", help="The arm the others are compared with (default: the first arm)."
)


@app.command("create")
def create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A unique study name."),
    compound: str | None = COMPOUND_OPTION,
    dose_mg_per_kg: float | None = DOSE_OPTION,
    route: str = typer.Option(DEFAULTS.route, help="Route of administration (ip, sc, po, iv, im, in)."),
    vehicle: str | None = VEHICLE_OPTION,
    arm: list[str] = ARM_OPTION,
    arms_file: Path | None = ARMS_FILE_OPTION,
    reference: str | None = REFERENCE_OPTION,
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
    factor: str | None = FACTOR_OPTION,
) -> None:
    """Create a study: the compound against its vehicle, or the arms given, at one volume per kg."""
    design = _arms_design(
        arm, arms_file, reference, all(value is None for value in (compound, dose_mg_per_kg, vehicle))
    )
    overview = services.create_study(
        state_of(ctx).workspace(),
        StudySettings(
            name=name,
            compound=DEFAULTS.compound if compound is None else compound,
            dose_mg_per_kg=DEFAULTS.dose_mg_per_kg if dose_mg_per_kg is None else dose_mg_per_kg,
            route=route,
            vehicle=DEFAULTS.vehicle if vehicle is None else vehicle,
            arms=design,
            volume_ml_per_kg=volume_ml_per_kg,
            species=species,
            strain=strain,
            test_hours_post_dose=test_hours_post_dose,
            syringe_graduation_ml=syringe_graduation_ml,
            volume_tolerance_pct=volume_tolerance_pct,
            weight_precision_g=weight_precision_g,
            factor_name=factor,
        ),
    )
    stdout().print(f"created study {overview.study.name}")
    print_study(overview)


def _arms_design(
    arms: list[str], arms_file: Path | None, reference: str | None, default_treatment: bool
) -> "ArmsDesign | None":
    """The arms asked for by --arm or --arms-file, or None for the default two; a mix of ways is refused."""
    if arms and arms_file is not None:
        raise InvalidInputError("give the arms either as --arm options or as --arms-file, not both")
    if not arms and arms_file is None:
        if reference is not None:
            raise InvalidInputError("--reference names one of the arms given by --arm or --arms-file")
        return None
    if not default_treatment:
        raise InvalidInputError(
            "--compound, --dose-mg-per-kg and --vehicle describe the default two arms; with --arm or "
            "--arms-file, give every arm's substance and dose there"
        )
    if arms_file is not None:
        return services.read_arms_file(arms_file, reference)
    return services.parse_arms(arms, reference)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List every study."""
    studies = services.list_studies(state_of(ctx).workspace())
    if not studies:
        stdout().print("no studies yet; create one with `behavlab study create NAME`")
        return
    stdout().print(studies_table(studies))


@app.command("show")
def show(ctx: typer.Context, name: str = typer.Argument(..., help="The study's name.")) -> None:
    """Show one study's settings and arms."""
    print_study(services.get_study(state_of(ctx).workspace(), name))


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
    declared = services.declare_primary(state_of(ctx).workspace(), name, outcome, method, reason)
    stdout().print(f"study {name}: primary outcome {primary_declaration(declared)}")
