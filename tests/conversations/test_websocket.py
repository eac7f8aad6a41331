"""The attack on the store WebSocket: another brand's user (or another buyer) opens the
socket and asks to join the conversation's channels; the socket listens only to its own
user's channel, so nothing of the conversation reaches it, while the brand's own socket
receives the message live. Driven as raw ASGI, with the real session cookie and Origin."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select

from mercato.conversations import service as conversation_service
from mercato.conversations.events import done_marks
from mercato.identity.sessions import SESSION_COOKIE
from tests.inquiries.factories import ROOT, deliver, signin


class Socket:
    def __init__(self, app: Any, path: str, cookie: str) -> None:
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [
                (b"host", b"testserver"),
                (b"origin", b"http://testserver"),
                (b"cookie", f"{SESSION_COOKIE}={cookie}".encode()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "subprotocols": [],
            "extensions": {},
        }
        self.task = asyncio.create_task(app(scope, self.inbox.get, self.outbox.put))

    async def open(self) -> None:
        await self.inbox.put({"type": "websocket.connect"})
        first = await asyncio.wait_for(self.outbox.get(), 5)
        assert first["type"] == "websocket.accept", first

    async def send(self, data: dict[str, Any]) -> None:
        await self.inbox.put({"type": "websocket.receive", "text": json.dumps(data)})

    async def messages(self, wait: float = 0.5) -> list[dict[str, Any]]:
        out = []
        try:
            while True:
                item = await asyncio.wait_for(self.outbox.get(), wait)
                if item["type"] == "websocket.send":
                    out.append(json.loads(item["text"]))
        except TimeoutError:
            return out

    async def close(self) -> None:
        await self.inbox.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(self.task, 5)


async def _cookie(client, email: str) -> str:
    client.cookies.clear()
    await signin(client, email)
    return client.cookies.get(SESSION_COOKIE)


async def test_another_brands_socket_never_receives_the_conversation(
    app, client, qdb, qala, make_buyer, make_brand
):
    # Given a conversation between a buyer and a brand, and another brand's user
    buyer = await make_buyer()
    brand, member = await make_brand()
    _, stranger = await make_brand("Atelier Nord")
    other_buyer = await make_buyer()
    conversation = await conversation_service.start(qdb, buyer, brand.id)
    sockets = {}
    for name, user in (("brand", member), ("stranger", stranger), ("other", other_buyer)):
        sockets[name] = Socket(app, f"{ROOT}/ws", await _cookie(client, user.email))
        await sockets[name].open()
    try:
        # When the intruders ask to join the conversation's and the buyer's channels
        for name in ("stranger", "other"):
            for channel in (
                f"{qala.slug}:conversation:{conversation.id}",
                f"{qala.slug}:user:{buyer.id}",
                f"{qala.slug}:user:{member.id}",
            ):
                await sockets[name].send({"type": "subscribe", "channel": channel})
        # And the buyer writes
        await conversation_service.send(qdb, conversation, buyer, "buyer", "Do you ship to Dubai?")
        await qdb.flush()
        await deliver(qala)
        # Then the brand's socket gets it live, and the intruders' sockets get nothing
        received = await sockets["brand"].messages()
        news = [m for m in received if m["type"] == "message:new"]
        assert news and news[0]["message"]["body"] == "Do you ship to Dubai?"
        for name in ("stranger", "other"):
            # nothing but the socket's own greeting (connection:ready) and pings
            assert await _conversation_events(sockets[name]) == []
    finally:
        for socket in sockets.values():
            await socket.close()


async def test_a_socket_without_a_session_is_closed(app):
    socket = Socket(app, f"{ROOT}/ws", "not-a-session")
    await socket.inbox.put({"type": "websocket.connect"})
    accept = await asyncio.wait_for(socket.outbox.get(), 5)
    close = await asyncio.wait_for(socket.outbox.get(), 5)
    assert accept["type"] == "websocket.accept"
    assert close["type"] == "websocket.close" and close["code"] == 4401
    await asyncio.wait_for(socket.task, 5)


async def test_a_message_sent_through_the_api_is_pushed_at_commit_without_the_worker(
    app, client, qdb, qala, make_buyer, make_brand
):
    from mercato.models import OutboxEvent
    from tests.inquiries.factories import API, bearer

    buyer = await make_buyer()
    brand, member = await make_brand()
    conversation = await conversation_service.start(qdb, buyer, brand.id)
    socket = Socket(app, f"{ROOT}/ws", await _cookie(client, member.email))
    await socket.open()
    try:
        sent = await client.post(
            f"{API}/conversations/{conversation.id}/messages",
            json={"body": "Do you ship to Dubai?"},
            headers=await bearer(qdb, qala, buyer),
        )
        assert sent.status_code == 201
        # No worker ran: the request delivered its push right after the commit
        news = [m for m in await socket.messages() if m["type"] == "message:new"]
        assert [m["message"]["id"] for m in news] == [sent.json()["id"]]
        event = await qdb.scalar(
            select(OutboxEvent).where(OutboxEvent.event_type == conversation_service.MESSAGE_NEW)
        )
        assert event.status == "done"  # so the worker will not push it a second time
    finally:
        await socket.close()


async def test_until_the_batch_marks_it_done_the_worker_leaves_a_fast_path_push_alone(
    app, client, qdb, qala, make_buyer, make_brand, monkeypatch
):
    from mercato.conversations.events import DoneMarks
    from mercato.models import OutboxEvent
    from tests.inquiries.factories import API, bearer

    # Given the batch of done marks is not due yet
    monkeypatch.setattr(DoneMarks, "FLUSH_SECONDS", 3600)
    buyer = await make_buyer()
    brand, member = await make_brand()
    conversation = await conversation_service.start(qdb, buyer, brand.id)
    socket = Socket(app, f"{ROOT}/ws", await _cookie(client, member.email))
    await socket.open()
    marks = done_marks(qala)
    try:
        sent = await client.post(
            f"{API}/conversations/{conversation.id}/messages",
            json={"body": "Do you ship to Dubai?"},
            headers=await bearer(qdb, qala, buyer),
        )
        assert sent.status_code == 201
        assert [m["message"]["id"] for m in await _news(socket)] == [sent.json()["id"]]
        # When the worker runs before the batch
        await deliver(qala)
        # Then it pushes nothing a second time (the event waits out its grace period)
        assert await _news(socket, wait=0.3) == []
        # And the batch marks it done
        assert marks.pending  # its id waits for the batch
        if marks.task is not None:
            marks.task.cancel()
        await marks.flush()
        event = await qdb.scalar(
            select(OutboxEvent)
            .where(OutboxEvent.event_type == conversation_service.MESSAGE_NEW)
            .execution_options(populate_existing=True)
        )
        assert event.status == "done"
    finally:
        await socket.close()


async def _news(socket: Socket, wait: float = 0.5) -> list[dict[str, Any]]:
    return [m for m in await socket.messages(wait=wait) if m["type"] == "message:new"]


async def _conversation_events(socket: Socket) -> list[dict[str, Any]]:
    own = ("connection:ready", "ping")
    return [m for m in await socket.messages(wait=0.3) if m["type"] not in own]
