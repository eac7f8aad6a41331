"""review replies: the shop's public answer under a review

Revision ID: a0d10540b002
Revises: a0d10540b001
Create Date: 2026-11-30 14:25:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mercato.models.base

revision: str = "a0d10540b002"
down_revision: str | None = "a0d10540b001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = mercato.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("reviews", sa.Column("reply", sa.Text(), nullable=False, server_default=""))
    op.add_column("reviews", sa.Column("replied_by", BigId, nullable=True))
    op.add_column("reviews", sa.Column("replied_at", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("replied_at")
        batch.drop_column("replied_by")
        batch.drop_column("reply")
