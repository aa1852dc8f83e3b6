"""`behavlab audit verify` names, in one line, each audited row changed behind behavlab's back."""

from sqlalchemy import create_engine, text

from tests.behavlab.cli.invoke import Invoke


def test_audit_verify_names_edited_inserted_and_deleted_rows_in_one_line(
    cli: Invoke, database_url: str
) -> None:
    for name in ("a", "b"):
        assert cli("study", "create", name).exit_code == 0
    intact = cli("audit", "verify")
    assert intact.exit_code == 0
    assert intact.stdout.strip() == "audit chain intact: 2 events verified, 6 rows match"
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE study SET dose_mg_per_kg = 30 WHERE name = 'a'"))
        connection.execute(text("DELETE FROM arm WHERE id = 4"))
        connection.execute(
            text(
                "INSERT INTO arm (id, study_id, position, name, substance, dose_mg_per_kg)"
                " VALUES (9, 1, 7, 'extra', 'saline', 0)"
            )
        )
    engine.dispose()
    result = cli("audit", "verify")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(
        "audited data differs from the log: study 1 edited; arm 4 deleted; arm 9 inserted without an event"
    )
