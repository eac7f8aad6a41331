"""Outbox handler of inquiries: ``inquiry.updated`` becomes a live ``inquiry:updated`` push
to the buyer and the brand's members after commit (their open dashboards refresh)."""

from __future__ import annotations

from typing import Any

from mercato.inquiries import parties
from mercato.models.inquiries import Inquiry
from mercato.platform.notifications import user_channel


async def push_inquiry(ctx: Any, event: Any) -> None:
    inquiry = await ctx.db.get(Inquiry, int(event.payload["inquiry_id"]))
    if inquiry is None:
        return
    users = sorted({inquiry.buyer_id, *await parties.member_user_ids(ctx.db, inquiry.brand_id)})
    message = {
        "type": "inquiry:updated",
        "number": inquiry.number,
        "status": inquiry.status,
        "kind": event.payload.get("kind", ""),
        "brand_id": inquiry.brand_id,
    }
    hub, slug = ctx.runtime.hub, ctx.runtime.slug

    async def publish() -> None:
        for user_id in users:
            await hub.publish(user_channel(slug, user_id), message)

    ctx.after_commit.append(publish)
