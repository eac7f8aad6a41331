"""Inquiry rules: the draft list's validation, sending (one inquiry per brand, outbox side
effects), the state machine (every state × action), quotes and the PDF confirmation."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mercato.inquiries import pdf
from mercato.inquiries import service as inquiry_service
from mercato.inquiries.service import ItemIn, LineAnswer
from mercato.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mercato.models import EmailMessage, Notification, OutboxEvent
from mercato.models.inquiries import Inquiry, InquiryEvent, InquiryListItem
from mercato.platform.notifications import user_channel
from tests.inquiries.factories import deliver

STATES = ("pending", "quoted", "accepted", "declined", "withdrawn")
ACTIONS = ("quote", "accept", "decline", "withdraw")


# ---------------------------------------------------------------- the draft list


async def test_an_approved_buyer_adds_size_m_quantity_10_with_a_customisation(
    qdb, make_buyer, make_brand, make_product
):
    # Given an approved buyer and a dress in S, M, L
    buyer = await make_buyer()
    brand, _ = await make_brand()
    dress = await make_product(brand)
    # When they add size M, quantity 10, "Add longer sleeves"
    item = await inquiry_service.add_to_list(
        qdb, buyer, ItemIn(dress.id, 10, "m", "", "Add longer sleeves")
    )
    # Then the line is stored with the size as the brand spells it and its only colour
    assert (item.size_label, item.colour, item.quantity) == ("M", "Ivory", 10)
    assert item.customisation == "Add longer sleeves"
    # And adding the same size again adds to the line
    again = await inquiry_service.add_to_list(qdb, buyer, ItemIn(dress.id, 5, "M"))
    assert again.id == item.id and again.quantity == 15


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (dict(size="XXL"), "size"),
        (dict(size=""), "size"),
        (dict(size="L"), "size"),  # sold out
        (dict(quantity=0), "quantity"),
        (dict(quantity=-3), "quantity"),
        (dict(quantity=100_001), "quantity"),
        (dict(colour="Purple"), "colour"),
        (dict(customisation="x" * 1001), "customisation"),
    ],
)
async def test_the_list_refuses_what_the_product_does_not_offer(
    qdb, make_buyer, make_brand, make_product, item, field
):
    buyer = await make_buyer()
    brand, _ = await make_brand()
    dress = await make_product(brand, sold_out=("L",))
    values = {"quantity": 10, "size": "M", "colour": "", "customisation": ""} | item
    with pytest.raises(ValidationFailed) as refused:
        await inquiry_service.add_to_list(qdb, buyer, ItemIn(dress.id, **values))
    assert refused.value.field == field


async def test_an_inactive_or_unknown_product_cannot_be_asked_about(
    qdb, make_buyer, make_brand, make_product
):
    buyer = await make_buyer()
    brand, _ = await make_brand()
    hidden = await make_product(brand, active=False)
    with pytest.raises(ValidationFailed) as refused:
        await inquiry_service.add_to_list(qdb, buyer, ItemIn(hidden.id, 10, "M"))
    assert refused.value.field == "product_id"
    with pytest.raises(NotFound):
        await inquiry_service.add_to_list(qdb, buyer, ItemIn(999_999, 10, "M"))


async def test_the_brands_minimum_per_style_counts_every_size_of_the_style(
    qdb, make_buyer, make_brand, make_product
):
    # Given a brand that takes at least 12 units per style
    buyer = await make_buyer()
    brand, _ = await make_brand(minimum=12)
    dress = await make_product(brand)
    # When the buyer asks for 10 of size M, it is refused with the reason
    with pytest.raises(ValidationFailed) as refused:
        await inquiry_service.add_to_list(qdb, buyer, ItemIn(dress.id, 10, "M"))
    assert refused.value.field == "quantity" and "12" in refused.value.message
    # But 12 over two sizes of the same style is fine
    await inquiry_service.add_to_list(qdb, buyer, ItemIn(dress.id, 12, "M"))
    await inquiry_service.add_to_list(qdb, buyer, ItemIn(dress.id, 1, "S"))


@pytest.mark.parametrize("status", ["pending", "rejected", None])
async def test_only_an_approved_buyer_adds_or_sends(
    qdb, qala, make_buyer, make_user, make_brand, make_product, status
):
    buyer = await make_buyer(status=status) if status else await make_user()
    brand, _ = await make_brand()
    dress = await make_product(brand)
    with pytest.raises(PermissionDenied):
        await inquiry_service.add_to_list(qdb, buyer, ItemIn(dress.id, 10, "M"))
    with pytest.raises(PermissionDenied):
        await inquiry_service.create_inquiries(qdb, qala, buyer, [ItemIn(dress.id, 10, "M")])
    assert await qdb.scalar(select(func.count()).select_from(Inquiry)) == 0


# ---------------------------------------------------------------- sending


async def test_sending_creates_one_inquiry_per_brand_and_tells_everyone_through_the_outbox(
    qdb, qala, make_buyer, make_brand, make_product
):
    # Given a list with products of two brands
    buyer = await make_buyer("sofia@example.com")
    solene, solene_user = await make_brand("Maison Solène")
    other, other_user = await make_brand("Atelier Nord")
    for product, size in (
        (await make_product(solene), "M"),
        (await make_product(solene, "Silk Scarf", sizes=()), ""),
        (await make_product(other, "Wool Coat"), "L"),
    ):
        await inquiry_service.add_to_list(qdb, buyer, ItemIn(product.id, 10, size))
    # When they send it
    created = await inquiry_service.send_list(qdb, qala, buyer, note="For spring")
    # Then there is one pending inquiry per brand with its lines, and the list is empty
    assert sorted(i.brand_id for i in created) == sorted([solene.id, other.id])
    assert {i.status for i in created} == {"pending"}
    lines = await inquiry_service.lines_of(qdb, [i.id for i in created])
    assert sorted(len(v) for v in lines.values()) == [1, 2]
    assert await inquiry_service.list_items(qdb, buyer.id) == []
    # And each has its "sent" event; the buyer's email, the brands' notifications and
    # emails and the live pushes are all outbox rows of this transaction
    events = await qdb.scalars(select(InquiryEvent.kind))
    assert list(events) == ["sent", "sent"]
    emails = {e.to_address for e in await qdb.scalars(select(EmailMessage))}
    assert emails == {"sofia@example.com", solene_user.email, other_user.email}
    notified = set(await qdb.scalars(select(Notification.user_id)))
    assert notified == {solene_user.id, other_user.id}
    kinds = set(await qdb.scalars(select(OutboxEvent.event_type)))
    assert {"inquiry.updated", "email.send", "notification.created"} <= kinds


async def test_a_sent_inquiry_is_pushed_live_to_its_brand_and_to_no_other_brand(
    qdb, qala, make_buyer, make_brand, make_product
):
    # Given a brand user and another brand's user, both with open pages
    buyer = await make_buyer()
    brand, member = await make_brand()
    _, stranger = await make_brand("Atelier Nord")
    dress = await make_product(brand)
    async with (
        qala.hub.subscribe([user_channel(qala.slug, member.id)]) as mine,
        qala.hub.subscribe([user_channel(qala.slug, stranger.id)]) as theirs,
    ):
        # When the buyer sends an inquiry and the worker delivers the outbox
        [inquiry] = await inquiry_service.create_inquiries(
            qdb, qala, buyer, [ItemIn(dress.id, 10, "M", "", "Add longer sleeves")]
        )
        await qdb.flush()
        await deliver(qala)
        # Then the brand's page gets inquiry:updated (and the notification badge)
        pushes = [await asyncio.wait_for(mine.get(), 1) for _ in range(mine.qsize())]
        updates = [p for p in pushes if p["type"] == "inquiry:updated"]
        assert updates and updates[0]["number"] == inquiry.number
        assert updates[0]["status"] == "pending"
        assert any(p["type"] == "notification:new" for p in pushes)
        # And the other brand's page hears nothing
        assert theirs.empty()


async def test_all_lines_are_checked_before_anything_is_written(
    qdb, qala, make_buyer, make_brand, make_product
):
    buyer = await make_buyer()
    brand, _ = await make_brand()
    dress = await make_product(brand)
    with pytest.raises(ValidationFailed) as refused:
        await inquiry_service.create_inquiries(
            qdb, qala, buyer, [ItemIn(dress.id, 10, "M"), ItemIn(dress.id, 10, "XXL")]
        )
    assert refused.value.field == "items.1.size"
    assert await qdb.scalar(select(func.count()).select_from(Inquiry)) == 0


# ---------------------------------------------------------------- the state machine


@pytest.fixture
def inquiry_for(qdb, qala, make_buyer, make_brand, make_product):
    async def make():
        buyer = await make_buyer()
        brand, member = await make_brand()
        dress = await make_product(brand)
        [inquiry] = await inquiry_service.create_inquiries(
            qdb, qala, buyer, [ItemIn(dress.id, 10, "M")]
        )
        return inquiry, buyer, member

    return make


async def _act(qdb, qala, inquiry, action, buyer, member):
    if action == "quote":
        [line] = (await inquiry_service.lines_of(qdb, [inquiry.id]))[inquiry.id]
        answers = [LineAnswer(line.id, True, 9500, 45, "Longer sleeves: +2 weeks")]
        return await inquiry_service.quote(qdb, qala, inquiry, answers, actor=member)
    return await getattr(inquiry_service, action)(qdb, qala, inquiry, actor=buyer)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
async def test_every_transition_is_allowed_or_refused_as_the_table_says(
    qdb, qala, inquiry_for, state, action
):
    # Given an inquiry in `state`
    inquiry, buyer, member = await inquiry_for()
    if state != "pending":
        await _act(qdb, qala, inquiry, "quote", buyer, member)  # the lines have answers
        inquiry.status = state
        await qdb.flush()
    allowed_from, to_status, _ = inquiry_service.TRANSITIONS[action]
    before = await qdb.scalar(select(func.count()).select_from(InquiryEvent))
    # When the action is tried
    if state in allowed_from:
        await _act(qdb, qala, inquiry, action, buyer, member)
        # Then it moves to the target state and the timeline gains one event
        assert inquiry.status == to_status
        assert await qdb.scalar(select(func.count()).select_from(InquiryEvent)) == before + 1
    else:
        with pytest.raises(Conflict):
            await _act(qdb, qala, inquiry, action, buyer, member)
        # Then nothing changed
        await qdb.refresh(inquiry)
        assert inquiry.status == state
        assert await qdb.scalar(select(func.count()).select_from(InquiryEvent)) == before


async def test_the_wrong_side_cannot_act(qdb, qala, inquiry_for):
    inquiry, buyer, member = await inquiry_for()
    with pytest.raises(Conflict):
        await inquiry_service._transition(qdb, inquiry, "quote", actor=buyer, side="buyer")
    with pytest.raises(Conflict):
        await inquiry_service._transition(qdb, inquiry, "withdraw", actor=member, side="brand")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=6))
async def test_any_sequence_of_actions_follows_the_table_and_the_timeline_records_each_move(
    qdb, qala, inquiry_for, actions
):
    inquiry, buyer, member = await inquiry_for()
    moves = 0
    for action in actions:
        allowed_from, to_status, _ = inquiry_service.TRANSITIONS[action]
        before = inquiry.status
        try:
            await _act(qdb, qala, inquiry, action, buyer, member)
        except Conflict:
            assert before not in allowed_from
            continue
        assert before in allowed_from and inquiry.status == to_status
        moves += 1
    events = await inquiry_service.timeline(qdb, inquiry.id)
    assert len(events) == moves + 1  # "sent" plus one per move
    assert [e.to_status for e in events][-1] == inquiry.status


async def test_a_quote_answers_every_line_with_price_and_lead_time(qdb, qala, inquiry_for):
    inquiry, buyer, member = await inquiry_for()
    [line] = (await inquiry_service.lines_of(qdb, [inquiry.id]))[inquiry.id]
    with pytest.raises(ValidationFailed) as missing:
        await inquiry_service.quote(qdb, qala, inquiry, [], actor=member)
    assert missing.value.field == "lines.0"
    with pytest.raises(ValidationFailed) as no_price:
        await inquiry_service.quote(qdb, qala, inquiry, [LineAnswer(line.id, True)], actor=member)
    assert no_price.value.field == "lines.0.unit_price"
    with pytest.raises(ValidationFailed) as no_lead:
        await inquiry_service.quote(
            qdb, qala, inquiry, [LineAnswer(line.id, True, 9500)], actor=member
        )
    assert no_lead.value.field == "lines.0.lead_time_days"
    assert inquiry.status == "pending"
    await inquiry_service.quote(
        qdb, qala, inquiry, [LineAnswer(line.id, True, 9500, 45)], actor=member
    )
    assert inquiry.status == "quoted"
    assert inquiry_service.totals([line]) == 95000


async def test_an_accepted_inquiry_has_a_pdf_confirmation_and_others_do_not(qdb, qala, inquiry_for):
    inquiry, buyer, member = await inquiry_for()
    with pytest.raises(Conflict):
        await pdf.response(qdb, qala, inquiry)
    await _act(qdb, qala, inquiry, "quote", buyer, member)
    await _act(qdb, qala, inquiry, "accept", buyer, member)
    response = await pdf.response(qdb, qala, inquiry)
    assert response.body.startswith(b"%PDF")
    assert response.media_type == "application/pdf"


async def test_list_lines_belong_to_their_buyer(qdb, make_buyer, make_brand, make_product):
    alice = await make_buyer()
    bob = await make_buyer()
    brand, _ = await make_brand()
    dress = await make_product(brand)
    line = await inquiry_service.add_to_list(qdb, alice, ItemIn(dress.id, 10, "M"))
    with pytest.raises(NotFound):
        await inquiry_service.remove_item(qdb, bob.id, line.id)
    with pytest.raises(NotFound):
        await inquiry_service.update_item(qdb, bob.id, line.id, 50)
    assert (await qdb.get(InquiryListItem, line.id)).quantity == 10
