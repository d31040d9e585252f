"""How many requests of one instance work in the database at once.

Every request's database work runs in a worker thread on one pooled connection
(services/server/handle.py). The gate lets in as many requests as the pool has
connections (``database_connections`` in server.json) and makes the others wait here, in
the order they came, rather than in the pool, which gives up after its timeout; Starlette's
own thread pool (40 threads) would otherwise let four times a default pool's requests
reach for a connection at once. A request that waits longer than its queue wait
(``queue_wait_seconds`` in server.json, default ``DEFAULT_QUEUE_WAIT`` = 20 s) is
answered 503 ``busy`` with Retry-After (app.py), and the laptop tries again later.

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
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

__all__ = ["CLIENT_TIMEOUT", "DEFAULT_QUEUE_WAIT", "MAX_QUEUE_WAIT", "RETRY_AFTER", "DbGate",
           "ServerBusy"]

T = TypeVar("T")

DEFAULT_QUEUE_WAIT = 20.0  # seconds a request may wait for its turn
CLIENT_TIMEOUT = 60.0  # seconds, the laptop client's read timeout (see above)
MAX_QUEUE_WAIT = 50.0  # CLIENT_TIMEOUT less 10 s for the request's own work
RETRY_AFTER = 5  # seconds, the Retry-After of a 503


class ServerBusy(Exception):
    """No turn in the database within the queue wait (or the pool gave none)."""


class DbGate:
    def __init__(self, size: int, queue_wait: float = DEFAULT_QUEUE_WAIT) -> None:
        self.size = size
        self.queue_wait = queue_wait
        # Made on first use, inside the event loop that serves the requests.
        self._turns: anyio.CapacityLimiter | None = None
        self._threads: anyio.CapacityLimiter | None = None

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` in a worker thread once it is this request's
        turn; ServerBusy if that takes longer than the queue wait."""
        if self._turns is None or self._threads is None:
            self._turns = anyio.CapacityLimiter(self.size)
            # The workers' own limiter, as large as the gate: Starlette's default one is
            # shared with its other thread work and caps a larger gate at 40.
            self._threads = anyio.CapacityLimiter(self.size)
        turns, threads = self._turns, self._threads
        with anyio.move_on_after(self.queue_wait) as waiting:
            await turns.acquire()  # a cancelled wait leaves no token taken (anyio)
        if waiting.cancelled_caught:
            raise ServerBusy()
        try:
            return await anyio.to_thread.run_sync(
                functools.partial(function, *args, **kwargs), limiter=threads)
        finally:
            turns.release()

