"""Unmasking: refused while open items remain (unless forced), wrong passphrase or tampering change
nothing, done once, reveals every arm and locks the study."""

import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from behavlab.errors import ConflictError
from behavlab.services import (
    UnmaskReadiness,
    UnsealError,
    Workspace,
    exclude_animal,
    list_events,
    open_items,
    record_dose,
    record_weights,
    unblind_animal,
    unmask_readiness,
    unmask_study,
)
from tests.behavlab.factories import write_weights
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy


def _count(workspace: Workspace, table: str) -> int:
    with workspace.engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_open_items_block_unmasking_unless_forced_with_a_reason(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    items = open_items(workspace, randomized.name)
    assert len(items.animals_without_outcome) == 24 and items.unscored_sessions == []
    exclude_animal(workspace, randomized.name, "F001", "fight wound", criterion_set_a_priori=True)
    with pytest.raises(ConflictError, match="23 animals without an FST score"):
        unmask_study(workspace, randomized.name, PASSPHRASE)
    assert _count(workspace, "unmaskevent") == 0
    unblind_animal(workspace, randomized.name, randomized.codes["F002"], "seizure", PASSPHRASE)
    assert unmask_readiness(workspace, randomized.name) == UnmaskReadiness(
        open_items(workspace, randomized.name), n_coded=24, unmasked=False
    ), "an excluded animal is still coded; one animal unblinded in an emergency leaves the study blind"
    unmasked = unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="pilot: no FST run")
    assert unmask_readiness(workspace, randomized.name).unmasked
    expected = {
        code: ("vehicle", "ketamine")[randomized.arms[label]] for label, code in randomized.codes.items()
    }
    assert unmasked.arms_by_code == dict(sorted(expected.items()))
    assert unmasked.forced_reason == "pilot: no FST run"
    assert _count(workspace, "revealedallocation") == 24
    (event,) = [e for e in list_events(workspace, randomized.name) if e.action == "study.unmask"]
    assert '"commitment_verified":true' in event.payload


def test_a_wrong_passphrase_or_tampered_key_changes_nothing(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    with pytest.raises(UnsealError, match="passphrase is wrong"):
        unmask_study(workspace, randomized.name, "wrong passphrase!", force_reason="test")
    with workspace.engine.begin() as connection:
        connection.execute(text("UPDATE sealedkey SET commitment = :c"), {"c": "f" * 64})
    with pytest.raises(UnsealError, match=r"differ from the audit log \(sealedkey 1 edited"):
        unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="test")
    assert _count(workspace, "unmaskevent") == 0 and _count(workspace, "revealedallocation") == 0
    assert [e.action for e in list_events(workspace, randomized.name)][-2:] == ["unseal.refused"] * 2


def test_unmasking_happens_once_and_locks_the_study(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    exclude_animal(
        workspace, randomized.name, randomized.code_in_arm(0), "before end", criterion_set_a_priori=False
    )
    unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="test")
    with pytest.raises(ConflictError, match="already unmasked"):
        unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="again")
    with pytest.raises(ConflictError, match="unmasked and locked"):
        record_dose(
            workspace,
            randomized.name,
            randomized.code_in_arm(1),
            at=randomized.weighed_at + timedelta(hours=1),
        )
    with pytest.raises(ConflictError, match="unmasked and locked"):
        record_weights(workspace, randomized.name, write_weights(tmp_path / "w.csv", {"M001": 25.0}))
    late = exclude_animal(
        workspace, randomized.name, randomized.code_in_arm(1), "after end", criterion_set_a_priori=False
    )
    assert late.decided_blind is False
    assert _count(workspace, "unmaskevent") == 1


def test_unmasking_publishes_the_commitment_opening_and_the_sealed_balance(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    unmasked = unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="test")
    opening = unmasked.opening
    (randomize_event,) = [e for e in list_events(workspace, randomized.name) if e.action == "study.randomize"]
    assert opening["commitment"] == json.loads(randomize_event.payload)["commitment"]
    assert json.loads(opening["allocation"]) == randomized.arms
    recomputed = subprocess.run(
        ["bash", "-c", opening["command"]], capture_output=True, text=True, check=True
    ).stdout.split()
    assert recomputed[0] == opening["commitment"]
    (event,) = [e for e in list_events(workspace, randomized.name) if e.action == "study.unmask"]
    assert json.loads(event.payload)["commitment_opening"] == opening
    with workspace.engine.connect() as connection:
        revealed = json.loads(connection.execute(text("SELECT revealed FROM unmaskevent")).scalar_one())
    assert sum(arm["n"] for arm in revealed["balance"]["arms"]) == 24
    assert "balance_recomputed_at_unmasking" not in revealed


def test_swapped_blind_codes_are_refused_before_anything_is_revealed(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    first, second = randomized.code_in_arm(0), randomized.code_in_arm(1)
    with workspace.engine.begin() as connection:
        for code, temporary in ((first, "SWAP01"), (second, first), ("SWAP01", second)):
            connection.execute(
                text("UPDATE allocation SET blind_code = :new WHERE blind_code = :old"),
                {"new": temporary, "old": code},
            )
    with pytest.raises(UnsealError, match=r"allocation .* edited") as refused:
        unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="test")
    assert "vehicle" not in str(refused.value) and "ketamine" not in str(refused.value)
    assert _count(workspace, "unmaskevent") == 0 and _count(workspace, "revealedallocation") == 0
    assert list_events(workspace, randomized.name)[-1].action == "unseal.refused"
