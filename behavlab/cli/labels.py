"""`behavlab labels`: syringe labels, cage cards and tube labels for a randomized study."""

from datetime import datetime
from pathlib import Path

import typer

from behavlab.cli.options import LIMIT_ML_PER_KG_OPTION
from behavlab.cli.output import stdout
from behavlab.cli.passphrase import PASSPHRASE_FILE_OPTION, read_passphrase
from behavlab.cli.state import state_of
from behavlab.services.labels import (
    DEFAULT_TEMPLATE,
    LABEL_FORMATS,
    LABEL_KINDS,
    PREPARER_KIND,
    LabelRequest,
    check_label_request,
    label_template_names,
    write_checked_labels,
)


def labels(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="The study's name."),
    kind: str = typer.Option(..., "--kind", help=" | ".join(LABEL_KINDS)),
    out: Path = typer.Option(
        ..., "--out", help=f"The file to write; its suffix picks the format: {' | '.join(LABEL_FORMATS)}."
    ),
    template: str = typer.Option(
        DEFAULT_TEMPLATE, "--template", help=f"Label stock: {' | '.join(label_template_names())}."
    ),
    samples: list[str] | None = typer.Option(
        None, "--sample", help="Tube labels: a sample kind (repeat for several), e.g. --sample PFC."
    ),
    day: datetime | None = typer.Option(
        None, "--date", formats=["%Y-%m-%d"], help="Syringe labels: the dosing day (default today)."
    ),
    preparer: bool = typer.Option(
        False,
        "--preparer",
        help=f"The key holder's copy of the {PREPARER_KIND} labels, showing each arm (needs the passphrase; "
        "audited).",
    ),
    start: int = typer.Option(
        1, "--start", help="The first label position to use on a partly used sheet (1-based, row by row)."
    ),
    copies: int = typer.Option(1, "--copies", help="Print each label this many times, side by side."),
    codes: list[str] | None = typer.Option(
        None, "--code", help="Only this animal's labels (repeat for several), e.g. to reprint one."
    ),
    cohort: str | None = typer.Option(None, "--cohort", help="Only this cohort's animals."),
    limit_ml_per_kg: float = LIMIT_ML_PER_KG_OPTION,
    passphrase_file: Path | None = PASSPHRASE_FILE_OPTION,
) -> None:
    """Print labels of each blind code with its QR symbol; an arm only on the key holder's preparer copy."""
    workspace = state_of(ctx).workspace()
    request = LabelRequest(
        kind=kind,
        template=template,
        day=day.date() if day else None,
        samples=tuple(samples or ()),
        start=start,
        copies=copies,
        codes=tuple(codes or ()),
        cohort=cohort,
        limit_ml_per_kg=limit_ml_per_kg,
    )
    checked = check_label_request(request, out, preparer)
    passphrase = read_passphrase(passphrase_file) if preparer else None
    written = write_checked_labels(workspace, study, checked, preparer_passphrase=passphrase)
    copy = " (preparer's copy: shows the arms, for the key holder only)" if written.preparer else ""
    stdout().print(f"{written.count} {kind} labels written{copy}:")
    for path in written.files:
        stdout().print(f"  {path}")
