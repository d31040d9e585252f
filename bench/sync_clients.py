"""Simulated laptops for bench/sync.py: only httpx over loopback HTTPS, speaking the team
server's HTTP API (design.md "HTTP API") as issue 12's client will.

A laptop logs in (``POST /v1/login``), pushes batches (``POST /v1/sync/push``) and pulls
pages from its cursor (``GET /v1/sync/pull``) until the server says no more is waiting.
The figures are wall times seen by the client, TLS and JSON included. Bodies are parsed
with orjson, as a laptop's sync client parses them (it is a runtime dependency): the
standard library's parser takes half again as long for a page of 2,500 rows, time the
simulated laptops would take from the server on the machine they share with it.
"""

from __future__ import annotations

import asyncio
import gc
import ssl
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson

DEVICE_HEADER = "X-Boligsag-Device"
TIMEOUT = httpx.Timeout(120.0)
RETRIES = 3


def _json(response: httpx.Response) -> Any:
    return orjson.loads(response.content)


@dataclass
class Login:
    headers: dict[str, str]
    user_uuid: str
    device_id: str


def login(client: httpx.Client, username: str, password: str,
          device: str | None = None) -> Login:
    """A token for ``device`` (a new device id by default); tokens last 15 minutes."""
    device = device or str(uuid.uuid4())
    response = client.post("/v1/login", json={
        "username": username, "password": password, "device_id": device,
        "device_name": f"bench {username}"})
    response.raise_for_status()
    doc = _json(response)
    return Login({"Authorization": f"Bearer {doc['token']}", DEVICE_HEADER: device},
                 doc["user"]["uuid"], device)


def batch(changes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"batch_id": str(uuid.uuid4()), "changes": changes, "audit": []}


@dataclass
class PullStats:
    rows: int = 0
    pages: int = 0
    seconds: float = 0.0
    bytes: int = 0
    cursor: str | None = None
    tables: Counter[str] = field(default_factory=Counter)
    seen: list[tuple[str, str, int]] = field(default_factory=list)  # (table, uuid, version)


def pull_all(client: httpx.Client, who: Login, cursor: str | None, limit: int, *,
             keep: Callable[[dict[str, Any]], bool] | None = None
             ) -> tuple[PullStats, list[dict[str, Any]]]:
    """Every page from ``cursor`` on; returns the stats and the rows ``keep`` accepts
    (the rest are counted, not held: a team lead's replica is ~860,000 rows)."""
    stats, kept = PullStats(cursor=cursor), []
    started = time.perf_counter()
    while True:
        params = {"limit": str(limit)} | ({"cursor": stats.cursor} if stats.cursor else {})
        response = client.get("/v1/sync/pull", params=params, headers=who.headers)
        response.raise_for_status()
        stats.bytes += len(response.content)
        page = _json(response)
        stats.pages += 1
        stats.rows += len(page["rows"])
        for row in page["rows"]:
            stats.tables[row["table"]] += 1
            if keep is not None and keep(row):
                kept.append(row)
        stats.cursor = page["cursor"]
        if not page["more"]:
            break
    stats.seconds = time.perf_counter() - started
    return stats, kept


def push(client: httpx.Client, who: Login, changes: list[dict[str, Any]]) -> dict[str, Any]:
    response = client.post("/v1/sync/push", json=batch(changes), headers=who.headers)
    if response.status_code != 200:  # the server's message names table and reason only
        raise RuntimeError(f"push answered {response.status_code}: {response.text[:300]}")
    return _json(response)


def edits_of(rows: list[dict[str, Any]], round_no: int) -> list[dict[str, Any]]:
    """A change of two fields of each row (a laptop's day of corrections)."""
    return [{"table": row["table"], "uuid": row["uuid"], "base_version": row["version"],
             "deleted": False,
             "fields": {"duration_minutes": 5 + (round_no * 7 + i) % 115,
                        "note": f"Opfølgning {round_no}: aftalt nyt møde."}}
            for i, row in enumerate(rows)]


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (p95 of 50 values is the 48th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-int(fraction * 100) * len(ordered) // 100))
    return ordered[rank - 1]


# -- 50 laptops at once --------------------------------------------------------------------


@dataclass
class Laptop:
    username: str
    base_url: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    login: Login | None = None
    client: httpx.AsyncClient | None = None
    cursor: str | None = None
    push_seconds: float = 0.0
    pull_seconds: float = 0.0
    pushed_at: float = 0.0  # perf_counter when its push was answered
    result: dict[str, Any] = field(default_factory=dict)
    seen: Counter[tuple[str, str]] = field(default_factory=Counter)  # (table, uuid)
    versions: dict[tuple[str, str], int] = field(default_factory=dict)
    error: str = ""
    server_errors: int = 0  # 5xx answers, each retried
    dropped: int = 0  # connections closed under a request, each retried


def laptop_changes(laptop_no: int, user_uuid: str, people: list[tuple[str, int]],
                   template: dict[str, Any], changes: int, edits: int) -> list[dict[str, Any]]:
    """``changes`` changes: ``edits`` edits of people only this laptop edits (phone
    number, base version as pulled) and new contacts with one of those people, copied
    from an existing contact of the area with this laptop's user as staff."""
    mine = people[laptop_no * edits:(laptop_no + 1) * edits]
    out: list[dict[str, Any]] = [
        {"table": "people", "uuid": person, "base_version": version, "deleted": False,
         "fields": {"phone": f"+45 20{laptop_no:02d}{i:04d}"}}
        for i, (person, version) in enumerate(mine)]
    when = datetime(2026, 11, 30, 9, 0)
    for k in range(changes - len(out)):
        fields = dict(template) | {
            "staff_user": user_uuid, "people": [mine[k % len(mine)][0]],
            "occurred_at": (when + timedelta(minutes=k * 10)).isoformat(),
            "note": f"Kort snak ved opgangen ({laptop_no}-{k}).", "duration_minutes": 10}
        out.append({"table": "contacts", "uuid": str(uuid.uuid4()), "base_version": None,
                    "deleted": False, "fields": fields})
    return out


async def _send(laptop: Laptop, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request, sent again (up to RETRIES times, a second apart) when the server
    answers 5xx or the connection drops (uvicorn closes a keep-alive connection idle for
    5 s, which can cross a new request), as a laptop would retry; each is counted in
    ``laptop.server_errors``. A push may be sent again: its batch id makes it idempotent."""
    assert laptop.client is not None and laptop.login is not None
    for attempt in range(RETRIES + 1):
        try:
            response = await laptop.client.request(method, path,
                                                   headers=laptop.login.headers, **kwargs)
        except httpx.TransportError:
            if attempt == RETRIES:
                raise
            laptop.dropped += 1
            continue
        if response.status_code < 500 or attempt == RETRIES:
            response.raise_for_status()
            return response
        laptop.server_errors += 1
        await asyncio.sleep(1.0)  # a client's back-off, not a synchronisation
    raise AssertionError("unreachable")


async def _pull_into(laptop: Laptop, limit: int) -> None:
    while True:
        params = {"limit": str(limit)} | ({"cursor": laptop.cursor} if laptop.cursor else {})
        response = await _send(laptop, "GET", "/v1/sync/pull", params=params)
        page = _json(response)
        for row in page["rows"]:
            key = (row["table"], row["uuid"])
            laptop.seen[key] += 1
            laptop.versions[key] = row["version"]
        laptop.cursor = page["cursor"]
        if not page["more"]:
            return


async def _sync(laptop: Laptop, start: asyncio.Event, limit: int) -> None:
    assert laptop.client is not None and laptop.login is not None
    await start.wait()
    try:
        started = time.perf_counter()
        response = await _send(laptop, "POST", "/v1/sync/push", json=batch(laptop.changes))
        laptop.result = _json(response)
        laptop.pushed_at = time.perf_counter()
        laptop.push_seconds = laptop.pushed_at - started
        await _pull_into(laptop, limit)
        laptop.pull_seconds = time.perf_counter() - laptop.pushed_at
    except httpx.HTTPError as error:
        laptop.error = f"{type(error).__name__}: {error}"


async def _login(laptop: Laptop, password: str, context: ssl.SSLContext,
                 gate: asyncio.Semaphore) -> None:
    laptop.client = httpx.AsyncClient(base_url=laptop.base_url, verify=context,
                                      timeout=TIMEOUT)
    device = str(uuid.uuid4())
    async with gate:
        response = await laptop.client.post("/v1/login", json={
            "username": laptop.username, "password": password, "device_id": device,
            "device_name": f"bench {laptop.username}"})
    response.raise_for_status()
    doc = _json(response)
    laptop.login = Login({"Authorization": f"Bearer {doc['token']}", DEVICE_HEADER: device},
                         doc["user"]["uuid"], device)


@dataclass(frozen=True)
class CrowdRun:
    laptops: list[Laptop]
    wall_seconds: float      # first push sent to last pull answered
    push_span_seconds: float  # first push sent to last push answered
    cpu_seconds: dict[str, float]  # per part of the machine, first push to last pull


async def crowd(laptops: list[Laptop], password: str, context: ssl.SSLContext, limit: int,
                bound_seconds: float, make_changes: Any,
                cpu: Callable[[], dict[str, float]]) -> CrowdRun:
    """Log every laptop in (untimed, two at a time), then let all of them push and pull
    at once; then each pulls once more to catch what others committed after its pull.
    ``cpu`` reads the CPU seconds spent so far (sync_cpu.probe), taken around the timed
    part."""
    gate = asyncio.Semaphore(2)
    await asyncio.gather(*(_login(laptop, password, context, gate) for laptop in laptops))
    for n, laptop in enumerate(laptops):
        assert laptop.login is not None
        laptop.changes = make_changes(n, laptop.login.user_uuid)
    start = asyncio.Event()
    tasks = [asyncio.create_task(_sync(laptop, start, limit)) for laptop in laptops]
    # 50 laptops' heaps share this one process: without this, every collection while
    # one laptop parses a page would also walk the pages the others hold (and an earlier
    # phase's), work that no single laptop does.
    gc.collect()
    gc.freeze()
    cpu_before = cpu()
    started = time.perf_counter()
    start.set()
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), bound_seconds)
        wall = time.perf_counter() - started
        cpu_after = cpu()
        push_span = max(laptop.pushed_at for laptop in laptops) - started
        await asyncio.wait_for(asyncio.gather(*(_pull_into(laptop, limit)
                                                for laptop in laptops)), bound_seconds)
    finally:
        for laptop in laptops:
            if laptop.client is not None:
                await laptop.client.aclose()
    return CrowdRun(laptops, wall, push_span,
                    {k: cpu_after[k] - cpu_before[k] for k in cpu_before})


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p95": percentile(values, 0.95),
            "max": max(values)}
