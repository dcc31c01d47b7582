"""Worker processes: the parse and extraction units of a run, run in parallel, one publisher writing.

A unit of work is a plain function and its picklable arguments (a file to parse, a batch of
pending rows to extract); its result is small (Parquet paths, Arrow tables). ``WorkerPool.map``
runs the units in ``workers`` processes (``concurrent.futures.ProcessPoolExecutor``) and hands the
results back in submission order to the one process that holds the warehouse, so DuckDB keeps a
single writer. Under Prefect the flow passes its own ``submit`` (its task runner's), and the very
same loop runs the units as Prefect tasks: in a process pool here, on Dask, or in the pods of a
Kubernetes work pool.

Small runs never pay for a pool: with a single unit, or ``workers=1``, the work runs in this
process. The pool starts with the second unit, in ``spawn`` mode (a fork of a process that holds a
DuckDB connection and Prefect's threads is not safe). As with any spawned pool, a script that calls
fmwatch with ``workers`` > 1 keeps its own top-level work under ``if __name__ == "__main__":`` (each
worker imports the script's module); the ``fmwatch`` command and the flows do.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

__all__ = ["BrokenProcessPool", "WorkerPool", "default_workers", "fewer_collections"]


def default_workers() -> int:
    """The default ``workers`` setting: one process per CPU this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class _Result(Protocol):
    def result(self) -> Any: ...


Submit = Callable[..., _Result]  # submit(fn, *args) -> a future with .result()


# Python's default (700, 10, 10) runs a young collection every 700 net allocations, and a full one
# that walks every live object (a publisher's imports: ~250k objects) every 70,000: parsing and
# extraction make millions of short-lived objects and few cycles. Measured (bench/run.py, the 604
# real MEDLINE records): garbage collection took 19% of the CPU of an import without extraction.
FEWER_COLLECTIONS = (50_000, 20, 20)


def _worker_started() -> None:
    """Each worker's first step: collect less often (``FEWER_COLLECTIONS``); what the worker imported
    is frozen out of the collector's walks."""
    gc.set_threshold(*FEWER_COLLECTIONS)
    gc.freeze()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect less often while a run's loop runs in this process (the publisher, and the units a
    single worker runs in place): the thresholds of ``FEWER_COLLECTIONS``, the objects that exist at
    the start moved out of the collector's walks (``gc.freeze``). Both are put back on exit, and
    nested uses leave it to the outermost."""
    before = gc.get_threshold()
    if before == FEWER_COLLECTIONS:  # already inside one (or a worker): nothing to change
        yield
        return
    gc.freeze()
    gc.set_threshold(*FEWER_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


class _Deferred:
    """A unit run in this process when its result is asked for (so ``map`` keeps one unit in memory)."""

    def __init__(self, fn: Callable, args: tuple):
        self.fn, self.args = fn, args

    def result(self) -> Any:
        return self.fn(*self.args)


class WorkerPool:
    """Run work units in ``workers`` processes (or through ``submit``), results in order.

    Use it as a context manager; leaving it shuts the processes down (cancelling what has not
    started when an error ends the run). ``submit``, when given, replaces the process pool: the
    Prefect flows pass one that submits each unit as a task to the flow's task runner.
    """

    def __init__(self, workers: int = 1, submit: Submit | None = None):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self._submit = submit
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=exc_type is not None)
            self._executor = None

    @property
    def parallel(self) -> bool:
        return self._submit is not None or self.workers > 1

    def _start(self, fn: Callable, args: tuple) -> _Result:
        if self._submit is not None:
            return self._submit(fn, *args)
        if self._executor is None:
            self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_worker_started)
        return self._executor.submit(fn, *args)

    def map(self, fn: Callable, units: Iterable[tuple], in_flight: int | None = None) -> Iterator[Any]:
        """``fn(*unit)`` for every unit, yielded in the units' order.

        At most ``in_flight`` units (default: twice the workers) are submitted and not yet
        consumed, so a long iterable of units (the pending rows of a 38M-record warehouse) never
        sits in memory at once; the units are drawn from ``units`` lazily. A unit's exception is
        raised here, at its turn; a worker that dies raises ``BrokenProcessPool``.
        """
        units = iter(units)
        first = next(units, None)
        if first is None:
            return
        second = next(units, None)
        if second is None or not self.parallel:  # one unit, or one worker: no pool to start
            yield _Deferred(fn, first).result()
            if second is not None:
                yield _Deferred(fn, second).result()
                for unit in units:
                    yield _Deferred(fn, unit).result()
            return
        limit = in_flight or 2 * self.workers
        pending: deque[_Result | Future] = deque([self._start(fn, first), self._start(fn, second)])
        for unit in units:
            while len(pending) >= limit:
                yield pending.popleft().result()
            pending.append(self._start(fn, unit))
        while pending:
            yield pending.popleft().result()
