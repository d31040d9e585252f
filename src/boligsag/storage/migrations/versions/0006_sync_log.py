"""team sync: change log, pushed batches and conflicts (issue 11)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:00:00

- ``sync_changes``: every change the team server applied, numbered by ``seq`` (a
  PostgreSQL sequence; on SQLite the table stays empty and ``seq`` is the rowid).
- ``sync_batches``: the pushes already received, with their results (idempotency).
- ``sync_conflicts``: conflicting edits kept as data until someone settles them.

All new tables: no existing row is rewritten, so the upgrade is instant.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from boligsag.storage import dialect

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None

_SEQUENCE = "sync_changes_seq"
_SEQ_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"],
                                   name=op.f(f"fk_{table}_{column}_users"))


def upgrade() -> None:
    postgresql = dialect.check_supported(op.get_bind().dialect.name) == dialect.POSTGRESQL
    if postgresql:
        op.execute(sa.schema.CreateSequence(sa.Sequence(_SEQUENCE)))
    op.create_table(
        "sync_changes",
        sa.Column("seq", _SEQ_TYPE, nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("device_uuid", sa.String(length=36), nullable=True),
        sa.Column("batch_uuid", sa.String(length=36), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        _fk("sync_changes", "user_id"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_changes")),
    )
    op.create_index("ix_sync_changes_row", "sync_changes",
                    ["table_name", "row_uuid", "version"])
    op.create_table(
        "sync_batches",
        sa.Column("device_uuid", sa.String(length=36), nullable=False),
        sa.Column("batch_uuid", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        _fk("sync_batches", "user_id"),
        sa.PrimaryKeyConstraint("device_uuid", "batch_uuid", name=op.f("pk_sync_batches")),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_uuid", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("kept_value", sa.Text(), nullable=False),
        sa.Column("other_value", sa.Text(), nullable=False),
        sa.Column("kept_user_id", sa.Integer(), nullable=True),
        sa.Column("kept_at", sa.DateTime(), nullable=True),
        sa.Column("other_user_id", sa.Integer(), nullable=True),
        sa.Column("other_device_uuid", sa.String(length=36), nullable=True),
        sa.Column("other_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"),
                  nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        _fk("sync_conflicts", "kept_user_id"),
        _fk("sync_conflicts", "other_user_id"),
        _fk("sync_conflicts", "resolved_by_id"),
        _fk("sync_conflicts", "created_by_id"),
        _fk("sync_conflicts", "updated_by_id"),
        _fk("sync_conflicts", "deleted_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
        sa.UniqueConstraint("uuid", name=op.f("uq_sync_conflicts_uuid")),
    )
    op.create_index("ix_sync_conflicts_row", "sync_conflicts", ["table_name", "row_uuid"])


def downgrade() -> None:
    op.drop_index("ix_sync_conflicts_row", table_name="sync_conflicts")
    op.drop_table("sync_conflicts")
    op.drop_table("sync_batches")
    op.drop_index("ix_sync_changes_row", table_name="sync_changes")
    op.drop_table("sync_changes")
    if op.get_bind().dialect.name == dialect.POSTGRESQL:
        op.execute(sa.schema.DropSequence(sa.Sequence(_SEQUENCE)))
