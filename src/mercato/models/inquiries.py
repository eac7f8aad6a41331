"""Inquiries: a buyer's draft list of products to ask a seller (a brand) about, and the
inquiries sent from it, one per brand, with their lines and a timeline of events.

Reusable: the seller party is a brand (``brands.id``); nothing here is specific to one store.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin

INQUIRY_STATUSES = ("pending", "quoted", "accepted", "declined", "withdrawn")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class InquiryListItem(IdMixin, TimestampMixin, Base):
    """One line of a buyer's draft inquiry list (the seed's "Add to Inquiry"). The same
    product, size and colour is one line: adding it again adds to its quantity."""

    __tablename__ = "inquiry_list_items"
    __table_args__ = (
        UniqueConstraint("buyer_id", "product_id", "size_label", "colour"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    buyer_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    brand_id: Mapped[int] = mapped_column(BigId, ForeignKey("brands.id", ondelete="CASCADE"))
    size_label: Mapped[str] = mapped_column(String(20), default="")
    colour: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[int]
    customisation: Mapped[str] = mapped_column(Text, default="")


class Inquiry(IdMixin, TimestampMixin, Base):
    """What a buyer asks one brand. States: pending → quoted → accepted | declined;
    pending | quoted → withdrawn (by the buyer). A quote may be revised while quoted."""

    __tablename__ = "inquiries"
    __table_args__ = (
        CheckConstraint(_in("status", INQUIRY_STATUSES), name="status_known"),
        Index("ix_inquiries_buyer_id_id", "buyer_id", "id"),
        Index("ix_inquiries_brand_id_status_id", "brand_id", "status", "id"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    buyer_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(BigId, ForeignKey("brands.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str] = mapped_column(Text, default="")  # the buyer's covering note
    quoted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]  # accepted, declined or withdrawn


class InquiryLine(IdMixin, Base):
    """A product asked about, with the brand's answer. Name and wholesale price are
    snapshots, so an edited or removed product never changes what was asked."""

    __tablename__ = "inquiry_lines"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("unit_price IS NULL OR unit_price >= 0", name="price_not_negative"),
        CheckConstraint(
            "lead_time_days IS NULL OR lead_time_days >= 0", name="lead_time_not_negative"
        ),
    )

    inquiry_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("inquiries.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="SET NULL")
    )
    product_name: Mapped[str] = mapped_column(String(200))
    list_price: Mapped[int]  # the wholesale price shown when asked, minor units
    size_label: Mapped[str] = mapped_column(String(20), default="")
    colour: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[int]
    customisation: Mapped[str] = mapped_column(Text, default="")
    # The brand's answer; NULL until quoted.
    available: Mapped[bool | None]
    unit_price: Mapped[int | None]
    lead_time_days: Mapped[int | None]
    brand_note: Mapped[str] = mapped_column(Text, default="")


class InquiryEvent(IdMixin, Base):
    """The inquiry's timeline, shown to both sides. Never updated."""

    __tablename__ = "inquiry_events"
    __table_args__ = (Index("ix_inquiry_events_inquiry_id_id", "inquiry_id", "id"),)

    inquiry_id: Mapped[int] = mapped_column(BigId, ForeignKey("inquiries.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # sent, quoted, requoted, accepted, ...
    from_status: Mapped[str] = mapped_column(String(12), default="")
    to_status: Mapped[str] = mapped_column(String(12), default="")
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    actor_side: Mapped[str] = mapped_column(String(8), default="")  # buyer | brand
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
