"""The blinding commands' own paths: confirmation, passphrase sources, reprints and emergency unblinding."""

from pathlib import Path

import pytest

from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.factories import write_roster

PASSPHRASE = "tundra lantern quiver mosaic"


@pytest.fixture
def with_roster(cli: Invoke, tmp_path: Path) -> str:
    cli("study", "create", "cmd")
    cli("animals", "import", "cmd", str(write_roster(tmp_path / "roster.csv", 8)))
    return "cmd"


def test_randomize_needs_confirmation_and_a_passphrase(cli: Invoke, with_roster: str) -> None:
    unconfirmed = cli("randomize", with_roster, "--no-protocol")
    assert unconfirmed.exit_code == 1 and "confirm with --yes" in unconfirmed.stderr
    no_passphrase = cli("randomize", with_roster, "--no-protocol", "--yes")
    assert no_passphrase.exit_code == 1 and "a passphrase is needed" in no_passphrase.stderr
    assert "committed" not in no_passphrase.stdout
    listed = cli("animals", "list", with_roster)
    assert "code" in listed.stdout and listed.stdout.count(" - ") >= 8


def test_passphrase_file_seals_and_reopens(cli: Invoke, with_roster: str, tmp_path: Path) -> None:
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")
    committed = cli(
        "randomize",
        with_roster,
        "--no-protocol",
        "--yes",
        "--method",
        "minimization",
        "--passphrase-file",
        str(secret),
    )
    assert committed.exit_code == 0, committed.output
    assert "arm 1: n=" in committed.stdout and "arm 2: n=" in committed.stdout
    assert "commitment (SHA-256)" in committed.stdout
    out = tmp_path / "preparer.csv"
    reprinted = cli("preparer-sheet", with_roster, "--out", str(out), "--passphrase-file", str(secret))
    assert reprinted.exit_code == 0 and out.read_text().startswith("code,arm,substance")
    code = out.read_text().splitlines()[1].split(",")[0]
    arm = out.read_text().splitlines()[1].split(",")[1]
    revealed = cli(
        "unblind-animal", with_roster, code, "--reason", "seizure", env={"BEHAVLAB_PASSPHRASE": PASSPHRASE}
    )
    assert revealed.exit_code == 0
    assert f"({code}) is in arm {arm}" in revealed.stdout
    wrong = cli(
        "unblind-animal", with_roster, code, "--reason", "x", env={"BEHAVLAB_PASSPHRASE": "not it at all"}
    )
    assert wrong.exit_code == 1 and "passphrase is wrong" in wrong.stderr and arm not in wrong.stderr


def test_unknown_method_and_arms_are_explained(cli: Invoke, with_roster: str) -> None:
    method = cli("randomize", with_roster, "--no-protocol", "--yes", "--method", "dice")
    assert method.exit_code == 1 and "accepted: complete, block, stratified-block" in method.stderr
    arms = cli("randomize", with_roster, "--no-protocol", "--yes", "--arms", "vehicle,cocaine")
    assert arms.exit_code == 1 and "arms of study 'cmd': vehicle, ketamine" in arms.stderr
    for multiples in ("0", "one", "1,,x", "²", "101", "9" * 5000):
        refused = cli("randomize", with_roster, "--no-protocol", "--yes", "--block-multiples", multiples)
        assert refused.exit_code == 1 and "accepted: whole numbers from 1 to 100" in refused.stderr
    fixed = cli("randomize", with_roster, "--no-protocol", "--block-multiples", "2")
    assert "every block has the same size" in fixed.stderr and "arm 1: n=" in fixed.stdout


def test_dosing_before_randomization_says_what_to_do(cli: Invoke, with_roster: str) -> None:
    result = cli("dosing-sheet", with_roster)
    assert result.exit_code == 1 and "run `behavlab randomize cmd`" in result.stderr


def test_a_weak_passphrase_is_refused_naming_its_source_before_anything_is_stored(
    cli: Invoke, with_roster: str, tmp_path: Path
) -> None:
    weak = tmp_path / "weak.txt"
    weak.write_text("ketamine2026!\n")
    from_file = cli("randomize", with_roster, "--no-protocol", "--yes", "--passphrase-file", str(weak))
    assert from_file.exit_code == 1 and "own words" in from_file.stderr
    assert "is not accepted" in from_file.stderr and "ketamine2026!" not in from_file.output
    from_env = cli(
        "randomize", with_roster, "--no-protocol", "--yes", env={"BEHAVLAB_PASSPHRASE": "password"}
    )
    assert from_env.exit_code == 1
    assert (
        "$BEHAVLAB_PASSPHRASE is not accepted" in from_env.stderr
        and "has 8 real characters" in from_env.stderr
    )
    assert "committed" not in from_file.stdout + from_env.stdout
    listed = cli("animals", "list", with_roster)
    assert listed.stdout.count(" - ") >= 8


def test_a_bare_seed_needs_a_seed_and_warns_that_it_can_be_found(cli: Invoke, with_roster: str) -> None:
    env = {"BEHAVLAB_PASSPHRASE": PASSPHRASE}
    lone = cli("randomize", with_roster, "--no-protocol", "--yes", "--bare-seed", env=env)
    assert lone.exit_code == 1 and "--bare-seed needs --seed" in lone.stderr
    too_wide = cli("randomize", with_roster, "--no-protocol", "--yes", "--seed", str(2**128), env=env)
    assert too_wide.exit_code != 0 and "committed" not in too_wide.stdout
    bare = cli(
        "randomize", with_roster, "--no-protocol", "--yes", "--seed", "20261130", "--bare-seed", env=env
    )
    assert bare.exit_code == 0, bare.output
    assert "warning: --bare-seed" in bare.stderr and "reproduces the whole allocation" in bare.stderr
    assert "20261130" not in bare.stdout
