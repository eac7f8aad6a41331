"""brand lookbook images keep their WebP variants, as product images do

Revision ID: 7b3e9d1f2c84
Revises: c41a7e9b2d10
Create Date: 2026-11-30 17:00:00+00:00

A lookbook upload gets WebP copies at 320, 640 and 960 px (catalog.media.webp_variants) so
collection and brand pages can offer a srcset. Existing rows (the seed's plates) have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7b3e9d1f2c84"
down_revision: str | None = "c41a7e9b2d10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("brand_lookbook_images") as batch:
        batch.add_column(
            sa.Column(
                "variants",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="[]",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("brand_lookbook_images") as batch:
        batch.drop_column("variants")
