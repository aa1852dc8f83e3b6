"""Two processes writing at once lose nothing and keep the audit chain valid."""

import multiprocessing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

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
from behavlab.services.animals import record_weight
from tests.behavlab.factories import write_roster
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE

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
    names = {summary.name for summary in list_studies(workspace)}
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
    draft = draft_randomization(workspace, "race", RandomizationOptions(seed=1, no_protocol=True))
    committed = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
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


def _weigh_and_dose(
    database_url: str,
    technician: str,
    study: str,
    codes: list[str],
    grams: float,
    results: "multiprocessing.Queue",
) -> None:
    """One technician's round: weigh each animal at the bench, then try to dose it."""
    workspace = open_workspace(database_url, actor=technician)
    outcomes = {}
    try:
        for code in codes:
            record_weight(workspace, study, code, grams)
            try:
                record_dose(workspace, study, code)
                outcomes[code] = "dosed"
            except ConflictError:
                outcomes[code] = "refused"
        results.put((technician, outcomes))
    finally:
        workspace.engine.dispose()


@pytest.mark.slow
def test_two_technicians_weighing_and_dosing_one_study_lose_nothing(
    database_url: str, tmp_path: Path
) -> None:
    n_animals = 8
    workspace = open_workspace(database_url, actor="setup")
    create_study(workspace, StudySettings(name="bench"))
    import_roster(workspace, "bench", write_roster(tmp_path / "r.csv", n_animals))
    draft = draft_randomization(workspace, "bench", RandomizationOptions(seed=7, no_protocol=True))
    committed = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    codes = sorted(committed.codes.values())
    events_before = verify_chain(workspace).events_checked
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    plan = {"alice": (codes, 21.2), "bob": (codes[::-1], 23.7)}
    technicians = [
        spawn.Process(target=_weigh_and_dose, args=(database_url, name, "bench", order, grams, results))
        for name, (order, grams) in plan.items()
    ]
    for process in technicians:
        process.start()
    try:
        reported = dict(results.get(timeout=300) for _ in technicians)
        for process in technicians:
            process.join(timeout=60)
            assert process.exitcode == 0
    finally:
        for process in technicians:
            if process.is_alive():
                process.kill()
    assert sorted(reported) == ["alice", "bob"]
    dosed_by = {
        name: {code for code, outcome in outcomes.items() if outcome == "dosed"}
        for name, outcomes in reported.items()
    }
    assert dosed_by["alice"].isdisjoint(dosed_by["bob"])
    assert dosed_by["alice"] | dosed_by["bob"] == set(codes)

    with workspace.engine.connect() as connection:
        doses = connection.execute(
            text(
                "SELECT a.blind_code, d.operator FROM doseevent d "
                "JOIN allocation a ON a.animal_id = d.animal_id ORDER BY a.blind_code"
            )
        ).all()
        weights = connection.execute(
            text(
                "SELECT a.blind_code, w.recorded_by, w.weight_g FROM weight w "
                "JOIN allocation a ON a.animal_id = w.animal_id WHERE w.recorded_by IN ('alice', 'bob')"
            )
        ).all()
    assert [code for code, _ in doses] == codes, "an animal was dosed twice or not at all"
    assert {(code, operator) for code, operator in doses} == {
        (code, name) for name, dosed in dosed_by.items() for code in dosed
    }
    assert sorted(weights) == sorted(
        (code, name, grams) for name, (order, grams) in plan.items() for code in order
    ), "a weight was lost"
    report = verify_chain(workspace)
    assert report.ok, report
    assert report.events_checked == events_before + 2 * n_animals + n_animals
    workspace.engine.dispose()
