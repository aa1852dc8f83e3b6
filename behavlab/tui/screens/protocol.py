"""The study's protocol at a glance (the header line) and declaring its primary outcome (p on the dashboard).

The declaration is made before unmasking; changing it needs a reason, and every version is kept. A refusal
keeps the dialog with what was chosen and typed.
"""

from collections.abc import Callable

from textual.dom import DOMNode

from behavlab.services import (
    PRIMARY_METHODS,
    PRIMARY_OUTCOMES,
    DeclaredProtocol,
    StudyOverview,
    Workspace,
    declare_primary,
    study_protocol,
)
from behavlab.services.display import local_minute, visible
from behavlab.tui.calls import call_service
from behavlab.tui.widgets.form import Field, FormScreen, FormValues

NO_METHOD = "none (sucrose preference is not scored by a method)"


def primary_endpoint(protocol: DeclaredProtocol | None) -> str:
    """The declared primary outcome and its method, or that none was declared."""
    if protocol is None:
        return "not declared"
    method = f" by {protocol.primary_method}" if protocol.primary_method else ""
    return f"{protocol.primary_outcome}{method}"


def study_header(overview: StudyOverview) -> str:
    """The study's name with its bench settings and declared primary outcome, for a screen's header."""
    study = overview.study
    return (
        f"{visible(study.name)} | syringe {study.syringe_graduation_ml:g} mL "
        f"±{study.volume_tolerance_pct:g}% | weights to {study.weight_precision_g:g} g | "
        f"primary: {primary_endpoint(overview.protocol)}"
    )


def declare_primary_dialog(
    node: DOMNode, workspace: Workspace, study: str, declared: Callable[[DeclaredProtocol], object]
) -> None:
    """Read the current declaration, then ask for the outcome, the method and, for a change, its reason."""
    call_service(
        node,
        lambda: study_protocol(workspace, study),
        lambda current: node.app.push_screen(_dialog(node, workspace, study, current, declared)),
        title="Cannot read the protocol",
    )


def _dialog(
    node: DOMNode,
    workspace: Workspace,
    study: str,
    current: DeclaredProtocol | None,
    declared: Callable[[DeclaredProtocol], object],
) -> FormScreen:
    fields = [
        Field(
            "outcome", "primary outcome", current.primary_outcome if current else "", choices=PRIMARY_OUTCOMES
        ),
        Field(
            "method",
            "its scoring method",
            (current.primary_method or "") if current else "",
            choices=PRIMARY_METHODS,
            blank=NO_METHOD,
        ),
    ]
    note = "Declare it before the data can be seen: the report calls only this result primary."
    if current is not None:
        note = (
            f"Declared: {primary_endpoint(current)} (version {current.version}, "
            f"{local_minute(current.declared_at)} by {current.declared_by}). A change needs its reason."
        )
        fields.append(Field("reason", "reason for the change"))

    def submit(values: FormValues) -> None:
        call_service(
            node,
            lambda: declare_primary(
                workspace, study, values["outcome"], values["method"] or None, values.get("reason") or None
            ),
            lambda protocol: _declared(node, form, protocol, declared),
            title="Primary outcome not declared",
            failed=form.refuse,
        )

    form = FormScreen(f"Primary outcome of {visible(study)}", fields, note=note, submit=submit)
    return form


def _declared(
    node: DOMNode,
    form: FormScreen,
    protocol: DeclaredProtocol,
    declared: Callable[[DeclaredProtocol], object],
) -> None:
    if form.is_current:
        form.dismiss(None)
    node.app.notify(
        f"primary outcome: {primary_endpoint(protocol)} (version {protocol.version})", markup=False
    )
    declared(protocol)
