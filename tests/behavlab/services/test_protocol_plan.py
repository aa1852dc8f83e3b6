"""The protocol plan as versions of the study's protocol: declared, amended with a reason after randomization,
the randomization's gate (refused without one unless waived, recorded and audited), the dosing sheet's line,
and old versions without a plan."""

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import select

from behavlab.db.session import reading
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import Protocol, Randomization, Study
from behavlab.services import (
    ProtocolPlan,
    RandomizationOptions,
    StudySettings,
    Workspace,
    commit_randomization,
    create_study,
    declare_primary,
    declare_protocol,
    dosing_sheet,
    draft_randomization,
    import_roster,
    list_events,
    record_weights,
    study_protocol,
    unmask_study,
    write_dosing_sheet,
)
from tests.behavlab.factories import baseline_weights, sheet_rows, write_roster, write_weights
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE

PLAN = ProtocolPlan(primary_outcome="immobility", primary_method="motion", smallest_effect_d=1.2)


def _study(workspace: Workspace, folder: Path, name: str = "planned") -> str:
    create_study(workspace, StudySettings(name=name))
    import_roster(workspace, name, write_roster(folder / "roster.csv", 8, with_weights=False))
    return name


def _randomize(workspace: Workspace, name: str, no_protocol: bool = False) -> None:
    draft = draft_randomization(workspace, name, RandomizationOptions(seed=3, no_protocol=no_protocol))
    commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)


def _randomization(workspace: Workspace, name: str) -> Randomization:
    with reading(workspace.engine) as session:
        return session.exec(select(Randomization).join(Study).where(Study.name == name)).one()


def _payload(workspace: Workspace, name: str, action: str) -> dict[str, object]:
    (event,) = [e for e in list_events(workspace, name) if e.action == action]
    payload: dict[str, object] = json.loads(event.payload)
    return payload


def test_a_declared_plan_is_version_1_with_its_hash_in_the_audit_log(
    workspace: Workspace, tmp_path: Path
) -> None:
    name = _study(workspace, tmp_path)
    declared = declare_protocol(workspace, name, PLAN)
    assert (declared.version, declared.primary_outcome, declared.primary_method) == (
        1,
        "fst_immobility_s",
        "motion",
    )
    assert declared.plan is not None and declared.plan.test == "welch-t" and declared.plan_sha256 is not None
    assert _payload(workspace, name, "protocol.declare")["plan_sha256"] == declared.plan_sha256
    with reading(workspace.engine) as session:
        stored = session.exec(select(Protocol)).one()
    assert stored.plan is not None and json.loads(stored.plan)["smallest_effect_d"] == 1.2


def test_a_plan_with_problems_is_refused_naming_each(workspace: Workspace, tmp_path: Path) -> None:
    name = _study(workspace, tmp_path)
    bad = ProtocolPlan("immobility", "stopwatch", 0.0, test="t-test")
    with pytest.raises(
        InvalidInputError, match=r"3 problems(.|\n)*primary method(.|\n)*test(.|\n)*smallest effect"
    ):
        declare_protocol(workspace, name, bad)
    assert study_protocol(workspace, name) is None


def test_randomization_runs_under_the_protocol_in_force(workspace: Workspace, tmp_path: Path) -> None:
    name = _study(workspace, tmp_path)
    declared = declare_protocol(workspace, name, PLAN)
    _randomize(workspace, name)
    record = _randomization(workspace, name)
    assert record.protocol_id is not None and record.protocol_waived is False
    payload = _payload(workspace, name, "study.randomize")
    assert (payload["protocol_version"], payload["plan_sha256"]) == (1, declared.plan_sha256)


def test_randomization_is_refused_without_a_protocol_unless_waived(
    workspace: Workspace, tmp_path: Path
) -> None:
    name = _study(workspace, tmp_path)
    with pytest.raises(ConflictError, match=r"has no protocol plan.*--no-protocol"):
        draft_randomization(workspace, name, RandomizationOptions())
    declare_primary(workspace, name, "immobility", "motion")
    with pytest.raises(ConflictError, match="has no protocol plan"):
        draft_randomization(workspace, name, RandomizationOptions())
    _randomize(workspace, name, no_protocol=True)
    record = _randomization(workspace, name)
    assert (record.protocol_id, record.protocol_waived) == (None, True)
    assert _payload(workspace, name, "study.randomize")["protocol_waived"] is True


def test_a_waiver_is_refused_when_there_is_a_protocol(workspace: Workspace, tmp_path: Path) -> None:
    name = _study(workspace, tmp_path)
    declare_protocol(workspace, name, PLAN)
    with pytest.raises(ConflictError, match="has protocol version 1; randomize under it"):
        draft_randomization(workspace, name, RandomizationOptions(no_protocol=True))


def test_a_change_after_randomization_is_an_amendment_with_its_reason(
    workspace: Workspace, tmp_path: Path
) -> None:
    name = _study(workspace, tmp_path)
    declare_protocol(workspace, name, PLAN)
    _randomize(workspace, name)
    with pytest.raises(ConflictError, match=r"a change needs its reason .*amendment"):
        declare_protocol(workspace, name, ProtocolPlan("immobility", "manual", 1.2))
    amended = declare_protocol(
        workspace, name, ProtocolPlan("immobility", "manual", 1.2), reason="camera broke"
    )
    assert (amended.version, amended.primary_method, amended.before_randomization) == (2, "manual", False)
    assert _payload(workspace, name, "protocol.amend")["plan_sha256"] == amended.plan_sha256
    primary_only = declare_primary(
        workspace, name, "latency", "manual", reason="latency is the better measure"
    )
    assert primary_only.plan is not None and primary_only.plan.primary_outcome == "fst_latency_s"
    assert primary_only.plan.smallest_effect_d == 1.2 and primary_only.plan_sha256 != amended.plan_sha256
    unmask_study(workspace, name, PASSPHRASE, force_reason="no sessions in this test")
    with pytest.raises(ConflictError, match="unmasked and locked"):
        declare_protocol(workspace, name, PLAN, reason="too late")


def test_the_dosing_sheet_prints_the_protocol_version_and_short_hash(
    workspace: Workspace, tmp_path: Path
) -> None:
    name = _study(workspace, tmp_path)
    declared = declare_protocol(workspace, name, PLAN)
    _randomize(workspace, name)
    weighed = datetime.now().astimezone()
    record_weights(workspace, name, write_weights(tmp_path / "w.csv", baseline_weights(8), weighed))
    sheet = dosing_sheet(workspace, name)
    assert declared.plan_sha256 is not None
    assert sheet.protocol == f"Protocol: version 1, plan SHA-256 {declared.plan_sha256[:12]}"
    page = write_dosing_sheet(sheet, tmp_path / "sheet.html").read_text(encoding="utf-8")
    assert sheet.protocol in page
    table = write_dosing_sheet(sheet, tmp_path / "sheet.csv")
    footer = list(csv.reader(table.read_text(encoding="utf-8").splitlines()))[-3:]
    assert footer == [[], [sheet.protocol], [sheet.audit_head.line]], "the protocol, then the head, last"
    assert [row["code"] for row in sheet_rows(table)] == [line.code for line in sheet.lines]


def test_an_old_version_without_a_plan_still_reads(workspace: Workspace, tmp_path: Path) -> None:
    """A version stored as before plans existed (plan and hash NULL) reads, and the plan follows it."""
    name = _study(workspace, tmp_path)
    declare_primary(workspace, name, "fst_immobility_s", "motion")
    with reading(workspace.engine) as session:
        stored = session.exec(select(Protocol)).one()
    assert (stored.plan, stored.plan_sha256) == (None, None)
    old = study_protocol(workspace, name)
    assert old is not None and (old.plan, old.plan_sha256, old.primary_method) == (None, None, "motion")
    planned = declare_protocol(workspace, name, PLAN, reason="the whole plan")
    assert planned.version == 2 and planned.plan is not None
