"""The attacks of issue 12 on the allocation before unmasking, one test each, by someone with the database.

- balance oracle: per-arm aggregates stored in the clear single out the true allocation among all the design
  allows;
- seed search: a small typed seed is found by regenerating allocations from seeds 0, 1, 2, ...;
- ciphertext length: the sealed key's size tells how the allocation was drawn (how many blocks);
- key moved between studies: another study's sealed key (same labels, same passphrase) opens as this one's;
- preparer's sheet: the one unblinded file is readable by every account on the machine.
"""

from __future__ import annotations

import base64
import json
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from behavlab.db.session import reading
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    UnsealError,
    Workspace,
    commit_randomization,
    create_study,
    draft_randomization,
    get_study,
    import_roster,
    list_animals,
    open_workspace,
    record_weights,
    reprint_preparer_sheet,
    unblind_animal,
    unmask_study,
)
from behavlab.services.lookup import find_study
from behavlab.services.roster_view import current_roster
from cohorts.randomization import randomize
from cohorts.synth import synthetic_roster
from tests.behavlab.factories import baseline_weights, write_roster, write_weights
from tests.behavlab.inference import (
    Animal,
    Evidence,
    candidate_allocations,
    database_records,
    mask_of,
    search,
)
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE

ARM_WORDS = re.compile(r"vehicle|ketamine|saline", re.IGNORECASE)
#: The balance oracle singles out the truth when at most this fraction of the candidates point as strongly.
SINGLED_OUT = 0.002
SEEDS_TRIED = 5000
TYPED_SEED = 1234


def _new_study(workspace: Workspace, folder: Path, name: str, n_animals: int) -> list[Animal]:
    """A study of the synthetic roster (single-sex cages of four), weighed yesterday; the attacker's view."""
    create_study(workspace, StudySettings(name=name))
    folder.mkdir(parents=True, exist_ok=True)
    import_roster(workspace, name, write_roster(folder / "roster.csv", n_animals, with_weights=False))
    now = datetime.now().astimezone()
    weighed_at = datetime.combine(now.date() - timedelta(days=1), time(9, 0), now.tzinfo)
    weights = baseline_weights(n_animals)
    record_weights(workspace, name, write_weights(folder / "weights.csv", weights, weighed_at))
    return [
        Animal(
            entry.animal_id, entry.sex, entry.cage, weights[entry.animal_id], (now.date() - entry.dob).days
        )
        for entry in sorted(synthetic_roster(n_animals), key=lambda entry: entry.animal_id)
    ]


def _randomize(
    workspace: Workspace, name: str, options: RandomizationOptions, preparer_sheet: Path | None = None
) -> dict[str, int]:
    """Draw, seal and commit; the true allocation (animal ID -> arm index)."""
    draft = draft_randomization(workspace, name, options)
    commit_randomization(workspace, draft, PASSPHRASE, preparer_sheet=preparer_sheet, kdf=FAST_KDF)
    return dict(draft.allocation.assignment)


def test_nothing_stored_in_the_clear_singles_out_the_allocation(workspace: Workspace, tmp_path: Path) -> None:
    """12 mice, stratified by sex: 2500 allocations the design allows. The attacker ranks them by how strongly
    one database record (ciphertext left out) points at one of their arms, in bits (`Search.information`),
    and singles out the truth when it and its mirror image (the same two groups, arms swapped) stand almost
    alone at the top. Without per-arm values in the clear the truth ranks like any candidate."""
    animals = _new_study(workspace, tmp_path, "oracle", 12)
    truth = _randomize(workspace, "oracle", RandomizationOptions(no_protocol=True))
    evidence = Evidence()
    for study, record in database_records(workspace.engine.url.render_as_string(hide_password=False)):
        evidence.add([record], study)
    candidates = candidate_allocations(animals, "stratified-block")
    first_arm = mask_of(animals, [label for label, arm in truth.items() if arm == 0])
    assert first_arm in set(candidates)
    found = search(animals, candidates, evidence, "oracle")
    bits = {candidate: found.information(candidate) for candidate in candidates}
    as_strong = [candidate for candidate in candidates if bits[candidate] >= bits[first_arm]]
    singled_out = bits[first_arm] > 0 and len(as_strong) <= SINGLED_OUT * len(candidates)
    strongest = found.strongest(first_arm)
    assert not singled_out, (
        f"the clear record points at the true allocation with {bits[first_arm]:.1f} bits: only "
        f"{len(as_strong)} of {len(candidates)} candidates score as high; the strongest record: "
        f"{evidence.records[strongest or 0][:400]!r}"
    )


def test_a_typed_seed_is_not_found_by_trying_small_seeds(workspace: Workspace, tmp_path: Path) -> None:
    """32 mice, complete randomization: C(32, 16) = 6e8 splits, so 5000 tries find the truth by chance with
    probability below 1e-5; only a seed that regenerates it finds it."""
    _new_study(workspace, tmp_path, "typed seed", 32)
    truth = _randomize(
        workspace, "typed seed", RandomizationOptions(method="complete", seed=TYPED_SEED, no_protocol=True)
    )
    with reading(workspace.engine) as session:
        roster = current_roster(session, find_study(session, "typed seed"))
    arms = [arm.name for arm in get_study(workspace, "typed seed").arms]
    found = [
        seed
        for seed in range(SEEDS_TRIED)
        if dict(randomize(roster, arms, method="complete", seed=seed).assignment) == truth
    ]
    assert found == [], f"seed search over 0..{SEEDS_TRIED - 1} regenerated the allocation from seed {found}"


def test_the_sealed_key_is_as_long_whatever_the_draw(workspace: Workspace, tmp_path: Path) -> None:
    """The same 24-mouse roster randomized with different methods and seeds: block methods draw different
    numbers of blocks, seeds have different numbers of digits; the stored key must not show it."""
    draws = [
        ("complete", 7),
        ("complete", None),
        ("block", 1),
        ("block", 123456789012),
        ("block", None),
        ("block", None),
        ("stratified-block", 2**62),
        ("stratified-block", None),
        ("stratified-block", None),
        ("cage-cluster", None),
        ("cage-cluster", 3),
        ("minimization", None),
    ]
    lengths = {}
    for index, (method, seed) in enumerate(draws):
        name = f"length {chr(ord('a') + index)}"
        _new_study(workspace, tmp_path / name, name, 24)
        _randomize(workspace, name, RandomizationOptions(method=method, seed=seed, no_protocol=True))
        study_id = get_study(workspace, name).study.id
        with workspace.engine.connect() as connection:
            stored = connection.execute(
                text("SELECT ciphertext FROM sealedkey WHERE study_id = :study"), {"study": study_id}
            ).scalar_one()
        ciphertext = base64.b64decode(json.loads(stored)["ciphertext"])
        lengths[f"{method}, seed {'drawn' if seed is None else seed}"] = (len(stored), len(ciphertext))
    assert len(set(lengths.values())) == 1, f"(stored JSON, ciphertext) lengths differ: {lengths}"


@contextmanager
def _as_database_owner(workspace: Workspace, tables: tuple[str, ...]) -> Iterator[Connection]:
    """A transaction of someone who owns the database, and so drops the triggers guarding these tables."""
    with workspace.engine.begin() as connection:
        for table in tables:
            if connection.dialect.name == "sqlite":
                triggers = connection.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"),
                    {"table": table},
                ).scalars()
                drop = 'DROP TRIGGER "{}"'
            else:
                triggers = connection.execute(
                    text(
                        "SELECT tgname FROM pg_trigger "
                        "WHERE tgrelid = CAST(:table AS regclass) AND NOT tgisinternal"
                    ),
                    {"table": table},
                ).scalars()
                drop = 'DROP TRIGGER "{}" ON "' + table + '"'
            for trigger in list(triggers):
                connection.execute(text(drop.format(trigger)))
        yield connection


def _move_key(workspace: Workspace, source: str, target: str, with_published_commitment: bool) -> None:
    """Copy the source study's sealed key (ciphertext and commitment) over the target's, and, if asked, the
    commitment published in the target's randomization event too (which breaks the audit chain)."""
    source_id, target_id = (get_study(workspace, name).study.id for name in (source, target))
    tables = ("sealedkey", "auditevent") if with_published_commitment else ("sealedkey",)
    with _as_database_owner(workspace, tables) as connection:
        key = connection.execute(
            text("SELECT ciphertext, commitment FROM sealedkey WHERE study_id = :study"), {"study": source_id}
        ).one()
        replaced = connection.execute(
            text("SELECT commitment FROM sealedkey WHERE study_id = :study"), {"study": target_id}
        ).scalar_one()
        connection.execute(
            text(
                "UPDATE sealedkey SET ciphertext = :ciphertext, commitment = :commitment "
                "WHERE study_id = :study"
            ),
            {"ciphertext": key.ciphertext, "commitment": key.commitment, "study": target_id},
        )
        if with_published_commitment:
            connection.execute(
                text(
                    "UPDATE auditevent SET payload = REPLACE(payload, :replaced, :commitment) "
                    "WHERE study_id = :study AND action = 'study.randomize'"
                ),
                {"replaced": replaced, "commitment": key.commitment, "study": target_id},
            )


@pytest.mark.parametrize(
    "with_published_commitment", [False, True], ids=["key", "key and published commitment"]
)
def test_a_key_moved_from_another_study_is_refused(
    workspace: Workspace, tmp_path: Path, with_published_commitment: bool
) -> None:
    """Two studies of the same roster under the same passphrase: study a's key copied over study b's (and,
    by someone who can rewrite the audit table, study a's commitment over the one study b published) must
    open for nothing, unmasking last since it would lock the study."""
    for name in ("study a", "study b"):
        _new_study(workspace, tmp_path / name, name, 24)
        _randomize(workspace, name, RandomizationOptions(no_protocol=True))
    try:
        _move_key(workspace, "study a", "study b", with_published_commitment)
    except DBAPIError as refused:
        pytest.skip(f"the database refused the move even to its owner: {refused.orig}")
    code = min(animal.blind_code for animal in list_animals(workspace, "study b") if animal.blind_code)
    attempts = {
        "unblind": lambda: unblind_animal(workspace, "study b", code, "welfare", PASSPHRASE),
        "reprint": lambda: reprint_preparer_sheet(
            workspace, "study b", PASSPHRASE, tmp_path / "preparer.csv"
        ),
        "unmask": lambda: unmask_study(workspace, "study b", PASSPHRASE, force_reason="moved key"),
    }
    opened = []
    for kind, attempt in attempts.items():
        try:
            attempt()
        except UnsealError as refused:
            assert not ARM_WORDS.search(str(refused)), (kind, str(refused))
        else:
            opened.append(kind)
    assert opened == [], f"study a's sealed key opened as study b's for: {', '.join(opened)}"
    assert not (tmp_path / "preparer.csv").exists()
    with workspace.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM revealedallocation")).scalar_one() == 0
        assert connection.execute(text("SELECT count(*) FROM unmaskevent")).scalar_one() == 0


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def test_the_preparer_sheet_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    workspace = open_workspace(f"sqlite:///{tmp_path / 'sheet.sqlite'}", actor="key holder")
    _new_study(workspace, tmp_path, "sheet", 8)
    first, again = tmp_path / "preparer.csv", tmp_path / "preparer-again.csv"
    again.write_text("an older sheet, once world-readable\n")
    again.chmod(0o644)
    with _umask(0o022):
        _randomize(workspace, "sheet", RandomizationOptions(no_protocol=True), preparer_sheet=first)
        reprint_preparer_sheet(workspace, "sheet", PASSPHRASE, again)
        reprint_preparer_sheet(workspace, "sheet", PASSPHRASE, tmp_path / "preparer-new.csv")
    workspace.engine.dispose()
    modes = {
        path.name: oct(stat.S_IMODE(path.stat().st_mode))
        for path in (first, again, tmp_path / "preparer-new.csv")
    }
    assert modes == dict.fromkeys(modes, oct(0o600))
