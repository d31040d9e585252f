"""How many requests of one instance work in the database at once.

Every request's database work runs in a worker thread on one pooled connection
(services/server/handle.py). The gate lets in as many requests as the pool has
connections (``database_connections`` in server.json) and makes the others wait here, in
the order they came, rather than in the pool, which gives up after its timeout; Starlette's
own thread pool (40 threads) would otherwise let four times a default pool's requests
reach for a connection at once. A request that waits longer than ``QUEUE_WAIT`` seconds
is answered 503 ``busy`` with Retry-After (app.py), and the laptop tries again later.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

__all__ = ["QUEUE_WAIT", "RETRY_AFTER", "DbGate", "ServerBusy"]

T = TypeVar("T")

QUEUE_WAIT = 60.0  # seconds a request may wait for its turn
RETRY_AFTER = 5  # seconds, the Retry-After of a 503


class ServerBusy(Exception):
    """No turn in the database within QUEUE_WAIT (or the pool gave none)."""


class DbGate:
    def __init__(self, size: int) -> None:
        self.size = size
        # Made on first use, inside the event loop that serves the requests.
        self._turns: anyio.CapacityLimiter | None = None
        self._threads: anyio.CapacityLimiter | None = None

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` in a worker thread once it is this request's
        turn; ServerBusy if that takes longer than QUEUE_WAIT."""
        if self._turns is None or self._threads is None:
            self._turns = anyio.CapacityLimiter(self.size)
            # The workers' own limiter, as large as the gate: Starlette's default one is
            # shared with its other thread work and caps a larger gate at 40.
            self._threads = anyio.CapacityLimiter(self.size)
        turns, threads = self._turns, self._threads
        with anyio.move_on_after(QUEUE_WAIT) as waiting:
            await turns.acquire()  # a cancelled wait leaves no token taken (anyio)
        if waiting.cancelled_caught:
            raise ServerBusy()
        try:
            return await anyio.to_thread.run_sync(
                functools.partial(function, *args, **kwargs), limiter=threads)
        finally:
            turns.release()

