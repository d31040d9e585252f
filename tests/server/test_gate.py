"""The gate's waits (server/gate.py): a login's three turns (password check, two
database steps) come within one queue wait together, as a single request's turn does,
so the laptop's client (60 s) never gives up on a login the server still answers."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from boligsag.server.gate import DbGate, ServerBusy

WAIT = 30  # seconds: the holders' longest hold, never reached


def test_a_logins_turns_share_one_queue_wait() -> None:
    async def main() -> float:
        gate = DbGate(1, queue_wait=1.0)
        database_free = threading.Event()
        checks_held = anyio.Event()
        async with anyio.create_task_group() as tasks:
            async def hold_check() -> None:
                async with gate.password_check():
                    checks_held.set()
                    await anyio.sleep(0.9)  # the other logins' checks

            for _ in range(gate.checks):
                tasks.start_soon(hold_check)
            tasks.start_soon(gate.run, database_free.wait, WAIT)  # a long pull
            await checks_held.wait()
            started = time.monotonic()
            deadline = gate.deadline()
            try:
                with pytest.raises(ServerBusy):
                    async with gate.password_check(deadline):  # waits 0.9 s
                        await gate.run_by(deadline, lambda: None)  # the rest of 1 s
            finally:
                database_free.set()
            return time.monotonic() - started

    waited = anyio.run(main)
    # One queue wait in all; each turn waiting its own would be 0.9 s + 1 s.
    assert 0.9 <= waited < 1.5


def test_a_free_turn_is_taken_even_after_the_deadline() -> None:
    async def main() -> str:
        gate = DbGate(1, queue_wait=1.0)
        return await gate.run_by(anyio.current_time() - 1, lambda: "done")

    assert anyio.run(main) == "done"
