"""product_view_counts

Revision ID: a0b00c1a7b05
Revises: a000555483d9
Create Date: 2026-11-30 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a0b00c1a7b05"
down_revision: str | None = "a000555483d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "product_view_daily",
        sa.Column(
            "product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_view_daily_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", "day", name=op.f("pk_product_view_daily")),
    )
    op.create_index("ix_product_view_daily_day", "product_view_daily", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_product_view_daily_day", table_name="product_view_daily")
    op.drop_table("product_view_daily")
