"""Conversations between a buyer and a brand: one per pair, messages with optional product,
inquiry or image references, per-side read marks, reports and messaging blocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin

SIDES = ("buyer", "brand")


class Conversation(IdMixin, Base):
    """The thread of one buyer with one brand. Read marks and email digests are per side:
    a brand's members share one inbox, so a message read by one member is read by the brand.

    ``*_read_through`` is the id of the last message that side has read (message ids grow
    with time), so "unread" is ``id > read_through`` on the (conversation_id, id) index.
    ``*_digest_due`` is set while a delayed digest email is queued for that side, so a burst
    of messages queues one email, not one per message.
    """

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("buyer_id", "brand_id"),
        Index("ix_conversations_brand_id_last_message_at", "brand_id", "last_message_at"),
    )

    buyer_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(BigId, ForeignKey("brands.id", ondelete="CASCADE"))
    last_message_id: Mapped[int] = mapped_column(BigId, default=0)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    buyer_read_through: Mapped[int] = mapped_column(BigId, default=0)
    brand_read_through: Mapped[int] = mapped_column(BigId, default=0)
    buyer_emailed_through: Mapped[int] = mapped_column(BigId, default=0)
    brand_emailed_through: Mapped[int] = mapped_column(BigId, default=0)
    buyer_digest_due: Mapped[datetime | None]
    brand_digest_due: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationMessage(IdMixin, Base):
    """A message; the body is plain text (escaped when shown). An image attachment lives in
    private storage and is served only to the two sides."""

    __tablename__ = "conversation_messages"
    __table_args__ = (
        CheckConstraint("sender_side IN ('buyer', 'brand')", name="side_known"),
        CheckConstraint("length(body) > 0 OR attachment_key <> ''", name="not_empty"),
        Index("ix_conversation_messages_conversation_id_id", "conversation_id", "id"),
    )

    conversation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversations.id", ondelete="CASCADE")
    )
    sender_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    sender_side: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text, default="")
    product_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="SET NULL")
    )
    inquiry_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("inquiries.id", ondelete="SET NULL")
    )
    attachment_key: Mapped[str] = mapped_column(String(200), default="")
    attachment_width: Mapped[int | None]
    attachment_height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageReport(IdMixin, Base):
    """A participant reports a message to the store's admins; once per reporter."""

    __tablename__ = "message_reports"
    __table_args__ = (
        UniqueConstraint("message_id", "reporter_id"),
        CheckConstraint("status IN ('open', 'dismissed', 'actioned')", name="status_known"),
    )

    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversation_messages.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessagingBlock(IdMixin, Base):
    """An admin's block: the user can no longer send messages in this store."""

    __tablename__ = "messaging_blocks"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    blocked_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
