"""The demo inquiries and conversations: every inquiry state is there, conversations have
history and unread messages, and a second run adds nothing."""

from __future__ import annotations

import yaml
from sqlalchemy import func, select

from mercato.config import PROJECT_ROOT
from mercato.inquiries import service as inquiry_service
from mercato.inquiries.seed import seed_conversations, seed_inquiries
from mercato.models.conversations import Conversation, ConversationMessage
from mercato.models.inquiries import Inquiry, InquiryEvent
from mercato.platform.files import LocalStorage
from mercato.platform.seeding import SeedContext, ensure_user

SEED_DIR = PROJECT_ROOT / "stores" / "qala" / "seed"


async def _count(db, model) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_demo_has_every_state_and_history_and_seeds_once(qdb, qala, qroles, tmp_path):
    # Given the brands seed has run (as it does before ours in `mercato seed`)
    data = yaml.safe_load((SEED_DIR / "brands.yaml").read_text(encoding="utf-8"))
    ctx = SeedContext(
        config=qala.config,
        settings=qala.settings,
        seed_dir=SEED_DIR,
        storage=LocalStorage(tmp_path, url_prefix="/qala/files"),
    )
    for email in [b["user"] for b in data["brands"]] + [b["user"] for b in data["boutiques"]]:
        user, _ = await ensure_user(
            qdb, qroles, email=email, password="x", name=email, role_names=["customer"]
        )
        ctx.users[user.email] = user
    from mercato.brands.seed import seed_brands

    await seed_brands(qdb, ctx)
    # When our seeds run twice
    assert await seed_inquiries(qdb, ctx) == "5 new inquiries"
    assert await seed_conversations(qdb, ctx) == "3 new conversations"
    counts = [
        await _count(qdb, m) for m in (Inquiry, InquiryEvent, Conversation, ConversationMessage)
    ]
    assert await seed_inquiries(qdb, ctx) == "0 new inquiries"
    assert await seed_conversations(qdb, ctx) == "0 new conversations"
    # Then every state is there once, with a timeline ending in it, and nothing was doubled
    rows = list(await qdb.scalars(select(Inquiry)))
    assert sorted(r.status for r in rows) == sorted(inquiry_service.STATUS_LABELS)
    for row in rows:
        events = await inquiry_service.timeline(qdb, row.id)
        assert events[0].kind == "sent" and events[-1].to_status == row.status
    assert counts == [
        await _count(qdb, m) for m in (Inquiry, InquiryEvent, Conversation, ConversationMessage)
    ]
    # And some conversations have unread messages for a side
    unread = [
        c
        for c in await qdb.scalars(select(Conversation))
        if c.brand_read_through < c.last_message_id or c.buyer_read_through < c.last_message_id
    ]
    assert len(unread) == 2
