"""inquiries and conversations: draft lists, inquiries with lines and timeline,
buyer-brand conversations, messages, reports and messaging blocks

Revision ID: c41a7e9b2d10
Revises: 56ee41067c90
Create Date: 2026-11-30 13:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mercato.models.base

revision: str = "c41a7e9b2d10"
# After the brands tables: inquiries and conversations point at brands.id.
down_revision: str | None = "56ee41067c90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("brand_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "last_message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "last_message_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "buyer_read_through",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "brand_read_through",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "buyer_emailed_through",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "brand_emailed_through",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "buyer_digest_due", mercato.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "brand_digest_due", mercato.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_conversations_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["users.id"],
            name=op.f("fk_conversations_buyer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint(
            "buyer_id", "brand_id", name=op.f("uq_conversations_buyer_id_brand_id")
        ),
    )
    op.create_index(
        "ix_conversations_brand_id_last_message_at",
        "conversations",
        ["brand_id", "last_message_at"],
        unique=False,
    )
    op.create_table(
        "inquiries",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("brand_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("quoted_at", mercato.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", mercato.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'quoted', 'accepted', 'declined', 'withdrawn')",
            name=op.f("ck_inquiries_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_inquiries_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["users.id"], name=op.f("fk_inquiries_buyer_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiries")),
        sa.UniqueConstraint("number", name=op.f("uq_inquiries_number")),
    )
    op.create_index(
        "ix_inquiries_brand_id_status_id", "inquiries", ["brand_id", "status", "id"], unique=False
    )
    op.create_index("ix_inquiries_buyer_id_id", "inquiries", ["buyer_id", "id"], unique=False)
    op.create_table(
        "messaging_blocks",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "blocked_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["blocked_by"],
            ["users.id"],
            name=op.f("fk_messaging_blocks_blocked_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_messaging_blocks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_blocks")),
        sa.UniqueConstraint("user_id", name=op.f("uq_messaging_blocks_user_id")),
    )
    op.create_table(
        "conversation_messages",
        sa.Column(
            "conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("sender_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("sender_side", sa.String(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "inquiry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("attachment_key", sa.String(length=200), nullable=False),
        sa.Column("attachment_width", sa.Integer(), nullable=True),
        sa.Column("attachment_height", sa.Integer(), nullable=True),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.CheckConstraint(
            "length(body) > 0 OR attachment_key <> ''",
            name=op.f("ck_conversation_messages_not_empty"),
        ),
        sa.CheckConstraint(
            "sender_side IN ('buyer', 'brand')", name=op.f("ck_conversation_messages_side_known")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_conversation_messages_inquiry_id_inquiries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_conversation_messages_product_id_products"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["users.id"],
            name=op.f("fk_conversation_messages_sender_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_messages")),
    )
    op.create_index(
        "ix_conversation_messages_conversation_id_id",
        "conversation_messages",
        ["conversation_id", "id"],
        unique=False,
    )
    op.create_table(
        "inquiry_events",
        sa.Column(
            "inquiry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=False),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor_side", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_inquiry_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_inquiry_events_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_events")),
    )
    op.create_index(
        "ix_inquiry_events_inquiry_id_id", "inquiry_events", ["inquiry_id", "id"], unique=False
    )
    op.create_table(
        "inquiry_lines",
        sa.Column(
            "inquiry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("list_price", sa.Integer(), nullable=False),
        sa.Column("size_label", sa.String(length=20), nullable=False),
        sa.Column("colour", sa.String(length=60), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("customisation", sa.Text(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=True),
        sa.Column("unit_price", sa.Integer(), nullable=True),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("brand_note", sa.Text(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.CheckConstraint(
            "lead_time_days IS NULL OR lead_time_days >= 0",
            name=op.f("ck_inquiry_lines_lead_time_not_negative"),
        ),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_inquiry_lines_quantity_positive")),
        sa.CheckConstraint(
            "unit_price IS NULL OR unit_price >= 0",
            name=op.f("ck_inquiry_lines_price_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_inquiry_lines_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_inquiry_lines_product_id_products"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_lines")),
    )
    op.create_index(
        op.f("ix_inquiry_lines_inquiry_id"), "inquiry_lines", ["inquiry_id"], unique=False
    )
    op.create_table(
        "inquiry_list_items",
        sa.Column("buyer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("brand_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("size_label", sa.String(length=20), nullable=False),
        sa.Column("colour", sa.String(length=60), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("customisation", sa.Text(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_inquiry_list_items_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_inquiry_list_items_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["users.id"],
            name=op.f("fk_inquiry_list_items_buyer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_inquiry_list_items_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_list_items")),
        sa.UniqueConstraint(
            "buyer_id",
            "product_id",
            "size_label",
            "colour",
            name=op.f("uq_inquiry_list_items_buyer_id_product_id_size_label_colour"),
        ),
    )
    op.create_index(
        op.f("ix_inquiry_list_items_product_id"), "inquiry_list_items", ["product_id"], unique=False
    )
    op.create_table(
        "message_reports",
        sa.Column(
            "message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "reporter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('open', 'dismissed', 'actioned')",
            name=op.f("ck_message_reports_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["conversation_messages.id"],
            name=op.f("fk_message_reports_message_id_conversation_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_message_reports_reporter_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_reports")),
        sa.UniqueConstraint(
            "message_id", "reporter_id", name=op.f("uq_message_reports_message_id_reporter_id")
        ),
    )
    op.create_index(
        op.f("ix_message_reports_message_id"), "message_reports", ["message_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_message_reports_message_id"), table_name="message_reports")
    op.drop_table("message_reports")
    op.drop_index(op.f("ix_inquiry_list_items_product_id"), table_name="inquiry_list_items")
    op.drop_table("inquiry_list_items")
    op.drop_index(op.f("ix_inquiry_lines_inquiry_id"), table_name="inquiry_lines")
    op.drop_table("inquiry_lines")
    op.drop_index("ix_inquiry_events_inquiry_id_id", table_name="inquiry_events")
    op.drop_table("inquiry_events")
    op.drop_index("ix_conversation_messages_conversation_id_id", table_name="conversation_messages")
    op.drop_table("conversation_messages")
    op.drop_table("messaging_blocks")
    op.drop_index("ix_inquiries_buyer_id_id", table_name="inquiries")
    op.drop_index("ix_inquiries_brand_id_status_id", table_name="inquiries")
    op.drop_table("inquiries")
    op.drop_index("ix_conversations_brand_id_last_message_at", table_name="conversations")
    op.drop_table("conversations")
