"""The floor under bench/sync.py's "laptops at once" figure: the same simulated laptops,
the same HTTPS stack (uvicorn, TLS with the server's certificate, Starlette, httpx), and
the same bodies, against a server that does no database work at all.

Its push reads the batch and answers that every change was applied; its pull answers,
to every laptop, one fixed page: the bytes the real server sent for the crowd's changes.
What the laptops wait for here is only moving and parsing those bytes on this machine,
so no server, however fast its database work, can give them a lower p95 here.

    python bench/sync_floor.py --page FILE --cert PEM --key PEM --port N   (started by
    bench/sync.py; serves until SIGTERM)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import uuid
from pathlib import Path

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sync_setup as setup

JSON = "application/json"


def null_app(page: bytes) -> Starlette:
    user = str(uuid.uuid4())

    async def health(_request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type=JSON)

    async def login(request: Request) -> Response:
        orjson.loads(await request.body())
        return Response(orjson.dumps({"token": "floor", "user": {"uuid": user}}),
                        media_type=JSON)

    async def push(request: Request) -> Response:
        batch = orjson.loads(await request.body())
        applied = [{"table": c["table"], "uuid": c["uuid"], "version": 1}
                   for c in batch["changes"]]
        return Response(orjson.dumps({"batch_id": batch["batch_id"], "applied": applied,
                                      "conflicts": []}), media_type=JSON)

    async def pull(_request: Request) -> Response:
        return Response(page, media_type=JSON)

    return Starlette(routes=[
        Route("/v1/health", health, methods=["GET"]),
        Route("/v1/login", login, methods=["POST"]),
        Route("/v1/sync/push", push, methods=["POST"]),
        Route("/v1/sync/pull", pull, methods=["GET"])])


def start(page_file: Path, config_folder: Path, log_path: Path) -> setup.Instance:
    """This server in its own process on a free loopback port, with the team server's TLS
    pair from ``config_folder``, answering once it is up."""
    port = setup.free_port()
    with open(log_path, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, __file__, "--page", str(page_file),
             "--cert", str(config_folder / "tls" / "cert.pem"),
             "--key", str(config_folder / "tls" / "key.pem"), "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT)
    instance = setup.Instance(process, f"https://127.0.0.1:{port}", log_path)
    try:
        setup.wait_healthy(instance, setup.tls_context(config_folder))
    except BaseException:
        setup.stop_instances([instance])
        raise
    return instance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", type=Path, required=True)
    parser.add_argument("--cert", type=Path, required=True)
    parser.add_argument("--key", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    page = orjson.loads(args.page.read_bytes())
    page["more"] = False  # one page: a laptop pulls it once per sync
    # The settings of boligsag.server.run.uvicorn_config, on this app.
    uvicorn.run(null_app(orjson.dumps(page)), host="127.0.0.1", port=args.port,
                ssl_certfile=str(args.cert), ssl_keyfile=str(args.key), access_log=False,
                log_level="warning", lifespan="off", server_header=False,
                proxy_headers=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
