"""support_tickets

Revision ID: a0b00c1a7b02
Revises: a0b00c1a7b01
Create Date: 2026-11-30 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mercato.models.base

revision: str = "a0b00c1a7b02"
down_revision: str | None = "a0b00c1a7b01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_tickets",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column(
            "assigned_to_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "booking_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "first_response_due_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "first_response_at", mercato.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "last_message_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("resolved_at", mercato.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('ticket', 'chat')", name=op.f("ck_support_tickets_channel_known")
        ),
        sa.CheckConstraint(
            "priority IN ('low', 'normal', 'high', 'urgent')",
            name=op.f("ck_support_tickets_priority_known"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'resolved', 'closed')",
            name=op.f("ck_support_tickets_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"],
            ["users.id"],
            name=op.f("fk_support_tickets_assigned_to_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_support_tickets_booking_id_bookings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_support_tickets_customer_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_support_tickets_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_tickets")),
        sa.UniqueConstraint("number", name=op.f("uq_support_tickets_number")),
    )
    op.create_index(
        op.f("ix_support_tickets_assigned_to_id"),
        "support_tickets",
        ["assigned_to_id"],
        unique=False,
    )
    op.create_index(
        "ix_support_tickets_customer",
        "support_tickets",
        ["customer_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_support_tickets_status_due",
        "support_tickets",
        ["status", "first_response_due_at"],
        unique=False,
    )
    op.create_table(
        "support_messages",
        sa.Column(
            "ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "author_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("from_staff", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", mercato.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_support_messages_author_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["support_tickets.id"],
            name=op.f("fk_support_messages_ticket_id_support_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_messages")),
    )
    op.create_index(
        "ix_support_messages_ticket", "support_messages", ["ticket_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_support_messages_ticket", table_name="support_messages")
    op.drop_table("support_messages")
    op.drop_index("ix_support_tickets_status_due", table_name="support_tickets")
    op.drop_index("ix_support_tickets_customer", table_name="support_tickets")
    op.drop_index(op.f("ix_support_tickets_assigned_to_id"), table_name="support_tickets")
    op.drop_table("support_tickets")
