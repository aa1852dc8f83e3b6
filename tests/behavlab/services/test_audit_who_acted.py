"""Who acted: each event records the OS account and host beside the declared person, and the report's
blinding table flags a stage done under an account other than the person declared for it."""

import socket
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from behavlab.report import StageAccount
from behavlab.services import Workspace, build_report_data, list_events, record_dose, write_study_report
from tests.behavlab.randomized_study import RandomizedStudy


@pytest.fixture(autouse=True)
def _key_holder_at_own_account(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key holder ('tester', the workspace's actor) works under an OS account of the same name."""
    monkeypatch.setenv("LOGNAME", "tester")


def _stage_cells(markdown: str) -> dict[str, list[str]]:
    rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in markdown.splitlines()]
    stages = ("allocation", "conduct", "outcome assessment", "analysis")
    return {cells[0]: cells[1:] for cells in rows if cells and cells[0] in stages}


def test_a_dose_declared_by_the_technician_but_run_under_the_key_holders_account_is_flagged(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    technician = replace(workspace, actor="tech")
    first, second = sorted(randomized.codes.values())[:2]
    host = socket.gethostname()

    monkeypatch.setenv("LOGNAME", "tech")
    record_dose(technician, randomized.name, first, at=randomized.weighed_at + timedelta(minutes=30))
    honest = write_study_report(workspace, randomized.name, tmp_path / "honest").files.markdown.read_text()
    assert _stage_cells(honest)["conduct"] == ["tech", "no", f"tech on {host}", "no"]
    assert _stage_cells(honest)["allocation"][2:] == [f"tester on {host}", "no"]
    assert _stage_cells(honest)["outcome assessment"][2:] == ["not recorded", "not recorded"]
    assert "differs from the operating-system account" not in honest

    monkeypatch.setenv("LOGNAME", "tester")
    record_dose(technician, randomized.name, second, at=randomized.weighed_at + timedelta(minutes=31))
    dose = list_events(workspace, randomized.name)[-1]
    assert (dose.action, dose.actor, dose.os_user, dose.host) == ("dose.record", "tech", "tester", host)
    conduct = build_report_data(workspace, randomized.name).blinding.stages[1]
    assert conduct.stage == "conduct"
    assert conduct.account_mismatches == (StageAccount("tech", "tester", host),)
    flagged = write_study_report(workspace, randomized.name, tmp_path / "flagged").files.markdown.read_text()
    assert _stage_cells(flagged)["conduct"][2:] == [f"tech on {host}, tester on {host}", "yes"]
    assert _stage_cells(flagged)["allocation"][3] == "no"
    assert f"conduct: recorded as tech by OS account tester on {host}" in flagged
