"""How many requests of one instance work in the database at once.

Every request's database work runs in a worker thread on one pooled connection
(services/server/handle.py). The gate lets in as many requests as the pool has
connections (``database_connections`` in server.json) and makes the others wait here, in
the order they came, rather than in the pool, which gives up after its timeout; Starlette's
own thread pool (40 threads) would otherwise let four times a default pool's requests
reach for a connection at once. A request that waits longer than its queue wait
(``queue_wait_seconds`` in server.json, default ``DEFAULT_QUEUE_WAIT`` = 20 s) is
answered 503 ``busy`` with Retry-After (app.py), and the laptop tries again later.
A login's password check runs between two turns, holding none (``password_check``), so a
burst of logins leaves the connections to the syncs; its three turns come within one
queue wait together (``deadline``, ``run_by``).

Client timeout: the laptop's HTTP client (issue 12) must wait longer for an answer than
a request can wait here plus the request's own work, or it gives up on requests the
server still answers, and sends them again into the same queue. It uses a read timeout
of ``CLIENT_TIMEOUT`` (60 s); server.json's queue wait is limited to
``MAX_QUEUE_WAIT`` (50 s), which leaves at least 10 s for the work itself (a push of
1,000 records takes about 2 s, a pull page well under 1 s, a login's Argon2id about
0.5 s).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
import anyio.to_thread

__all__ = ["CLIENT_TIMEOUT", "DEFAULT_QUEUE_WAIT", "MAX_QUEUE_WAIT", "PASSWORD_CHECKS",
           "RETRY_AFTER", "Checker", "DbGate", "ServerBusy"]

T = TypeVar("T")
Checker = Callable[..., Awaitable[Any]]  # runs a function in a password check's thread

DEFAULT_QUEUE_WAIT = 20.0  # seconds a request may wait for its turn
CLIENT_TIMEOUT = 60.0  # seconds, the laptop client's read timeout (see above)
MAX_QUEUE_WAIT = 50.0  # CLIENT_TIMEOUT less 10 s for the request's own work
RETRY_AFTER = 5  # seconds, the Retry-After of a 503
# Logins in their password-check turn at once (``password_check``). The Argon2id runs
# themselves take turns in the process (storage/kdf.py), each spread over the
# processors; two turns let one login's database steps overlap another's run.
PASSWORD_CHECKS = 2


class ServerBusy(Exception):
    """No turn in the database within the queue wait (or the pool gave none)."""


class DbGate:
    def __init__(self, size: int, queue_wait: float = DEFAULT_QUEUE_WAIT) -> None:
        self.size = size
        self.queue_wait = queue_wait
        self.checks = PASSWORD_CHECKS
        # Made on first use, inside the event loop that serves the requests.
        self._turns: anyio.CapacityLimiter | None = None
        self._threads: anyio.CapacityLimiter | None = None
        self._checks: anyio.CapacityLimiter | None = None
        self._check_threads: anyio.CapacityLimiter | None = None

    def deadline(self) -> float:
        """One queue wait from now, on the event loop's clock: the turns of a request
        that needs several (a login) all come by then, or it is answered busy."""
        return anyio.current_time() + self.queue_wait

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` in a worker thread once it is this request's
        turn; ServerBusy if that takes longer than the queue wait."""
        return await self.run_by(self.deadline(), function, *args, **kwargs)

    async def run_by(self, deadline: float, function: Callable[..., T], *args: Any,
                     **kwargs: Any) -> T:
        """``run``, waiting for the turn until ``deadline`` (see ``deadline()``)."""
        if self._turns is None or self._threads is None:
            self._turns = anyio.CapacityLimiter(self.size)
            # The workers' own limiter, as large as the gate: Starlette's default one is
            # shared with its other thread work and caps a larger gate at 40.
            self._threads = anyio.CapacityLimiter(self.size)
        turns, threads = self._turns, self._threads
        await _acquire(turns, deadline)
        try:
            return await anyio.to_thread.run_sync(
                functools.partial(function, *args, **kwargs), limiter=threads)
        finally:
            turns.release()

    @asynccontextmanager
    async def password_check(self, deadline: float | None = None) -> AsyncIterator[Checker]:
        """A turn to check one password, at most ``checks`` at once. A login takes it
        before its first database step (which counts the attempt), so a counted attempt
        is never answered busy for want of a check; ServerBusy if no turn came by
        ``deadline`` (one queue wait from now if None). Inside, ``await check(function,
        *args)`` runs ``function`` in a worker thread that holds no database turn."""
        if self._checks is None or self._check_threads is None:
            self._checks = anyio.CapacityLimiter(self.checks)
            self._check_threads = anyio.CapacityLimiter(self.checks)
        checks, threads = self._checks, self._check_threads
        await _acquire(checks, self.deadline() if deadline is None else deadline)

        async def check(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            return await anyio.to_thread.run_sync(
                functools.partial(function, *args, **kwargs), limiter=threads)

        try:
            yield check
        finally:
            checks.release()


async def _acquire(turns: anyio.CapacityLimiter, deadline: float) -> None:
    """A token of ``turns``: at once if one is free, else waiting until ``deadline``
    (ServerBusy then). A free turn is taken even after the deadline: a login that
    waited for its check is not refused its last step while the database is idle."""
    try:
        turns.acquire_nowait()
        return
    except anyio.WouldBlock:
        pass
    with anyio.CancelScope(deadline=deadline) as waiting:
        await turns.acquire()  # a cancelled wait leaves no token taken (anyio)
    if waiting.cancelled_caught:
        raise ServerBusy()
