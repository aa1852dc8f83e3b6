"""`behavlab score --dask tcp://...` against a real cluster: `dask scheduler` and `dask worker` processes.

Everything listens on loopback and every wait is bounded; the processes are killed when a test ends.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pytest

from tests.behavlab.cli.test_scoring_commands import BEHAVLAB, complete_outputs
from tracking.batch.run import SHARED_FILESYSTEM_HINT
from tracking.synth.videos import write_fst_video

pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

DASK = Path(sys.executable).with_name("dask")
VIDEOS = 6
#: Scored as a user would: one tank per video, tests starting with the video, a 12-s window.
OPTIONS = [
    "--start-s",
    "0",
    "--set",
    "window_start_s=0",
    "--set",
    "window_end_s=12",
    "--set",
    "test_duration_s=12",
]
#: The longest any wait may take, in seconds.
BOUND_S = 120.0
#: The per-video results, not the dot-named temporaries they are written through.
RESULTS = "[!.]*.json"


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of six 12-s one-tank videos."""
    folder = tmp_path_factory.mktemp("cluster_videos")
    for i in range(VIDEOS):
        write_fst_video(
            folder / f"D{i}.mp4",
            duration_s=12.0,
            fps=15.0,
            size=(320, 240),
            seed=60 + i,
            latency_s=(1.0, 2.0),
        )
    return folder


@pytest.fixture(scope="module")
def one_job(videos: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The batch scored in one process (`--jobs 1`): the results every cluster run must equal."""
    out = tmp_path_factory.mktemp("one_job")
    score([str(videos), "--out", str(out), "--jobs", "1"])
    return out


def score(args: Sequence[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `behavlab score ARGS OPTIONS` to the end; fail the test if it fails or takes too long."""
    command = [str(BEHAVLAB), "score", *args, *OPTIONS]
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=BOUND_S, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def batch_command(source: Path, out: Path, address: str) -> list[str]:
    """`behavlab score SOURCE --out OUT --dask ADDRESS OPTIONS`, to start as a process of its own."""
    return [str(BEHAVLAB), "score", str(source), "--out", str(out), "--dask", address, *OPTIONS]


def wait_for(condition: Callable[[], Any], what: str) -> Any:
    """Poll ``condition`` until it gives a true value; fail after :data:`BOUND_S` seconds."""
    deadline = time.monotonic() + BOUND_S
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


def scheduler_address(scheduler_file: Path) -> str | None:
    """The address in the scheduler's file, or None while the scheduler has not finished writing it."""
    try:
        address: str = json.loads(scheduler_file.read_text())["address"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return None
    return address


class Cluster:
    """A `dask scheduler` and its `dask worker` processes, and a client the test inspects it with."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[IO[bytes]] = []
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.address = ""
        self.client: Any = None

    def start(self, workers: int, worker_prefix: Sequence[str] = ()) -> None:
        """Start the scheduler on a free loopback port, then ``workers`` one-thread workers; wait for them.

        Each worker runs in a folder of its own, without a nanny (the process killed is the worker itself);
        ``worker_prefix`` is a command the worker is started under.
        """
        from distributed import Client

        scheduler_file = self.folder / "scheduler.json"
        self._spawn([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(scheduler_file)], self.folder)  # fmt: skip
        self.address = wait_for(lambda: scheduler_address(scheduler_file), "the scheduler's address")
        for index in range(workers):
            home = self.folder / f"worker{index}"
            home.mkdir()
            self.workers[f"w{index}"] = self._spawn([*worker_prefix, str(DASK), "worker", self.address,
                "--no-nanny", "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard", "--name",
                f"w{index}", "--local-directory", str(home)], home)  # fmt: skip
        self.client = Client(self.address, timeout="30s")  # type: ignore[no-untyped-call]
        self.client.wait_for_workers(workers, timeout=BOUND_S)

    def _spawn(self, command: list[str], cwd: Path) -> subprocess.Popen[bytes]:
        log = (cwd / f"{Path(command[0]).name}-{len(self.processes)}.log").open("wb")
        self.logs.append(log)
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=os.environ)
        self.processes.append(process)
        return process

    def busy_worker(self) -> subprocess.Popen[bytes] | None:
        """A worker process the scheduler has given a task, if any."""
        processing = self.client.processing()
        names = {address: info["name"] for address, info in self.client.scheduler_info()["workers"].items()}
        busy = [names[address] for address, keys in processing.items() if keys and address in names]
        return self.workers[busy[0]] if busy else None

    def idle(self) -> bool:
        """True when the scheduler holds no task and no worker runs one, a task of a dead client included.

        The scheduler forgets a dead client's tasks only some time after it died; until then it may still
        hand one to a worker.
        """
        held: int = self.client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
        executing = self.client.run(lambda dask_worker: dask_worker.state.executing_count)
        return held == 0 and sum(executing.values()) == 0

    def stop(self) -> None:
        """Close the client, kill every process and close its log."""
        if self.client is not None:
            self.client.close()
        for process in reversed(self.processes):
            process.kill()
            process.wait(timeout=BOUND_S)
        for log in self.logs:
            log.close()


@contextmanager
def cluster(tmp_path: Path, workers: int = 2, worker_prefix: Sequence[str] = ()) -> Iterator[Cluster]:
    """A running cluster for the length of the block; its processes are killed whatever happens."""
    folder = tmp_path / "cluster"
    folder.mkdir()
    running = Cluster(folder)
    try:
        running.start(workers, worker_prefix)
        yield running
    finally:
        running.stop()


def assert_same_scores(expected: Path, out: Path) -> None:
    """Equal results.csv and bins.csv, one row set per video, and equal per-video JSON scores."""
    for name in ("results.csv", "bins.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(expected / name), pd.read_csv(out / name))
    results = pd.read_csv(out / "results.csv")
    assert sorted(results["video"]) == [f"D{i}.mp4" for i in range(VIDEOS)], "a video is missing or repeated"
    for stem in (f"D{i}" for i in range(VIDEOS)):
        assert scores_of(out / f"{stem}.json") == scores_of(expected / f"{stem}.json")


def scores_of(path: Path) -> dict[str, Any]:
    """A result document without what depends on when and from where it was scored."""
    document = json.loads(path.read_text())
    document["video_info"].pop("path")
    return {key: value for key, value in document.items() if key != "scored_at"}


def test_a_cluster_gives_the_results_of_one_job(videos: Path, one_job: Path, tmp_path: Path) -> None:
    client_folder = tmp_path / "client"
    shutil.copytree(videos, client_folder / "videos")
    with cluster(tmp_path) as running:
        # Relative paths, from a folder that is not the workers' working folder: the client resolves them.
        score(["videos", "--out", "out", "--dask", running.address], cwd=client_folder)
    assert_same_scores(one_job, client_folder / "out")


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(
    videos: Path, one_job: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with cluster(tmp_path) as running:
        command = batch_command(videos, out, running.address)
        batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: list(out.glob(RESULTS)), "the first result")
            victim = wait_for(running.busy_worker, "a worker with a task")
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=BOUND_S)
            stdout, stderr = batch.communicate(timeout=BOUND_S)
        finally:
            batch.kill()
        assert batch.returncode == 0, stdout + stderr
        assert f"scored {VIDEOS} video(s), 0 failed" in stdout
        wait_for(
            lambda: len(running.client.scheduler_info()["workers"]) == 1,
            "the scheduler to drop the killed worker",
        )
    assert_same_scores(one_job, out)


def test_resume_after_the_client_is_killed_scores_no_video_twice(
    videos: Path, one_job: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with cluster(tmp_path) as running:
        command = batch_command(videos, out, running.address)
        client = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: list(out.glob(RESULTS)), "the first result")
        finally:
            client.kill()
            client.wait(timeout=BOUND_S)
        # A task running when its client died runs to its end; resuming starts once the cluster is idle.
        wait_for(running.idle, "the cluster to forget the killed client's tasks")
        before = complete_outputs(out)
        assert 1 <= len(before) < VIDEOS
        resumed = score([str(videos), "--out", str(out), "--dask", running.address, "--resume"])
    assert f"scored {VIDEOS - len(before)} video(s), {len(before)} already done, 0 failed" in resumed.stdout
    after = complete_outputs(out)
    assert all(after[stem] == stamp for stem, stamp in before.items()), "a finished video was scored again"
    assert_same_scores(one_job, out)


def hiding(folder: Path) -> list[str]:
    """A command prefix running a command in its own mount namespace, where ``folder`` is an empty tmpfs.

    The worker started under it cannot see what is in ``folder``, as a worker on another machine cannot see
    a disk that is not shared with it. Skips the test where unprivileged namespaces are not allowed.
    """
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-rm", "true"], check=False).returncode != 0:
        pytest.skip("unshare -rm (a private mount namespace) is not available here")
    return [unshare, "-rm", "sh", "-c", f'mount -t tmpfs tmpfs "{folder}" && exec "$0" "$@"']


def test_a_worker_that_cannot_see_the_videos_names_the_path_and_itself(videos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with cluster(tmp_path, workers=1, worker_prefix=hiding(videos)) as running:
        (worker,) = running.client.scheduler_info()["workers"]
        command = batch_command(videos / "D0.mp4", out, running.address)
        done = subprocess.run(command, capture_output=True, text=True, timeout=BOUND_S, check=False)
    assert done.returncode == 1
    assert "scored 0 video(s), 1 failed" in done.stdout
    error = " ".join(done.stderr.split())
    assert (
        f"{videos / 'D0.mp4'}: worker {worker}: cannot see {videos / 'D0.mp4'}: {SHARED_FILESYSTEM_HINT}"
        in error
    )
    assert not (out / "results.csv").exists()
