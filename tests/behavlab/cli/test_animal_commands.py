"""`behavlab animals import/weigh/list`: when the weights were measured is what the histories record;
the list filtered and sorted as asked."""

from datetime import datetime, time, timedelta
from pathlib import Path

from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.factories import baseline_weights, sheet_rows, write_roster, write_weights
from tests.behavlab.randomized_study import PASSPHRASE

ENV = {"BEHAVLAB_PASSPHRASE": PASSPHRASE}


def _morning(days_ago: int) -> datetime:
    day = datetime.now().astimezone() - timedelta(days=days_ago)
    return datetime.combine(day.date(), time(8, 0), day.tzinfo)


def test_roster_weights_say_when_they_were_weighed_and_an_earlier_sheet_needs_back_entry(
    cli: Invoke, tmp_path: Path
) -> None:
    assert cli("study", "create", "s").exit_code == 0
    imported = cli("animals", "import", "s", str(write_roster(tmp_path / "r.csv", 2)))
    assert imported.exit_code == 0, imported.output
    assert "weights recorded as weighed at " in imported.stdout
    assert "(no weighed_at given)" in imported.stdout
    earlier = _morning(2)
    sheet = str(write_weights(tmp_path / "w.csv", {"M001": 20.0}, earlier))
    refused = cli("animals", "weigh", "s", sheet)
    assert refused.exit_code != 0
    for expected in ("M001", f"{earlier:%Y-%m-%d %H:%M}", "back-entry (--back-entry)"):
        assert expected in refused.output
    assert cli("animals", "weigh", "s", sheet, "--back-entry").exit_code == 0
    listed = cli("animals", "list", "s").stdout
    m001 = next(line for line in listed.splitlines() if "M001" in line)
    assert f"{baseline_weights(2)['M001']:.1f}" in m001 and "20.0" in m001

    assert cli("study", "create", "t").exit_code == 0
    given = cli(
        "animals", "import", "t", str(write_roster(tmp_path / "r.csv", 2)), "--weighed-at", "2026-01-05"
    )
    assert given.exit_code == 0, given.output
    assert "no weighed_at given" not in given.stdout
    assert "2026-01-05 00:00" in cli("animals", "list", "t").stdout


def test_weights_take_codes_and_dose_names_the_identifier_it_expects(cli: Invoke, tmp_path: Path) -> None:
    assert cli("study", "create", "s").exit_code == 0
    cli("animals", "import", "s", str(write_roster(tmp_path / "r.csv", 4, with_weights=False)))
    cli("animals", "weigh", "s", str(write_weights(tmp_path / "w.csv", baseline_weights(4), _morning(1))))
    sheet = tmp_path / "prep.csv"
    randomized = cli(
        "randomize", "s", "--no-protocol", "--yes", "--seed", "5", "--preparer-sheet", str(sheet), env=ENV
    )
    assert randomized.exit_code == 0, randomized.output
    code = sheet_rows(sheet)[0]["code"]
    weighed = cli("animals", "weigh", "s", str(write_weights(tmp_path / "c.csv", {code: 22.0})))
    assert weighed.exit_code == 0, weighed.output
    assert "recorded 1 weights" in weighed.stdout and "rows without measured_at recorded as" in weighed.stdout
    refused = cli("dose", "s", "M001")
    assert refused.exit_code != 0
    assert "'M001' is an animal ID, not a blind code; expected the animal's blind code" in refused.output


def test_list_shows_the_matching_animals_in_the_order_asked(cli: Invoke, tmp_path: Path) -> None:
    assert cli("study", "create", "s").exit_code == 0
    cli("animals", "import", "s", str(write_roster(tmp_path / "r.csv", 8)))
    weights = baseline_weights(8)
    listed = cli("animals", "list", "s", "--match", "M00", "--sort", "weight")
    assert listed.exit_code == 0, listed.output
    assert "s: 4 animals matching 'M00'" in listed.stdout
    shown = [line.split()[1] for line in listed.stdout.splitlines() if line.startswith("│ ")]
    males = sorted((label for label in weights if label.startswith("M")), key=lambda label: weights[label])
    assert shown == males
    for wildcard in ("M%1", "M0_1"):  # matched as typed: a LIKE wildcard would take M001
        none = cli("animals", "list", "s", "--match", wildcard)
        assert none.exit_code == 0
        assert f"no animal of s has {wildcard!r} in its ID, code or cage" in none.stdout
    refused = cli("animals", "list", "s", "--sort", "arm")
    assert refused.exit_code != 0 and "'animal', 'code', 'cage', 'sex', 'weight'" in refused.output
