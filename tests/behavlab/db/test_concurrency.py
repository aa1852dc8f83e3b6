"""Two processes writing at once lose nothing and keep the audit chain valid."""

import multiprocessing
from datetime import datetime, timedelta
from pathlib import Path

from behavlab.errors import ConflictError
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    commit_randomization,
    create_study,
    draft_randomization,
    import_roster,
    list_studies,
    open_workspace,
    record_dose,
    verify_chain,
)
from cohorts.sealed_key import ScryptParams
from tests.behavlab.factories import write_roster

STUDIES_PER_WRITER = 15


def _write_studies(database_url: str, writer: str) -> None:
    workspace = open_workspace(database_url, actor=writer)
    for index in range(STUDIES_PER_WRITER):
        create_study(workspace, StudySettings(name=f"{writer}-{index}"))
    workspace.engine.dispose()


def test_two_writer_processes_lose_no_write_and_keep_the_chain(database_url: str) -> None:
    open_workspace(database_url).engine.dispose()  # migrate once, as the app does on first open
    spawn = multiprocessing.get_context("spawn")
    writers = [spawn.Process(target=_write_studies, args=(database_url, name)) for name in ("alice", "bob")]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=180)
        assert process.exitcode == 0
    workspace = open_workspace(database_url)
    names = {overview.study.name for overview in list_studies(workspace)}
    assert len(names) == 2 * STUDIES_PER_WRITER
    report = verify_chain(workspace)
    assert report.ok, report
    assert report.events_checked == 2 * STUDIES_PER_WRITER


def _dose_once(
    database_url: str, study: str, code: str, at_iso: str, results: "multiprocessing.Queue[str]"
) -> None:
    workspace = open_workspace(database_url, actor="tech")
    try:
        record_dose(workspace, study, code, at=datetime.fromisoformat(at_iso))
        results.put("dosed")
    except ConflictError:
        results.put("refused")
    finally:
        workspace.engine.dispose()


def test_two_technicians_dosing_one_animal_at_once_record_one_dose(database_url: str, tmp_path: Path) -> None:
    workspace = open_workspace(database_url, actor="setup")
    create_study(workspace, StudySettings(name="race"))
    import_roster(workspace, "race", write_roster(tmp_path / "r.csv", 4))
    draft = draft_randomization(workspace, "race", RandomizationOptions(seed=1))
    committed = commit_randomization(workspace, draft, "correct horse battery", kdf=ScryptParams(n=2**10))
    code = sorted(committed.codes.values())[0]
    at = datetime.now().astimezone() + timedelta(seconds=1)
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    technicians = [
        spawn.Process(target=_dose_once, args=(database_url, "race", code, at.isoformat(), results))
        for _ in range(4)
    ]
    for process in technicians:
        process.start()
    for process in technicians:
        process.join(timeout=180)
        assert process.exitcode == 0
    outcomes = sorted(results.get(timeout=10) for _ in technicians)
    assert outcomes == ["dosed", "refused", "refused", "refused"]
    assert verify_chain(workspace).ok
