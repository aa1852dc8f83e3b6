"""Pictures of printed labels for the README: part of a syringe-label sheet and a row of cage cards.

Builds a small blinded study in a temporary folder (12 synthetic mice weighed today, randomized and
sealed), prints its syringe labels and cage cards on A4 sheets of 24 (`behavlab.services.labels`), renders
the top of each first page with pypdfium2 and saves `docs/labels-syringe.png` and `docs/labels-cage.png`.

    .venv/bin/python bench/label_pictures.py [--out docs]
"""

import argparse
import csv
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

import pypdfium2

from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    commit_randomization,
    create_study,
    draft_randomization,
    import_roster,
    open_workspace,
    record_weights,
)
from behavlab.services.labels import LabelRequest, write_labels
from cohorts.synth import synthetic_roster, write_roster_csv

STUDY = "ket-2026-12"
TEMPLATE = "a4-24"
DPI = 150
#: The band of each first page shown, from its top, in mm: two rows of syringe labels, one row of cards.
SHOWN_MM = {"syringe": (10.0, 83.0), "cage": (10.0, 49.0)}


def build_study(folder: Path) -> str:
    """A randomized 12-mouse study weighed today; the database URL."""
    url = f"sqlite:///{folder / 'labels.sqlite'}"
    workspace = open_workspace(url)
    create_study(workspace, StudySettings(name=STUDY))
    roster = synthetic_roster(12)
    now = datetime.now().astimezone()
    weighed = max(datetime.combine(now.date(), time(0, 0), now.tzinfo), now - timedelta(minutes=30))
    import_roster(workspace, STUDY, write_roster_csv(roster, folder / "roster.csv"), weighed_at=weighed)
    weights = folder / "weights.csv"
    with weights.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["animal_id", "weight_g", "measured_at"])
        writer.writerows((entry.animal_id, entry.weight_g, weighed.isoformat()) for entry in roster)
    record_weights(workspace, STUDY, weights)
    draft = draft_randomization(workspace, STUDY, RandomizationOptions(seed=2024, no_protocol=True))
    commit_randomization(workspace, draft, "picture passphrase words")
    return url


def picture(url: str, kind: str, folder: Path, out: Path) -> Path:
    """Print the labels of `kind` to a PDF and save the top of its first page as a PNG."""
    pdf = write_labels(
        open_workspace(url), STUDY, LabelRequest(kind, TEMPLATE), folder / f"{kind}.pdf"
    ).files[0]
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=DPI / 72).to_pil()
    top, bottom = (round(mm / 25.4 * DPI) for mm in SHOWN_MM[kind])
    path = out / f"labels-{kind}.png"
    image.crop((0, top, image.width, bottom)).save(path, optimize=True)
    return path


def main() -> None:
    """Build the study and write the pictures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        url = build_study(folder)
        for kind in SHOWN_MM:
            print(picture(url, kind, folder, args.out))


if __name__ == "__main__":
    main()
