"""catalogue listing indexes: the default storefront order and live products per category

Revision ID: e4c1a7b9d2f6
Revises: 3f1c0a5e9b21
Create Date: 2026-11-30 11:10:00+00:00

Partial indexes over live products (not deleted, on sale), so the first catalogue page is
read in index order and stops at the page size instead of sorting every product, and the
per-humour counts read a small index (docs/benchmarks.md, 100,000 products).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4c1a7b9d2f6"
down_revision: str | None = "3f1c0a5e9b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As each dialect renders the ORM's `deleted_at IS NULL AND is_active` (SQLite uses a
# partial index only when the query's condition matches it).
LIVE_SQLITE = "deleted_at IS NULL AND is_active = 1"
LIVE_PG = "deleted_at IS NULL AND is_active"


def upgrade() -> None:
    op.create_index(
        "ix_products_storefront_order",
        "products",
        ["is_featured", "created_at", "id"],
        sqlite_where=sa.text(LIVE_SQLITE),
        postgresql_where=sa.text(LIVE_PG),
    )
    op.create_index(
        "ix_products_live_category",
        "products",
        ["category_id"],
        sqlite_where=sa.text(LIVE_SQLITE),
        postgresql_where=sa.text(LIVE_PG),
    )


def downgrade() -> None:
    op.drop_index("ix_products_live_category", table_name="products")
    op.drop_index("ix_products_storefront_order", table_name="products")
