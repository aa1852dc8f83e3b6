"""Randomizing: a balanced, reproducible draft, then codes, sealed key and commitment in one commit."""

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from behavlab.audit_head import HEAD_LABEL
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    commit_randomization,
    create_study,
    draft_randomization,
    exclude_animal,
    import_roster,
    list_animals,
    list_events,
    parse_arms,
)
from behavlab.services.randomization import FIXED_BLOCKS_WARNING
from cohorts.blind_codes import normalize_code
from cohorts.key_derivation import Argon2idParams
from cohorts.sealed_key import SealedKey, unseal
from tests.behavlab.factories import write_roster

FAST_KDF = Argon2idParams.fast_for_tests()
PASSPHRASE = "tundra lantern quiver mosaic"


@pytest.fixture
def study(workspace: Workspace, tmp_path: Path) -> str:
    create_study(workspace, StudySettings(name="rand"))
    import_roster(workspace, "rand", write_roster(tmp_path / "roster.csv", 24))
    return "rand"


def test_a_draft_is_balanced_by_sex_and_shows_arms_only_by_number(workspace: Workspace, study: str) -> None:
    draft = draft_randomization(
        workspace, study, RandomizationOptions(seed=7, bare_seed=True, no_protocol=True)
    )
    assert draft.n_animals == 24
    assert [(arm.label, arm.n, arm.females, arm.males) for arm in draft.balance.arms] == [
        ("arm 1", 12, 6, 6),
        ("arm 2", 12, 6, 6),
    ]
    text_lines = "\n".join(draft.balance.lines())
    assert "vehicle" not in text_lines and "ketamine" not in text_lines


def test_the_same_roster_and_bare_seed_give_the_same_allocation(workspace: Workspace, study: str) -> None:
    bare = RandomizationOptions(seed=99, method="minimization", bare_seed=True, no_protocol=True)
    first = draft_randomization(workspace, study, bare)
    second = draft_randomization(workspace, study, bare)
    assert dict(first.allocation.assignment) == dict(second.allocation.assignment)
    assert first.allocation.seed == 99 and first.allocation.bare_seed


def test_a_user_seed_is_mixed_with_os_randomness_by_default(workspace: Workspace, study: str) -> None:
    mixed = RandomizationOptions(seed=99, method="complete", no_protocol=True)
    first = draft_randomization(workspace, study, mixed)
    second = draft_randomization(workspace, study, mixed)
    assert dict(first.allocation.assignment) != dict(second.allocation.assignment)
    assert first.allocation.user_seed == second.allocation.user_seed == 99
    assert first.allocation.seed != second.allocation.seed


def test_commit_stores_codes_and_commitment_but_never_the_map_or_seed(
    workspace: Workspace, study: str, tmp_path: Path
) -> None:
    draft = draft_randomization(workspace, study, RandomizationOptions(seed=123456789, no_protocol=True))
    committed = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    animals = list_animals(workspace, study)
    codes = [a.blind_code for a in animals]
    assert all(code is not None and normalize_code(code) == code for code in codes)
    assert len(set(codes)) == 24
    assert dict(committed.codes) == {a.label: a.blind_code for a in animals}

    with workspace.engine.connect() as connection:
        stored = connection.execute(text("SELECT ciphertext, commitment FROM sealedkey")).one()
        record = connection.execute(text("SELECT * FROM randomization")).mappings().one()
        study_uuid = connection.execute(text("SELECT uuid FROM study")).scalar_one()
    assert stored.commitment == committed.commitment
    assert (record["method"], record["strata"], record["n_animals"]) == ("stratified-block", "sex", 24)
    assert "balance" not in record and record["draws_previewed"] == 1
    assert "123456789" not in json.dumps([*record.values()], default=str)
    assert "123456789" not in stored.ciphertext
    context = {"study_uuid": study_uuid, "roster_sha256": record["roster_sha256"]}
    unsealed = unseal(SealedKey.from_json(stored.ciphertext), PASSPHRASE, context=context)
    assert dict(unsealed.assignment) == dict(draft.allocation.assignment)
    assert unsealed.details["user_seed"] == 123456789
    assert unsealed.details["balance"] == draft.balance.as_dict()

    (event,) = [e for e in list_events(workspace, study) if e.action == "study.randomize"]
    payload = json.loads(event.payload)
    assert payload["commitment"] == committed.commitment and "seed" not in payload


def test_a_study_is_randomized_once_and_its_roster_is_then_closed(
    workspace: Workspace, study: str, tmp_path: Path
) -> None:
    draft = draft_randomization(workspace, study, RandomizationOptions(seed=1, no_protocol=True))
    commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    with pytest.raises(ConflictError, match="already randomized"):
        commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    with pytest.raises(ConflictError, match="already randomized"):
        draft_randomization(workspace, study, RandomizationOptions(no_protocol=True))
    with pytest.raises(ConflictError, match="already randomized"):
        import_roster(workspace, study, write_roster(tmp_path / "more.csv", 2))


def test_bad_options_are_refused(workspace: Workspace, study: str) -> None:
    with pytest.raises(InvalidInputError, match="accepted: two or more distinct arms"):
        draft_randomization(
            workspace, study, RandomizationOptions(arms=["vehicle", "cocaine"], no_protocol=True)
        )
    with pytest.raises(InvalidInputError, match="accepted: complete, block"):
        draft_randomization(workspace, study, RandomizationOptions(method="coin-flip", no_protocol=True))
    draft = draft_randomization(workspace, study, RandomizationOptions(no_protocol=True))
    with pytest.raises(InvalidInputError, match=r"has 5 real characters .*at least 12"):
        commit_randomization(workspace, draft, "short", kdf=FAST_KDF)
    for weak in ("ketamine2026!", "Rand Vehicle Ketamine 2026", "password12345"):
        with pytest.raises(InvalidInputError, match=r"too easy to guess|own words") as caught:
            commit_randomization(workspace, draft, weak, kdf=FAST_KDF)
        assert weak not in str(caught.value)
    assert all(a.blind_code is None for a in list_animals(workspace, study))


def test_excluded_animals_are_not_allocated(workspace: Workspace, study: str) -> None:
    exclude_animal(workspace, study, "M001", "malocclusion", criterion_set_a_priori=True)
    draft = draft_randomization(workspace, study, RandomizationOptions(seed=3, no_protocol=True))
    commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    by_label = {a.label: a for a in list_animals(workspace, study)}
    assert by_label["M001"].blind_code is None
    assert sum(a.blind_code is not None for a in by_label.values()) == 23


def test_the_preparer_sheet_is_written_once_with_each_code_and_its_arm(
    workspace: Workspace, study: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "preparer.csv"
    draft = draft_randomization(workspace, study, RandomizationOptions(seed=5, no_protocol=True))
    committed = commit_randomization(workspace, draft, PASSPHRASE, preparer_sheet=sheet, kdf=FAST_KDF)
    lines = sheet.read_text().splitlines()
    assert lines[0] == "code,arm,substance,dose_mg_per_kg,concentration_mg_per_ml"
    assert lines[-2] == "" and lines[-1].startswith(HEAD_LABEL), "the table, then the audit chain head"
    by_code = {line.split(",")[0]: line.split(",")[1:] for line in lines[1:-2]}
    for label, code in committed.codes.items():
        arm_index = draft.allocation.assignment[label]
        expected = ["vehicle", "saline", "0", "0"] if arm_index == 0 else ["ketamine", "ketamine", "10", "1"]
        assert by_code[code] == expected
    assert [row[0] for row in by_code.items()] == sorted(by_code)


def test_every_previewed_draw_is_counted_and_the_count_is_public(workspace: Workspace, study: str) -> None:
    for seed in (1, 2, 3):
        draft = draft_randomization(workspace, study, RandomizationOptions(seed=seed, no_protocol=True))
    commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    with workspace.engine.connect() as connection:
        assert connection.execute(text("SELECT draws_previewed FROM randomization")).scalar_one() == 3
    events = [e for e in list_events(workspace, study) if e.study_id is not None]
    assert [e.action for e in events].count("randomize.preview") == 3
    (commit,) = [json.loads(e.payload) for e in events if e.action == "study.randomize"]
    assert commit["draws_previewed"] == 3


def test_blocks_of_one_animal_per_arm_keep_small_strata_even_where_larger_blocks_do_not(
    workspace: Workspace, tmp_path: Path
) -> None:
    arms = parse_arms(("vehicle:saline:0", "ket3:ketamine:3", "ket10:ketamine:10", "ket30:ketamine:30"))
    create_study(workspace, StudySettings(name="doses", arms=arms))
    import_roster(workspace, "doses", write_roster(tmp_path / "doses.csv", 8))

    def arm_sizes(seed: int, multiples: tuple[int, ...]) -> list[tuple[int, int, int]]:
        options = RandomizationOptions(seed=seed, bare_seed=True, no_protocol=True, block_multiples=multiples)
        drawn = draft_randomization(workspace, "doses", options)
        return [(arm.n, arm.females, arm.males) for arm in drawn.balance.arms]

    assert all(arm_sizes(seed, (1,)) == [(2, 1, 1)] * 4 for seed in range(12))
    assert any(arm_sizes(seed, (1, 2)) != [(2, 1, 1)] * 4 for seed in range(12))
    with pytest.raises(InvalidInputError, match="block multiples must be integers of 1 or more"):
        draft_randomization(workspace, "doses", RandomizationOptions(no_protocol=True, block_multiples=(0,)))
    even = draft_randomization(
        workspace, "doses", RandomizationOptions(no_protocol=True, block_multiples=(1,))
    )
    assert even.warnings == (FIXED_BLOCKS_WARNING,)
    assert draft_randomization(workspace, "doses", RandomizationOptions(no_protocol=True)).warnings == ()
    commit_randomization(workspace, even, PASSPHRASE, kdf=FAST_KDF)
    (commit,) = [
        json.loads(e.payload) for e in list_events(workspace, "doses") if e.action == "study.randomize"
    ]
    assert commit["parameters"]["block_multiples"] == [1]
