"""Outbox handlers of conversations: live pushes after commit, and the digest email.

Pushes go to user channels only (``<store>:user:<id>``): the buyer and the members of the
brand. A socket listens to its own user's channel and nothing else, so a user of another
brand or another buyer never receives these, whatever their page asks for.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select, update

from mercato.conversations import service
from mercato.inquiries import parties
from mercato.kit.time import utcnow
from mercato.models import OutboxEvent, User
from mercato.models.brands import Brand
from mercato.models.conversations import Conversation, ConversationMessage
from mercato.platform.email import queue_email
from mercato.platform.notifications import user_channel

Push = tuple[list[int], dict[str, Any]]  # (user ids, message)
DONE_MARKS = "conversations.done_marks"  # runtime.extras key
log = logging.getLogger("mercato.conversations")


async def message_pushes(db: Any, runtime: Any, event_type: str, payload: dict) -> list[Push]:
    """What a ``conversation.message`` or ``conversation.read`` event announces, and to whom.
    Read from the database as it is, so a repeat carries the current unread counts."""
    conversation = await db.get(Conversation, int(payload["conversation_id"]))
    if conversation is None:
        return []
    members = await parties.member_user_ids(db, conversation.brand_id)
    if event_type == service.MESSAGE_READ:
        receipt = {
            "type": "message:read",
            "conversation_id": conversation.id,
            "side": payload["side"],
            "through": int(payload["through"]),
        }
        return [(sorted({conversation.buyer_id, *members}), receipt)]
    message = await db.get(ConversationMessage, int(payload["message_id"]))
    if message is None:
        return []
    data = service.message_dict(runtime, message)
    sender = await db.get(User, message.sender_id) if message.sender_id else None
    data["sender_name"] = sender.name if sender else ""
    pushes: list[Push] = []
    for side, users in (("buyer", [conversation.buyer_id]), ("brand", members)):
        push = {
            "type": "message:new",
            "conversation_id": conversation.id,
            "side": side,
            "unread": await service.unread_for(db, conversation, side),
            "message": data,
        }
        pushes.append((list(users), push))
    return pushes


async def _publish(runtime: Any, pushes: list[Push]) -> None:
    for user_ids, message in pushes:
        for user_id in user_ids:
            await runtime.hub.publish(user_channel(runtime.slug, user_id), message)


async def push_live(ctx: Any, event: Any) -> None:
    """Handler of ``conversation.message`` and ``conversation.read``: the pushes, published
    once the delivery transaction has committed. Idempotent: pages de-duplicate messages by
    id and a receipt only ever moves forward."""
    pushes = await message_pushes(ctx.db, ctx.runtime, event.event_type, event.payload)

    async def publish() -> None:
        await _publish(ctx.runtime, pushes)

    ctx.after_commit.append(publish)


async def deliver_after_commit(request: Any, events: list[OutboxEvent]) -> None:
    """The fast path for chat (milliseconds, not the worker's next poll): the pushes are read
    now, inside the request's transaction, and published as soon as it has committed. The
    outbox rows were written with the message and a grace period (service._announce), so if
    this process dies before publishing, the worker still delivers them (at least once; pages
    ignore a repeat). Marking them done is batched off the response path (DoneMarks)."""
    if not events:
        return
    runtime = request.state.runtime
    db = request.state.uow.session
    pushes = [p for e in events for p in await message_pushes(db, runtime, e.event_type, e.payload)]
    ids = [e.id for e in events]

    async def publish() -> None:
        await _publish(runtime, pushes)
        await done_marks(runtime).add(ids)

    request.state.uow.after_commit.append(publish)


class DoneMarks:
    """Outbox ids published by the fast path, marked done in one UPDATE per FLUSH_SECONDS
    instead of one write transaction per message (on SQLite each is the write lock and a
    commit). Until then the grace period keeps the worker away from them."""

    # 0 marks them at once, in the request (tests sharing one connection with the app).
    FLUSH_SECONDS = 0.5

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.pending: list[int] = []
        self.task: asyncio.Task[None] | None = None

    async def add(self, ids: list[int]) -> None:
        self.pending += ids
        if self.FLUSH_SECONDS <= 0:
            await self.flush()
        elif self.task is None or self.task.done():
            self.task = asyncio.create_task(self._flush_later(), name="conversations-done-marks")

    async def _flush_later(self) -> None:
        await asyncio.sleep(self.FLUSH_SECONDS)
        await self.flush()

    async def flush(self) -> None:
        ids, self.pending = self.pending, []
        if not ids:
            return
        try:
            async with self.runtime.db.transaction(write=True) as session:
                await session.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.id.in_(ids), OutboxEvent.status == "pending")
                    .values(status="done", processed_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
        except Exception:
            # Left pending: the worker delivers them after the grace (pages ignore repeats).
            log.exception("could not mark %d chat pushes done", len(ids))


def done_marks(runtime: Any) -> DoneMarks:
    marks = runtime.extras.get(DONE_MARKS)
    if marks is None:
        marks = runtime.extras[DONE_MARKS] = DoneMarks(runtime)
    return marks


async def send_digest(ctx: Any, event: Any) -> None:
    """``conversation.digest``: one email for the messages a side left unread. Clears the
    due mark first, so the next message after this starts a new burst."""
    side = event.payload["side"]
    if side not in ("buyer", "brand"):
        return
    conversation = await ctx.db.scalar(
        select(Conversation)
        .where(Conversation.id == int(event.payload["conversation_id"]))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if conversation is None:
        return
    setattr(conversation, f"{side}_digest_due", None)
    read = getattr(conversation, f"{side}_read_through")
    emailed = getattr(conversation, f"{side}_emailed_through")
    unread = list(
        await ctx.db.scalars(
            select(ConversationMessage)
            .where(
                ConversationMessage.conversation_id == conversation.id,
                ConversationMessage.sender_side == service.other_side(side),
                ConversationMessage.id > max(read, emailed),
            )
            .order_by(ConversationMessage.id)
            .limit(20)
        )
    )
    if not unread:
        await ctx.db.flush()
        return
    brand = await ctx.db.get(Brand, conversation.brand_id)
    buyer = await ctx.db.get(User, conversation.buyer_id)
    runtime = ctx.runtime
    rel = f"messages/{conversation.id}"
    if side == "buyer":
        who = brand.name if brand else "A brand"
        recipients = [(buyer.email, buyer.name)] if buyer and buyer.deleted_at is None else []
    else:
        who = buyer.name if buyer else "A buyer"
        recipients = [
            (e, n) for _, e, n in await parties.member_emails(ctx.db, conversation.brand_id)
        ]
    count = len(unread)
    subject = f"{who} sent you {count} message{'s' if count > 1 else ''}"
    for email, name in recipients:
        await queue_email(
            ctx.db,
            runtime,
            to=email,
            subject=subject[:200],
            template="emails/conversation_digest",
            context={"name": name, "who": who, "messages": unread, "rel": rel},
        )
    await ctx.db.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values({getattr(Conversation, f"{side}_emailed_through"): unread[-1].id})
        .execution_options(synchronize_session=False)
    )
    await ctx.db.flush()
