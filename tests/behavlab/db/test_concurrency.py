"""Two processes writing at once lose nothing and keep the audit chain valid."""

import multiprocessing

from behavlab.services import StudySettings, create_study, list_studies, open_workspace, verify_chain

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
