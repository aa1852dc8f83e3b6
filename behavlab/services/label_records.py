"""What each kind of label shows, built from a study's coded animals; never an arm, substance, dose or stock.

- syringe: one per line of the day's dosing sheet, in its order (cage, then code): the code in large type,
  the study, the volume to draw from that day's weight (to the syringe's mark; "see dosing sheet" where the
  sheet refuses the animal, e.g. not weighed that day), the volume per kg (every arm is given at the study's
  one volume, so neither separates anything) and the day; the key holder's preparer copy adds the arm.
- cage card: one per cage, the cage in large type, the study, then each animal now in the cage: its lab ID,
  code, sex and date of birth (sex and birth date on a line of their own when the cage mates share them);
  an excluded animal is marked "excluded", one of a cohort not randomized yet "no code yet". A card has no QR
  symbol: a scan names one animal, and a card's symbol would open one of its animals when the technician
  meant another; every animal's payload in one symbol is no scan, and one symbol each does not fit a card.
- tube: the code in large type, the sample kind and the study; one per animal per sample kind, by cage then
  code (tissue is collected cage by cage), an animal's tubes side by side (its tissues are taken together).

Every syringe and tube label's QR holds ``cohorts.scan_payload.label_payload``: the study's short ID and the
code.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from behavlab.errors import InvalidInputError
from behavlab.models import Study
from behavlab.services.display import dosing_cells
from behavlab.services.dosing import DosingSheet
from behavlab.services.roster_animals import RosterAnimal
from cohorts.scan_payload import label_payload, study_short_id
from writing.labels.content import Label, TextLine

#: The small type of a sample kind on a tube label, larger than the other lines: it is what the tube holds.
SAMPLE_SIZE_PT = 9.0
#: A cage card's type sizes in points: it has no symbol, so its text is set larger than a syringe label's.
CAGE_CODE_PT = 16.0
CAGE_TEXT_PT = 9.0
#: What the columns of each animal's line are, on a card whose animals differ in sex or birth date.
CAGE_CARD_HEADER = "ID code sex born"
#: A cage card's marks: an animal without a code (its cohort is not randomized yet), an excluded one.
NO_CODE_YET = "no code yet"
EXCLUDED = "excluded"
#: A syringe label's volume line where the dosing sheet gives no volume (the sheet says why).
NO_VOLUME = "volume: see dosing sheet"


@dataclass(frozen=True)
class BenchAnimal:
    """An animal as its labels show it: its code (None before its cohort is randomized) and cage."""

    label: str
    code: str | None
    cage: str | None
    sex: str
    date_of_birth: date
    excluded: bool = False
    cohort_id: int | None = None

    @property
    def labelled(self) -> bool:
        """Whether it gets syringe and tube labels: it has a code and is still in the study."""
        return self.code is not None and not self.excluded


def bench_animals(roster: Sequence[RosterAnimal]) -> list[BenchAnimal]:
    """The study's animals as labels show them, by cage then code (the dosing sheet's order)."""
    animals = [
        BenchAnimal(
            entry.animal.label,
            entry.code,
            entry.cage,
            entry.animal.sex,
            entry.animal.date_of_birth,
            entry.excluded,
            entry.animal.cohort_id,
        )
        for entry in roster
    ]
    return sorted(animals, key=lambda animal: (animal.cage or "", animal.code or "", animal.label))


def _payload(study: Study, code: str) -> str:
    return label_payload(study_short_id(study.uuid), code)


def syringe_labels(
    study: Study, sheet: DosingSheet, codes: Collection[str], arms: Mapping[str, str] | None = None
) -> list[Label]:
    """One syringe label per line of the day's dosing sheet whose code is among ``codes``.

    ``arms`` (the preparer's copy) maps codes to arms.
    """
    per_kg, day = TextLine(f"{sheet.volume_ml_per_kg:g} mL/kg"), TextLine(f"day {sheet.day}")
    labels = []
    for line in (line for line in sheet.lines if line.code in codes):
        cells = dosing_cells(line)
        volume = NO_VOLUME if line.volume_ml is None else f"{cells.volume_ml} mL ({cells.weight_g} g)"
        lines = (TextLine(study.name), TextLine(volume), per_kg, day)
        labels.append(
            Label(
                code=line.code,
                qr_payload=_payload(study, line.code),
                lines=lines if arms is None else (*lines, TextLine(f"arm: {arms[line.code]}")),
            )
        )
    return labels


def cage_cards(study: Study, animals: Sequence[BenchAnimal]) -> list[Label]:
    """One card per cage, in cage order, its animals in lab ID order; animals without a cage are refused."""
    homeless = sorted(animal.label for animal in animals if animal.cage is None)
    if homeless:
        raise InvalidInputError(
            f"animals {', '.join(homeless)} have no cage: give each a cage before printing cage cards"
        )
    cards = []
    for cage, housed in groupby(sorted(animals, key=lambda a: (a.cage or "", a.label)), key=lambda a: a.cage):
        members = list(housed)
        lines = tuple(TextLine(text, CAGE_TEXT_PT) for text in (study.name, *_cage_lines(members)))
        cards.append(Label(f"cage {cage}", qr_payload=None, lines=lines, code_size_pt=CAGE_CODE_PT))
    return cards


def _cage_lines(members: Sequence[BenchAnimal]) -> list[str]:
    """Sex and birth date once when the cage mates share them (the usual case), else on each animal's line."""
    if len({(a.sex, a.date_of_birth) for a in members}) == 1:
        shared = f"{members[0].sex}, born {members[0].date_of_birth}"
        return [shared, *(_animal_line(a) for a in members)]
    return [CAGE_CARD_HEADER, *(_animal_line(a, f" {a.sex} {a.date_of_birth}") for a in members)]


def _animal_line(animal: BenchAnimal, details: str = "") -> str:
    mark = f" {EXCLUDED}" if animal.excluded else ""
    return f"{animal.label} {animal.code or NO_CODE_YET}{details}{mark}"


def tube_labels(study: Study, animals: Sequence[BenchAnimal], samples: Sequence[str]) -> list[Label]:
    """One tube label per coded animal per sample kind, by cage then code, its kinds in the order given."""
    return [
        Label(
            code=animal.code,
            qr_payload=_payload(study, animal.code),
            lines=(TextLine(sample, SAMPLE_SIZE_PT), TextLine(study.name)),
        )
        for animal in sorted(animals, key=lambda a: (a.cage or "", a.code or ""))
        if animal.code is not None
        for sample in samples
    ]
