"""The server's configuration folder (``/etc/boligsag-server`` by default):

- ``server.json``: the database URL (never with a password: libpq reads it from
  PGPASSFILE or PGPASSWORD), the address to listen on, and ``database_connections``: how
  many requests of this instance may work in the database at once (each holds one
  connection; more wait in line, see gate.py), and ``queue_wait_seconds``: how long one
  may wait in that line before it is answered 503 busy (gate.py: less than the laptop
  client's timeout);
- ``tls/cert.pem``, ``tls/key.pem``: the HTTPS certificate and its private key;
- ``secret.key``: 32 random bytes that sign the tokens, key the audit chain and the login
  throttle's username HMAC. Every instance serving one database needs the same file;
- ``snapshot_folder`` in server.json (default: ``snapshots`` in this folder): where the
  team snapshot lives (services/server/snapshot.py), written by ``boligsag server
  snapshot`` and read by every instance.

The folder and the private files are made readable by their owner only.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from boligsag.errors import UserError

from .gate import DEFAULT_QUEUE_WAIT, MAX_QUEUE_WAIT

DEFAULT_FOLDER = Path("/etc/boligsag-server")
DEFAULT_PORT = 8443
# A small server's PostgreSQL allows 100 connections (max_connections); 10 per instance
# leaves room for a second instance, backups and psql.
DEFAULT_CONNECTIONS = 10
MAX_CONNECTIONS = 200
CONFIG_NAME = "server.json"
SECRET_NAME = "secret.key"
SNAPSHOT_FOLDER = "snapshots"


class ConfigMissing(UserError):
    def __init__(self, folder: Path) -> None:
        super().__init__("No server configuration in {folder}: run `boligsag server init` "
                         "first, or give --config.", folder=str(folder))


class ConfigDamaged(UserError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__("The server configuration file {path} cannot be used: {reason}",
                         path=str(path), reason=reason)


class ConfigExists(UserError):
    def __init__(self, folder: Path) -> None:
        super().__init__("{folder} is not empty: a server configuration is only written "
                         "into a new or empty folder. Nothing was changed.", folder=str(folder))


class SecretExposed(UserError):
    def __init__(self, path: Path) -> None:
        super().__init__("{path} can be read by other users. Make it readable by the "
                         "server's account only: chmod 600 {path}", path=str(path))


@dataclass(frozen=True)
class ServerConfig:
    folder: Path
    database_url: str
    host: str = "0.0.0.0"  # every interface: laptops connect over the network
    port: int = DEFAULT_PORT
    database_connections: int = DEFAULT_CONNECTIONS
    queue_wait: float = DEFAULT_QUEUE_WAIT  # seconds
    snapshot_folder_setting: str = ""  # server.json "snapshot_folder"; empty: the default

    @property
    def snapshot_folder(self) -> Path:
        return Path(self.snapshot_folder_setting) if self.snapshot_folder_setting \
            else self.folder / SNAPSHOT_FOLDER

    @property
    def cert_path(self) -> Path:
        return self.folder / "tls" / "cert.pem"

    @property
    def key_path(self) -> Path:
        return self.folder / "tls" / "key.pem"

    @property
    def secret_path(self) -> Path:
        return self.folder / SECRET_NAME

    def to_json(self) -> dict[str, object]:
        doc: dict[str, object] = {
            "database_url": self.database_url, "host": self.host, "port": self.port,
            "database_connections": self.database_connections,
            "queue_wait_seconds": self.queue_wait}
        if self.snapshot_folder_setting:
            doc["snapshot_folder"] = self.snapshot_folder_setting
        return doc


def write_private(path: Path, data: bytes) -> None:
    """A new file readable and writable by its owner only, from its first byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def new_folder(folder: Path) -> None:
    """The folder and its ``tls`` subfolder, owner-only (0700)."""
    if (folder / CONFIG_NAME).exists():
        raise ConfigExists(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    (folder / "tls").mkdir(mode=0o700, exist_ok=True)


def write_config(config: ServerConfig, secret: bytes) -> None:
    write_private(config.secret_path, secret)
    write_private(config.folder / CONFIG_NAME,
                  (json.dumps(config.to_json(), indent=2) + "\n").encode("utf-8"))


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def load(folder: Path) -> ServerConfig:
    path = folder / CONFIG_NAME
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigMissing(folder) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigDamaged(path, "not JSON") from error
    if not isinstance(doc, dict) or not isinstance(doc.get("database_url"), str):
        raise ConfigDamaged(path, "no database_url")
    host, port = doc.get("host", "0.0.0.0"), doc.get("port", DEFAULT_PORT)
    if not isinstance(host, str) or type(port) is not int or not 0 < port < 65536:
        raise ConfigDamaged(path, "host must be text and port a number from 1 to 65535")
    connections = doc.get("database_connections", DEFAULT_CONNECTIONS)
    if type(connections) is not int or not 0 < connections <= MAX_CONNECTIONS:
        raise ConfigDamaged(path, "database_connections must be a number from 1 to "
                                  f"{MAX_CONNECTIONS}")
    wait = doc.get("queue_wait_seconds", DEFAULT_QUEUE_WAIT)
    if type(wait) not in (int, float) or not 0 < wait <= MAX_QUEUE_WAIT:
        raise ConfigDamaged(path, "queue_wait_seconds must be a number of seconds above 0 "
                                  f"and at most {MAX_QUEUE_WAIT:g}")
    snapshots = doc.get("snapshot_folder", "")
    if not isinstance(snapshots, str) or (snapshots and not Path(snapshots).is_absolute()):
        raise ConfigDamaged(path, "snapshot_folder must be an absolute folder path")
    return ServerConfig(folder, doc["database_url"], host, port, connections, float(wait),
                        snapshots)


def read_secret(config: ServerConfig) -> bytes:
    path = config.secret_path
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigMissing(config.folder) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretExposed(path)
    if len(data) != 32:
        raise ConfigDamaged(path, "the secret is not 32 bytes")
    return data


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8443`` for IPv6); ValueError if it is neither."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(text)
    return host.strip("[]") or "0.0.0.0", int(port)
