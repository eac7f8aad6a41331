"""Conversations through the API and the pages: the rules of the service hold on every
route, attachments are images re-encoded and served only to the two sides, sending is rate
limited, the admin blocks a reported sender, and a conversation of 10,000 messages opens
with the same number of queries as one of 10."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import event

from mercato.conversations import service as conversation_service
from tests.conversations.test_service import _bulk
from tests.helpers import csrf_from
from tests.inquiries.factories import API, ROOT, bearer, signin


def _png(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 80)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_the_api_flow_and_its_refusals(client, qdb, qala, make_buyer, make_brand):
    # Given a buyer, a brand, a pending buyer, another buyer and another brand's user
    buyer = await make_buyer()
    brand, member = await make_brand()
    _, stranger_brand_user = await make_brand("Atelier Nord")
    other_buyer = await make_buyer()
    pending = await make_buyer(status="pending")
    me, them = await bearer(qdb, qala, buyer), await bearer(qdb, qala, member)
    # Not signed in: 401; not approved: 403
    assert (
        await client.post(f"{API}/conversations", json={"brand_id": brand.id})
    ).status_code == 401
    refused = await client.post(
        f"{API}/conversations",
        json={"brand_id": brand.id},
        headers=await bearer(qdb, qala, pending),
    )
    assert refused.status_code == 403
    # When the buyer starts the conversation and writes
    started = await client.post(f"{API}/conversations", json={"brand_id": brand.id}, headers=me)
    assert started.status_code == 200, started.text
    cid = started.json()["id"]
    again = await client.post(f"{API}/conversations", json={"brand_id": brand.id}, headers=me)
    assert again.json()["id"] == cid
    sent = await client.post(
        f"{API}/conversations/{cid}/messages", json={"body": "Do you ship to Dubai?"}, headers=me
    )
    assert sent.status_code == 201, sent.text
    # Then the brand sees it unread in its inbox, and reading sends the receipt
    inbox = (await client.get(f"{API}/conversations?as=brand&unread=true", headers=them)).json()
    assert [(c["id"], c["unread"]) for c in inbox] == [(cid, 1)]
    read = await client.post(f"{API}/conversations/{cid}/read", json={}, headers=them)
    assert read.json() == {"read_through": sent.json()["id"]}
    mine = (await client.get(f"{API}/conversations", headers=me)).json()
    assert mine[0]["other_read_through"] == sent.json()["id"]
    answer = await client.post(
        f"{API}/conversations/{cid}/messages", json={"body": "Yes, with DHL."}, headers=them
    )
    assert answer.status_code == 201
    page = (await client.get(f"{API}/conversations/{cid}/messages?limit=1", headers=me)).json()
    assert [m["body"] for m in page["messages"]] == ["Yes, with DHL."]
    older = await client.get(
        f"{API}/conversations/{cid}/messages?before={page['next_before']}", headers=me
    )
    assert [m["body"] for m in older.json()["messages"]] == ["Do you ship to Dubai?"]
    # And strangers get 404 on everything
    for user in (other_buyer, stranger_brand_user):
        headers = await bearer(qdb, qala, user)
        assert (
            await client.get(f"{API}/conversations/{cid}/messages", headers=headers)
        ).status_code == 404
        post = await client.post(
            f"{API}/conversations/{cid}/messages", json={"body": "Hi"}, headers=headers
        )
        assert post.status_code == 404
        assert (
            await client.post(f"{API}/conversations/{cid}/read", headers=headers)
        ).status_code == 404
        assert (await client.get(f"{API}/conversations?as=brand", headers=headers)).json() == []


async def test_sending_is_rate_limited(client, qdb, qala, make_buyer, make_brand):
    buyer = await make_buyer()
    brand, _ = await make_brand()
    headers = await bearer(qdb, qala, buyer)
    cid = (
        await client.post(f"{API}/conversations", json={"brand_id": brand.id}, headers=headers)
    ).json()["id"]
    statuses = [
        (
            await client.post(
                f"{API}/conversations/{cid}/messages", json={"body": f"spam {i}"}, headers=headers
            )
        ).status_code
        for i in range(21)
    ]
    assert statuses[:20] == [201] * 20
    assert statuses[20] == 429


async def test_the_conversation_page_sends_images_and_serves_them_only_to_the_two_sides(
    client, qdb, qala, make_buyer, make_brand
):
    buyer = await make_buyer()
    brand, member = await make_brand()
    other_buyer = await make_buyer()
    await signin(client, buyer.email)
    # Started from the brand page's "Message the brand" button
    token = await csrf_from(client, f"{ROOT}/messages")
    started = await client.post(
        f"{ROOT}/messages/start", data={"csrf_token": token, "brand_id": brand.id}
    )
    assert started.status_code == 303
    url = started.headers["location"]
    cid = int(url.rsplit("/", 1)[1].split("?")[0])
    token = await csrf_from(client, url)
    # A file that is not an image is refused beside the form
    bad = await client.post(
        url,
        data={"csrf_token": token, "body": "Look"},
        files={"attachment": ("x.png", b"not an image", "image/png")},
    )
    assert bad.status_code == 422 and "not an image" in bad.text
    # An image with a caption is stored, re-encoded and shown
    sent = await client.post(
        url,
        data={"csrf_token": token, "body": "Our window"},
        files={"attachment": ("window.png", _png(), "image/png")},
        headers={"Accept": "application/json"},
    )
    assert sent.status_code == 201, sent.text
    attachment = sent.json()["message"]["attachment"]
    assert (attachment["width"], attachment["height"]) == (64, 48)
    image = await client.get(attachment["url"])
    # Re-encoded: an opaque PNG comes back as a JPEG without metadata
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content.startswith(b"\xff\xd8")
    # The brand's user sees it too, another buyer does not
    client.cookies.clear()
    await signin(client, member.email)
    assert (await client.get(attachment["url"])).status_code == 200
    page = await client.get(f"{ROOT}/messages/{cid}")
    assert "Our window" in page.text and 'data-side="brand"' in page.text
    client.cookies.clear()
    await signin(client, other_buyer.email)
    assert (await client.get(attachment["url"])).status_code == 404
    assert (await client.get(f"{ROOT}/messages/{cid}")).status_code == 404


async def test_the_brand_inbox_filters_by_unread_and_by_buyer(
    client, qdb, qala, make_buyer, make_brand
):
    brand, member = await make_brand()
    alice = await make_buyer(name="Alice")
    bob = await make_buyer(name="Bob")
    for buyer, text in ((alice, "Alice asks"), (bob, "Bob asks")):
        conversation = await conversation_service.start(qdb, buyer, brand.id)
        await conversation_service.send(qdb, conversation, buyer, "buyer", text)
    read = await conversation_service.start(qdb, bob, brand.id)
    await conversation_service.mark_read(qdb, read, "brand")
    await signin(client, member.email)
    everything = await client.get(f"{ROOT}/brand/inbox")
    assert "Alice asks" in everything.text and "Bob asks" in everything.text
    unread = await client.get(f"{ROOT}/brand/inbox?unread=1")
    assert "Alice asks" in unread.text and "Bob asks" not in unread.text
    only_bob = await client.get(f"{ROOT}/brand/inbox?buyer={bob.id}")
    assert "Bob asks" in only_bob.text and "Alice asks" not in only_bob.text


async def test_an_admin_blocks_a_reported_sender_who_then_cannot_send(
    client, qdb, qala, make_buyer, make_brand, make_user
):
    buyer = await make_buyer()
    brand, member = await make_brand()
    admin = await make_user("admin@example.com", "admin")
    conversation = await conversation_service.start(qdb, buyer, brand.id)
    spam = await conversation_service.send(qdb, conversation, member, "brand", "Buy now!!!")
    # The buyer reports it from the page
    await signin(client, buyer.email)
    token = await csrf_from(client, f"{ROOT}/messages/{conversation.id}")
    reported = await client.post(
        f"{ROOT}/messages/{conversation.id}/report/{spam.id}",
        data={"csrf_token": token, "reason": "Spam"},
    )
    assert reported.status_code == 303
    # The admin sees it and blocks the sender
    client.cookies.clear()
    await signin(client, admin.email)
    queue = await client.get(f"{ROOT}/admin/messaging")
    assert "Buy now!!!" in queue.text
    token = await csrf_from(client, f"{ROOT}/admin/messaging")
    blocked = await client.post(
        f"{ROOT}/admin/messaging/block", data={"csrf_token": token, "user_id": member.id}
    )
    assert blocked.status_code == 303
    # The blocked user cannot send through the API
    refused = await client.post(
        f"{API}/conversations/{conversation.id}/messages",
        json={"body": "Hello again"},
        headers=await bearer(qdb, qala, member),
    )
    assert refused.status_code == 403
    # And a buyer cannot open the moderation page
    client.cookies.clear()
    await signin(client, buyer.email)
    assert (await client.get(f"{ROOT}/admin/messaging")).status_code in (403, 404)


async def _count(client, qala, url: str, headers: dict[str, str] | None = None) -> int:
    seen: list[str] = []
    engine = qala.db.engine.sync_engine
    listener = lambda *a: seen.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = await client.get(url, headers=headers or {})
        assert response.status_code == 200, response.text[:300]
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


async def test_ten_thousand_messages_open_with_the_same_queries_as_ten(
    client, qdb, qala, make_buyer, make_brand
):
    # Given two conversations of one buyer: 10 messages and 10,000 messages
    buyer = await make_buyer()
    small_brand, _ = await make_brand("Small")
    big_brand, _ = await make_brand("Big")
    small = await conversation_service.start(qdb, buyer, small_brand.id)
    big = await conversation_service.start(qdb, buyer, big_brand.id)
    await _bulk(qdb, small, buyer, 10)
    await _bulk(qdb, big, buyer, 10_000)
    await signin(client, buyer.email)
    headers = await bearer(qdb, qala, buyer)
    # When each is opened (page and API)
    page_small = await _count(client, qala, f"{ROOT}/messages/{small.id}")
    page_big = await _count(client, qala, f"{ROOT}/messages/{big.id}")
    api_small = await _count(client, qala, f"{API}/conversations/{small.id}/messages", headers)
    api_big = await _count(client, qala, f"{API}/conversations/{big.id}/messages", headers)
    # Then the number of queries is the same, and small
    assert page_small == page_big <= 14
    assert api_small == api_big <= 8
