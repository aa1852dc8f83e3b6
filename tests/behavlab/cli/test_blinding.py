"""Before unmasking, nothing a technician can see ties an animal to an arm.

A 24-mouse study is run through the real CLI: roster, weights, randomization, the dosing sheet (CSV and
printable), every injection, listings, the audit log, refusals. Then every output line, every file written
(except the preparer's sheet, the one document meant for the unblinded key holder) and every database column
(except the sealed ciphertext) is checked: no line naming an animal names an arm, and no stored column of a
per-animal table separates the arms, by its values or by its order.
"""

import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.factories import baseline_weights, sheet_rows, write_roster, write_weights
from tests.behavlab.leaks import arm_separating_columns, lines_naming_an_animal

ARM_WORDS = re.compile(r"vehicle|ketamine|saline|arm\s*[12]\b", re.IGNORECASE)
PER_ANIMAL_TABLES = {
    "animal": "id",
    "allocation": "animal_id",
    "weight": "animal_id",
    "cageassignment": "animal_id",
    "doseevent": "animal_id",
    "exclusion": "animal_id",
}
PASSPHRASE_ENV = {"BEHAVLAB_PASSPHRASE": "tundra lantern quiver mosaic"}


@pytest.mark.slow
def test_no_output_file_or_column_reveals_an_arm_before_unmasking(
    cli: Invoke, database_url: str, tmp_path: Path
) -> None:
    outputs: list[str] = []

    def run(*args: str, expect_ok: bool = True) -> str:
        result = cli(*args, env=PASSPHRASE_ENV)
        assert (result.exit_code == 0) == expect_ok, result.output
        outputs.append(result.output)
        return result.output

    run("study", "create", "blinded")
    run("animals", "import", "blinded", str(write_roster(tmp_path / "roster.csv", 24, with_weights=False)))
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    morning = datetime.combine(yesterday.date(), time(8, 30), yesterday.tzinfo)
    weights = baseline_weights(24)
    run("animals", "weigh", "blinded", str(write_weights(tmp_path / "weights.csv", weights, morning)))
    preparer = tmp_path / "preparer.csv"
    run(
        "randomize", "blinded", "--no-protocol", "--yes", "--seed", "31337", "--preparer-sheet", str(preparer)
    )
    arm_of_code = {row["code"]: row["arm"] for row in sheet_rows(preparer)}
    codes = sorted(arm_of_code)

    sheet_csv, sheet_html = tmp_path / "dosing.csv", tmp_path / "dosing.html"
    day = morning.date().isoformat()
    run("dosing-sheet", "blinded", "--date", day, "--out", str(sheet_csv))
    run("dosing-sheet", "blinded", "--date", day, "--out", str(sheet_html))
    for minute, code in enumerate(codes):
        run("dose", "blinded", code, "--at", (morning + timedelta(hours=1, minutes=minute)).isoformat())
    later = (morning + timedelta(hours=3)).isoformat()
    repeat = run("dose", "blinded", codes[0], "--at", later, expect_ok=False)
    assert "--again REASON" in repeat, "the command line names its flag for a second injection"
    run("dose", "blinded", codes[1][::-1], expect_ok=False)
    run("animals", "exclude", "blinded", codes[2], "--reason", "fight wound")
    run("animals", "list", "blinded")
    run("dosing-sheet", "blinded", "--date", day)
    run("study", "show", "blinded")
    run("study", "list")
    run("audit", "log", "--study", "blinded")
    run("audit", "verify")
    wrong = cli(
        "unblind-animal", "blinded", codes[3], "--reason", "x", env={"BEHAVLAB_PASSPHRASE": "wrong one!"}
    )
    assert wrong.exit_code == 1
    outputs.append(wrong.output)

    engine = create_engine(database_url)
    with engine.connect() as connection:
        labels = {row.label for row in connection.execute(text("SELECT label FROM animal"))}
        animal_names = labels | set(codes)
        texts = [*outputs, sheet_csv.read_text(), sheet_html.read_text()]
        for written in texts:
            leaking = [
                line for line in lines_naming_an_animal(written, animal_names) if ARM_WORDS.search(line)
            ]
            assert leaking == []
        assert all(code in sheet_csv.read_text() for code in codes)

        arm_of = {
            row.animal_id: arm_of_code[row.blind_code]
            for row in connection.execute(text("SELECT animal_id, blind_code FROM allocation"))
        }
        for table, key in PER_ANIMAL_TABLES.items():
            rows_by_animal: dict[int, list[dict]] = {}
            for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).mappings():
                assert not ARM_WORDS.search(" ".join(str(value) for value in row.values())), (table, row)
                if row[key] in arm_of:
                    rows_by_animal.setdefault(row[key], []).append(dict(row))
            assert arm_separating_columns(rows_by_animal, arm_of) == [], table
        for row in connection.execute(text("SELECT entity, payload FROM auditevent")).mappings():
            if row["entity"] == "animal":
                assert not ARM_WORDS.search(row["payload"]), row
        tables = set(inspect(connection).get_table_names())
        assert tables >= {"randomization", "sealedkey", *PER_ANIMAL_TABLES}
        randomization = connection.execute(text("SELECT * FROM randomization")).mappings().one()
        assert "31337" not in " ".join(str(value) for value in randomization.values())
        assert "31337" not in " ".join(
            row.payload for row in connection.execute(text("SELECT payload FROM auditevent"))
        )
    engine.dispose()
