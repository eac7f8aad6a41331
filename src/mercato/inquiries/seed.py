"""Demo inquiries in every state, and conversations with history, between the demo boutiques
and brands (``demo.yaml`` beside this file). Rows are written directly, with their timeline
and read marks, so seeding sends no email. Idempotent: a buyer–brand pair that already has
an inquiry (or a conversation with messages) is left alone. Runs after the brands seed
(this module requires it), so the brands, their products and the boutiques exist."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.time import utcnow
from mercato.models import Product, User
from mercato.models.brands import Brand, BrandMember, BrandProduct, ProductSize
from mercato.models.conversations import Conversation, ConversationMessage
from mercato.models.inquiries import Inquiry, InquiryEvent, InquiryLine

DEMO = Path(__file__).parent / "demo.yaml"


def load() -> dict[str, Any]:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8")) or {}


async def user_by_email(db: AsyncSession, email: str) -> User | None:
    return await db.scalar(select(User).where(User.email == email.lower()))


async def brand_of_member(db: AsyncSession, email: str) -> Brand | None:
    return await db.scalar(
        select(Brand)
        .join(BrandMember, BrandMember.brand_id == Brand.id)
        .join(User, User.id == BrandMember.user_id)
        .where(User.email == email.lower())
        .order_by(Brand.id)
    )


async def _products(db: AsyncSession, brand_id: int) -> list[Product]:
    return list(
        await db.scalars(
            select(Product)
            .join(BrandProduct, BrandProduct.product_id == Product.id)
            .where(BrandProduct.brand_id == brand_id, Product.deleted_at.is_(None))
            .order_by(Product.id)
        )
    )


async def _size(db: AsyncSession, product_id: int, wanted: str) -> str:
    sizes = list(
        await db.scalars(
            select(ProductSize)
            .where(ProductSize.product_id == product_id)
            .order_by(ProductSize.sort, ProductSize.id)
        )
    )
    if not sizes:
        return ""
    for s in sizes:
        if s.label == str(wanted) and s.available:
            return s.label
    return next((s.label for s in sizes if s.available), sizes[0].label)


async def seed_inquiries(db: AsyncSession, ctx: Any) -> str:
    data = load()
    made = 0
    now = utcnow()
    for n, row in enumerate(data.get("inquiries", [])):
        buyer = await user_by_email(db, row["buyer"])
        brand = await brand_of_member(db, row["brand"])
        if buyer is None or brand is None:
            continue
        exists = await db.scalar(
            select(Inquiry.id).where(Inquiry.buyer_id == buyer.id, Inquiry.brand_id == brand.id)
        )
        if exists is not None:
            continue
        products = await _products(db, brand.id)
        if not products:
            continue
        sent_at = now - timedelta(days=int(row.get("days_ago", 1)))
        status = row["status"]
        inquiry = Inquiry(
            number=f"INQ-{900100 + n}",
            buyer_id=buyer.id,
            brand_id=brand.id,
            status=status,
            currency=ctx.config.currency,
            note=row.get("note", ""),
            created_at=sent_at,
            updated_at=sent_at,
        )
        db.add(inquiry)
        await db.flush()
        answers = row.get("answers") or []
        for i, spec in enumerate(row["lines"]):
            product = products[int(spec["product"]) % len(products)]
            quantity = max(int(spec["quantity"]), brand.min_units_per_style or 1)
            line = InquiryLine(
                inquiry_id=inquiry.id,
                product_id=product.id,
                product_name=product.name,
                list_price=product.price,
                size_label=await _size(db, product.id, spec.get("size", "")),
                colour="",
                quantity=quantity,
                customisation=spec.get("customisation", ""),
            )
            if status != "pending" and i < len(answers):
                available, price, lead, note = answers[i]
                line.available = bool(available)
                line.unit_price = price
                line.lead_time_days = lead
                line.brand_note = note or ""
            db.add(line)
        events: list[tuple[str, str, str, int | None, str, Any]] = [
            ("sent", "", "pending", buyer.id, "buyer", sent_at)
        ]
        quoted_at = sent_at + timedelta(hours=20)
        if answers and status != "pending":
            events.append(("quoted", "pending", "quoted", None, "brand", quoted_at))
            inquiry.quoted_at = quoted_at
        if status in ("accepted", "declined", "withdrawn"):
            before = "quoted" if answers else "pending"
            decided = quoted_at + timedelta(hours=30)
            events.append((status, before, status, buyer.id, "buyer", decided))
            inquiry.decided_at = decided
        for kind, src, dst, actor, side, when in events:
            db.add(
                InquiryEvent(
                    inquiry_id=inquiry.id,
                    kind=kind,
                    from_status=src,
                    to_status=dst,
                    actor_id=actor,
                    actor_side=side,
                    created_at=when,
                )
            )
        made += 1
    await db.flush()
    return f"{made} new inquiries"


async def seed_conversations(db: AsyncSession, ctx: Any) -> str:
    data = load()
    made = 0
    now = utcnow()
    for row in data.get("conversations", []):
        buyer = await user_by_email(db, row["buyer"])
        brand = await brand_of_member(db, row["brand"])
        member = await user_by_email(db, row["brand"])
        if buyer is None or brand is None or member is None:
            continue
        conversation = await db.scalar(
            select(Conversation).where(
                Conversation.buyer_id == buyer.id, Conversation.brand_id == brand.id
            )
        )
        if conversation is not None and conversation.last_message_id:
            continue
        if conversation is None:
            conversation = Conversation(buyer_id=buyer.id, brand_id=brand.id)
            db.add(conversation)
            await db.flush()
        last: ConversationMessage | None = None
        for side, text, minutes in row["messages"]:
            last = ConversationMessage(
                conversation_id=conversation.id,
                sender_id=buyer.id if side == "buyer" else member.id,
                sender_side=side,
                body=text,
                created_at=now - timedelta(minutes=int(minutes)),
            )
            db.add(last)
            await db.flush()
        assert last is not None
        conversation.last_message_id = last.id
        conversation.last_message_at = last.created_at
        read = row.get("read", "both")
        # Each side has read its own messages; `read` says who has read everything.
        ids = {
            side: max(
                (m.id for m in await _messages(db, conversation.id) if m.sender_side == side),
                default=0,
            )
            for side in ("buyer", "brand")
        }
        conversation.buyer_read_through = last.id if read in ("both", "buyer") else ids["buyer"]
        conversation.brand_read_through = last.id if read in ("both", "brand") else ids["brand"]
        # Seeded history is old news: no digest email for it.
        conversation.buyer_emailed_through = last.id
        conversation.brand_emailed_through = last.id
        made += 1
    await db.flush()
    return f"{made} new conversations"


async def _messages(db: AsyncSession, conversation_id: int) -> list[ConversationMessage]:
    return list(
        await db.scalars(
            select(ConversationMessage).where(
                ConversationMessage.conversation_id == conversation_id
            )
        )
    )
