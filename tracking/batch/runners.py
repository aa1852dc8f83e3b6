"""Where a batch's per-video work runs: a local process pool (the default) or a Dask cluster.

A runner maps one picklable function over the jobs and yields ``(job, result or exception)`` as each finishes,
in completion order. Both runners give the same results; they differ only in where the processes live.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
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

    def map_unordered(
        self, function: Callable[[Job], Result], jobs: Sequence[Job]
    ) -> Iterator[tuple[Job, Result | BaseException]]:
        """Yield ``(job, result or exception)`` per job as each finishes."""
        ...


def one_opencv_thread() -> None:
    """Worker set-up: OpenCV single-threaded, since the batch already runs one worker process per core.

    Each process's own OpenCV thread pool would oversubscribe the cores: on 2 cores, 8 two-minute videos
    scored 1.22 times faster with 2 workers than in one process with OpenCV's pool, 1.47 times without it.
    """
    import cv2

    cv2.setNumThreads(1)


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


class LocalRunner:
    """A pool of ``jobs`` local processes (forkserver where available, else spawn); one job runs in-process.

    Processes start from a clean interpreter (no fork of a process holding open decoders or threads).
    """

    def __init__(self, jobs: int | None = None) -> None:
        self.workers = jobs if jobs is not None else default_jobs()
        if self.workers < 1:
            raise ValueError(f"jobs must be at least 1, got {self.workers}")

    def map_unordered(
        self, function: Callable[[Job], Result], jobs: Sequence[Job]
    ) -> Iterator[tuple[Job, Result | BaseException]]:
        """Yield ``(job, result or exception)`` per job as each finishes."""
        if self.workers == 1 or len(jobs) <= 1:
            for job in jobs:
                try:
                    yield job, function(job)
                except Exception as error:
                    yield job, error
            return
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        workers = min(self.workers, len(jobs))
        with ProcessPoolExecutor(workers, mp_context=context, initializer=one_opencv_thread) as pool:
            futures: dict[Future[Result], Job] = {pool.submit(function, job): job for job in jobs}
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
    """

    def __init__(self, address: str = "local", workers: int | None = None) -> None:
        self.address = address
        self.workers = workers if workers is not None else default_jobs()

    def map_unordered(
        self, function: Callable[[Job], Result], jobs: Sequence[Job]
    ) -> Iterator[tuple[Job, Result | BaseException]]:
        """Yield ``(job, result or exception)`` per job as each finishes on the cluster."""
        try:
            import dask
            from distributed import Client, LocalCluster
            from distributed import as_completed as dask_completed
        except ImportError:
            raise DaskUnavailableError() from None
        with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
            if self.address == "local":
                cluster = LocalCluster(  # type: ignore[no-untyped-call]  # distributed is not annotated
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=40,
                )
                client = Client(cluster)  # type: ignore[no-untyped-call]
                client.run(one_opencv_thread)
            else:
                cluster = None
                client = Client(self.address, timeout="30s")  # type: ignore[no-untyped-call]
        try:
            futures = client.map(function, list(jobs), pure=False)
            owners = {future.key: job for future, job in zip(futures, jobs, strict=True)}
            for future in dask_completed(futures):  # type: ignore[no-untyped-call]
                yield owners[future.key], _outcome(future)
        finally:
            client.close()  # type: ignore[no-untyped-call]
            if cluster is not None:
                cluster.close()
