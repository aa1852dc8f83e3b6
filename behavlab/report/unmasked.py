"""The unmasked report's sections: arms named, animals by code, lab ID and arm, the group analysis."""

from __future__ import annotations

from collections.abc import Sequence

from analysis.outcomes import StudyAnalysis
from behavlab.report.blocks import Block, Bullets, Paragraph, Table, table
from behavlab.report.common import (
    ANIMAL_HEADER,
    EMERGENCY_HEADER,
    EXCLUSION_HEADER,
    NOT_RANDOMIZED,
    animal_cells,
    count,
    emergency_cells,
    exclusion_cells,
    mean_sd,
)
from behavlab.report.data import ReportData
from behavlab.report.doses import DOSE_HEADER, dose_cells, per_arm_doses
from behavlab.report.figures import FigureFile
from behavlab.report.formats import MISSING, num, yes_no
from behavlab.report.group_results import (
    assumption_table,
    method_lines,
    mixed_result,
    outcome_result,
    primary_statement,
)
from behavlab.report.primary import primary_analysis
from behavlab.report.primary_blocks import primary_blocks
from behavlab.report.records import ExclusionInfo
from behavlab.report.sections import ReportSections

NOT_ALLOCATED = "not allocated"


class UnmaskedSections(ReportSections):
    """The report after unmasking, with the study's group analysis."""

    def __init__(self, data: ReportData, analysis: StudyAnalysis, figures: Sequence[FigureFile]) -> None:
        super().__init__(data, figures)
        self.analysis = analysis
        self.primary = primary_analysis(data, analysis)

    @property
    def document_title(self) -> str:
        """The study's name."""
        return f"{self.data.study.name}: study report"

    def status(self) -> Paragraph:
        """When and by whom the allocation was revealed."""
        return Paragraph(
            f"Unmasked report: allocation revealed {self._unmasked_at()} by {self._unmasked_by()}."
        )

    def arms(self) -> list[Block]:
        """Each arm, the reference first: substance, dose, animals allocated and excluded."""
        data = self.data
        counts = self._arm_counts()
        rows = [
            (arm.name, arm.substance, num(arm.dose_mg_per_kg), yes_no(arm.reference), *counts[arm.name])
            for arm in sorted(data.arms, key=lambda arm: arm.name != data.reference_arm)
        ]
        header = ("arm", "substance", "dose (mg/kg)", "reference", "allocated", "excluded")
        return [table(header, rows, "Arms")]

    def exclusion_tables(self, exclusions: Sequence[ExclusionInfo]) -> list[Block]:
        """The exclusions with each animal's lab ID and arm, then how many per arm."""
        rows = [
            (
                e.code or NOT_RANDOMIZED,
                e.label or MISSING,
                e.arm or NOT_ALLOCATED,
                *exclusion_cells(self.data, e),
            )
            for e in exclusions
        ]
        per_arm = [(arm, excluded) for arm, (_, excluded) in self._arm_counts().items()]
        return [
            table(("code", "lab ID", "arm", *EXCLUSION_HEADER), rows, f"Exclusions ({len(exclusions)})"),
            table(("arm", "excluded"), per_arm, "Exclusions per arm"),
        ]

    def block_sizes(self) -> str:
        """The revealed block sizes."""
        randomization = self.data.randomization
        sizes = randomization.block_sizes if randomization else ()
        return ", ".join(map(str, sizes)) or "none"

    def allocation_status(self) -> str:
        """When and by whom the allocation was unmasked."""
        return (
            f"The allocation was unmasked {self._unmasked_at()} by {self._unmasked_by()}, "
            "after which the analysis was run."
        )

    def analysis_methods(self) -> list[Block]:
        """The methods of the analysis and its assumption checks."""
        methods = method_lines(self.data, self.analysis)
        return [Bullets(methods), *assumption_table(self.data, self.analysis.outcomes)]

    def animal_tables(self) -> list[Block]:
        """The animals per arm, then each animal with its lab ID and arm."""
        data = self.data
        per_arm = []
        for arm in data.arm_names:
            members = [a for a in data.animals if a.arm == arm]
            weights = [a.baseline_weight_g for a in members if a.baseline_weight_g is not None]
            sexes = ", ".join(f"{s}: {n}" for s, n in sorted(count(a.sex for a in members).items()))
            per_arm.append((arm, len(members), sexes, mean_sd(weights)))
        rows = sorted(
            (a.code or NOT_RANDOMIZED, a.label, a.arm or NOT_ALLOCATED, *animal_cells(data, a))
            for a in data.animals
        )
        return [
            table(("arm", "n", "sex", "baseline weight (g), mean +- SD"), per_arm, "Animals per arm"),
            table(("code", "lab ID", "arm", *ANIMAL_HEADER), rows, "Animals"),
        ]

    def treatment(self) -> str:
        """The compound against the vehicle at one volume; with more arms, each arm and its stock."""
        s = self.data.study
        if len(self.data.arms) > 2:
            arms = "; ".join(
                f"{arm.name}: {arm.substance} {num(arm.dose_mg_per_kg)} mg/kg "
                f"(stock {num(self.data.stock_mg_per_ml(arm))} mg/mL)"
                for arm in self.data.arms
            )
            return (
                f"{len(self.data.arms)} arms, one {s.route} injection each, all at {num(s.volume_ml_per_kg)} "
                f"mL/kg, compared with {self.data.reference_arm}: {arms}."
            )
        return (
            f"{s.compound} {num(s.dose_mg_per_kg)} mg/kg {s.route} against {s.vehicle}, one injection, "
            f"both at {num(s.volume_ml_per_kg)} mL/kg."
        )

    def dose_tables(self) -> list[Block]:
        """Each dose with its animal's arm and the mg/kg it received, then the doses received per arm."""
        data = self.data
        arm_of = {animal.code: animal.arm for animal in data.animals}
        rows = sorted(
            (
                dose.code,
                arm_of.get(dose.code) or NOT_ALLOCATED,
                *dose_cells(self.data, dose),
                num(data.mg_per_kg_received(dose)),
            )
            for dose in data.doses
        )
        header = ("code", "arm", *DOSE_HEADER, "mg/kg received")
        return [table(header, rows, "Doses given"), per_arm_doses(data)]

    def results(self) -> list[Block]:
        """The declared primary outcome first, each outcome's statistics and figure, then period models."""
        data, analysis = self.data, self.analysis
        ordered = sorted(analysis.outcomes, key=lambda a: not data.is_primary(a.outcome, a.scoring))
        blocks = primary_blocks(data, self.primary)
        if self.primary is None:
            blocks += primary_statement(data, ordered)
        for result in ordered:
            blocks += outcome_result(data, result)
            blocks += self.images([("outcome", result.outcome, result.scoring, result.period)])
        blocks += self.images(figure.key for figure in self.figures if figure.key[0] == "per_minute")
        for repeated in analysis.repeated:
            blocks += mixed_result(data, repeated)
            blocks += self.images([("periods", repeated.scoring)])
        return blocks

    def emergency_table(self) -> Table:
        """The emergency unblindings with each animal's arm."""
        rows = [(u.code, u.arm or MISSING, *emergency_cells(u)) for u in self.data.emergency_unblindings]
        return table(("code", "arm", *EMERGENCY_HEADER), rows, "Emergency unblindings")

    def _unmasked_at(self) -> str:
        unmasked_at = self.data.blinding.unmasked_at
        return unmasked_at.isoformat(timespec="minutes") if unmasked_at else MISSING

    def _unmasked_by(self) -> str | None:
        return self.data.blinding.unmasked_by

    def _arm_counts(self) -> dict[str, tuple[int, int]]:
        """Per arm: animals allocated and animals excluded."""
        data = self.data
        return {
            arm: (
                sum(animal.arm == arm for animal in data.animals),
                sum(exclusion.arm == arm for exclusion in data.exclusions),
            )
            for arm in data.arm_names
        }
