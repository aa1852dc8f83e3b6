"""Voiding a wrong record from a screen: the record is named, the reason typed, then the screen reloads.

A refusal (no reason, a study unmasked without an amendment reason) keeps the dialog with what was typed.
"""

from collections.abc import Callable

from textual.dom import DOMNode

from behavlab.services import VoidedRecord, Workspace, void_record
from behavlab.services.void_targets import VoidTarget
from behavlab.tui.calls import call_service
from behavlab.tui.widgets.form import Field, FormScreen, FormValues


def void_with_reason(
    node: DOMNode,
    workspace: Workspace,
    study: str,
    find: Callable[[], VoidTarget],
    reload: Callable[[], object],
) -> None:
    """Find the record to void, ask for the reason naming it, void it and `reload` the screen."""
    call_service(
        node,
        find,
        lambda target: node.app.push_screen(_dialog(node, workspace, study, target, reload)),
        title="Nothing to void",
    )


def _dialog(
    node: DOMNode, workspace: Workspace, study: str, target: VoidTarget, reload: Callable[[], object]
) -> FormScreen:
    fields = [
        Field("reason", "reason: what was wrong", placeholder="e.g. typed 25.4 for 24.5"),
        Field("amend", "amendment reason (only once the study is unmasked)"),
    ]
    note = (
        f"Void the {target.description}? It stays in the database and the audit log, marked void, "
        "and no longer counts. A void cannot be undone."
    )

    def submit(values: FormValues) -> None:
        call_service(
            node,
            lambda: void_record(
                workspace, study, target.entity, target.record_id, values["reason"], values["amend"] or None
            ),
            lambda voided: _voided(node, form, voided, reload),
            title="Not voided",
            failed=form.refuse,
        )

    form = FormScreen(f"Void {target.entity} {target.record_id}", fields, note=note, submit=submit)
    return form


def _voided(node: DOMNode, form: FormScreen, voided: VoidedRecord, reload: Callable[[], object]) -> None:
    if form.is_current:
        form.dismiss(None)
    node.app.notify(f"{voided.entity} {voided.record_id} voided: {voided.reason}", markup=False)
    reload()
