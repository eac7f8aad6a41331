"""Outbox handlers of conversations: live pushes after commit, and the digest email.

Pushes go to user channels only (``<store>:user:<id>``): the buyer and the members of the
brand. A socket listens to its own user's channel and nothing else, so a user of another
brand or another buyer never receives these, whatever their page asks for.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from mercato.conversations import service
from mercato.inquiries import parties
from mercato.models import User
from mercato.models.brands import Brand
from mercato.models.conversations import Conversation, ConversationMessage
from mercato.platform import worker
from mercato.platform.email import queue_email
from mercato.platform.notifications import user_channel


def deliver_after_commit(request: Any, event_ids: list[int]) -> None:
    """Deliver the live pushes of this request as soon as its transaction has committed,
    instead of at the worker's next poll (up to a second later): chat needs tens of
    milliseconds. The outbox row stays the source of truth: delivery locks the row and marks
    it done, so the worker skips it; if this fails, the worker delivers it on its next poll.
    """
    if not event_ids:
        return
    runtime = request.state.runtime

    async def deliver() -> None:
        for event_id in event_ids:
            await worker._deliver(runtime, event_id)  # the worker's own single-event path

    request.state.uow.after_commit.append(deliver)


async def _recipients(db: Any, conversation: Conversation) -> list[int]:
    members = await parties.member_user_ids(db, conversation.brand_id)
    return sorted({conversation.buyer_id, *members})


def _publish_later(ctx: Any, user_ids: list[int], message: dict[str, Any]) -> None:
    hub, slug = ctx.runtime.hub, ctx.runtime.slug

    async def publish() -> None:
        for user_id in user_ids:
            await hub.publish(user_channel(slug, user_id), message)

    ctx.after_commit.append(publish)


async def push_message(ctx: Any, event: Any) -> None:
    """``conversation.message`` → ``message:new`` to both sides, with each side's unread
    count (the brand's members share theirs). Idempotent: a repeat shows the same message,
    which the page de-duplicates by id."""
    message = await ctx.db.get(ConversationMessage, int(event.payload["message_id"]))
    if message is None:
        return
    conversation = await ctx.db.get(Conversation, message.conversation_id)
    if conversation is None:
        return
    data = service.message_dict(ctx.runtime, message)
    sender = await ctx.db.get(User, message.sender_id) if message.sender_id else None
    data["sender_name"] = sender.name if sender else ""
    members = await parties.member_user_ids(ctx.db, conversation.brand_id)
    for side, users in (("buyer", [conversation.buyer_id]), ("brand", members)):
        push = {
            "type": "message:new",
            "conversation_id": conversation.id,
            "side": side,
            "unread": await service.unread_for(ctx.db, conversation, side),
            "message": data,
        }
        _publish_later(ctx, [u for u in users], push)


async def push_read(ctx: Any, event: Any) -> None:
    """``conversation.read`` → ``message:read`` (the read receipt) to both sides."""
    conversation = await ctx.db.get(Conversation, int(event.payload["conversation_id"]))
    if conversation is None:
        return
    push = {
        "type": "message:read",
        "conversation_id": conversation.id,
        "side": event.payload["side"],
        "through": int(event.payload["through"]),
    }
    _publish_later(ctx, await _recipients(ctx.db, conversation), push)


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
