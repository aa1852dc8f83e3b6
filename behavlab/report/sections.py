"""The ARRIVE 2.0 Essential 10 as report blocks, in order, with what a blind and an unmasked report share.

:class:`ReportSections` lays out the report; a blind kind (:mod:`behavlab.report.blind`) and an unmasked kind
(:mod:`behavlab.report.unmasked`) fill in every part that differs, so which of the two a report is gets
decided once, when its sections are chosen (:func:`behavlab.report.render.report_sections`).

Notes
-----
Sections follow the ARRIVE 2.0 Essential 10 (Percie du Sert et al. 2020, PLoS Biol 18:e3000410): study
design, sample size, inclusion and exclusion criteria, randomisation, blinding, outcome measures, statistical
methods, experimental animals, experimental procedures and results; then every record voided, every emergency
unblinding and every amendment made after unmasking.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence

from behavlab.report.blocks import Block, Bullets, Heading, Image, Paragraph, Table, table
from behavlab.report.common import (
    agreement,
    animal_lines,
    blinding,
    exclusions_summary,
    outcome_measures,
    procedures,
    randomisation,
)
from behavlab.report.data import CAGE_RANDOMIZATION, ReportData
from behavlab.report.deviations import deviations
from behavlab.report.doses import doses_given, voided_records
from behavlab.report.exports import package_versions
from behavlab.report.figures import FigureFile
from behavlab.report.formats import num
from behavlab.report.protocol_sections import (
    cohort_randomizations,
    criteria,
    planned_methods,
    planned_outcomes,
    protocol_section,
    sample_size,
)
from behavlab.report.records import ExclusionInfo


class ReportSections(ABC):
    """The whole report in ARRIVE Essential 10 order; subclasses say what a blind or unmasked report shows."""

    def __init__(self, data: ReportData, figures: Sequence[FigureFile]) -> None:
        self.data = data
        self.figures = figures

    @property
    @abstractmethod
    def document_title(self) -> str:
        """The page title of the HTML report."""

    @abstractmethod
    def status(self) -> Paragraph:
        """Under the title: whether the allocation is sealed or was unmasked."""

    @abstractmethod
    def arms(self) -> list[Block]:
        """The end of the study design: the arms, or that they are withheld."""

    @abstractmethod
    def exclusion_tables(self, exclusions: Sequence[ExclusionInfo]) -> list[Block]:
        """The exclusions (at least one)."""

    @abstractmethod
    def block_sizes(self) -> str:
        """The randomization's block sizes as the record shows them."""

    @abstractmethod
    def allocation_status(self) -> str:
        """How the blinding section ends: sealed, or when and by whom unmasked."""

    @abstractmethod
    def analysis_methods(self) -> list[Block]:
        """The statistical methods used, or why there are none yet."""

    @abstractmethod
    def animal_tables(self) -> list[Block]:
        """The animals, one row each."""

    @abstractmethod
    def treatment(self) -> str:
        """What the animals were given."""

    @abstractmethod
    def dose_tables(self) -> list[Block]:
        """Each dose as given (at least one), and once unmasked the mg/kg received per arm."""

    @abstractmethod
    def results(self) -> list[Block]:
        """The results' statistics and figures."""

    @abstractmethod
    def emergency_table(self) -> Table:
        """The emergency unblindings (at least one)."""

    def blocks(self) -> list[Block]:
        """The whole report as blocks, in ARRIVE Essential 10 order."""
        data = self.data
        return [
            *self._title(),
            *self._design(),
            *protocol_section(data),
            *sample_size(data),
            *self._exclusions(),
            *randomisation(data, self.block_sizes()),
            *cohort_randomizations(data),
            *blinding(data, self.allocation_status()),
            *outcome_measures(data),
            *planned_outcomes(data),
            *self._statistical_methods(),
            Heading(2, "8. Experimental animals"),
            Bullets(animal_lines(data)),
            *self.animal_tables(),
            *procedures(data, self.treatment()),
            *doses_given(data),
            *(self.dose_tables() if data.doses else []),
            Heading(2, "10. Results"),
            *self.results(),
            *agreement(data),
            *deviations(data),
            *voided_records(data),
            *self._unblindings_and_amendments(),
        ]

    def _title(self) -> list[Block]:
        data = self.data
        blocks: list[Block] = [Heading(1, f"{data.study.name}: study report"), self.status()]
        if data.generated_at is not None:
            blocks.append(Paragraph(f"Generated {data.generated_at.isoformat(timespec='minutes')}."))
        if data.audit_head is not None:
            blocks.append(Paragraph(data.audit_head.line))
        return blocks

    def _design(self) -> list[Block]:
        data = self.data
        unit = (
            f"the cage: cages were randomized ({CAGE_RANDOMIZATION}), so cage means are analysed "
            "(Lazic et al. 2018)"
            if data.cage_is_unit
            else "the animal"
        )
        n_arms = data.randomization.n_arms if data.randomization else len(data.arms)
        randomized = sum(animal.code is not None for animal in data.animals)
        design = Paragraph(
            f"Parallel-group comparison of {n_arms} arms, one {data.study.route} injection per animal at the "
            f"same volume for every arm, tests {num(data.study.test_hours_post_dose)} h after dosing. "
            f"{len(data.animals)} animals on the roster, {randomized} of them randomized. "
            f"Experimental unit: {unit}."
        )
        return [Heading(2, "1. Study design"), design, *self.arms()]

    def _exclusions(self) -> list[Block]:
        heading = Heading(2, "3. Inclusion and exclusion criteria")
        if not self.data.exclusions:
            return [heading, *criteria(self.data), Paragraph("No animal was excluded.")]
        return [
            heading,
            *criteria(self.data),
            exclusions_summary(self.data),
            *self.exclusion_tables(self.data.exclusions),
        ]

    def _statistical_methods(self) -> list[Block]:
        versions = ", ".join(
            f"{name} {value}" for name, value in package_versions(self.data.software).items()
        )
        return [
            Heading(2, "7. Statistical methods"),
            *planned_methods(self.data),
            *self.analysis_methods(),
            Paragraph(f"Software: {versions}."),
        ]

    def _unblindings_and_amendments(self) -> list[Block]:
        data = self.data
        blocks: list[Block] = [Heading(2, "Emergency unblindings and amendments after unmasking")]
        blocks.append(
            self.emergency_table() if data.emergency_unblindings else Paragraph("No emergency unblinding.")
        )
        if data.amendments:
            rows = [(a.what, a.reason, a.by, a.at.isoformat(timespec="minutes")) for a in data.amendments]
            blocks.append(table(("what", "reason", "by", "at"), rows, "Amendments after unmasking"))
        else:
            blocks.append(Paragraph("No amendment after unmasking."))
        return blocks

    def images(self, keys: Iterable[tuple[str | None, ...]]) -> list[Block]:
        """The figures with the given keys, in the order of the keys."""
        by_key = {figure.key: figure for figure in self.figures}
        return [Image(by_key[key].path.name, by_key[key].caption) for key in keys if key in by_key]
