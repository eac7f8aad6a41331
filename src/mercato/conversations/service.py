"""The rules of conversations: one thread per buyer and brand, messages, read marks, unread
counts, the email digest for messages left unread, reports and blocks.

Messages are saved, then announced through the outbox (``conversation.message``); the worker
pushes ``message:new`` to the user channels of both sides after commit, so every open tab of
the other side and the sender's other tabs receive it, and nobody else: a socket only ever
listens to its own user's channel (``notifications/ws.py``), so there is no channel a
client could ask to join.

The email for messages nobody read: the first unread message of a burst sets the
recipient side's ``*_digest_due`` (a conditional UPDATE, so only one request wins) and
queues ``conversation.digest`` to run DIGEST_DELAY later. When it runs, messages that side
has read since (an open tab marks them read as they arrive) are not mailed; the rest go
in one email, and ``*_emailed_through`` remembers them, so a burst of twenty messages is
one email and a redelivered event sends nothing twice.

Import as ``from mercato.conversations import service as conversation_service``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import CursorResult, and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from mercato.inquiries import parties
from mercato.kit.errors import NotFound, PermissionDenied, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import OutboxEvent, User
from mercato.models.brands import Brand, BrandProduct
from mercato.models.conversations import (
    Conversation,
    ConversationMessage,
    MessageReport,
    MessagingBlock,
)
from mercato.models.inquiries import Inquiry
from mercato.platform import outbox

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

MESSAGE_NEW = "conversation.message"
MESSAGE_READ = "conversation.read"
DIGEST = "conversation.digest"
DIGEST_DELAY = timedelta(minutes=5)
# How long the worker leaves a push that the request publishes itself after commit.
FAST_PATH_GRACE = timedelta(seconds=30)
MAX_BODY = 4000
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# Per sender: a person typing fast stays well under these; a script does not. The
# environment may raise them for load benchmarks (bench/qala_chat_latency.py).
SEND_RATE = os.environ.get("MERCATO_RATE_LIMIT_MESSAGES", "20/minute")
SEND_RATE_HOURLY = os.environ.get("MERCATO_RATE_LIMIT_MESSAGES_HOURLY", "300/hour")
BLOCKED = "You can no longer send messages in this store. Contact the store if this is a mistake."


def other_side(side: str) -> str:
    return "brand" if side == "buyer" else "buyer"


# ---------------------------------------------------------------- finding and starting


async def side_of(db: AsyncSession, who: parties.Who, conversation: Conversation) -> str | None:
    if conversation.buyer_id == who.user.id:
        return "buyer"
    if conversation.brand_id in who.brand_ids:
        return "brand"
    return None


async def get_for_user(
    db: AsyncSession, who: parties.Who, conversation_id: int
) -> tuple[Conversation, str]:
    """The conversation and the side the user is on; anyone else gets "not found"."""
    row = await db.get(Conversation, conversation_id)
    side = await side_of(db, who, row) if row is not None else None
    if row is None or side is None:
        raise NotFound("No such conversation.", field="conversation_id")
    return row, side


async def start(db: AsyncSession, buyer: User, brand_id: int) -> Conversation:
    """The buyer's conversation with the brand, created on first use. Only approved buyers
    start one; the unique (buyer, brand) key settles two tabs starting at once."""
    await parties.require_approved_buyer(db, buyer.id)
    brand = await db.get(Brand, brand_id)
    if brand is None or not brand.is_active:
        raise NotFound("No such brand.", field="brand_id")
    if brand_id in await parties.brand_ids_for_user(db, buyer.id):
        raise ValidationFailed("You cannot message your own brand.", field="brand_id")
    existing = await _find(db, buyer.id, brand_id)
    if existing is not None:
        return existing
    try:
        async with db.begin_nested():
            row = Conversation(buyer_id=buyer.id, brand_id=brand_id)
            db.add(row)
            await db.flush()
        return row
    except IntegrityError:
        found = await _find(db, buyer.id, brand_id)
        assert found is not None
        return found


async def _find(db: AsyncSession, buyer_id: int, brand_id: int) -> Conversation | None:
    return await db.scalar(
        select(Conversation).where(
            Conversation.buyer_id == buyer_id, Conversation.brand_id == brand_id
        )
    )


async def brand_for_start(
    db: AsyncSession, *, brand_id: int | None, product_id: int | None, inquiry: Inquiry | None
) -> int:
    """Which brand a "Message the brand" button means: given, a product's, an inquiry's."""
    if inquiry is not None:
        return inquiry.brand_id
    if product_id:
        found = await parties.brand_of_product(db, product_id)
        if found is None:
            raise NotFound("No such product.", field="product_id")
        return found
    if brand_id:
        return brand_id
    raise ValidationFailed("Choose the brand to write to.", field="brand_id")


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class Attachment:
    key: str
    width: int
    height: int


async def is_blocked(db: AsyncSession, user_id: int) -> bool:
    found = await db.scalar(select(MessagingBlock.id).where(MessagingBlock.user_id == user_id))
    return found is not None


async def send(
    db: AsyncSession,
    conversation: Conversation,
    sender: User,
    side: str,
    body: str,
    *,
    product_id: int | None = None,
    inquiry_id: int | None = None,
    attachment: Attachment | None = None,
    pushes: list[Any] | None = None,
) -> ConversationMessage:
    """Save a message, mark it read for its own side, queue its live delivery and, for the
    first unread message of a burst, the recipient side's digest email. The live delivery's
    outbox event is appended to ``pushes`` (the web layer delivers it right after
    commit instead of waiting for the worker's next poll)."""
    if await is_blocked(db, sender.id):
        raise PermissionDenied(BLOCKED, field="body", code="blocked")
    if side == "buyer":
        await parties.require_approved_buyer(db, sender.id)
    body = (body or "").strip()
    if len(body) > MAX_BODY:
        raise ValidationFailed(f"At most {MAX_BODY} characters.", field="body")
    if not body and attachment is None:
        raise ValidationFailed("Write a message or attach an image.", field="body")
    if product_id is not None:
        owner = await db.scalar(
            select(BrandProduct.brand_id).where(BrandProduct.product_id == product_id)
        )
        if owner != conversation.brand_id:
            raise ValidationFailed("That product is not one of this brand's.", field="product_id")
    if inquiry_id is not None:
        found = await db.scalar(
            select(Inquiry.id).where(
                Inquiry.id == inquiry_id,
                Inquiry.buyer_id == conversation.buyer_id,
                Inquiry.brand_id == conversation.brand_id,
            )
        )
        if found is None:
            raise ValidationFailed(
                "That inquiry is not part of this conversation.", field="inquiry_id"
            )
    message = ConversationMessage(
        conversation_id=conversation.id,
        sender_id=sender.id,
        sender_side=side,
        body=body,
        product_id=product_id,
        inquiry_id=inquiry_id,
        attachment_key=attachment.key if attachment else "",
        attachment_width=attachment.width if attachment else None,
        attachment_height=attachment.height if attachment else None,
    )
    db.add(message)
    await db.flush()
    now = message.created_at
    own_read = f"{side}_read_through"
    await db.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(
            {
                Conversation.last_message_id: message.id,
                Conversation.last_message_at: now,
                getattr(Conversation, own_read): message.id,
            }
        )
        .execution_options(synchronize_session=False)
    )
    # The UPDATE's values, without reading the row back.
    set_committed_value(conversation, "last_message_id", message.id)
    set_committed_value(conversation, "last_message_at", now)
    set_committed_value(conversation, own_read, message.id)
    await _announce(
        db, MESSAGE_NEW, {"message_id": message.id, "conversation_id": conversation.id}, pushes
    )
    await _schedule_digest(db, conversation, other_side(side), now)
    return message


async def _announce(
    db: AsyncSession, event_type: str, payload: dict[str, Any], pushes: list[Any] | None
) -> None:
    """The outbox event of a live push. With ``pushes`` the web layer publishes it right after
    the commit (events.deliver_after_commit), so the worker leaves it for FAST_PATH_GRACE and
    takes it only if that never happened (the process died in between): one push, not two,
    and no second transaction per message to tell the worker so."""
    if pushes is None:
        await outbox.emit(db, event_type, payload)
        return
    event = OutboxEvent(
        event_type=event_type, payload=payload, next_attempt_at=utcnow() + FAST_PATH_GRACE
    )
    db.add(event)
    await db.flush()
    pushes.append(event)


async def _schedule_digest(
    db: AsyncSession, conversation: Conversation, side: str, now: datetime
) -> None:
    due_column = getattr(Conversation, f"{side}_digest_due")
    due = now + DIGEST_DELAY
    result: CursorResult[Any] = await db.execute(  # type: ignore[assignment]
        update(Conversation)
        .where(Conversation.id == conversation.id, due_column.is_(None))
        .values({due_column: due})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        # A delayed event: the worker leaves it until then.
        payload = {"conversation_id": conversation.id, "side": side}
        db.add(OutboxEvent(event_type=DIGEST, payload=payload, next_attempt_at=due))
        await db.flush()


# ---------------------------------------------------------------- reading


async def history(
    db: AsyncSession, conversation_id: int, *, before: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[ConversationMessage], int | None]:
    """One page of messages, oldest first, and the cursor of the page before it (None at
    the start). Keyset paging on (conversation_id, id): the same one query whether the
    conversation has ten messages or ten thousand."""
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    query = select(ConversationMessage).where(
        ConversationMessage.conversation_id == conversation_id
    )
    if before is not None:
        query = query.where(ConversationMessage.id < before)
    rows = list(await db.scalars(query.order_by(ConversationMessage.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    rows.reverse()
    return rows, (rows[0].id if more and rows else None)


async def mark_read(
    db: AsyncSession,
    conversation: Conversation,
    side: str,
    through: int | None = None,
    *,
    pushes: list[Any] | None = None,
) -> int:
    """Mark the side's messages read up to ``through`` (default: all). Returns the new read
    mark. Marks only move forward and never past the last message; a mark that moved queues
    the ``message:read`` receipt."""
    target = (
        conversation.last_message_id
        if through is None
        else min(int(through), conversation.last_message_id)
    )
    column = getattr(Conversation, f"{side}_read_through")
    result: CursorResult[Any] = await db.execute(  # type: ignore[assignment]
        update(Conversation)
        .where(Conversation.id == conversation.id, column < target)
        .values({column: target})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        await _announce(
            db,
            MESSAGE_READ,
            {"conversation_id": conversation.id, "side": side, "through": target},
            pushes,
        )
        set_committed_value(conversation, f"{side}_read_through", target)
    return int(getattr(conversation, f"{side}_read_through"))


def _unread_join(side: str) -> Any:
    """Messages of the other side newer than this side's read mark."""
    read_mark = getattr(Conversation, f"{side}_read_through")
    return and_(
        ConversationMessage.conversation_id == Conversation.id,
        ConversationMessage.sender_side == other_side(side),
        ConversationMessage.id > read_mark,
    )


async def unread_total(db: AsyncSession, who: parties.Who) -> int:
    """Unread messages over all the user's conversations, as buyer and for their brands."""
    total = 0
    count = (
        select(func.count(ConversationMessage.id))
        .select_from(Conversation)
        .join(ConversationMessage, _unread_join("buyer"))
        .where(Conversation.buyer_id == who.user.id)
    )
    total += int(await db.scalar(count) or 0)
    if who.brand_ids:
        count = (
            select(func.count(ConversationMessage.id))
            .select_from(Conversation)
            .join(ConversationMessage, _unread_join("brand"))
            .where(Conversation.brand_id.in_(who.brand_ids))
        )
        total += int(await db.scalar(count) or 0)
    return total


async def unread_for(db: AsyncSession, conversation: Conversation, side: str) -> int:
    count = await db.scalar(
        select(func.count(ConversationMessage.id))
        .select_from(Conversation)
        .join(ConversationMessage, _unread_join(side))
        .where(Conversation.id == conversation.id)
    )
    return int(count or 0)


@dataclass
class InboxRow:
    conversation: Conversation
    unread: int
    last: ConversationMessage | None


async def inbox(
    db: AsyncSession,
    *,
    side: str,
    buyer_id: int | None = None,
    brand_ids: tuple[int, ...] = (),
    unread_only: bool = False,
    limit: int = 100,
) -> list[InboxRow]:
    """Conversations of a buyer (side "buyer") or of brands (side "brand"), latest first,
    with unread counts and the last message: three queries whatever the number of rows."""
    unread = (
        select(func.count(ConversationMessage.id))
        .where(_unread_join(side))
        .correlate(Conversation)
        .scalar_subquery()
    )
    query = select(Conversation, unread.label("unread"))
    if side == "buyer":
        query = query.where(Conversation.buyer_id == buyer_id)
    else:
        if not brand_ids:
            return []
        query = query.where(Conversation.brand_id.in_(brand_ids))
        if buyer_id:
            query = query.where(Conversation.buyer_id == buyer_id)
    query = query.where(Conversation.last_message_id > 0)
    if unread_only:
        query = query.where(unread > 0)
    rows = (
        await db.execute(
            query.order_by(Conversation.last_message_at.desc(), Conversation.id.desc()).limit(limit)
        )
    ).all()
    last_ids = [c.last_message_id for c, _ in rows]
    lasts: dict[int, ConversationMessage] = {}
    if last_ids:
        found = await db.scalars(
            select(ConversationMessage).where(ConversationMessage.id.in_(last_ids))
        )
        lasts = {m.id: m for m in found}
    return [InboxRow(c, int(n or 0), lasts.get(c.last_message_id)) for c, n in rows]


async def message_in(
    db: AsyncSession, conversation: Conversation, message_id: int
) -> ConversationMessage:
    row = await db.scalar(
        select(ConversationMessage).where(
            ConversationMessage.id == message_id,
            ConversationMessage.conversation_id == conversation.id,
        )
    )
    if row is None:
        raise NotFound("No such message.", field="message_id")
    return row


# ---------------------------------------------------------------- reports and blocks


async def report(
    db: AsyncSession,
    conversation: Conversation,
    side: str,
    reporter: User,
    message_id: int,
    reason: str,
) -> MessageReport:
    """A participant reports a message the other side wrote; once per reporter."""
    message = await message_in(db, conversation, message_id)
    if message.sender_side == side:
        raise ValidationFailed("You can only report messages you received.", field="message_id")
    reason = (reason or "").strip()
    if len(reason) > 1000:
        raise ValidationFailed("At most 1000 characters.", field="reason")
    existing = await db.scalar(
        select(MessageReport).where(
            MessageReport.message_id == message.id, MessageReport.reporter_id == reporter.id
        )
    )
    if existing is not None:
        return existing
    row = MessageReport(message_id=message.id, reporter_id=reporter.id, reason=reason)
    db.add(row)
    await db.flush()
    return row


async def open_reports(
    db: AsyncSession, limit: int = 100
) -> list[tuple[MessageReport, ConversationMessage]]:
    rows = await db.execute(
        select(MessageReport, ConversationMessage)
        .join(ConversationMessage, ConversationMessage.id == MessageReport.message_id)
        .where(MessageReport.status == "open")
        .order_by(MessageReport.id.desc())
        .limit(limit)
    )
    return [(r, m) for r, m in rows.all()]


async def close_report(db: AsyncSession, report_id: int, status: str) -> None:
    if status not in ("dismissed", "actioned"):
        raise ValidationFailed("Dismiss or action a report.", field="status")
    row = await db.get(MessageReport, report_id)
    if row is None:
        raise NotFound("No such report.", field="report_id")
    row.status = status
    await db.flush()


async def block(db: AsyncSession, user_id: int, *, by: User, reason: str = "") -> MessagingBlock:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("No such user.", field="user_id")
    existing = await db.scalar(select(MessagingBlock).where(MessagingBlock.user_id == user_id))
    if existing is not None:
        return existing
    row = MessagingBlock(user_id=user_id, blocked_by=by.id, reason=(reason or "").strip()[:1000])
    db.add(row)
    await db.flush()
    return row


async def unblock(db: AsyncSession, user_id: int) -> None:
    row = await db.scalar(select(MessagingBlock).where(MessagingBlock.user_id == user_id))
    if row is not None:
        await db.delete(row)
        await db.flush()


async def blocks(db: AsyncSession) -> list[MessagingBlock]:
    return list(await db.scalars(select(MessagingBlock).order_by(MessagingBlock.id.desc())))


# ---------------------------------------------------------------- presentation


def message_dict(runtime: StoreRuntime, message: ConversationMessage) -> dict[str, Any]:
    """The JSON shape of a message, for the API and the live push alike."""
    attachment = None
    if message.attachment_key:
        attachment = {
            "url": runtime.path(f"messages/{message.conversation_id}/attachments/{message.id}"),
            "width": message.attachment_width,
            "height": message.attachment_height,
        }
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "sender_side": message.sender_side,
        "body": message.body,
        "product_id": message.product_id,
        "inquiry_id": message.inquiry_id,
        "attachment": attachment,
        "created_at": message.created_at.isoformat(),
    }


async def buyer_ids_of_brand(db: AsyncSession, brand_id: int) -> set[int]:
    """Buyers who have written to the brand: the inbox's "by buyer" filter."""
    rows = await db.scalars(
        select(Conversation.buyer_id).where(
            Conversation.brand_id == brand_id, Conversation.last_message_id > 0
        )
    )
    return set(rows)
