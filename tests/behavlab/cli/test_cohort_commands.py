"""`behavlab cohort add/list`, `study create --factor`, `randomize --cohort` and unmasking every cohort."""

from pathlib import Path

from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.factories import sheet_rows, write_csv
from tests.behavlab.stress_study import stress_rows

PASSPHRASE = "tundra lantern quiver mosaic"


def test_cohorts_are_added_listed_and_randomized_one_at_a_time(cli: Invoke, tmp_path: Path) -> None:
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")
    assert cli("study", "create", "stress", "--factor", "stress").exit_code == 0
    added = cli("cohort", "add", "stress", "wave 1", "--starts-on", "2026-01-05")
    assert added.exit_code == 0 and "added cohort wave 1 to stress" in added.stdout
    assert cli("cohort", "add", "stress", "wave 2").exit_code == 0
    assert (
        cli("animals", "import", "stress", str(write_csv(tmp_path / "r.csv", stress_rows()))).exit_code == 0
    )
    listed = cli("cohort", "list", "stress")
    cells = [
        [cell.strip() for cell in line.split("│")[1:5]]
        for line in listed.stdout.splitlines()
        if "wave" in line
    ]
    assert cells == [["wave 1", "2026-01-05", "16", "no"], ["wave 2", "-", "16", "no"]]
    whole = cli("randomize", "stress", "--no-protocol", "--yes", "--passphrase-file", str(secret))
    assert whole.exit_code == 1 and "randomize one at a time with --cohort NAME" in whole.stderr
    for cohort in ("wave 1", "wave 2"):
        drawn = cli(
            "randomize",
            "stress",
            "--cohort",
            cohort,
            "--no-protocol",
            "--yes",
            "--passphrase-file",
            str(secret),
        )
        assert drawn.exit_code == 0 and "committed; allocation commitment" in drawn.stdout
        assert "16 animals" in drawn.stdout
    again = cli("randomize", "stress", "--cohort", "wave 1", "--no-protocol", "--yes")
    assert again.exit_code == 1 and "cohort 'wave 1' of study 'stress' is already randomized" in again.stderr
    assert cli("cohort", "list", "stress").stdout.count("yes") == 2
    sheet = tmp_path / "preparer.csv"
    reprinted = cli("preparer-sheet", "stress", "--out", str(sheet), "--passphrase-file", str(secret))
    assert reprinted.exit_code == 0 and len(sheet_rows(sheet)) == 32
    unmasked = cli("unmask", "stress", "--passphrase-file", str(secret), "--force", "no FST here", "--yes")
    assert unmasked.exit_code == 0 and unmasked.stdout.count("opened (salt") == 2


def test_a_factor_that_cannot_head_a_roster_column_is_refused(cli: Invoke) -> None:
    refused = cli("study", "create", "stress", "--factor", "Stress Model")
    assert refused.exit_code == 1 and "--factor: factor name 'Stress Model' not accepted" in refused.stderr


def test_study_show_names_the_factor_and_each_cohort(cli: Invoke, tmp_path: Path) -> None:
    assert cli("study", "create", "stress", "--factor", "stress").exit_code == 0
    assert cli("cohort", "add", "stress", "wave 1", "--starts-on", "2026-01-05").exit_code == 0
    assert cli("cohort", "add", "stress", "wave 2").exit_code == 0
    roster = write_csv(tmp_path / "r.csv", stress_rows(cohorts=("wave 1",)))
    assert cli("animals", "import", "stress", str(roster)).exit_code == 0
    shown = cli("study", "show", "stress").stdout
    assert "stress (roster column, not randomized)" in shown
    rows = [line.replace("│", " ").split() for line in shown.splitlines() if "wave" in line]
    assert rows == [["wave", "1", "2026-01-05", "32", "no"], ["wave", "2", "-", "0", "no"]]
    assert cli("study", "create", "plain").exit_code == 0
    plain = cli("study", "show", "plain").stdout
    assert "factor" not in plain and "Cohorts" not in plain, "a study without them shows as before"
