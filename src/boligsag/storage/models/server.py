"""The team server's own tables: server passwords, devices and the login throttle.

They exist in every database (one Alembic history) but only the server fills them, and
none of them is a synced table: a laptop never receives a password hash or another
user's devices.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ServerCredential(Base):
    """A user's server password: a PHC Argon2id string (storage/kdf.py). Kept out of
    ``users`` so it never travels to a laptop with the users row."""

    __tablename__ = "server_credentials"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(DateTime)


class ServerDevice(Base):
    """A laptop that has logged in to the server, by the device id the client chose."""

    __tablename__ = "server_devices"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    registered_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The highest change sequence this device's pushes were given (the sync engine
    # writes it after numbering a push's changes).
    last_push_seq: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ServerLoginFailure(Base):
    """Consecutive failed logins per typed username. The key is an HMAC of the folded
    username under the server secret, so a name without an account (or a password typed
    into the username field) is never stored as text."""

    __tablename__ = "server_login_failures"

    username_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
