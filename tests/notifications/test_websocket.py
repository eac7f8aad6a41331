"""The store WebSocket: session-authenticated, same-origin only, forwards the user's events."""

from __future__ import annotations

import pytest

from mercato.identity.sessions import SESSION_COOKIE, revoke_all_sessions, start_session
from mercato.notifications import ws
from mercato.platform.notifications import notify, user_channel
from mercato.platform.worker import process_batch
from tests.notifications.conftest import STORE, AsgiWebSocket, WebSocketClosed

PATH = f"/{STORE}/ws"
SAME_ORIGIN = {"host": "testserver", "origin": "http://testserver"}


def socket(app, token: str | None = None, **headers: str) -> AsgiWebSocket:
    sent = {**SAME_ORIGIN, **headers}
    if token:
        sent["cookie"] = f"{SESSION_COOKIE}={token}"
    return AsgiWebSocket(app, PATH, sent)


async def test_without_a_session_the_socket_is_closed_as_signed_out(app):
    with pytest.raises(WebSocketClosed) as closed:
        conn = socket(app)
        await conn.connect()
        await conn.receive_json()
    assert closed.value.code == ws.CLOSE_SIGNED_OUT


async def test_a_forged_session_cookie_is_refused(app):
    with pytest.raises(WebSocketClosed) as closed:
        conn = socket(app, token="not-a-real-session-token")
        await conn.connect()
        await conn.receive_json()
    assert closed.value.code == ws.CLOSE_SIGNED_OUT


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "http://testserver.evil.example", "null", ""],
)
async def test_a_foreign_origin_is_refused_even_with_a_valid_session(app, db, ann, origin):
    # Given Ann's valid session cookie, sent by her browser from another site's page
    token = await start_session(db, ann, days=1)
    headers = {"origin": origin} if origin else {"origin": ""}
    conn = socket(app, token, **headers)
    # When that page opens the socket, then the handshake is refused
    with pytest.raises(WebSocketClosed) as closed:
        await conn.connect()
    assert closed.value.code == ws.CLOSE_POLICY


async def test_a_session_from_another_store_is_refused(app, db, ann):
    # Given a session of Atelier Arôme used against another store's socket
    token = await start_session(db, ann, days=1)
    conn = AsgiWebSocket(
        app, "/wholesale/ws", {**SAME_ORIGIN, "cookie": f"{SESSION_COOKIE}={token}"}
    )
    with pytest.raises(WebSocketClosed) as closed:
        await conn.connect()
        await conn.receive_json()
    assert closed.value.code == ws.CLOSE_SIGNED_OUT


async def test_a_signed_in_page_receives_its_users_messages(app, db, runtime, ann, bob):
    # Given Ann's page connected with her session
    token = await start_session(db, ann, days=1)
    conn = socket(app, token)
    await conn.connect()
    try:
        # When something is published for Bob, then for Ann
        await runtime.hub.publish(user_channel(runtime.slug, bob.id), {"type": "x", "for": "bob"})
        await runtime.hub.publish(user_channel(runtime.slug, ann.id), {"type": "x", "for": "ann"})
        # Then only Ann's message reaches her page
        assert await conn.receive_json() == {"type": "x", "for": "ann"}
    finally:
        await conn.close()


async def test_the_first_message_is_connection_ready_naming_the_user_and_channels(
    app, db, runtime, ann
):
    # Given Ann's valid session
    token = await start_session(db, ann, days=1)
    conn = socket(app, token)
    # When her page opens the socket (connect() reads the first message)
    await conn.connect()
    try:
        # Then the server spoke first with `connection:ready`: who, and what she hears
        assert conn.ready == {
            "type": "connection:ready",
            "user_id": ann.id,
            "channels": [f"user:{ann.id}"],
            "ping_seconds": ws.PING_SECONDS,
        }
        # And nothing of the session travels in it
        assert token not in str(conn.ready)
        # And a message published afterwards arrives next, after the ready
        await runtime.hub.publish(user_channel(runtime.slug, ann.id), {"type": "x"})
        assert await conn.receive_json() == {"type": "x"}
    finally:
        await conn.close()


async def test_a_new_notification_reaches_the_open_page_through_the_worker(app, db, runtime, ann):
    # Given Ann's page is open
    token = await start_session(db, ann, days=1)
    conn = socket(app, token)
    await conn.connect()
    try:
        # When a notification is created and the worker delivers it
        await notify(db, user_id=ann.id, title="Your parcel is on its way")
        await process_batch(runtime)
        # Then the page gets the new unread count for its badge
        assert await conn.receive_json() == {
            "type": "notification:new",
            "unread": 1,
            "title": "Your parcel is on its way",
            "link": "",
        }
    finally:
        await conn.close()


async def test_an_idle_socket_is_pinged_and_closed_once_the_session_is_revoked(
    app, db, ann, monkeypatch
):
    # Given an open socket and a short ping interval
    monkeypatch.setattr(ws, "PING_SECONDS", 0.3)  # DB work between checks
    token = await start_session(db, ann, days=1)
    conn = socket(app, token)
    await conn.connect()
    # Then an idle socket gets pings
    assert await conn.receive_json() == {"type": "ping"}
    # When Ann signs out everywhere
    await revoke_all_sessions(db, ann.id)
    await db.flush()
    # Then the socket is closed as signed out at the next check
    with pytest.raises(WebSocketClosed) as closed:
        for _ in range(5):
            await conn.receive_json()
    assert closed.value.code == ws.CLOSE_SIGNED_OUT
    await conn.close()
