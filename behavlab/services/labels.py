"""Printing a study's labels: syringe labels, cage cards and tube labels on named label stock.

The file's format comes from its suffix (PDF, SVG, or a printable HTML page); an SVG holds one sheet, so
further sheets go to ``NAME-2.svg``, ``NAME-3.svg`` and so on (numbered sheets of an earlier, longer print
to the same name are refused, not left behind: they could be another copy's). A print may start at any
position of a partly used sheet, repeat each label, and be limited to some codes or one cohort. Labels are
printed only once the study is randomized (they carry the blind codes) and carry no arm: the one exception
is the key holder's preparer copy of the syringe labels, which opens the sealed key with the passphrase
(the study stays masked), is audited as soon as the key is opened and is written readable by its owner
only; its refusals name neither a code nor an arm. File names are the ones given, with page numbers at
most: nothing in them depends on an arm.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from sqlmodel import Session, select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import Cohort, Study
from behavlab.services.audit import record_study_event
from behavlab.services.dosing import dosing_sheet
from behavlab.services.guards import refuse_unless_randomized
from behavlab.services.label_records import (
    BenchAnimal,
    bench_animals,
    cage_cards,
    syringe_labels,
    tube_labels,
)
from behavlab.services.library_errors import refused_writes
from behavlab.services.lookup import checked_code, find_study
from behavlab.services.roster_animals import roster_animals
from behavlab.services.sealing import arm_names_by_label, open_sealed_keys
from behavlab.services.text import checked_text
from behavlab.services.workspace import Workspace
from cohorts.dosing import DEFAULT_VOLUME_ML_PER_KG
from writing.atomic import PRIVATE_FILE_MODE, atomic_write
from writing.labels.content import Label
from writing.labels.templates import TEMPLATES, LabelTemplate, TemplateError, template_named

LABEL_KINDS = ("syringe", "cage", "tube")
LABEL_FORMATS = (".pdf", ".svg", ".html")
DEFAULT_TEMPLATE = "a4-24"
#: The only kind of label whose preparer copy may carry the arm, and the only one with a dosing day.
PREPARER_KIND = "syringe"


@dataclass(frozen=True)
class LabelRequest:
    """Which labels to print and how.

    Their kind, label stock, dosing day and volume limit (syringes), sample kinds (tubes), the first
    position used on the first sheet (1-based), how many copies of each label (side by side), and which
    animals: only these codes, only this cohort (none: all).
    """

    kind: str
    template: str = DEFAULT_TEMPLATE
    day: date | None = None
    samples: tuple[str, ...] = ()
    start: int = 1
    copies: int = 1
    codes: tuple[str, ...] = ()
    cohort: str | None = None
    limit_ml_per_kg: float = DEFAULT_VOLUME_ML_PER_KG


@dataclass(frozen=True)
class WrittenLabels:
    """The files written (one per sheet for SVG), how many labels, and whether it is the preparer's copy."""

    files: list[Path]
    count: int
    preparer: bool


def label_template_names() -> list[str]:
    """The names of the label stock templates, sorted."""
    return sorted(TEMPLATES)


@dataclass(frozen=True)
class CheckedLabelRequest:
    """A request found printable to ``out`` (a preparer's copy or not), with its template and sample kinds."""

    request: LabelRequest
    out: Path
    preparer: bool
    template: LabelTemplate
    samples: list[str]


def write_labels(
    workspace: Workspace,
    study_name: str,
    request: LabelRequest,
    out: Path,
    preparer_passphrase: str | None = None,
) -> WrittenLabels:
    """Check ``request`` and write the study's labels of its kind to ``out`` (.pdf, .svg or .html).

    See :func:`write_checked_labels`.
    """
    checked = check_label_request(request, out, preparer=preparer_passphrase is not None)
    return write_checked_labels(workspace, study_name, checked, preparer_passphrase)


def write_checked_labels(
    workspace: Workspace,
    study_name: str,
    checked: CheckedLabelRequest,
    preparer_passphrase: str | None = None,
) -> WrittenLabels:
    """Write the study's labels of a checked request to its file.

    For a preparer's copy (syringe labels only) ``preparer_passphrase`` opens the sealed key and each label
    shows its arm; a wrong passphrase is refused and audited, and opening the key is audited too, even if
    the labels then cannot be drawn. Earlier sheets in the way are refused before the key is opened.
    """
    if checked.preparer != (preparer_passphrase is not None):
        raise ValueError("a preparer's copy is written with the passphrase, and only it")
    request, out = checked.request, checked.out
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        refuse_unless_randomized(session, study, "print labels")
        everyone = bench_animals(roster_animals(session, study))
        chosen = _chosen(session, study, request, everyone)
    codes = {animal.code for animal in chosen if animal.code}
    if request.kind == "cage":
        cages = {animal.cage for animal in chosen}
        labels = cage_cards(study, [animal for animal in everyone if animal.cage in cages])
    elif request.kind == "tube":
        labels = tube_labels(study, chosen, checked.samples)
    else:
        sheet = dosing_sheet(workspace, study.name, request.day, request.limit_ml_per_kg)
        labels = syringe_labels(study, sheet, codes)
    labels = _repeated(labels, request.copies)
    _refuse_earlier_sheets(out, _sheet_count(checked, labels))
    if preparer_passphrase is not None:
        arms = _arms_by_code(workspace, study.name, preparer_passphrase, chosen)
        labels = _repeated(syringe_labels(study, sheet, codes, arms), request.copies)
        with writing(workspace.engine) as session:
            payload = {"file": out.name, "kind": request.kind, "n_labels": len(labels)}
            record_study_event(session, workspace, study, AuditAction.LABELS_PREPARER, payload)
    copy = " (preparer's copy)" if checked.preparer else ""
    title = f"{request.kind} labels{copy}: {study.name}"
    pages = _rendered(checked.template, labels, out.suffix.lower(), title, request.start, checked.preparer)
    paths = _page_paths(out, len(pages))
    _write_pages(paths, pages, mode=PRIVATE_FILE_MODE if checked.preparer else None)
    return WrittenLabels(paths, len(labels), checked.preparer)


def check_label_request(request: LabelRequest, out: Path, preparer: bool) -> CheckedLabelRequest:
    """The request checked, or a refusal naming what is accepted; the CLI checks it before any passphrase."""
    if request.kind not in LABEL_KINDS:
        raise InvalidInputError(f"no label kind {request.kind!r}; accepted: {', '.join(LABEL_KINDS)}")
    if out.suffix.lower() not in LABEL_FORMATS:
        raise InvalidInputError(
            f"--out {out.name}: accepted: a file name ending in {', '.join(LABEL_FORMATS)}"
        )
    try:
        template = template_named(request.template)
        template.check_start(request.start)
    except TemplateError as error:
        raise InvalidInputError(str(error)) from None
    if request.copies < 1:
        raise InvalidInputError(f"--copies {request.copies}: accepted: 1 or more")
    if request.kind != PREPARER_KIND and (preparer or request.day is not None):
        option = "a preparer's copy" if preparer else "a dosing day (--date)"
        raise InvalidInputError(f"only {PREPARER_KIND} labels have {option}, not {request.kind} labels")
    if request.kind != "tube" and request.samples:
        raise InvalidInputError(f"--sample is for tube labels only, not {request.kind} labels")
    samples = list(dict.fromkeys(checked_text(kind.strip(), "sample kind") for kind in request.samples))
    if request.kind == "tube" and (not samples or not all(samples)):
        raise InvalidInputError("tube labels need each sample kind, e.g. --sample PFC --sample hippocampus")
    return CheckedLabelRequest(request, out, preparer, template, samples)


def _chosen(
    session: Session, study: Study, request: LabelRequest, animals: Sequence[BenchAnimal]
) -> list[BenchAnimal]:
    """The animals asked for (cohort, codes): coded and not excluded, except for cage cards."""
    chosen = [animal for animal in animals if request.kind == "cage" or animal.labelled]
    if request.cohort is not None:
        cohorts = dict(session.exec(select(Cohort.name, Cohort.id).where(Cohort.study_id == study.id)).all())
        if request.cohort not in cohorts:
            known = ", ".join(sorted(cohorts)) or "none"
            raise InvalidInputError(f"no cohort {request.cohort!r} in study {study.name!r}; cohorts: {known}")
        chosen = [animal for animal in chosen if animal.cohort_id == cohorts[request.cohort]]
    if request.codes:
        wanted = list(dict.fromkeys(checked_code(code) for code in request.codes))
        unknown = [
            code for code in wanted if code not in {animal.code for animal in chosen if animal.labelled}
        ]
        if unknown:
            raise InvalidInputError(
                f"no animal with code {', '.join(unknown)} to label in study {study.name!r}"
                f"{'' if request.cohort is None else f' cohort {request.cohort!r}'} (coded, not excluded)"
            )
        chosen = [animal for animal in chosen if animal.code in wanted]
    return chosen


def _arms_by_code(
    workspace: Workspace, study_name: str, passphrase: str, animals: Sequence[BenchAnimal]
) -> dict[str, str]:
    """Each animal's arm from the sealed keys (audited when refused); the study stays masked."""
    arms: dict[str, str] = {}
    for key in open_sealed_keys(workspace, study_name, passphrase, AuditAction.LABELS_PREPARER):
        arms.update(arm_names_by_label(key.unsealed))
    return {animal.code: arms[animal.label] for animal in animals if animal.code is not None}


def _rendered(
    template: LabelTemplate, labels: Sequence[Label], suffix: str, title: str, start: int, preparer: bool
) -> list[str | bytes]:
    """The labels drawn in the format of ``suffix``: one document, or one per sheet for SVG.

    A label of the preparer's copy that does not fit is refused without its text: it pairs a code and an arm.
    """
    # The drawing libraries (reportlab, segno) load here, when labels are printed, not with the app.
    from writing.labels.page import html_document
    from writing.labels.sheet import LabelDoesNotFitError, pdf_document, svg_sheets

    if not labels:
        raise InvalidInputError("there is no label to print: no animal asked for is coded and not excluded")
    try:
        if suffix == ".pdf":
            return [pdf_document(template, labels, title, start)]
        if suffix == ".html":
            return [html_document(template, labels, title, start)]
        return list(svg_sheets(template, labels, start))
    except LabelDoesNotFitError as error:
        if preparer:
            raise InvalidInputError(
                f"a label of the preparer's copy (its arm name, or other text) does not fit template "
                f"{template.name}; choose a larger template"
            ) from None
        raise InvalidInputError(str(error)) from None


def _page_paths(out: Path, count: int) -> list[Path]:
    """``out`` for the first document, then ``NAME-2.svg``, ``NAME-3.svg``... for further sheets."""
    return [out, *(out.with_name(f"{out.stem}-{page}{out.suffix}") for page in range(2, count + 1))]


def _repeated(labels: Sequence[Label], copies: int) -> list[Label]:
    """Each label ``copies`` times, side by side."""
    return [label for label in labels for _ in range(copies)]


def _sheet_count(checked: CheckedLabelRequest, labels: Sequence[Label]) -> int:
    """How many files the labels take: one document, or one per sheet for SVG."""
    from writing.labels.sheet import pages

    if checked.out.suffix.lower() != ".svg":
        return 1
    return len(pages(checked.template, labels, checked.request.start))


def _refuse_earlier_sheets(out: Path, count: int) -> None:
    """Refuse numbered SVG sheets beyond the ``count`` about to be written: an earlier print's, maybe arms."""
    if out.suffix.lower() != ".svg":
        return
    numbered = re.compile(rf"{re.escape(out.stem)}-(\d+){re.escape(out.suffix)}")
    earlier = sorted(
        (int(found[1]), path.name)
        for path in out.parent.glob(f"{out.stem}-*{out.suffix}")
        if (found := numbered.fullmatch(path.name)) and int(found[1]) > count
    )
    if earlier:
        raise ConflictError(
            f"{', '.join(name for _, name in earlier)} hold further sheets of an earlier print to "
            f"{out.name}, which would be left beside this {count}-sheet print: remove them or choose "
            "another name"
        )


def _write_pages(paths: Sequence[Path], documents: Sequence[str | bytes], mode: int | None) -> None:
    with refused_writes():
        for path, document in zip(paths, documents, strict=True):
            data = document.encode("utf-8") if isinstance(document, str) else document
            atomic_write(path, partial(Path.write_bytes, data=data), mode=mode)
