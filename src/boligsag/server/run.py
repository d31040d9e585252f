"""Serving the application over HTTPS with uvicorn.

uvicorn's own access log is off: its lines carry the query string. The application's
request log (app.py) replaces it.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from boligsag.services.server import login as server_login
from boligsag.services.server import schema
from boligsag.services.server.accounts import ServerDb, connect

from .app import Clock, create_app
from .config import ServerConfig, read_secret


def open_server(config: ServerConfig, *, check_schema: bool = True) -> ServerDb:
    """The database, reached once (accounts.CannotConnect if it cannot be) and, unless
    ``check_schema`` is off (``server migrate``), at this program's schema."""
    server = connect(config.database_url, read_secret(config),
                     connections=config.database_connections)
    if check_schema:
        try:
            schema.check(server)
        except BaseException:
            server.dispose()
            raise
    return server


def uvicorn_config(config: ServerConfig, server: ServerDb, *, host: str, port: int,
                   log_level: str = "info", clock: Clock = time.time) -> uvicorn.Config:
    """``clock`` (epoch seconds) is the application's, for tests that hold time still."""
    app = create_app(server, clock=clock, queue_wait=config.queue_wait,
                     snapshot_folder=config.snapshot_folder)
    return uvicorn.Config(app,
                          host=host, port=port,
                          ssl_certfile=str(config.cert_path), ssl_keyfile=str(config.key_path),
                          access_log=False, log_level=log_level, lifespan="off",
                          server_header=False, proxy_headers=False)


class _Server(uvicorn.Server):
    """SIGINT or SIGTERM is how a server normally stops (systemd sends SIGTERM). uvicorn
    shuts down gracefully and then raises the signal again, which would make the command
    report an interruption and exit 1, so that a normal stop looks like a failure; the
    signals it caught are forgotten instead (uvicorn is pinned in pyproject.toml)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()


def serve(config: ServerConfig, server: ServerDb, *, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM (uvicorn's own signal handling); ``server`` (from
    ``open_server``, so a database that cannot be reached or has another schema stopped
    the start before) is disposed of at the end."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        server_login.warm_up()
        _Server(uvicorn_config(config, server, host=host, port=port)).run()
    finally:
        server.dispose()
