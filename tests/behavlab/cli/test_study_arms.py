"""`study create --arm ... / --arms-file / --reference`: any number of arms, each shown with its stock."""

from pathlib import Path

import pytest

from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.factories import write_csv


def _arms_table(stdout: str) -> list[list[str]]:
    """The cells of each row of the printed Arms table (rows start with the arm's position)."""
    rows = [[cell.strip() for cell in line.strip().strip("│").split("│")] for line in stdout.splitlines()]
    return [cells for cells in rows if cells[0].isdigit() and len(cells) > 1]


def test_a_dose_response_study_from_arm_options(cli: Invoke) -> None:
    arms = ["--arm", "vehicle:saline:0", "--arm", "ket3:ketamine:3", "--arm", "ket10:ketamine:10"]
    created = cli("study", "create", "dr", *arms, "--arm", "ket30:ketamine:30:3", "--reference", "vehicle")
    assert created.exit_code == 0, created.output
    assert _arms_table(created.stdout) == [
        ["1", "vehicle", "saline", "0", "0 mg/mL", "yes"],
        ["2", "ket3", "ketamine", "3", "0.3 mg/mL", ""],
        ["3", "ket10", "ketamine", "10", "1 mg/mL", ""],
        ["4", "ket30", "ketamine", "30", "3 mg/mL", ""],
    ]
    assert "4, compared with vehicle" in created.stdout
    listed = cli("study", "list")
    assert "│ 4 " in listed.stdout


def test_an_arms_file_with_its_reference(cli: Invoke, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "arms.csv",
        [
            {"name": "saline", "substance": "saline", "dose_mg_per_kg": "0", "reference": ""},
            {"name": "midazolam", "substance": "midazolam", "dose_mg_per_kg": "1", "reference": "yes"},
            {"name": "ketamine", "substance": "ketamine", "dose_mg_per_kg": "10", "reference": ""},
        ],
    )
    created = cli("study", "create", "ap", "--arms-file", str(path))
    assert created.exit_code == 0, created.output
    assert [row[1] for row in _arms_table(created.stdout) if row[-1] == "yes"] == ["midazolam"]


def test_the_default_study_keeps_its_two_arms(cli: Invoke) -> None:
    created = cli("study", "create", "plain")
    assert created.exit_code == 0, created.output
    assert _arms_table(created.stdout) == [
        ["1", "vehicle", "saline", "0", "0 mg/mL", "yes"],
        ["2", "ketamine", "ketamine", "10", "1 mg/mL", ""],
    ]
    assert "ketamine 10 mg/kg ip" in created.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--arm", "a:saline:0", "--arm", "a:ketamine:10"], "'a' is also arm 1"),
        (["--arm", "a:saline:0"], "two or more arms"),
        (["--arm", "a:saline:0", "--arm", "b:ketamine:10:2"], "stock_mg_per_ml: '2' does not give the dose"),
        (["--arm", "a:saline:0", "--arm", "b:ketamine:10", "--reference", "z"], "'z' is not an arm"),
        (["--reference", "vehicle"], "--reference names one of the arms given by --arm or --arms-file"),
        (["--arm", "a:saline:0", "--arm", "b:x:1", "--compound", "x"], "give every arm's substance and dose"),
        (["--arm", "a:saline:0", "--arm", "b:x:1", "--arms-file", "arms.csv"], "not both"),
    ],
)
def test_bad_arms_are_refused_in_one_message(cli: Invoke, arguments: list[str], message: str) -> None:
    result = cli("study", "create", "bad", *arguments)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert "bad" not in cli("study", "list").stdout
