"""The one writer of the rating log and the schedules: a thread, a connection, a queue.

A rating is a few small statements, and through aiosqlite every statement is a hand-off to
its thread and back (~60 us each), which capped ingest near 850 ratings/s. Here a whole unit
of work is a plain function of a `sqlite3.Connection` run in the writer's own thread, and the
units queued meanwhile share one transaction: one hand-off and one commit per batch.

Rules:
- `submit` queues synchronously and returns a future, so units apply in the order they were
  submitted (callers that must order events, such as `PostLocks` holders, submit under their
  lock and may await outside it).
- A future resolves only after its batch has committed: an answer acknowledged to a member
  is on disk (as durable as WAL with synchronous=NORMAL makes it).
- A unit that raises is rolled back alone and its future gets the exception; the rest of
  the batch commits (see `_apply`). A failed BEGIN or COMMIT fails the whole batch.
- A reaction queued but not committed when the process dies is still on Discord; the
  reconciliation at start records it (`CardPoster.reconcile`, posts of the last 7 days).
- Batches take the FIFO `turn` lock shared with the other connection's write transactions.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# Units per transaction at most: keeps one batch's latency to tens of milliseconds.
MAX_BATCH = 256

Unit = Callable[[sqlite3.Connection], Any]


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


class _UnitError(Exception):
    """A unit raised in a batch run without savepoints."""


class WriterClosedError(RuntimeError):
    """Work was submitted after the writer was closed."""


class Writer:
    """Runs units of work on a connection of its own, in order, a batch per transaction."""

    def __init__(self, executor: ThreadPoolExecutor, db: sqlite3.Connection) -> None:
        self._executor = executor
        self._db: sqlite3.Connection | None = db
        self._queue: deque[tuple[Unit, asyncio.Future[Any]]] = deque()
        self._draining: asyncio.Task[None] | None = None
        self._closed = False
        # The write turn, shared with the bot's other connection (`Database.transaction`):
        # FIFO, so under a flood of ratings the other writes still get in between batches
        # instead of polling SQLite's lock against a writer that always retakes it first.
        self.turn = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, pragmas: tuple[str, ...]) -> Writer:
        def connect() -> sqlite3.Connection:
            db = sqlite3.connect(path, isolation_level=None)
            db.row_factory = sqlite3.Row
            for pragma in pragmas:
                db.execute(pragma)
            return db

        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flashdrop-writer")
        try:
            db = await asyncio.get_running_loop().run_in_executor(executor, connect)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(executor, db)

    def submit(self, unit: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue `unit`; the future resolves to its result once its batch has committed."""
        if self._closed:
            raise WriterClosedError("the database writer is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.append((unit, future))
        # done(): a drain task cancelled before it ever ran never cleared `_draining`.
        if self._draining is None or self._draining.done():
            self._draining = loop.create_task(self._drain(), name="flashdrop-writer-drain")
        return future

    async def close(self) -> None:
        """Finish the queued work, then close the connection and the thread."""
        self._closed = True
        if self._draining is not None and not self._draining.done():
            await asyncio.wait({self._draining})  # its end, not its fate: close goes on
        if self._queue:  # left by a drain that was cancelled (the loop shutting down)
            await self._drain()
        db, self._db = self._db, None
        if db is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, db.close)
        self._executor.shutdown(wait=True)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                async with self.turn:
                    batch = [self._queue.popleft() for _ in range(min(MAX_BATCH, len(self._queue)))]
                    units = [unit for unit, _ in batch]
                    applied = loop.run_in_executor(self._executor, self._apply, units)
                    try:
                        await asyncio.wait({applied})
                    except asyncio.CancelledError:
                        # The thread cannot be stopped: let the batch end, tell its callers
                        # how it ended (it may well have committed), then stop.
                        await asyncio.wait({applied})
                        _settle(batch, applied)
                        raise
                    _settle(batch, applied)
        finally:
            self._draining = None

    def _apply(self, units: list[Unit]) -> list[Any]:
        """In the writer's thread: every unit in one transaction.

        Units run bare first; if one raises, that transaction is rolled back and the batch
        runs again with each unit in a savepoint, so only the failing one is undone. (A unit
        acts on the database only, so running it twice is safe.)
        """
        try:
            return self._transaction(units, isolate=False)
        except _UnitError:
            return self._transaction(units, isolate=True)

    def _transaction(self, units: list[Unit], *, isolate: bool) -> list[Any]:
        db = self._db
        if db is None:
            raise WriterClosedError("the database writer is closed")
        outcomes: list[Any] = []
        # IMMEDIATE takes the write lock up front: no upgrade deadlock with the bot's other
        # connection, a backup or the export CLI reading the same file.
        db.execute("BEGIN IMMEDIATE")
        try:
            for unit in units:
                if not isolate:
                    try:
                        outcomes.append(unit(db))
                    except Exception as error:
                        raise _UnitError from error
                    continue
                db.execute("SAVEPOINT unit")
                try:
                    outcomes.append(unit(db))
                except Exception as error:
                    db.execute("ROLLBACK TO unit")
                    outcomes.append(_Failed(error))
                db.execute("RELEASE unit")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return outcomes


def _settle(batch: list[tuple[Unit, asyncio.Future[Any]]], applied: asyncio.Future[Any]) -> None:
    """Hand each caller its unit's outcome (a failed BEGIN or COMMIT fails them all)."""
    error = applied.exception()
    outcomes = [_Failed(error)] * len(batch) if error is not None else applied.result()
    for (_, future), outcome in zip(batch, outcomes, strict=True):
        if future.done():  # the caller gave up waiting; the work stands
            continue
        if isinstance(outcome, _Failed):
            future.set_exception(outcome.error)
        else:
            future.set_result(outcome)
