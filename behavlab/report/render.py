"""The study report: the ARRIVE 2.0 Essential 10 filled from a :class:`ReportData`, as Markdown and HTML.

The report is built once as a list of blocks (:mod:`behavlab.report.blocks`) and written twice
(:mod:`behavlab.report.markup`), so ``report.md`` and ``report.html`` always say the same, beside its figures,
data files and manifest.

A blind report (``data.blinded``) names no arm and no treatment, groups nothing, shows animals by blind code
only and says at its top that it is blind; group statistics appear only once the allocation is unmasked.
Which of the two a report is gets decided here once (:func:`report_sections`); the blind and unmasked
sections live in :mod:`behavlab.report.blind` and :mod:`behavlab.report.unmasked`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.outcomes import StudyAnalysis
from behavlab.report.blind import BlindSections
from behavlab.report.blocks import Block
from behavlab.report.data import ReportData
from behavlab.report.exports import tidy_table, workbook_sheets, write_csv, write_manifest, write_xlsx
from behavlab.report.figures import FigureFile, draw_figures
from behavlab.report.group_results import analyse
from behavlab.report.markup import to_html, to_markdown
from behavlab.report.sections import ReportSections
from behavlab.report.unmasked import UnmaskedSections
from writing.atomic import ensure_folder
from writing.documents import write_text


@dataclass(frozen=True)
class ReportFiles:
    """The files one report run wrote, and the analysis behind them (None for a blind report)."""

    markdown: Path
    html: Path
    csv: Path
    xlsx: Path
    manifest: Path
    figures: tuple[Path, ...]
    analysis: StudyAnalysis | None


def report_sections(
    data: ReportData, analysis: StudyAnalysis | None, figures: Sequence[FigureFile]
) -> ReportSections:
    """The blind sections for a blind study (or without an analysis), else the unmasked ones."""
    if data.blinded or analysis is None:
        return BlindSections(data, figures)
    return UnmaskedSections(data, analysis, figures)


def report_blocks(
    data: ReportData, analysis: StudyAnalysis | None, figures: Sequence[FigureFile]
) -> list[Block]:
    """The whole report as blocks, in ARRIVE Essential 10 order."""
    return report_sections(data, analysis, figures).blocks()


def write_report(data: ReportData, out_dir: Path) -> ReportFiles:
    """Write report.md, report.html, the figures, data.csv, data.xlsx and manifest.json into ``out_dir``.

    Each file is written atomically; a folder that cannot be written is refused before any file is.

    Parameters
    ----------
    data
        The study, blind or unmasked.
    out_dir
        The folder to write into; made if missing.

    Returns
    -------
    ReportFiles
        The paths written and the analysis behind them (None for a blind report).
    """
    ensure_folder(out_dir)
    analysis = analyse(data)
    figures = draw_figures(data, out_dir)
    sections = report_sections(data, analysis, figures)
    blocks = sections.blocks()
    markdown = write_text(out_dir / "report.md", to_markdown(blocks))
    page = write_text(out_dir / "report.html", to_html(blocks, sections.document_title))
    csv_path = write_csv(tidy_table(data), out_dir / "data.csv")
    xlsx_path = write_xlsx(workbook_sheets(data, analysis), out_dir / "data.xlsx")
    written = [markdown, page, csv_path, xlsx_path, *(figure.path for figure in figures)]
    manifest_path = write_manifest(data, written, out_dir / "manifest.json")
    return ReportFiles(
        markdown, page, csv_path, xlsx_path, manifest_path, tuple(f.path for f in figures), analysis
    )
