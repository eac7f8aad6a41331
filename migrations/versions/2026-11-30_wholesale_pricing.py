"""wholesale pricing: terms, tiers, business order details, quotes

Revision ID: 7a1e5c0d2b30
Revises: a000555483d9
Create Date: 2026-11-30 09:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mercato.models.base

revision: str = "7a1e5c0d2b30"
down_revision: str | None = "a000555483d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = mercato.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wholesale_terms",
        sa.Column("product_id", BigId, nullable=False),
        sa.Column("moq", sa.Integer(), nullable=False),
        sa.Column("order_multiple", sa.Integer(), nullable=False),
        sa.Column("reorder_level", sa.Integer(), nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint("moq >= 1", name=op.f("ck_wholesale_terms_moq_positive")),
        sa.CheckConstraint(
            "order_multiple >= 1", name=op.f("ck_wholesale_terms_multiple_positive")
        ),
        sa.CheckConstraint(
            "reorder_level >= 0", name=op.f("ck_wholesale_terms_reorder_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_wholesale_terms_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wholesale_terms")),
        sa.UniqueConstraint("product_id", name=op.f("uq_wholesale_terms_product_id")),
    )
    op.create_table(
        "wholesale_price_tiers",
        sa.Column("terms_id", BigId, nullable=False),
        sa.Column("min_qty", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.CheckConstraint("min_qty >= 1", name=op.f("ck_wholesale_price_tiers_min_qty_positive")),
        sa.CheckConstraint(
            "unit_price > 0", name=op.f("ck_wholesale_price_tiers_unit_price_positive")
        ),
        sa.ForeignKeyConstraint(
            ["terms_id"],
            ["wholesale_terms.id"],
            name=op.f("fk_wholesale_price_tiers_terms_id_wholesale_terms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wholesale_price_tiers")),
        sa.UniqueConstraint(
            "terms_id", "min_qty", name=op.f("uq_wholesale_price_tiers_terms_id_min_qty")
        ),
    )
    op.create_table(
        "wholesale_orders",
        sa.Column("order_id", BigId, nullable=False),
        sa.Column("company_id", BigId, nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=False),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("payment_method", sa.String(length=20), nullable=False),
        sa.Column("terms_days", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint(
            "payment_method IN ('bank_transfer', 'cod', 'net_15', 'net_30')",
            name=op.f("ck_wholesale_orders_method_known"),
        ),
        sa.CheckConstraint("terms_days >= 0", name=op.f("ck_wholesale_orders_terms_not_negative")),
        sa.CheckConstraint(
            "(terms_days = 0) = (payment_method IN ('bank_transfer', 'cod'))",
            name=op.f("ck_wholesale_orders_terms_match_method"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_wholesale_orders_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_wholesale_orders")),
    )
    op.create_index("ix_wholesale_orders_due", "wholesale_orders", ["due_date"])
    op.create_index(op.f("ix_wholesale_orders_company_id"), "wholesale_orders", ["company_id"])
    op.create_table(
        "wholesale_quotes",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("company_id", BigId, nullable=True),
        sa.Column("product_id", BigId, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("list_unit_price", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=True),
        sa.Column("valid_until", UTC, nullable=True),
        sa.Column("answer_note", sa.Text(), nullable=False),
        sa.Column("answered_by", BigId, nullable=True),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("accepted_at", UTC, nullable=True),
        sa.Column("order_id", BigId, nullable=True),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "status IN ('requested', 'answered', 'accepted', 'declined', 'withdrawn', 'ordered')",
            name=op.f("ck_wholesale_quotes_status_known"),
        ),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_wholesale_quotes_quantity_positive")),
        sa.CheckConstraint(
            "unit_price IS NULL OR unit_price > 0",
            name=op.f("ck_wholesale_quotes_price_positive"),
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'withdrawn') OR "
            "(unit_price IS NOT NULL AND valid_until IS NOT NULL)",
            name=op.f("ck_wholesale_quotes_answer_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_wholesale_quotes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_wholesale_quotes_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["users.id"],
            name=op.f("fk_wholesale_quotes_answered_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_wholesale_quotes_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wholesale_quotes")),
        sa.UniqueConstraint("number", name=op.f("uq_wholesale_quotes_number")),
    )
    op.create_index("ix_wholesale_quotes_user_status", "wholesale_quotes", ["user_id", "status"])
    op.create_index(
        "ix_wholesale_quotes_status_created", "wholesale_quotes", ["status", "created_at"]
    )
    op.create_index(op.f("ix_wholesale_quotes_product_id"), "wholesale_quotes", ["product_id"])


def downgrade() -> None:
    op.drop_table("wholesale_quotes")
    op.drop_table("wholesale_orders")
    op.drop_table("wholesale_price_tiers")
    op.drop_table("wholesale_terms")
