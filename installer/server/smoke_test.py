"""Checks a running Boligsag team server end to end, as a laptop would talk to it.

    python smoke_test.py https://server.example.dk:8443 --fingerprint AB:CD:…:EF \
        [--username admin]

The password comes from BOLIGSAG_PASSWORD or a prompt. Uses only httpx and Python's
standard library, so it runs from any machine with Python and httpx (the server's own
virtual environment has both), with no Boligsag code.

Steps, each timed: the certificate matches the fingerprint `boligsag server init`
printed (the laptop's pin); health; log-in; a full pull; a push that creates one person
("Røgtest Server", fictional); the same batch again (answered from the server's record,
nothing applied twice); a pull from the saved cursor returns exactly that person; a push
that deletes it; a last pull shows the deletion. The person stays on the server as a
deleted row (nothing is ever discarded): run it on a new server, before real data.
Exit code 0 when every step passed, 1 with the failing step otherwise.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import os
import socket
import ssl
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

PERSON = {"first_name": "Røgtest", "last_name": "Server"}


class SmokeFailed(Exception):
    pass


def pinned_context(host: str, port: int, fingerprint: str) -> ssl.SSLContext:
    """A TLS context that trusts exactly the server's certificate, after checking it
    against the fingerprint (SHA-256 of its DER form, as `server init` printed it)."""
    pem = ssl.get_server_certificate((host, port), timeout=10)
    seen = ":".join(f"{b:02X}" for b in hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).digest())
    wanted = fingerprint.strip().upper()
    if seen != wanted:
        raise SmokeFailed(f"the server's certificate is {seen}, not the pinned {wanted}")
    context = ssl.create_default_context(cadata=pem)
    # The pinned certificate is the only trust anchor, so a self-signed one (or the leaf
    # of the organisation's own chain) verifies; its names are checked as usual.
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def expect(response: httpx.Response, status: int = 200) -> Any:
    if response.status_code != status:
        raise SmokeFailed(f"{response.request.method} {response.request.url.path}: "
                          f"HTTP {response.status_code} {response.text[:300]}")
    return response.json()


def pull_all(client: httpx.Client, cursor: str | None) -> tuple[list[dict[str, Any]], str]:
    rows: list[dict[str, Any]] = []
    while True:
        params = {"limit": "500", **({"cursor": cursor} if cursor else {})}
        page = expect(client.get("/v1/sync/pull", params=params))
        rows += page["rows"]
        cursor = page["cursor"]
        if not page["more"]:
            return rows, cursor


def run(url: str, fingerprint: str, username: str, password: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise SmokeFailed("the URL must be https://HOST:PORT")
    host, port = parts.hostname, parts.port or 443
    device_id = str(uuid.uuid4())

    def step(name: str, action: Callable[[], str]) -> None:
        started = time.perf_counter()
        detail = action()
        print(f"ok  {name:<34} {(time.perf_counter() - started) * 1000:7.1f} ms  {detail}",
              flush=True)

    state: dict[str, Any] = {}

    def pin() -> str:
        state["tls"] = pinned_context(host, port, fingerprint)
        return "SHA-256 " + fingerprint[:17] + "…"
    step("certificate matches the pin", pin)
    with httpx.Client(base_url=url.rstrip("/"), verify=state["tls"], timeout=60) as client:
        step("health", lambda: expect(client.get("/v1/health"))["status"])

        def login() -> str:
            answer = expect(client.post("/v1/login", json={
                "username": username, "password": password, "device_id": device_id,
                "device_name": f"smoke test on {socket.gethostname()}"}))
            client.headers["Authorization"] = f"Bearer {answer['token']}"
            client.headers["X-Boligsag-Device"] = device_id
            return f"{answer['user']['username']} ({answer['user']['role']})"
        step("log-in", login)

        def first_pull() -> str:
            rows, state["cursor"] = pull_all(client, None)
            return f"{len(rows)} rows"
        step("full pull", first_pull)

        person = str(uuid.uuid4())
        create = {"batch_id": str(uuid.uuid4()), "audit": [], "changes": [{
            "table": "people", "uuid": person, "base_version": None, "deleted": False,
            "fields": PERSON}]}

        def push_create() -> str:
            state["result"] = result = expect(client.post("/v1/sync/push", json=create))
            applied = [a for a in result["applied"] if a["uuid"] == person]
            if len(applied) != 1 or result["conflicts"]:
                raise SmokeFailed(f"push not applied as one new row: {result}")
            state["version"] = applied[0]["version"]
            return f"people {person} version {state['version']}"
        step("push: create a person", push_create)

        def push_again() -> str:
            if expect(client.post("/v1/sync/push", json=create)) != state["result"]:
                raise SmokeFailed("the same batch pushed again gave another result")
            return "the stored result"
        step("push the same batch again", push_again)

        def pull_created() -> str:
            rows, state["cursor"] = pull_all(client, state["cursor"])
            mine = [r for r in rows if r["uuid"] == person]
            if len(mine) != 1 or mine[0]["version"] != state["version"] or mine[0]["deleted"]:
                raise SmokeFailed(f"the pushed person did not come back once: {mine}")
            fields = mine[0]["fields"]
            if {k: fields.get(k) for k in PERSON} != PERSON:
                raise SmokeFailed("the pulled person has other names than the pushed one")
            return f"{len(rows)} row(s) since the cursor, the person among them"
        step("pull since the cursor", pull_created)

        def push_delete() -> str:
            result = expect(client.post("/v1/sync/push", json={
                "batch_id": str(uuid.uuid4()), "audit": [], "changes": [{
                    "table": "people", "uuid": person, "base_version": state["version"],
                    "deleted": True, "fields": {}}]}))
            if [a["uuid"] for a in result["applied"]] != [person]:
                raise SmokeFailed(f"the delete was not applied: {result}")
            return "applied"
        step("push: delete it again", push_delete)

        def pull_deleted() -> str:
            rows, state["cursor"] = pull_all(client, state["cursor"])
            if not any(r["uuid"] == person and r["deleted"] for r in rows):
                raise SmokeFailed("the deletion did not come back")
            return "deleted"
        step("pull the deletion", pull_deleted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="https://HOST:PORT of the server")
    parser.add_argument("--fingerprint", required=True,
                        help="the certificate's SHA-256 fingerprint, as `server init` printed")
    parser.add_argument("--username", default="admin")
    args = parser.parse_args(argv)
    password = os.environ.get("BOLIGSAG_PASSWORD") or getpass.getpass(
        f"Server password for {args.username}: ")
    try:
        run(args.url, args.fingerprint, args.username, password)
    except (SmokeFailed, httpx.HTTPError, OSError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
