"""team server: devices, server passwords and login throttle (placeholder, filled by issue 11)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
