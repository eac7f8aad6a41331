"""Conversation rules: one per buyer and brand, who may write, live pushes only to the two
sides, read receipts and unread counts, one digest email per burst of unread messages,
keyset history, reports and blocks."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update

from mercato.conversations import service as conversation_service
from mercato.inquiries import parties
from mercato.inquiries import service as inquiry_service
from mercato.kit.errors import NotFound, PermissionDenied, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import EmailMessage, OutboxEvent
from mercato.models.conversations import Conversation, ConversationMessage
from mercato.platform.notifications import user_channel
from tests.inquiries.factories import deliver


@pytest.fixture
def pair(qdb, make_buyer, make_brand):
    """(conversation, buyer, brand member) of a fresh buyer and brand."""

    async def make(buyer=None, brand=None):
        buyer = buyer or await make_buyer("sofia@example.com")
        if brand is None:
            brand, member = await make_brand()
        else:
            member = None
        conversation = await conversation_service.start(qdb, buyer, brand.id)
        return conversation, buyer, member

    return make


async def _drain(queue) -> list[dict]:
    out = []
    while not queue.empty():
        out.append(await asyncio.wait_for(queue.get(), 1))
    return out


async def test_one_conversation_per_buyer_and_brand(qdb, pair, make_brand):
    conversation, buyer, _ = await pair()
    again = await conversation_service.start(qdb, buyer, conversation.brand_id)
    assert again.id == conversation.id
    other, _ = await make_brand("Atelier Nord")
    assert (await conversation_service.start(qdb, buyer, other.id)).id != conversation.id
    assert await qdb.scalar(select(func.count()).select_from(Conversation)) == 2


@pytest.mark.parametrize("status", ["pending", "rejected"])
async def test_an_unapproved_buyer_cannot_start_or_write(qdb, make_buyer, make_brand, pair, status):
    brand, _ = await make_brand()
    waiting = await make_buyer(status=status)
    with pytest.raises(PermissionDenied):
        await conversation_service.start(qdb, waiting, brand.id)
    # A buyer approved earlier and rejected later loses the right at once
    conversation, buyer, _ = await pair()
    await conversation_service.send(qdb, conversation, buyer, "buyer", "Hello")
    from mercato.models.brands import Boutique

    await qdb.execute(
        update(Boutique).where(Boutique.user_id == buyer.id).values(status=status, reason="x")
    )
    with pytest.raises(PermissionDenied):
        await conversation_service.send(qdb, conversation, buyer, "buyer", "Still there?")


async def test_only_the_two_sides_find_the_conversation(qdb, pair, make_buyer, make_brand):
    conversation, buyer, member = await pair()
    _, stranger_brand_user = await make_brand("Atelier Nord")
    other_buyer = await make_buyer()
    for user, side in ((buyer, "buyer"), (member, "brand")):
        found, got = await conversation_service.get_for_user(
            qdb, await parties.who(qdb, user), conversation.id
        )
        assert got == side
    for user in (stranger_brand_user, other_buyer):
        with pytest.raises(NotFound):
            await conversation_service.get_for_user(
                qdb, await parties.who(qdb, user), conversation.id
            )


async def test_messages_are_validated_and_references_must_belong_to_the_pair(
    qdb, qala, pair, make_brand, make_product, make_buyer
):
    conversation, buyer, member = await pair()
    brand_id = conversation.brand_id
    from mercato.models.brands import Brand

    brand = await qdb.get(Brand, brand_id)
    own_product = await make_product(brand)
    other_brand, _ = await make_brand("Atelier Nord")
    foreign = await make_product(other_brand, "Wool Coat")
    with pytest.raises(ValidationFailed) as empty:
        await conversation_service.send(qdb, conversation, buyer, "buyer", "   ")
    assert empty.value.field == "body"
    with pytest.raises(ValidationFailed):
        await conversation_service.send(qdb, conversation, buyer, "buyer", "x" * 4001)
    with pytest.raises(ValidationFailed) as wrong_product:
        await conversation_service.send(
            qdb, conversation, buyer, "buyer", "This one?", product_id=foreign.id
        )
    assert wrong_product.value.field == "product_id"
    someone = await make_buyer()
    [theirs] = await inquiry_service.create_inquiries(
        qdb, qala, someone, [inquiry_service.ItemIn(own_product.id, 10, "M")]
    )
    with pytest.raises(ValidationFailed) as wrong_inquiry:
        await conversation_service.send(
            qdb, conversation, buyer, "buyer", "About this", inquiry_id=theirs.id
        )
    assert wrong_inquiry.value.field == "inquiry_id"
    ok = await conversation_service.send(
        qdb, conversation, buyer, "buyer", "This one?", product_id=own_product.id
    )
    assert ok.product_id == own_product.id


async def test_a_message_reaches_every_tab_of_both_sides_and_nobody_else(
    qdb, qala, pair, make_brand
):
    # Given the buyer, the brand's user and another brand's user with open pages
    conversation, buyer, member = await pair()
    _, stranger = await make_brand("Atelier Nord")
    channels = {u.id: user_channel(qala.slug, u.id) for u in (buyer, member, stranger)}
    async with (
        qala.hub.subscribe([channels[buyer.id]]) as buyer_tab,
        qala.hub.subscribe([channels[buyer.id]]) as buyer_other_tab,
        qala.hub.subscribe([channels[member.id]]) as brand_tab,
        qala.hub.subscribe([channels[stranger.id]]) as stranger_tab,
    ):
        # When the buyer writes and the worker delivers
        message = await conversation_service.send(
            qdb, conversation, buyer, "buyer", "Do you ship to Dubai?"
        )
        await deliver(qala)
        # Then the brand's tab gets message:new with its unread count, and so do both of
        # the buyer's tabs (the sender's other tab), and the stranger gets nothing
        brand_push = [p for p in await _drain(brand_tab) if p["type"] == "message:new"]
        assert brand_push[0]["message"]["body"] == "Do you ship to Dubai?"
        assert brand_push[0]["message"]["id"] == message.id and brand_push[0]["unread"] == 1
        for tab in (buyer_tab, buyer_other_tab):
            pushes = [p for p in await _drain(tab) if p["type"] == "message:new"]
            assert pushes[0]["message"]["id"] == message.id and pushes[0]["unread"] == 0
        assert stranger_tab.empty()
        # When the brand reads it
        await conversation_service.mark_read(qdb, conversation, "brand")
        await deliver(qala)
        # Then the buyer's tab gets the read receipt
        receipts = [p for p in await _drain(buyer_tab) if p["type"] == "message:read"]
        assert receipts == [
            {
                "type": "message:read",
                "conversation_id": conversation.id,
                "side": "brand",
                "through": message.id,
            }
        ]
        assert stranger_tab.empty()


async def test_unread_counts_and_read_marks_only_move_forward(qdb, pair):
    conversation, buyer, member = await pair()
    member_who = await parties.who(qdb, member)
    ids = [
        (await conversation_service.send(qdb, conversation, buyer, "buyer", f"Note {i}")).id
        for i in range(3)
    ]
    assert await conversation_service.unread_total(qdb, member_who) == 3
    assert await conversation_service.unread_for(qdb, conversation, "buyer") == 0
    assert await conversation_service.mark_read(qdb, conversation, "brand", ids[1]) == ids[1]
    assert await conversation_service.unread_total(qdb, member_who) == 1
    # An older mark, or one past the last message, does not move it back or too far
    assert await conversation_service.mark_read(qdb, conversation, "brand", ids[0]) == ids[1]
    assert await conversation_service.mark_read(qdb, conversation, "brand", 10**12) == ids[2]
    assert await conversation_service.unread_total(qdb, member_who) == 0
    rows = await conversation_service.inbox(qdb, side="brand", brand_ids=member_who.brand_ids)
    assert [(r.conversation.id, r.unread, r.last.id) for r in rows] == [
        (conversation.id, 0, ids[2])
    ]


async def _make_digest_due(qdb) -> None:
    """Jump forward: the delayed digest events are due now."""
    await qdb.execute(
        update(OutboxEvent)
        .where(OutboxEvent.event_type == conversation_service.DIGEST)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    await qdb.flush()


async def test_unread_messages_bring_one_email_per_burst_not_one_per_message(qdb, qala, pair):
    # Given a buyer who writes three messages in a row to a brand with no tab open
    conversation, buyer, member = await pair()
    for text in ("Hello!", "Do you ship to Dubai?", "And to Doha?"):
        await conversation_service.send(qdb, conversation, buyer, "buyer", text)
    # Then one delayed digest is queued for the brand side, and none yet is due
    digests = list(
        await qdb.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == conversation_service.DIGEST)
        )
    )
    assert len(digests) == 1 and digests[0].payload["side"] == "brand"
    assert digests[0].next_attempt_at > utcnow() + timedelta(minutes=4)
    await deliver(qala)
    assert await qdb.scalar(select(func.count()).select_from(EmailMessage)) == 0
    # When the delay has passed and nobody read them
    await _make_digest_due(qdb)
    await deliver(qala)
    # Then the brand's member gets one email with the three messages
    [email] = list(await qdb.scalars(select(EmailMessage)))
    assert email.to_address == member.email
    assert "3 messages" in email.subject
    assert "Do you ship to Dubai?" in email.text_body and "And to Doha?" in email.text_body
    # And a redelivery of the same event sends nothing again
    await qdb.execute(
        update(OutboxEvent)
        .where(OutboxEvent.event_type == conversation_service.DIGEST)
        .values(status="pending", next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    await deliver(qala)
    assert await qdb.scalar(select(func.count()).select_from(EmailMessage)) == 1


async def test_messages_read_in_an_open_tab_bring_no_email(qdb, qala, pair):
    conversation, buyer, member = await pair()
    await conversation_service.send(qdb, conversation, buyer, "buyer", "Hello!")
    await conversation_service.mark_read(qdb, conversation, "brand")  # the brand's tab read it
    await _make_digest_due(qdb)
    await deliver(qala)
    assert await qdb.scalar(select(func.count()).select_from(EmailMessage)) == 0
    # And the next message starts a new burst with its own digest
    await conversation_service.send(qdb, conversation, buyer, "buyer", "Are you there?")
    pending = await qdb.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(
            OutboxEvent.event_type == conversation_service.DIGEST, OutboxEvent.status == "pending"
        )
    )
    assert pending == 1


async def test_history_is_paged_by_keyset(qdb, pair):
    conversation, buyer, member = await pair()
    ids = [
        (await conversation_service.send(qdb, conversation, buyer, "buyer", f"m{i}")).id
        for i in range(7)
    ]
    page, older = await conversation_service.history(qdb, conversation.id, limit=3)
    assert [m.id for m in page] == ids[-3:] and older == ids[-3]
    page, older = await conversation_service.history(qdb, conversation.id, before=older, limit=3)
    assert [m.id for m in page] == ids[1:4] and older == ids[1]
    page, older = await conversation_service.history(qdb, conversation.id, before=older, limit=3)
    assert [m.id for m in page] == ids[:1] and older is None


async def test_a_blocked_user_cannot_send(qdb, pair, make_user):
    conversation, buyer, member = await pair()
    admin = await make_user(None, "admin")
    await conversation_service.block(qdb, member.id, by=admin, reason="Spam")
    with pytest.raises(PermissionDenied) as refused:
        await conversation_service.send(qdb, conversation, member, "brand", "Buy now!!!")
    assert refused.value.code == "blocked"
    await conversation_service.unblock(qdb, member.id)
    await conversation_service.send(qdb, conversation, member, "brand", "Sorry about that.")


async def test_a_participant_reports_a_message_they_received_once(qdb, pair):
    conversation, buyer, member = await pair()
    mine = await conversation_service.send(qdb, conversation, buyer, "buyer", "Hello")
    theirs = await conversation_service.send(qdb, conversation, member, "brand", "Buy now!!!")
    with pytest.raises(ValidationFailed):
        await conversation_service.report(qdb, conversation, "buyer", buyer, mine.id, "")
    first = await conversation_service.report(qdb, conversation, "buyer", buyer, theirs.id, "Spam")
    again = await conversation_service.report(qdb, conversation, "buyer", buyer, theirs.id, "!")
    assert first.id == again.id
    assert [(r.id, m.id) for r, m in await conversation_service.open_reports(qdb)] == [
        (first.id, theirs.id)
    ]


async def test_bulk_history_helper_makes_ten_thousand_messages(qdb, pair):
    """The query-budget test in test_api_pages needs many rows fast: one INSERT."""
    conversation, buyer, _ = await pair()
    await _bulk(qdb, conversation, buyer, 100)
    assert (
        await qdb.scalar(
            select(func.count()).where(ConversationMessage.conversation_id == conversation.id)
        )
        == 100
    )


async def _bulk(qdb, conversation, sender, n: int) -> None:
    now = utcnow()
    await qdb.execute(
        insert(ConversationMessage),
        [
            {
                "conversation_id": conversation.id,
                "sender_id": sender.id,
                "sender_side": "buyer",
                "body": f"Message {i}",
                "attachment_key": "",
                "created_at": now,
            }
            for i in range(n)
        ],
    )
    last = await qdb.scalar(
        select(func.max(ConversationMessage.id)).where(
            ConversationMessage.conversation_id == conversation.id
        )
    )
    await qdb.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(last_message_id=last, last_message_at=now)
    )
    await qdb.flush()
