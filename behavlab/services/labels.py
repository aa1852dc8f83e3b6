"""Printing a study's labels: syringe labels, cage cards and tube labels on named label stock.

The file's format comes from its suffix (PDF, SVG, or a printable HTML page); an SVG holds one sheet, so
further sheets go to ``NAME-2.svg``, ``NAME-3.svg`` and so on. Labels are printed only once the study is
randomized (they carry the blind codes) and carry no arm: the one exception is the key holder's preparer
copy of the syringe labels, which opens the sealed key with the passphrase (the study stays masked), is
audited and is written readable by its owner only. File names are the ones given, with page numbers at
most: nothing in them depends on an arm.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import InvalidInputError
from behavlab.services.audit import record_study_event
from behavlab.services.dosing import dosing_sheet
from behavlab.services.guards import refuse_unless_randomized
from behavlab.services.label_records import (
    CodedAnimal,
    cage_cards,
    coded_animals,
    syringe_labels,
    tube_labels,
)
from behavlab.services.library_errors import refused_writes
from behavlab.services.lookup import find_study
from behavlab.services.sealing import open_sealed_keys, sealed_arm_names
from behavlab.services.text import checked_text
from behavlab.services.workspace import Workspace
from writing.atomic import PRIVATE_FILE_MODE, atomic_write
from writing.labels.content import Label
from writing.labels.templates import TEMPLATES, LabelTemplate, TemplateError, template_named

LABEL_KINDS = ("syringe", "cage", "tube")
LABEL_FORMATS = (".pdf", ".svg", ".html")
DEFAULT_TEMPLATE = "a4-24"
#: The only kind of label whose preparer copy may carry the arm.
PREPARER_KIND = "syringe"


@dataclass(frozen=True)
class LabelRequest:
    """Which labels to print: their kind, label stock, dosing day (syringes) and sample kinds (tubes)."""

    kind: str
    template: str = DEFAULT_TEMPLATE
    day: date | None = None
    samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class WrittenLabels:
    """The files written (one per sheet for SVG), how many labels, and whether it is the preparer's copy."""

    files: list[Path]
    count: int
    preparer: bool


def label_template_names() -> list[str]:
    """The names of the label stock templates, sorted."""
    return sorted(TEMPLATES)


def write_labels(
    workspace: Workspace,
    study_name: str,
    request: LabelRequest,
    out: Path,
    preparer_passphrase: str | None = None,
) -> WrittenLabels:
    """Write the study's labels of ``request.kind`` to ``out`` (.pdf, .svg or .html).

    With ``preparer_passphrase`` (syringe labels only) the sealed key is opened and each label shows its arm;
    a wrong passphrase is refused and audited, and a preparer copy written is audited too.
    """
    template, samples = _checked_request(request, out, preparer_passphrase is not None)
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        refuse_unless_randomized(session, study, "print labels")
        animals = coded_animals(session, study)
    if request.kind == "cage":
        labels = cage_cards(study, animals)
    elif request.kind == "tube":
        labels = tube_labels(study, animals, samples)
    else:
        sheet = dosing_sheet(workspace, study_name, request.day)
        arms = None
        if preparer_passphrase is not None:
            arms = _arms_by_code(workspace, study_name, preparer_passphrase, animals)
        labels = syringe_labels(study, sheet, arms)
    copy = " (preparer's copy)" if preparer_passphrase is not None else ""
    pages = _rendered(template, labels, out.suffix.lower(), f"{request.kind} labels{copy}: {study.name}")
    paths = _page_paths(out, len(pages))
    if preparer_passphrase is None:
        _write_pages(paths, pages, mode=None)
    else:
        with writing(workspace.engine) as session:
            payload = {"file": out.name, "kind": request.kind, "n_labels": len(labels)}
            record_study_event(session, workspace, study, AuditAction.LABELS_PREPARER, payload)
            _write_pages(paths, pages, mode=PRIVATE_FILE_MODE)
    return WrittenLabels(paths, len(labels), preparer_passphrase is not None)


def _checked_request(request: LabelRequest, out: Path, preparer: bool) -> tuple[LabelTemplate, list[str]]:
    """The template and the sample kinds, or a refusal saying what is accepted."""
    if request.kind not in LABEL_KINDS:
        raise InvalidInputError(f"no label kind {request.kind!r}; accepted: {', '.join(LABEL_KINDS)}")
    if out.suffix.lower() not in LABEL_FORMATS:
        raise InvalidInputError(
            f"--out {out.name}: accepted: a file name ending in {', '.join(LABEL_FORMATS)}"
        )
    try:
        template = template_named(request.template)
    except TemplateError as error:
        raise InvalidInputError(str(error)) from None
    if preparer and request.kind != PREPARER_KIND:
        raise InvalidInputError(
            f"only {PREPARER_KIND} labels have a preparer's copy, not {request.kind} labels"
        )
    if request.kind != "tube" and request.samples:
        raise InvalidInputError(f"--sample is for tube labels only, not {request.kind} labels")
    samples = list(dict.fromkeys(checked_text(kind.strip(), "sample kind") for kind in request.samples))
    if request.kind == "tube" and (not samples or not all(samples)):
        raise InvalidInputError("tube labels need each sample kind, e.g. --sample PFC --sample hippocampus")
    return template, samples


def _arms_by_code(
    workspace: Workspace, study_name: str, passphrase: str, animals: Sequence[CodedAnimal]
) -> dict[str, str]:
    """Each animal's arm from the sealed keys (audited when refused); the study stays masked."""
    arms: dict[str, str] = {}
    for key in open_sealed_keys(workspace, study_name, passphrase, AuditAction.LABELS_PREPARER):
        names = sealed_arm_names(key.unsealed)
        arms.update({label: names[index] for label, index in key.unsealed.assignment.items()})
    return {animal.code: arms[animal.label] for animal in animals}


def _rendered(template: LabelTemplate, labels: Sequence[Label], suffix: str, title: str) -> list[str | bytes]:
    """The labels drawn in the format of ``suffix``: one document, or one per sheet for SVG."""
    # The drawing libraries (reportlab, segno) load here, when labels are printed, not with the app.
    from writing.labels.page import html_document
    from writing.labels.sheet import LabelDoesNotFitError, pdf_document, svg_sheets

    if not labels:
        raise InvalidInputError("no coded animal is left in the study: there is no label to print")
    try:
        if suffix == ".pdf":
            return [pdf_document(template, labels, title)]
        if suffix == ".html":
            return [html_document(template, labels, title)]
        return list(svg_sheets(template, labels))
    except LabelDoesNotFitError as error:
        raise InvalidInputError(str(error)) from None


def _page_paths(out: Path, count: int) -> list[Path]:
    """``out`` for the first document, then ``NAME-2.svg``, ``NAME-3.svg``... for further sheets."""
    return [out, *(out.with_name(f"{out.stem}-{page}{out.suffix}") for page in range(2, count + 1))]


def _write_pages(paths: Sequence[Path], documents: Sequence[str | bytes], mode: int | None) -> None:
    with refused_writes():
        for path, document in zip(paths, documents, strict=True):
            data = document.encode("utf-8") if isinstance(document, str) else document
            atomic_write(path, partial(Path.write_bytes, data=data), mode=mode)
