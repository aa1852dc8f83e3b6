"""The declared primary outcome and its scoring method: versioned, a change needs its reason."""

import pytest

from behavlab.errors import ConflictError, InvalidInputError
from behavlab.services import (
    StudySettings,
    Workspace,
    create_study,
    declare_primary,
    get_study,
    list_events,
    study_protocol,
    unmask_study,
)
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy


def test_a_declaration_before_randomization_is_version_1(workspace: Workspace) -> None:
    create_study(workspace, StudySettings(name="planned"))
    assert study_protocol(workspace, "planned") is None
    declared = declare_primary(workspace, "planned", "fst_immobility_s", "manual")
    assert (declared.version, declared.primary_outcome, declared.primary_method) == (
        1,
        "fst_immobility_s",
        "manual",
    )
    assert declared.before_randomization and declared.declared_by == "tester"
    assert get_study(workspace, "planned").protocol == declared
    (event,) = [e for e in list_events(workspace, "planned") if e.action == "protocol.declare"]
    assert '"primary_method":"manual"' in event.payload


def test_a_change_needs_its_reason_and_is_a_new_version(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    declare_primary(workspace, randomized.name, "fst_immobility_s", "motion")
    with pytest.raises(
        ConflictError, match=r"declared fst_immobility_s by motion on .* a change needs its reason"
    ):
        declare_primary(workspace, randomized.name, "fst_immobility_s", "manual")
    changed = declare_primary(
        workspace, randomized.name, "spt_preference_pct", None, reason="FST tanks broke"
    )
    assert (changed.version, changed.primary_method, changed.reason) == (2, None, "FST tanks broke")
    assert not changed.before_randomization


@pytest.mark.parametrize(
    ("outcome", "method", "message"),
    [
        ("freezing", "manual", "not known; accepted: fst_immobility_s, fst_latency_s, spt_preference_pct"),
        ("fst_immobility_s", None, "needs its scoring method.*accepted: motion, pose, manual"),
        ("fst_latency_s", "stopwatch", "needs its scoring method"),
        ("spt_preference_pct", "motion", "is not scored by a method"),
    ],
)
def test_an_unknown_outcome_or_method_is_refused(
    workspace: Workspace, outcome: str, method: str | None, message: str
) -> None:
    create_study(workspace, StudySettings(name="planned"))
    with pytest.raises(InvalidInputError, match=message):
        declare_primary(workspace, "planned", outcome, method)


def test_no_declaration_once_the_data_can_be_seen(workspace: Workspace, randomized: RandomizedStudy) -> None:
    unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="no sessions in this test")
    with pytest.raises(ConflictError, match="unmasked and locked"):
        declare_primary(workspace, randomized.name, "fst_immobility_s", "manual")
