"""team server: devices, server passwords and login throttle

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:00:00

- ``server_credentials``: each user's server password (PHC Argon2id), apart from
  ``users`` so it never syncs to a laptop.
- ``server_devices``: the laptops that logged in, who revoked them and when.
- ``server_login_failures``: the login throttle per keyed username.

New, empty tables on every database; on a laptop they stay empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_credentials",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_server_credentials_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_server_credentials")),
    )
    op.create_table(
        "server_devices",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=True),
        sa.Column("last_push_seq", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_server_devices_user_id_users")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"],
                                name=op.f("fk_server_devices_revoked_by_id_users")),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_server_devices")),
    )
    op.create_index(op.f("ix_server_devices_user_id"), "server_devices", ["user_id"])
    op.create_table(
        "server_login_failures",
        sa.Column("username_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username_key", name=op.f("pk_server_login_failures")),
    )


def downgrade() -> None:
    op.drop_table("server_login_failures")
    op.drop_index(op.f("ix_server_devices_user_id"), table_name="server_devices")
    op.drop_table("server_devices")
    op.drop_table("server_credentials")
