"""Faults: a batch killed at random points, a process killed inside a database transaction, a read-only
output folder and a full disk. Nothing finished is lost or redone, nothing is half-written, and the user
reads one clear line instead of a traceback.

Read-only folders and full disks are real: small tmpfs mounts when the tests run as root (CI does), a
folder without write permission otherwise; a test that cannot make one is skipped, never faked.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlmodel import Session
from typer.testing import CliRunner, Result

from behavlab.cli.main import app
from behavlab.services import (
    StudySettings,
    create_study,
    import_roster,
    list_animals,
    open_workspace,
    verify_chain,
)
from tests.behavlab.cli.test_scoring_commands import BEHAVLAB, SHORT, complete_outputs
from tests.behavlab.factories import write_roster
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy
from tracking.synth.videos import write_fst_video

KILL_ROSTER_ANIMALS = 240
SPAWN = multiprocessing.get_context("spawn")
#: A window the 20-s two-tank videos hold, each scored whole (the faults, not the tanks, are under test).
SHORT_RUN = [
    "--set",
    "window_start_s=5",
    "--set",
    "window_end_s=20",
    "--set",
    "test_duration_s=20",
    "--whole-frame",
]
# root writes anywhere: as root the read-only folder is a read-only mount, else a folder without write access
READ_ONLY = "Read-only file system" if os.geteuid() == 0 else "Permission denied"
READ_ONLY += "; choose a folder you can write to"


def _mount_tmpfs(folder: Path, options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can write in: a read-only tmpfs as root, else a folder without write permission."""
    folder = tmp_path / "read-only"
    if os.geteuid() == 0:
        _mount_tmpfs(folder, "ro,size=64k")
        yield folder
        _unmount(folder)
    else:
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs; fill it with `fill_disk`."""
    folder = tmp_path / "small-disk"
    _mount_tmpfs(folder, "size=4m")
    yield folder
    _unmount(folder)


def fill_disk(folder: Path, leave_bytes: int = 0) -> Path:
    """Fill the file system holding `folder` to within `leave_bytes` of full; delete the file to free it."""
    filler = folder / "filler.bin"
    stats = os.statvfs(folder)
    room = max(stats.f_bavail * stats.f_frsize - leave_bytes, 0) if leave_bytes else None
    chunk = b"\0" * 65536
    written = 0
    with filler.open("wb", buffering=0) as stream:
        for _ in range(100_000):
            size = len(chunk) if room is None else min(len(chunk), room - written)
            if size <= 0:
                break
            try:
                written += stream.write(chunk[:size]) or 0
            except OSError:
                assert room is None, f"the disk filled up before {room} bytes were written"
                break
    return filler


def one_error_line(result: Result) -> str:
    """The single error line a failed command printed, after checking it printed no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def hidden_temporaries(folder: Path) -> list[str]:
    """Temporary files (hidden, `.tmp` in the name) left in a folder."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and ".tmp" in p.name)


@pytest.fixture(scope="module")
def short_videos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Six 20-s two-tank synthetic videos."""
    folder = tmp_path_factory.mktemp("fault_videos")
    return [
        write_fst_video(folder / f"K{i}.mp4", duration_s=20.0, seed=70 + i, **SHORT).video  # type: ignore[arg-type]
        for i in range(6)
    ]


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


@pytest.mark.slow
def test_score_killed_at_random_points_resumes_without_losing_or_redoing_a_video(
    short_videos: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    command = [str(BEHAVLAB), "score", *map(str, short_videos), "--out", str(out), "--jobs", "2", *SHORT_RUN]
    rng = random.Random(20240917)
    finished: dict[str, float] = {}
    kills = 0
    for _ in range(2):
        if len(finished) >= len(short_videos) - 3:
            break
        process = subprocess.Popen(
            [*command, "--resume"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the batch and its worker processes are killed together
        )
        try:
            target = min(len(finished) + rng.randint(0, 1), len(short_videos) - 3)
            deadline = time.monotonic() + 240
            while process.poll() is None and time.monotonic() < deadline:
                if out.is_dir() and len(list(out.glob("K*.json"))) >= target:
                    break
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 0.3))
            kills += process.poll() is None
        finally:
            _kill_group(process)
        now = complete_outputs(out) if out.is_dir() else {}
        assert all(now[stem] == stamp for stem, stamp in finished.items()), "a finished video was redone"
        finished = now
    assert kills >= 1, "every batch ended before it could be killed"
    assert len(finished) < len(short_videos), "nothing was left to resume"

    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(finished)} already done" in resumed.stdout
    after = complete_outputs(out)
    assert sorted(after) == [video.stem for video in short_videos]
    assert all(after[stem] == stamp for stem, stamp in finished.items()), "a finished video was redone"
    assert hidden_temporaries(out) == []
    rows = (out / "results.csv").read_text().splitlines()[1:]  # no --rois: the whole frame is one animal
    assert sorted(row.split(",")[0] for row in rows) == [video.name for video in short_videos]


def _hold_inside_the_transaction(marker: str) -> Callable[[Session], None]:
    def hold(_session: Session) -> None:
        Path(marker).write_text("inside the transaction")
        time.sleep(600)

    return hold


def _import_and_hang(database_url: str, study: str, roster: str, marker: str) -> None:
    """Import a roster, stopping inside the transaction just before it commits (to be killed there)."""
    event.listen(Session, "before_commit", _hold_inside_the_transaction(marker))
    workspace = open_workspace(database_url, actor="killed")
    import_roster(workspace, study, Path(roster))


def _import_rosters_forever(database_url: str, roster: str, marker: str) -> None:
    """Create studies and import a roster into each, until killed."""
    workspace = open_workspace(database_url, actor="killed")
    for index in range(10_000):
        create_study(workspace, StudySettings(name=f"loop-{index}"))
        import_roster(workspace, f"loop-{index}", Path(roster))
        Path(marker).write_text(str(index))


def _run_and_kill(target: Callable[..., None], args: tuple[str, ...], marker: Path, extra_s: float) -> None:
    process = SPAWN.Process(target=target, args=args)
    process.start()
    try:
        deadline = time.monotonic() + 240
        while not marker.exists() and process.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), f"the writer never got going (exit code {process.exitcode})"
        time.sleep(extra_s)
        assert process.is_alive(), f"the writer ended by itself (exit code {process.exitcode})"
    finally:
        process.kill()
        process.join(timeout=60)


def _table_counts(database_url: str) -> dict[str, int]:
    workspace = open_workspace(database_url)
    with workspace.engine.connect() as connection:
        counts = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("study", "animal", "cageassignment", "weight", "auditevent")
        }
    workspace.engine.dispose()
    return counts


def _assert_database_sound(database_url: str) -> None:
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    workspace = open_workspace(database_url)
    report = verify_chain(workspace)
    workspace.engine.dispose()
    assert report.ok, report


def test_a_writer_killed_inside_its_transaction_leaves_nothing_half_written(
    database_url: str, tmp_path: Path
) -> None:
    workspace = open_workspace(database_url, actor="setup")
    create_study(workspace, StudySettings(name="victim"))
    roster = write_roster(tmp_path / "roster.csv", KILL_ROSTER_ANIMALS)
    before = _table_counts(database_url)
    marker = tmp_path / "inside"
    _run_and_kill(_import_and_hang, (database_url, "victim", str(roster), str(marker)), marker, 0.0)

    assert _table_counts(database_url) == before
    _assert_database_sound(database_url)
    # The killed writer's lock is gone and nothing of its import is left to clash: the same roster goes in.
    assert import_roster(workspace, "victim", roster).n_animals == KILL_ROSTER_ANIMALS
    assert len(list_animals(workspace, "victim")) == KILL_ROSTER_ANIMALS
    _assert_database_sound(database_url)
    workspace.engine.dispose()


@pytest.mark.slow
def test_a_writer_killed_at_a_random_moment_leaves_whole_imports_only(
    database_url: str, tmp_path: Path
) -> None:
    open_workspace(database_url).engine.dispose()
    roster = write_roster(tmp_path / "roster.csv", KILL_ROSTER_ANIMALS)
    marker = tmp_path / "progress"
    extra_s = random.Random(99).uniform(0.0, 1.5)
    _run_and_kill(_import_rosters_forever, (database_url, str(roster), str(marker)), marker, extra_s)

    _assert_database_sound(database_url)
    workspace = open_workspace(database_url)
    with workspace.engine.connect() as connection:
        per_study = dict(
            connection.execute(
                text(
                    "SELECT s.name, count(a.id) FROM study s LEFT JOIN animal a ON a.study_id = s.id "
                    "GROUP BY s.name"
                )
            ).all()
        )
        imported = {
            entity_id
            for (entity_id,) in connection.execute(
                text("SELECT entity_id FROM auditevent WHERE action = 'animals.import'")
            )
        }
        created = {
            entity_id
            for (entity_id,) in connection.execute(
                text("SELECT entity_id FROM auditevent WHERE action = 'study.create'")
            )
        }
    assert set(per_study) == created
    assert {name for name, n in per_study.items() if n} == imported
    assert set(per_study.values()) <= {0, KILL_ROSTER_ANIMALS}
    assert len(imported) >= 1
    create_study(workspace, StudySettings(name="after the crash"))
    assert verify_chain(workspace).ok
    workspace.engine.dispose()


def run_cli(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """Invoke `behavlab ARGS...` in-process."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200", **(env or {})})


def test_score_refuses_a_read_only_output_folder_before_decoding(
    short_videos: list[Path], read_only_dir: Path
) -> None:
    for out in (read_only_dir, read_only_dir / "new-folder"):
        line = one_error_line(run_cli("score", short_videos[0], "--out", out, "--jobs", "1", *SHORT_RUN))
        assert line.startswith(f"error: cannot write in folder {out}: "), line
        assert "choose a folder you can write to" in line


def test_a_disk_filling_up_fails_each_video_clearly_and_resume_finishes_them(
    short_videos: list[Path], small_disk: Path
) -> None:
    videos = [str(v) for v in short_videos[:2]]
    filler = fill_disk(small_disk)
    line = one_error_line(run_cli("score", *videos, "--out", small_disk, "--jobs", "1", *SHORT_RUN))
    assert line.startswith(f"error: cannot write in folder {small_disk}: No space left on device"), line

    filler.unlink()
    filler = fill_disk(small_disk, leave_bytes=24 * 1024)  # room for a signal cache, not for a whole video
    result = run_cli("score", *videos, "--out", small_disk, "--jobs", "1", *SHORT_RUN)
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, result.stderr
    for video, error in zip(short_videos, errors, strict=False):
        assert error.startswith(f"error: {video}: cannot write {small_disk}/{video.stem}."), error
        assert error.endswith("No space left on device; free some disk space or write to another folder")
    assert complete_outputs(small_disk) == {}, "a video was marked finished without all its files"
    assert hidden_temporaries(small_disk) == []

    filler.unlink()
    resumed = run_cli("score", *videos, "--out", small_disk, "--jobs", "1", "--resume", *SHORT_RUN)
    assert resumed.exit_code == 0, resumed.output
    assert sorted(complete_outputs(small_disk)) == ["K0", "K1"]


def test_sheets_reports_and_roi_files_refuse_a_read_only_folder(
    randomized: RandomizedStudy, database_url: str, read_only_dir: Path, short_videos: list[Path]
) -> None:
    env = {"BEHAVLAB_PASSPHRASE": PASSPHRASE}
    day = randomized.weighed_at.date().isoformat()
    commands = {
        read_only_dir / "dosing.csv": ("dosing-sheet", randomized.name, "--date", day, "--out"),
        read_only_dir / "dosing.html": ("dosing-sheet", randomized.name, "--date", day, "--out"),
        read_only_dir / "preparer.csv": ("preparer-sheet", randomized.name, "--out"),
        read_only_dir / "rois.json": ("rois", "detect", str(short_videos[0]), "--out"),
    }
    for target, command in commands.items():
        line = one_error_line(run_cli("--db", database_url, *command, target, env=env))
        assert line == f"error: cannot write {target}: {READ_ONLY}"
    report = read_only_dir / "report"
    line = one_error_line(run_cli("--db", database_url, "report", randomized.name, "--out", report))
    assert line == f"error: cannot write in folder {report}: {READ_ONLY}"


def test_a_report_on_a_full_disk_is_refused_and_leaves_only_whole_files(
    randomized: RandomizedStudy, database_url: str, small_disk: Path
) -> None:
    fill_disk(small_disk, leave_bytes=16 * 1024)
    out = small_disk / "report"
    line = one_error_line(run_cli("--db", database_url, "report", randomized.name, "--out", out))
    assert line.startswith(f"error: cannot write {out}/"), line
    assert line.endswith("No space left on device; free some disk space or write to another folder")
    for path in out.iterdir():
        assert not path.name.startswith("."), f"temporary {path.name} left behind"
        if path.suffix == ".png":
            assert path.read_bytes().endswith(b"IEND\xaeB`\x82"), f"{path.name} is cut short"


def test_a_full_disk_under_the_database_refuses_the_write_and_keeps_the_data(
    small_disk: Path, tmp_path: Path
) -> None:
    database = small_disk / "behavlab.sqlite"
    url = f"sqlite:///{database}"
    assert run_cli("--db", url, "study", "create", "tight").exit_code == 0
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _table_counts(url)
    roster = write_roster(tmp_path / "roster.csv", KILL_ROSTER_ANIMALS)
    filler = fill_disk(small_disk)
    line = one_error_line(run_cli("--db", url, "animals", "import", "tight", roster))
    assert line == "error: database error: database or disk is full", line
    filler.unlink()
    assert _table_counts(url) == before
    _assert_database_sound(url)
    assert run_cli("--db", url, "animals", "import", "tight", roster).exit_code == 0
    _assert_database_sound(url)
