"""What keeps customers coming back: wishlists, reviews, testimonials, the newsletter and
"notify me" waiting lists for sold-out and limited products."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin


class WishlistItem(IdMixin, Base):
    """One saved product of one customer. The seed's Wishlist parent row holds nothing but
    the user id, so items point at the user directly (docs/decisions.md)."""

    __tablename__ = "wishlist_items"
    __table_args__ = (UniqueConstraint("user_id", "product_id"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Review(IdMixin, TimestampMixin, Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("product_id", "user_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
        CheckConstraint("helpful_count >= 0", name="helpful_not_negative"),
        Index("ix_reviews_product_status", "product_id", "status"),
        Index("ix_reviews_status_created", "status", "created_at"),
    )

    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("products.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    author_name: Mapped[str] = mapped_column(String(120))  # as shown, chosen at writing
    rating: Mapped[int]
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text)
    is_verified: Mapped[bool] = mapped_column(default=False)  # bought it (paid order)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # admin approval
    helpful_count: Mapped[int] = mapped_column(default=0)
    moderated_by: Mapped[int | None] = mapped_column(BigId)
    moderated_at: Mapped[datetime | None]
    # The shop's public answer (plain text), by a moderator; "" when there is none.
    reply: Mapped[str] = mapped_column(Text, default="", server_default="")
    replied_by: Mapped[int | None] = mapped_column(BigId)
    replied_at: Mapped[datetime | None]


class ReviewVote(Base):
    """One "helpful" vote per customer per review, so the count cannot be inflated."""

    __tablename__ = "review_votes"

    review_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Testimonial(IdMixin, TimestampMixin, Base):
    __tablename__ = "testimonials"
    __table_args__ = (Index("ix_testimonials_shown", "is_approved", "is_featured", "position"),)

    product_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="SET NULL")
    )
    author_name: Mapped[str] = mapped_column(String(120))
    author_title: Mapped[str] = mapped_column(String(150), default="")
    author_location: Mapped[str] = mapped_column(String(150), default="")
    quote: Mapped[str] = mapped_column(Text)
    is_verified: Mapped[bool] = mapped_column(default=False)
    is_featured: Mapped[bool] = mapped_column(default=False)
    is_illuminated: Mapped[bool] = mapped_column(default=False)  # the illuminated-capital style
    folio_reference: Mapped[str] = mapped_column(String(60), default="")  # "Folio VII, Entry 12"
    is_approved: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)


class SubscriberStatus:
    PENDING = "pending"  # asked, not yet confirmed: never mailed, never counted
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"


class NewsletterSubscriber(IdMixin, Base):
    __tablename__ = "newsletter_subscribers"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'active', 'unsubscribed', 'bounced')", name="status_known"
        ),
        Index("ix_newsletter_subscribers_status", "status", "confirmed_at"),
    )

    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(12), default=SubscriberStatus.PENDING)
    source: Mapped[str] = mapped_column(String(60), default="")  # "footer", "checkout", "api"
    preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    # Confirmation links carry a signed token; unsubscribe links carry this per-address secret.
    unsubscribe_token_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]


class StockAlert(IdMixin, Base):
    """A "notify me when it returns" request. Served first come, first served, and never
    more at once than there are units to sell."""

    __tablename__ = "stock_alerts"
    __table_args__ = (
        # One open request per address per product; a notified one may ask again.
        Index(
            "uq_stock_alerts_open",
            "product_id",
            "email",
            unique=True,
            sqlite_where=text("notified_at IS NULL AND cancelled_at IS NULL"),
            postgresql_where=text("notified_at IS NULL AND cancelled_at IS NULL"),
        ),
        Index("ix_stock_alerts_queue", "product_id", "notified_at", "id"),
    )

    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("products.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
