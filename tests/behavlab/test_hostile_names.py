"""Hostile names and free text: every name and reason the services store refuses control, bidi and zero-width
characters by field, position and code point; text already stored (an old database, a hand edit) reaches the
terminal and the TUI with those characters shown as escapes and its markup inert; report.md escapes markup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from textual.widgets import DataTable, Static

from behavlab.errors import InvalidInputError
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    add_fst_session,
    commit_randomization,
    create_spt_period,
    create_study,
    draft_randomization,
    exclude_animal,
    import_roster,
    list_studies,
    open_workspace,
    record_dose,
    record_manual_score,
    unblind_animal,
    unmask_study,
    write_study_report,
)
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.dashboard import DashboardScreen
from cohorts.text_safety import visible
from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.factories import roster_rows, write_roster
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE, RandomizedStudy
from tests.behavlab.test_hostile_input import database_dump, roster_text
from tests.behavlab.tui.helpers import notices, settle

ACCEPTED = "; accepted: printable text without control, bidi or zero-width characters"
HOSTILE = {
    "escape sequence": ("ket\x1b[2Jamine", "character 4 is U+001B (ESC), a control character"),
    "newline": ("two\nlines", "character 4 is U+000A (LF), a line break"),
    "right-to-left override": (
        "abc\u202etxt.exe",
        "character 4 is U+202E (RIGHT-TO-LEFT OVERRIDE), a bidi control (it reorders the text shown)",
    ),
    "bidi isolate": (
        "ab\u2067c",
        "character 3 is U+2067 (RIGHT-TO-LEFT ISOLATE), a bidi control (it reorders the text shown)",
    ),
    "zero-width space": ("ctr\u200bl", "character 4 is U+200B (ZERO WIDTH SPACE), a zero-width character"),
    "word joiner": ("a\u2060b", "character 2 is U+2060 (WORD JOINER), a zero-width character"),
}
#: what an old database may hold: an OSC title change, a bell and a clear-screen, rich markup, bidi, ZWSP
OLD_NAME = "old\x1b]0;pwned\x07\x1b[2J"
OLD_COMPOUND = "[bold red]ket[/]\u202e"
OLD_VEHICLE = "sal\u200bine"
RAW = ("\x1b", "\x07", "\u202e", "\u200b")


def refused(call: Callable[[], object], workspace: Workspace, message: str) -> None:
    """`call` raises InvalidInputError starting with `message` and writes nothing."""
    before = database_dump(workspace)
    with pytest.raises(InvalidInputError) as error:
        call()
    assert str(error.value).startswith(message), str(error.value)
    assert database_dump(workspace) == before


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_study_name_with_a_hidden_character_is_refused_at_create(workspace: Workspace, kind: str) -> None:
    name, described = HOSTILE[kind]
    message = f"study name: {described}{ACCEPTED}"
    refused(lambda: create_study(workspace, StudySettings(name=name)), workspace, message)
    assert list_studies(workspace) == []


@pytest.mark.parametrize("field", ["compound", "vehicle", "route", "species", "strain"])
def test_every_study_setting_refuses_an_escape_sequence(workspace: Workspace, field: str) -> None:
    settings = StudySettings(name="s", **{field: "ip\x1b[31m"})
    refused(lambda: create_study(workspace, settings), workspace, f"{field}: character 3 is U+001B (ESC)")


def test_the_cli_refuses_the_name_and_prints_no_raw_control_character(cli: Invoke) -> None:
    result = cli("study", "create", "ket\x1b]0;pwned\x07")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: study name: character 4 is U+001B (ESC), a control character")
    assert not any(raw in result.output for raw in RAW)


def test_a_user_name_with_a_hidden_character_is_refused(database_url: str, cli: Invoke) -> None:
    with pytest.raises(
        InvalidInputError, match=r"^user name \(--user or \$BEHAVLAB_USER\): character 4 is U\+202E"
    ):
        open_workspace(database_url, actor="bob\u202eeve")
    result = cli("--user", "bob\x1b[8m", "study", "create", "s")
    assert result.exit_code == 1 and "character 4 is U+001B (ESC)" in result.stderr
    assert "no studies yet" in cli("study", "list").stdout


def _error(call: Callable[[], object]) -> Exception:
    try:
        call()
    except InvalidInputError as error:
        return error
    raise AssertionError("not refused")


def test_every_free_text_field_of_the_services_is_checked(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = randomized.code_in_arm(0)
    start = datetime.now().astimezone() + timedelta(days=1)
    dosed_at = randomized.weighed_at + timedelta(hours=1)
    calls: dict[str, tuple[str, Callable[[str], object]]] = {
        "exclusion reason": (
            "escape sequence",
            lambda value: exclude_animal(
                workspace, randomized.name, code, value, criterion_set_a_priori=True
            ),
        ),
        "unblinding reason": (
            "right-to-left override",
            lambda value: unblind_animal(workspace, randomized.name, code, value, PASSPHRASE),
        ),
        "reason for another injection": (
            "zero-width space",
            lambda value: record_dose(workspace, randomized.name, code, at=dosed_at, again_reason=value),
        ),
        "scorer": (
            "bidi isolate",
            lambda value: record_manual_score(workspace, randomized.name, code, 90, value),
        ),
        "amendment reason": (
            "newline",
            lambda value: record_manual_score(
                workspace, randomized.name, code, 90, "ann", amend_reason=value
            ),
        ),
        "SPT period label": (
            "word joiner",
            lambda value: create_spt_period(
                workspace, randomized.name, value, start, start + timedelta(hours=24)
            ),
        ),
        "--force reason": (
            "escape sequence",
            lambda value: unmask_study(workspace, randomized.name, PASSPHRASE, force_reason=value),
        ),
        "tank": (
            "zero-width space",
            lambda value: add_fst_session(workspace, randomized.name, code, tmp_path / "fst.mp4", tank=value),
        ),
    }
    for field, (kind, call) in calls.items():
        value, described = HOSTILE[kind]
        refused(lambda call=call, value=value: call(value), workspace, f"{field}: {described}{ACCEPTED}")


def test_roster_notes_refuse_bidi_and_zero_width_characters_but_keep_line_breaks(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_study(workspace, StudySettings(name="notes"))
    rows = roster_rows(8)
    rows[1]["notes"] = "moved\u202e cage"
    path = tmp_path / "roster.csv"
    path.write_text(roster_text(rows))
    refused(lambda: import_roster(workspace, "notes", path), workspace, "roster roster.csv")
    message = str(_error(lambda: import_roster(workspace, "notes", path)))
    assert "row 3, notes: 'moved\\u202e cage' is refused: character 6 is U+202E" in message
    rows[1]["notes"] = "moved\non day 2"
    path.write_text(roster_text(rows))
    assert import_roster(workspace, "notes", path).n_animals == 8


def _old_study(workspace: Workspace) -> None:
    """A study whose name and settings were stored before names were checked (written here by SQL)."""
    create_study(workspace, StudySettings(name="old"))
    with workspace.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE study SET name = :name, compound = :compound, vehicle = :vehicle WHERE name = 'old'"
            ),
            {"name": OLD_NAME, "compound": OLD_COMPOUND, "vehicle": OLD_VEHICLE},
        )


def test_study_list_shows_an_old_escape_sequence_as_text(workspace: Workspace, cli: Invoke) -> None:
    _old_study(workspace)
    listed = cli("study", "list")
    assert listed.exit_code == 0
    assert not any(raw in listed.output for raw in RAW), repr(listed.output)
    assert "old\\x1b]0;pwned\\x07\\x1b[2J" in listed.stdout
    assert "[bold red]ket[/]\\u202e" in listed.stdout and "sal\\u200bine" in listed.stdout
    shown = cli("study", "show", OLD_NAME)
    assert shown.exit_code == 0 and "Study old\\x1b]0;pwned" in shown.stdout
    assert not any(raw in shown.output for raw in RAW)
    missing = cli("study", "show", "nope")
    assert missing.exit_code == 1 and "studies: old\\x1b]0;pwned\\x07\\x1b[2J" in missing.stderr
    assert not any(raw in missing.output for raw in RAW)


def test_warnings_and_errors_print_markup_and_control_characters_as_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from behavlab.cli.output import print_error, print_warning, stdout

    print_warning("[bold]study[/bold] \x1b[2J gone")
    print_error("[red]x[/red]\u202e\nsecond line")
    stdout().print("created study [blink]:warning:\x1b[5m")
    captured = capsys.readouterr()
    assert captured.err == (
        "warning: [bold]study[/bold] \\x1b[2J gone\nerror: [red]x[/red]\\u202e\nsecond line\n"
    )
    assert captured.out == "created study [blink]:warning:\\x1b[5m\n"


async def test_the_tui_lists_and_opens_an_old_hostile_study_showing_it_as_text(workspace: Workspace) -> None:
    _old_study(workspace)
    app = BehavlabApp(workspace)
    async with app.run_test() as pilot:
        await settle(pilot)
        table = app.screen.query_one("#studies", DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert (
            row[0] == visible(OLD_NAME) and row[1] == visible(OLD_COMPOUND) and row[4] == visible(OLD_VEHICLE)
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen) and app.screen.study == OLD_NAME
        assert app.screen.sub_title.split(" | ")[0] == visible(OLD_NAME)
        timeline = str(app.screen.query_one("#timeline", Static).render())
        assert timeline.split()[:2] == ["done", "protocol"] and "\x1b" not in timeline
        assert notices(app) == []


def test_report_md_escapes_markup_in_the_study_name(workspace: Workspace, tmp_path: Path) -> None:
    name = "<script>alert(1)</script> *x* [y](z) | `z`"
    create_study(workspace, StudySettings(name=name))
    import_roster(workspace, name, write_roster(tmp_path / "roster.csv", 8))
    draft = draft_randomization(workspace, name, RandomizationOptions(no_protocol=True))
    commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    files = write_study_report(workspace, name, tmp_path / "blind").files
    markdown = files.markdown.read_text(encoding="utf-8")
    assert "<script>" not in markdown and "</script>" not in markdown
    heading = markdown.splitlines()[0]
    assert heading == "# \\<script\\>alert(1)\\</script\\> \\*x\\* \\[y\\](z) \\| \\`z\\`: study report"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in files.html.read_text(encoding="utf-8")
