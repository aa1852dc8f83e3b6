"""Pictures of printed labels for the README: part of a syringe-label sheet and a row of cage cards.

Builds a small blinded study in a temporary folder (12 synthetic mice weighed today, randomized and
sealed), prints its syringe labels and cage cards on A4 sheets of 24 (`behavlab.services.labels`), renders
the top of each first page with pypdfium2 and saves `docs/labels-syringe.png` and `docs/labels-cage.png`.

    .venv/bin/python -m bench.label_pictures [--out docs]
"""

import argparse
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

import pypdfium2

from behavlab.services import open_workspace
from behavlab.services.labels import LabelRequest, write_labels
from bench._study import weighed_randomized_study

STUDY = "ket-2026-12"
TEMPLATE = "a4-24"
DPI = 150
#: The band of each first page shown, from its top, in mm: two rows of syringe labels, one row of cards.
SHOWN_MM = {"syringe": (10.0, 83.0), "cage": (10.0, 49.0)}


def build_study(folder: Path) -> str:
    """A randomized 12-mouse study weighed today; the database URL."""
    url = f"sqlite:///{folder / 'labels.sqlite'}"
    now = datetime.now().astimezone()
    weighed = max(datetime.combine(now.date(), time(0, 0), now.tzinfo), now - timedelta(minutes=30))
    weighed_randomized_study(
        open_workspace(url),
        folder,
        STUDY,
        n_animals=12,
        weighed=weighed,
        roster_weighed=weighed,
        passphrase="picture passphrase words",
        no_protocol=True,
    )
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
