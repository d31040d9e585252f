"""team sync: change log, pushed batches and conflicts (placeholder, filled by issue 11)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
