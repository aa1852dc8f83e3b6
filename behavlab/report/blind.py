"""The blind report's sections: animals by blind code only, no arm or treatment named, nothing grouped.

Outcomes are described over all animals pooled, for data checks; group statistics wait for the unmasking.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.summaries import summarize
from behavlab.report.blocks import Block, Paragraph, Table, table
from behavlab.report.common import (
    ANIMAL_HEADER,
    EMERGENCY_HEADER,
    EXCLUSION_HEADER,
    SEALED,
    animal_cells,
    emergency_cells,
    exclusion_cells,
    shown_code,
)
from behavlab.report.data import POOLED, outcome_groups
from behavlab.report.doses import DOSE_HEADER, dose_cells
from behavlab.report.formats import num
from behavlab.report.records import ExclusionInfo
from behavlab.report.sections import ReportSections

BLIND_BANNER = (
    "BLIND REPORT: the allocation is still sealed. Animals appear by blind code only, no treatment or arm "
    "is named and nothing is grouped by arm; group statistics are computed only after unmasking. For data "
    "checks."
)


class BlindSections(ReportSections):
    """The report before unmasking."""

    @property
    def document_title(self) -> str:
        """The study's name, marked blind."""
        return f"{self.data.study.name}: blind study report"

    def status(self) -> Paragraph:
        """The blind banner."""
        return Paragraph(BLIND_BANNER, banner=True)

    def arms(self) -> list[Block]:
        """That arms are withheld."""
        return [Paragraph("Arm names and sizes are withheld until the allocation is unmasked.")]

    def exclusion_tables(self, exclusions: Sequence[ExclusionInfo]) -> list[Block]:
        """The exclusions by code (by lab ID for an animal excluded before it got a code)."""
        rows = [(shown_code(e.code, e.label), *exclusion_cells(self.data, e)) for e in exclusions]
        return [table(("code", *EXCLUSION_HEADER), rows, f"Exclusions ({len(exclusions)})")]

    def block_sizes(self) -> str:
        """Sealed."""
        return SEALED

    def allocation_status(self) -> str:
        """Sealed."""
        return "The allocation is still sealed."

    def analysis_methods(self) -> list[Block]:
        """Why no group comparison is made."""
        return [
            Paragraph(
                "Blind report: outcomes are described over all animals pooled (n, mean, SD, median, "
                "quartiles) for data checks only. No group comparison is made before unmasking."
            )
        ]

    def animal_tables(self) -> list[Block]:
        """The animals by blind code (by lab ID for an animal never randomized)."""
        rows = sorted((shown_code(a.code, a.label), *animal_cells(self.data, a)) for a in self.data.animals)
        return [table(("code", *ANIMAL_HEADER), rows, "Animals (blind codes only)")]

    def treatment(self) -> str:
        """One injection at the same volume for every arm, no treatment named."""
        s = self.data.study
        return (
            f"One {s.route} injection at {num(s.volume_ml_per_kg)} mL/kg, the same volume for every arm; "
            "treatments are named once the allocation is unmasked."
        )

    def dose_tables(self) -> list[Block]:
        """Each dose by blind code, in mL/kg: the mg/kg received would tell the arm."""
        rows = sorted((dose.code, *dose_cells(self.data, dose)) for dose in self.data.doses)
        caption = (
            "Doses given, by blind code (the amount of compound received tells the arm: given once unmasked)"
        )
        return [table(("code", *DOSE_HEADER), rows, caption)]

    def results(self) -> list[Block]:
        """Every outcome over all animals pooled, each animal's values by code, then every figure."""
        return [*self._pooled_outcomes(), *self.images(figure.key for figure in self.figures)]

    def emergency_table(self) -> Table:
        """The emergency unblindings by code."""
        rows = [(u.code, *emergency_cells(u)) for u in self.data.emergency_unblindings]
        return table(("code", *EMERGENCY_HEADER), rows, "Emergency unblindings")

    def _pooled_outcomes(self) -> list[Block]:
        data = self.data
        blocks: list[Block] = [Paragraph("Data check over all animals pooled; nothing is grouped by arm.")]
        rows = []
        wide: dict[str, dict[str, str]] = {}
        for outcome, method, period, group in outcome_groups(data.analysed_outcomes):
            s = summarize(POOLED, group["value"].to_numpy(float))
            name = data.title(outcome, method, period)
            rows.append(
                (
                    name,
                    s.n,
                    num(s.mean),
                    num(s.sd),
                    num(s.median),
                    f"{num(s.q1)}-{num(s.q3)}",
                    f"{num(s.minimum)}-{num(s.maximum)}",
                )
            )
            for code, value in zip(group["code"].astype(str), group["value"], strict=True):
                wide.setdefault(code, {})[name] = num(float(value))
        header = ("outcome", "n", "mean", "SD", "median", "IQR", "range")
        blocks.append(table(header, rows, "All animals pooled"))
        names = [row[0] for row in rows]
        values = [(code, *(wide[code].get(name, "missing") for name in names)) for code in sorted(wide)]
        blocks.append(table(("code", *names), values, "Values by blind code (excluded animals left out)"))
        return blocks
