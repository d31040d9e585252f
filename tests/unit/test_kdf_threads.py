"""Argon2id runs from several threads at once (the team server checks logins in worker
threads) all finish with the right result: with more than one lane, OpenSSL's own
thread pool made two simultaneous runs hang or fail with a MemoryError."""

from __future__ import annotations

import threading

from boligsag.storage.kdf import KdfParams

WAIT = 30  # seconds; each run takes milliseconds


def test_runs_from_several_threads_at_once_all_finish() -> None:
    params = KdfParams(memory_cost=1024, iterations=1, lanes=4)  # lanes as in production
    expected = params.derive(b"korrekt-hest-batteri", b"s" * 16)
    start = threading.Barrier(4, timeout=WAIT)
    results: list[bytes | BaseException] = []

    def run() -> None:
        start.wait()
        try:
            results.append(params.derive(b"korrekt-hest-batteri", b"s" * 16))
        except Exception as error:
            results.append(error)

    for _ in range(5):
        results.clear()
        threads = [threading.Thread(target=run, daemon=True) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT)
        assert not any(thread.is_alive() for thread in threads), "a run never finished"
        assert results == [expected] * 4
