"""Snapshots of the dosing, SPT, unmask and audit screens on one coded study, before unmasking.

Fixed roster, seed, codes, clock and terminal; the audit log's times, hashes and versions are masked. Every
screen shows blind codes only: no arm name and no grouping until the study is unmasked.
"""

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    commit_randomization,
    create_spt_period,
    create_study,
    draft_randomization,
    import_roster,
    randomization,
    record_dose,
    record_spt_bottles,
    record_weights,
)
from behavlab.services import dosing as dosing_service
from behavlab.tui.app import BehavlabApp
from behavlab.tui.widgets.row_table import RowTable
from tests.behavlab.factories import baseline_weights, write_roster, write_weights
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE
from tests.behavlab.tui.helpers import navigate, reproducible_codes, settle, write_bottles

SIZE = (120, 36)
STUDY = "snapshot"
#: The dosing day's clock at noon: the sheet is today's, so "today" is fixed.
NOON = datetime(2025, 3, 4, 12, 0)
#: When the first dose was given that morning.
DOSING_MORNING = NOON.replace(hour=9)
#: Times, hashes, study IDs and version numbers in the audit log: they differ in every run.
VOLATILE = (
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?"), "<time>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"[0-9a-f]{16,}"), "<hash>"),
    (re.compile(r"\d+\.\d+\.\d+[\w.+-]*"), "<version>"),
)


def masked(text: str) -> str:
    """The text with every time, hash, study ID and version replaced by a placeholder."""
    for pattern, placeholder in VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


@pytest.fixture
def coded(sqlite_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A randomized study of 24 mice weighed at 8:00 on the dosing day, with reproducible codes."""
    monkeypatch.setattr(randomization, "generate_codes", reproducible_codes)
    monkeypatch.setattr(dosing_service, "local_now", NOON.astimezone)
    create_study(sqlite_workspace, StudySettings(name=STUDY))
    import_roster(sqlite_workspace, STUDY, write_roster(tmp_path / "roster.csv", 24, with_weights=False))
    weighed_at = NOON.replace(hour=8).astimezone()
    weights = write_weights(tmp_path / "weights.csv", baseline_weights(24), weighed_at)
    record_weights(sqlite_workspace, STUDY, weights)
    draft = draft_randomization(
        sqlite_workspace, STUDY, RandomizationOptions(seed=2024, bare_seed=True, no_protocol=True)
    )
    return sorted(commit_randomization(sqlite_workspace, draft, PASSPHRASE, kdf=FAST_KDF).codes.values())


def test_dosing_snapshot(sqlite_workspace: Workspace, coded: list[str], snap_compare: Any) -> None:
    for minute, code in enumerate(coded[:3]):
        record_dose(sqlite_workspace, STUDY, code, at=DOSING_MORNING.replace(minute=10 + minute).astimezone())
    app = BehavlabApp(sqlite_workspace)
    assert snap_compare(app, terminal_size=SIZE, run_before=navigate("enter", "d"))


def test_spt_snapshot(
    sqlite_workspace: Workspace, coded: list[str], tmp_path: Path, snap_compare: Any
) -> None:
    bottles_in = NOON.replace(hour=18).astimezone()
    create_spt_period(
        sqlite_workspace, STUDY, "day1", bottles_in, bottles_in.replace(day=5), phase="test", sucrose_pct=1.0
    )
    intakes = [
        (code, "LR"[index % 2], 200.0, 197.0 - index % 5, 200.0, 198.0 - index % 3)
        for index, code in enumerate(coded)
    ]
    record_spt_bottles(sqlite_workspace, STUDY, "day1", write_bottles(tmp_path / "day1.csv", intakes))
    app = BehavlabApp(sqlite_workspace)
    assert snap_compare(app, terminal_size=SIZE, run_before=navigate("enter", "s"))


def test_unmask_snapshot(sqlite_workspace: Workspace, coded: list[str], snap_compare: Any) -> None:
    app = BehavlabApp(sqlite_workspace)
    assert snap_compare(app, terminal_size=SIZE, run_before=navigate("enter", "u"))


def test_audit_snapshot(sqlite_workspace: Workspace, coded: list[str], snap_compare: Any) -> None:
    record_dose(sqlite_workspace, STUDY, coded[0], at=DOSING_MORNING.replace(minute=10).astimezone())
    app = BehavlabApp(sqlite_workspace)

    async def audit(pilot: Pilot[None]) -> None:
        await navigate("enter", "l")(pilot)
        chain = pilot.app.screen.query_one("#chain", Static)
        chain.update(masked(str(chain.render())))
        table = pilot.app.screen.query_one("#events", RowTable)
        for row in range(table.row_count):
            for column, cell in zip(table.columns, table.get_row_at(row), strict=True):
                table.update_cell(table.row_key(row), column, masked(cell))
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=audit)
