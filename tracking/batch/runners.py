"""Where a batch's per-video work runs: a local process pool (the default) or a Dask cluster.

A runner maps one picklable function over the jobs and yields ``(job, result or exception)`` as each finishes,
in completion order, handing out the jobs in the order given. Both runners give the same results; they differ
only in where the processes live. ``runner.started(function, expected_jobs)`` starts the workers in the
background and stops them when it exits, so their start-up overlaps what the caller does meanwhile (probing
the videos); a ``map_unordered`` inside it uses those workers, one outside starts and stops its own.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, TypeVar

from tracking.errors import TrackingError

Job = TypeVar("Job")
Result = TypeVar("Result")

DASK_INSTALL_HINT = "Dask is not installed; install the extra with: pip install 'behavlab[dask]'"


class DaskUnavailableError(TrackingError, RuntimeError):
    """A Dask cluster was asked for but the optional Dask extra is not installed."""

    def __init__(self) -> None:
        super().__init__(DASK_INSTALL_HINT)


class Runner(Protocol):
    """Runs a function over jobs and yields each job with its result, or the exception it raised."""

    workers: int

    def started(self, function: Callable[[Any], Any], expected_jobs: int) -> AbstractContextManager[None]:
        """Start workers for up to ``expected_jobs`` jobs of ``function`` in the background; stop on exit."""
        ...

    def map_unordered(
        self, function: Callable[[Job], Result], jobs: Sequence[Job]
    ) -> Iterator[tuple[Job, Result | BaseException]]:
        """Yield ``(job, result or exception)`` per job as each finishes, handing jobs out in order."""
        ...


def one_opencv_thread() -> None:
    """OpenCV single-threaded, since the batch already runs one worker process per core.

    Each process's own OpenCV thread pool would oversubscribe the cores: on 2 cores, 8 two-minute videos
    scored 1.22 times faster with 2 workers than in one process with OpenCV's pool, 1.47 times without it.
    """
    import cv2

    cv2.setNumThreads(1)


def prepare_worker(function: Callable[..., Any]) -> None:
    """Worker set-up: OpenCV single-threaded; receiving ``function`` has imported its module already.

    Run as each worker starts, the imports of the job's code (decoders, OpenCV, plotting) are paid while the
    client still probes the videos rather than at each worker's first video.
    """
    del function
    one_opencv_thread()


def worker_ready() -> None:
    """A task that does nothing: one submitted per worker spawns the workers now, not at the first job."""


def dask_worker_address() -> str | None:
    """The address of the Dask worker this call runs in, or None outside a Dask worker."""
    distributed = sys.modules.get("distributed")
    if distributed is not None:
        try:
            return str(distributed.get_worker().address)
        except ValueError:
            pass
    return None


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def start_method() -> str:
    """How worker processes start: forkserver where available, else spawn.

    A forkserver child is forked from a small clean process, so it starts faster than a spawned interpreter
    and inherits no threads.
    """
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _in_process(
    function: Callable[[Job], Result], jobs: Sequence[Job]
) -> Iterator[tuple[Job, Result | BaseException]]:
    """Run the jobs one after the other in this process."""
    for job in jobs:
        try:
            yield job, function(job)
        except Exception as error:
            yield job, error


class LocalRunner:
    """A pool of ``jobs`` local processes (forkserver where available, else spawn); one job runs in-process.

    Processes start from a clean interpreter (no fork of a process holding open decoders or threads).
    """

    def __init__(self, jobs: int | None = None) -> None:
        self.workers = jobs if jobs is not None else default_jobs()
        if self.workers < 1:
            raise ValueError(f"jobs must be at least 1, got {self.workers}")
        self._pool: ProcessPoolExecutor | None = None

    @contextmanager
    def started(self, function: Callable[[Any], Any], expected_jobs: int) -> Iterator[None]:
        """Spawn ``min(workers, expected_jobs)`` processes now (none for one job or one worker); stop on exit.

        Inside an outer ``started`` this keeps the outer pool. On exit, jobs not yet begun are cancelled and
        the processes are joined (no process outlives the batch, whatever ended it).
        """
        if self._pool is not None or self.workers == 1 or expected_jobs <= 1:
            yield
            return
        context = multiprocessing.get_context(start_method())
        workers = min(self.workers, expected_jobs)
        self._pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=prepare_worker, initargs=(function,)
        )
        try:
            for _ in range(workers):
                self._pool.submit(worker_ready)
            yield
        finally:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=True, cancel_futures=True)

    def map_unordered(
        self, function: Callable[[Job], Result], jobs: Sequence[Job]
    ) -> Iterator[tuple[Job, Result | BaseException]]:
        """Yield ``(job, result or exception)`` per job as each finishes, submitted in the order given."""
        with self.started(function, len(jobs)):
            if self._pool is None:
                yield from _in_process(function, jobs)
                return
            futures: dict[Future[Result], Job] = {}
            for job in jobs:
                try:
                    futures[self._pool.submit(function, job)] = job
                except BrokenProcessPool as broken:  # a worker died while the videos were probed
                    yield job, broken
            for future in as_completed(futures):
                yield futures[future], _outcome(future)


def _outcome(future: Any) -> Any:
    """The future's result, or the exception it raised (a worker that died included)."""
    try:
        return future.result()
    except Exception as error:
        return error


class DaskRunner:
    """A Dask cluster: ``"local"`` starts a LocalCluster of ``workers`` processes, else a scheduler address.

    Notes
    -----
    Dask's nanny exports ``MALLOC_TRIM_THRESHOLD_=65536`` into every worker it spawns
    (``distributed.nanny.pre-spawn-environ``) to return freed memory to the OS sooner. Measured on this
    project's machine, that halves OpenCV's decode speed (frame buffers are freed and re-faulted every frame),
    so the LocalCluster started here unsets it. Workers started by hand for ``tcp://`` schedulers should be
    started with ``DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON__MALLOC_TRIM_THRESHOLD_`` unset likewise, or
    with ``--no-nanny``.

    Each Dask worker also samples its own stack every 10 ms for the dashboard's profile
    (``distributed.worker.profile``). Scoring eight 6-min videos on two workers took 14.5 s with it and
    11.5 s without (`bench/batch_scaling.py` videos), so the LocalCluster runs without it; hand-started
    workers can set ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False``. Its workers start, like the
    process pool's, by forkserver where available (`start_method`).
    """

    def __init__(self, address: str = "local", workers: int | None = None) -> None:
        self.address = address
        self.workers = workers if workers is not None else default_jobs()
        self._connecting: Future[tuple[Any, Any]] | None = None

    @contextmanager
    def started(self, function: Callable[[Any], Any], expected_jobs: int) -> Iterator[None]:
        """Start the LocalCluster (or connect to the scheduler) in a thread now; close both on exit.

        Nothing starts for no jobs; inside an outer ``started`` this keeps the outer cluster.
        DaskUnavailableError at once when Dask is not installed.
        """
        if importlib.util.find_spec("distributed") is None:
            raise DaskUnavailableError()
        if self._connecting is not None or expected_jobs < 1:
            yield
            return
        with ThreadPoolExecutor(1, thread_name_prefix="dask-start") as thread:
            self._connecting = thread.submit(self._connect, function)
            try:
                yield
            finally:
                connecting, self._connecting = self._connecting, None
                if connecting.exception() is None:
                    _close(*connecting.result())

    def _connect(self, function: Callable[[Any], Any]) -> tuple[Any, Any]:
        """A client, and the LocalCluster it started with its workers prepared (None: a remote scheduler)."""
        import dask
        from distributed import Client, LocalCluster

        settings = {
            "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
            "distributed.worker.multiprocessing-method": start_method(),
            "distributed.worker.profile.enabled": False,
        }
        with dask.config.set(settings):
            if self.address != "local":
                client = Client(self.address, timeout="30s")  # type: ignore[no-untyped-call]
                return client, None
            cluster = LocalCluster(  # type: ignore[no-untyped-call]  # distributed is not annotated
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
        try:
            client = Client(cluster)  # type: ignore[no-untyped-call]
            client.run(prepare_worker, function)
        except BaseException:
            cluster.close()
            raise
        return client, cluster

    def map_unordered(
        self, function: Callable[[Job], Result], jobs: Sequence[Job]
    ) -> Iterator[tuple[Job, Result | BaseException]]:
        """Yield ``(job, result or exception)`` per job as each finishes on the cluster, sent in order."""
        with self.started(function, len(jobs)):
            if self._connecting is None or not jobs:
                return
            from distributed import as_completed as dask_completed

            client, _ = self._connecting.result()
            futures = client.map(function, list(jobs), pure=False)
            owners = {future.key: job for future, job in zip(futures, jobs, strict=True)}
            for future in dask_completed(futures):  # type: ignore[no-untyped-call]
                yield owners[future.key], _outcome(future)


def _close(client: Any, cluster: Any) -> None:
    """Close the client, then the LocalCluster it was given (None for a remote scheduler)."""
    try:
        client.close()
    finally:
        if cluster is not None:
            cluster.close()
