"""`behavlab protocol declare|show`; `behavlab randomize` refused without a protocol unless --no-protocol."""

import re
from pathlib import Path

import pytest

from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.factories import write_roster

ENV = {"BEHAVLAB_PASSPHRASE": "tundra lantern quiver mosaic"}


@pytest.fixture
def study(cli: Invoke, tmp_path: Path) -> str:
    cli("study", "create", "plan")
    cli("animals", "import", "plan", str(write_roster(tmp_path / "roster.csv", 8)))
    return "plan"


def test_the_minimal_declaration_is_enough_and_show_prints_its_hash(cli: Invoke, study: str) -> None:
    declared = cli(
        "protocol",
        "declare",
        study,
        "--primary",
        "immobility",
        "--method",
        "motion",
        "--smallest-effect-d",
        "1.2",
    )
    assert declared.exit_code == 0, declared.stderr
    shown = cli("protocol", "show", study)
    assert "protocol version 1" in shown.stdout and "test: welch-t" in shown.stdout
    assert "n per arm: planned 12, computed 12" in shown.stdout
    digest = re.search(r"plan SHA-256: ([0-9a-f]{64})", shown.stdout)
    assert digest is not None and digest.group(1) in cli("audit", "log").stdout


def test_a_plan_with_problems_is_refused_naming_each(cli: Invoke, study: str) -> None:
    refused = cli("protocol", "declare", study, "--primary", "x", "--smallest-effect-d", "0", "--alpha", "2")
    assert refused.exit_code == 1
    assert "3 problems" in refused.stderr and "alpha: 2; accepted" in refused.stderr
    assert "no protocol declared" in cli("protocol", "show", study).stdout


def test_randomize_is_refused_without_a_protocol_and_runs_with_no_protocol(cli: Invoke, study: str) -> None:
    refused = cli("randomize", study, "--yes", env=ENV)
    assert (
        refused.exit_code == 1 and "no protocol plan" in refused.stderr and "--no-protocol" in refused.stderr
    )
    waived = cli("randomize", study, "--yes", "--no-protocol", env=ENV)
    assert waived.exit_code == 0, waived.stderr
    assert '"protocol_waived":true' in cli("audit", "log").stdout.replace(" ", "")


def test_a_change_after_randomization_needs_a_reason(cli: Invoke, study: str) -> None:
    declare = (
        "protocol",
        "declare",
        study,
        "--primary",
        "immobility",
        "--method",
        "motion",
        "--smallest-effect-d",
    )
    cli(*declare, "1.2")
    assert cli("randomize", study, "--yes", env=ENV).exit_code == 0
    without = cli(*declare, "1.0")
    assert without.exit_code == 1 and "needs its reason" in without.stderr
    amended = cli(*declare, "1.0", "--reason", "pilot data")
    assert amended.exit_code == 0 and "reason for the change: pilot data" in amended.stdout
    assert "after randomization" in cli("protocol", "show", study).stdout
