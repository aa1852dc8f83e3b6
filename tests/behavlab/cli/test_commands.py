"""Each CLI command on its happy path and its error path: one clear line and a non-zero exit, no traceback."""

from pathlib import Path

from sqlalchemy import create_engine, text

from behavlab import __version__
from behavlab.db.append_only import drop_append_only_guards
from behavlab.db.migrate import head_revision
from tests.behavlab.cli.invoke import Invoke


def test_version(cli: Invoke) -> None:
    result = cli("--version", with_db=False)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"behavlab {__version__}"


def test_study_create_with_defaults_then_show_and_list(cli: Invoke) -> None:
    created = cli("--user", "ana", "study", "create", "pilot")
    assert created.exit_code == 0, created.output
    assert "created study pilot" in created.stdout
    assert "ketamine 10 mg/kg ip" in created.stdout
    assert "1 mg/mL" in created.stdout

    shown = cli("study", "show", "pilot")
    assert shown.exit_code == 0
    for expected in ("saline", "10 mL/kg (every arm)", "mouse C57BL/6J", "by ana", "vehicle"):
        assert expected in shown.stdout

    listed = cli("study", "list")
    assert listed.exit_code == 0
    assert "pilot" in listed.stdout and "ketamine" in listed.stdout


def test_study_create_with_every_option(cli: Invoke) -> None:
    result = cli(
        "study",
        "create",
        "flx",
        "--compound",
        "fluoxetine",
        "--dose-mg-per-kg",
        "18",
        "--route",
        "po",
        "--vehicle",
        "water",
        "--volume-ml-per-kg",
        "5",
        "--species",
        "mouse",
        "--strain",
        "BALB/c",
    )
    assert result.exit_code == 0, result.output
    assert "fluoxetine 18 mg/kg po" in result.stdout
    assert "3.6 mg/mL" in result.stdout
    assert "BALB/c" in result.stdout


def test_empty_study_list_says_how_to_start(cli: Invoke) -> None:
    result = cli("study", "list")
    assert result.exit_code == 0
    assert "behavlab study create" in result.stdout


def test_unknown_study_is_one_line_and_exit_1(cli: Invoke) -> None:
    cli("study", "create", "known")
    result = cli("study", "show", "ghost")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no study named 'ghost'; studies: known"
    assert "Traceback" not in result.output


def test_invalid_volume_and_duplicate_name_are_refused(cli: Invoke) -> None:
    too_much = cli("study", "create", "v", "--volume-ml-per-kg", "30")
    assert too_much.exit_code == 1
    assert "hard limit of 20 mL/kg" in too_much.stderr
    cli("study", "create", "v")
    again = cli("study", "create", "v")
    assert again.exit_code == 1
    assert "already exists" in again.stderr


def test_bad_database_urls(cli: Invoke) -> None:
    cases = [
        ("garbage", ["study", "list"], "cannot parse database URL"),
        ("nosuch://x/y", ["study", "list"], "unknown database kind"),
        ("garbage", ["db", "upgrade"], "cannot parse database URL"),
        ("garbage", ["audit", "verify"], "cannot parse database URL"),
    ]
    for url, command, message in cases:
        result = cli("--db", url, *command, with_db=False)
        assert result.exit_code == 1
        assert message in result.stderr
        assert "Traceback" not in result.output


def test_unreachable_server_is_one_line(cli: Invoke) -> None:
    result = cli("--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "study", "list", with_db=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: database error")
    assert len(result.stderr.strip().splitlines()) == 1


def test_debug_shows_the_real_exception(cli: Invoke) -> None:
    result = cli("--debug", "study", "show", "ghost")
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "NotFoundError"


def test_environment_selects_database_and_user(cli: Invoke, database_url: str) -> None:
    result = cli(
        "study",
        "create",
        "envy",
        env={"BEHAVLAB_DB": database_url, "BEHAVLAB_USER": "env-user"},
        with_db=False,
    )
    assert result.exit_code == 0, result.output
    log = cli("audit", "log", "--study", "envy")
    assert "env-user" in log.stdout


def test_db_upgrade_on_empty_then_up_to_date(cli: Invoke) -> None:
    first = cli("db", "upgrade")
    assert first.exit_code == 0
    assert f"from empty to {head_revision()}" in first.stdout
    second = cli("db", "upgrade")
    assert second.exit_code == 0
    assert f"up to date at {head_revision()}" in second.stdout


def test_audit_log_and_verify(cli: Invoke) -> None:
    cli("--user", "ana", "study", "create", "a1")
    cli("--user", "ben", "study", "create", "b1")
    log = cli("audit", "log")
    assert log.exit_code == 0
    assert "study.create" in log.stdout and "ana" in log.stdout and "ben" in log.stdout
    only_b = cli("audit", "log", "--study", "b1")
    assert "ben" in only_b.stdout and "ana" not in only_b.stdout
    last = cli("audit", "log", "--last", "1")
    assert "b1" in last.stdout and "a1" not in last.stdout
    verified = cli("audit", "verify")
    assert verified.exit_code == 0
    assert "2 events verified" in verified.stdout
    unknown = cli("audit", "log", "--study", "zzz")
    assert unknown.exit_code == 1 and "no study named 'zzz'" in unknown.stderr


def test_audit_verify_fails_naming_the_tampered_event(cli: Invoke, database_url: str) -> None:
    for name in ("a", "b", "c"):
        cli("study", "create", name)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        drop_append_only_guards(connection)  # as the database file's owner could
        connection.execute(text("UPDATE auditevent SET actor = 'mallory' WHERE id = 2"))
    engine.dispose()
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert "audit chain broken at event 2" in result.stderr


def test_demo_runs_twice(cli: Invoke, tmp_path: Path) -> None:
    for _ in range(2):
        result = cli("demo", "--dir", str(tmp_path / "demo"), "--animals", "8", with_db=False)
        assert result.exit_code == 0, result.output
        assert "demo-ketamine-fst" in result.stdout
        assert "protocol version 1, declared before randomizing:" in result.stdout
        assert "comparisons: each-vs-reference; test: welch-anova+dunnett" in result.stdout
        assert "8 sessions (0 failed)" in result.stdout
        assert result.stdout.count(" s detected (filmed ") == 8
    assert (tmp_path / "demo" / "behavlab-demo.sqlite").exists()


def test_demo_refuses_an_unknown_design_or_uneven_roster_and_keeps_the_last_database(
    cli: Invoke, tmp_path: Path
) -> None:
    database = tmp_path / "demo" / "behavlab-demo.sqlite"
    database.parent.mkdir()
    database.write_bytes(b"the last demo")
    unknown = cli("demo", "--dir", str(database.parent), "--design", "crossover", with_db=False)
    assert unknown.exit_code == 1
    assert "demo design 'crossover' not known; accepted: dose-response, stress" in unknown.stderr
    uneven = cli("demo", "--dir", str(database.parent), "--design", "stress", "--animals", "8", with_db=False)
    assert uneven.exit_code == 1 and "accepted: a multiple of 12" in uneven.stderr
    assert database.read_bytes() == b"the last demo"


def test_default_database_lives_in_the_user_data_directory(cli: Invoke, tmp_path: Path) -> None:
    result = cli("study", "create", "home", with_db=False)
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "xdg-data").rglob("behavlab.sqlite"))
