"""audio shop: product categories, folded search documents, promotions, vouchers,
recommendations

Revision ID: a0d10540b001
Revises: a000555483d9
Create Date: 2026-11-30 13:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mercato.models.base

revision: str = "a0d10540b001"
down_revision: str | None = "a000555483d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = mercato.models.base.UTCDateTime(timezone=True)
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# Same expression as mercato.audio.search.PG_DOCUMENT: the planner uses the GIN index only
# when the query repeats it exactly.
PG_DOCUMENT = "to_tsvector('simple'::regconfig, document)"


def upgrade() -> None:
    op.create_table(
        "product_categories",
        sa.Column("product_id", BigId, nullable=False),
        sa.Column("category_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_categories_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_product_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", "category_id", name=op.f("pk_product_categories")),
    )
    op.create_index(
        op.f("ix_product_categories_category_id"), "product_categories", ["category_id"]
    )
    op.create_table(
        "search_documents",
        sa.Column("product_id", BigId, nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("source_updated_at", UTC, nullable=True),
        sa.Column("indexed_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_search_documents_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_search_documents")),
    )
    op.create_table(
        "promotions",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("product_ids", Json, nullable=False),
        sa.Column("category_ids", Json, nullable=False),
        sa.Column("starts_at", UTC, nullable=True),
        sa.Column("ends_at", UTC, nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint("kind IN ('percent', 'fixed')", name=op.f("ck_promotions_kind_known")),
        sa.CheckConstraint("value > 0", name=op.f("ck_promotions_value_positive")),
        sa.CheckConstraint(
            "kind <> 'percent' OR value <= 10000", name=op.f("ck_promotions_percent_at_most_100")
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at",
            name=op.f("ck_promotions_period"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions")),
    )
    op.create_index(
        "ix_promotions_active_period", "promotions", ["is_active", "starts_at", "ends_at"]
    )
    op.create_table(
        "vouchers",
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("max_discount", sa.BigInteger(), nullable=True),
        sa.Column("min_order", sa.BigInteger(), nullable=False),
        sa.Column("product_ids", Json, nullable=False),
        sa.Column("category_ids", Json, nullable=False),
        sa.Column("starts_at", UTC, nullable=True),
        sa.Column("ends_at", UTC, nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("per_customer_limit", sa.Integer(), nullable=True),
        sa.Column("used_count", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "kind IN ('percent', 'fixed', 'free_shipping')", name=op.f("ck_vouchers_kind_known")
        ),
        sa.CheckConstraint("value >= 0", name=op.f("ck_vouchers_value_not_negative")),
        sa.CheckConstraint(
            "kind <> 'percent' OR (value > 0 AND value <= 10000)",
            name=op.f("ck_vouchers_percent_range"),
        ),
        sa.CheckConstraint("min_order >= 0", name=op.f("ck_vouchers_min_order_not_negative")),
        sa.CheckConstraint(
            "usage_limit IS NULL OR usage_limit > 0", name=op.f("ck_vouchers_limit_positive")
        ),
        sa.CheckConstraint(
            "per_customer_limit IS NULL OR per_customer_limit > 0",
            name=op.f("ck_vouchers_per_customer_positive"),
        ),
        sa.CheckConstraint("used_count >= 0", name=op.f("ck_vouchers_used_not_negative")),
        sa.CheckConstraint(
            "usage_limit IS NULL OR used_count <= usage_limit",
            name=op.f("ck_vouchers_within_limit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouchers")),
        sa.UniqueConstraint("code", name=op.f("uq_vouchers_code")),
    )
    op.create_table(
        "voucher_customer_usages",
        sa.Column("voucher_id", BigId, nullable=False),
        sa.Column("customer_key", sa.String(300), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.CheckConstraint("used >= 0", name=op.f("ck_voucher_customer_usages_used_not_negative")),
        sa.ForeignKeyConstraint(
            ["voucher_id"],
            ["vouchers.id"],
            name=op.f("fk_voucher_customer_usages_voucher_id_vouchers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "voucher_id", "customer_key", name=op.f("pk_voucher_customer_usages")
        ),
    )
    op.create_table(
        "voucher_redemptions",
        sa.Column("voucher_id", BigId, nullable=False),
        sa.Column("order_id", BigId, nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("customer_key", sa.String(300), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("shipping_waived", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["voucher_id"],
            ["vouchers.id"],
            name=op.f("fk_voucher_redemptions_voucher_id_vouchers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_voucher_redemptions_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_redemptions")),
        sa.UniqueConstraint("order_id", name=op.f("uq_voucher_redemptions_order_id")),
    )
    op.create_index(
        op.f("ix_voucher_redemptions_voucher_id"), "voucher_redemptions", ["voucher_id"]
    )
    op.create_table(
        "product_recommendations",
        sa.Column("product_id", BigId, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("related_id", BigId, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTC, nullable=False),
        sa.CheckConstraint(
            "kind IN ('bought_together', 'similar')",
            name=op.f("ck_product_recommendations_kind_known"),
        ),
        sa.CheckConstraint(
            "product_id <> related_id", name=op.f("ck_product_recommendations_not_itself")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_recommendations_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_id"],
            ["products.id"],
            name=op.f("fk_product_recommendations_related_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "product_id", "kind", "related_id", name=op.f("pk_product_recommendations")
        ),
    )
    op.create_index(
        "ix_product_recommendations_lookup",
        "product_recommendations",
        ["product_id", "kind", "score"],
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            f"CREATE INDEX ix_search_documents_fts ON search_documents USING gin (({PG_DOCUMENT}))"
        )
        op.execute(
            "CREATE INDEX ix_search_documents_trgm ON search_documents "
            "USING gin (document gin_trgm_ops)"
        )
        return
    # SQLite: FTS5 over the folded text, external content kept in step by triggers.
    op.execute(
        "CREATE VIRTUAL TABLE search_documents_fts USING fts5(document, "
        "content='search_documents', content_rowid='product_id', tokenize='unicode61')"
    )
    op.execute(
        "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
        "INSERT INTO search_documents_fts(rowid, document) VALUES (new.product_id, new.document);"
        " END"
    )
    op.execute(
        "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
        "INSERT INTO search_documents_fts(search_documents_fts, rowid, document) "
        "VALUES ('delete', old.product_id, old.document); END"
    )
    op.execute(
        "CREATE TRIGGER search_documents_au AFTER UPDATE OF document ON search_documents BEGIN "
        "INSERT INTO search_documents_fts(search_documents_fts, rowid, document) "
        "VALUES ('delete', old.product_id, old.document); "
        "INSERT INTO search_documents_fts(rowid, document) VALUES (new.product_id, new.document);"
        " END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_documents_trgm")
        op.execute("DROP INDEX IF EXISTS ix_search_documents_fts")
    else:
        for trigger in ("search_documents_ai", "search_documents_ad", "search_documents_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_documents_fts")
    for table in (
        "product_recommendations",
        "voucher_redemptions",
        "voucher_customer_usages",
        "vouchers",
        "promotions",
        "search_documents",
        "product_categories",
    ):
        op.drop_table(table)
