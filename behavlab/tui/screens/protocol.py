"""The study's protocol at a glance (the header line) and declaring it (p on the dashboard).

One form records the protocol plan: the primary outcome and its method, the smallest effect of interest, the
test, alpha, power and the rest. With no smallest effect it records the primary outcome alone, a version of
the same protocol without a plan. It is declared before unmasking; a change needs its reason (after
randomization it is an amendment), and every version is kept. A refusal keeps the form as typed.
"""

from collections.abc import Callable

from textual.dom import DOMNode

from behavlab.services import (
    PLAN_TESTS,
    PRIMARY_METHODS,
    PRIMARY_OUTCOMES,
    SHORT_HASH_CHARS,
    DeclaredProtocol,
    ProtocolPlan,
    StudyOverview,
    Workspace,
    declare_primary,
    declare_protocol,
    study_protocol,
)
from behavlab.services.display import local_minute, visible
from behavlab.tui.calls import call_service
from behavlab.tui.parse import number, optional_int, optional_number, words
from behavlab.tui.widgets.form import Field, FormScreen, FormValues

NO_METHOD = "none (sucrose preference is not scored by a method)"
DESIGN_TEST = "the design's (two arms: welch-t; more: welch-anova+dunnett; a factor: two-way-anova)"


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


def protocol_dialog(
    node: DOMNode, workspace: Workspace, study: str, declared: Callable[[DeclaredProtocol], object]
) -> None:
    """Read the current version, then ask for the plan and, for a change, its reason."""
    call_service(
        node,
        lambda: study_protocol(workspace, study),
        lambda current: node.app.push_screen(_dialog(node, workspace, study, current, declared)),
        title="Cannot read the protocol",
    )


def _fields(current: DeclaredProtocol | None) -> list[Field]:
    plan = None if current is None else current.plan
    shown = ProtocolPlan("", None, 0.0) if plan is None else plan
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
        Field(
            "smallest_effect_d",
            "smallest effect of interest, Cohen's d (empty: the primary outcome alone, no plan)",
            "" if plan is None else f"{plan.smallest_effect_d:g}",
        ),
        Field("test", "test", shown.test, choices=PLAN_TESTS, blank=DESIGN_TEST),
        Field("comparisons", "comparisons of interest (empty: the test's)", " ".join(shown.comparisons)),
        Field("secondary", "secondary outcomes", " ".join(shown.secondary_outcomes)),
        Field("alpha", "alpha", f"{shown.alpha:g}"),
        Field("power", "power", f"{shown.power:g}"),
        Field("n_per_arm", "planned n per arm (empty: the computed n)", _text(shown.planned_n_per_arm)),
        Field(
            "test_hours", "test hours after dosing (empty: the study's)", _text(shown.test_hours_post_dose)
        ),
        Field("inclusion", "inclusion criteria", shown.inclusion_criteria),
        Field("exclusion", "exclusion criteria", shown.exclusion_criteria),
        Field("outliers", "outlier rules", shown.outlier_rules),
    ]
    if current is not None:
        fields.append(Field("reason", "reason for the change"))
    return fields


def _text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _plan(values: FormValues) -> ProtocolPlan:
    return ProtocolPlan(
        primary_outcome=values["outcome"],
        primary_method=values["method"] or None,
        smallest_effect_d=number(values["smallest_effect_d"], "smallest effect d"),
        test=values["test"],
        comparisons=tuple(words(values["comparisons"])),
        secondary_outcomes=tuple(words(values["secondary"])),
        alpha=number(values["alpha"], "alpha"),
        power=number(values["power"], "power"),
        planned_n_per_arm=optional_int(values["n_per_arm"], "planned n per arm"),
        test_hours_post_dose=optional_number(values["test_hours"], "test hours after dosing"),
        inclusion_criteria=values["inclusion"],
        exclusion_criteria=values["exclusion"],
        outlier_rules=values["outliers"],
    )


def _declare(workspace: Workspace, study: str, values: FormValues) -> DeclaredProtocol:
    reason = values.get("reason") or None
    if not values["smallest_effect_d"]:
        return declare_primary(workspace, study, values["outcome"], values["method"] or None, reason)
    return declare_protocol(workspace, study, _plan(values), reason)


def _dialog(
    node: DOMNode,
    workspace: Workspace,
    study: str,
    current: DeclaredProtocol | None,
    declared: Callable[[DeclaredProtocol], object],
) -> FormScreen:
    note = "Declare it before randomization: the report calls only this result primary."
    if current is not None:
        sealed = f", plan {current.plan_sha256[:SHORT_HASH_CHARS]}" if current.plan_sha256 else ""
        note = (
            f"Declared: {primary_endpoint(current)} (version {current.version}{sealed}, "
            f"{local_minute(current.declared_at)} by {current.declared_by}). A change needs its reason."
        )

    def submit(values: FormValues) -> None:
        call_service(
            node,
            lambda: _declare(workspace, study, values),
            lambda protocol: _declared(node, form, protocol, declared),
            title="Protocol not declared",
            failed=form.refuse,
        )

    form = FormScreen(f"Protocol of {visible(study)}", _fields(current), note=note, submit=submit)
    return form


def _declared(
    node: DOMNode,
    form: FormScreen,
    protocol: DeclaredProtocol,
    declared: Callable[[DeclaredProtocol], object],
) -> None:
    if form.is_current:
        form.dismiss(None)
    sealed = f", plan {protocol.plan_sha256[:SHORT_HASH_CHARS]}" if protocol.plan_sha256 else ""
    node.app.notify(
        f"protocol: {primary_endpoint(protocol)} (version {protocol.version}{sealed})", markup=False
    )
    declared(protocol)
