"""The store's one WebSocket (``/<slug>/ws``): live events for the signed-in browser.

Authenticated by the session cookie, so it is open to exactly the pages that could read the
same data. Because browsers send cookies with cross-site WebSocket handshakes (no CORS, no
SameSite protection for a GET upgrade from a top-level page), the Origin must be this site:
otherwise any page could open a socket as the visitor (cross-site WebSocket hijacking).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from mercato.identity.sessions import SESSION_COOKIE, resolve_session
from mercato.platform.notifications import user_channel
from mercato.platform.realtime import channel_for_store
from mercato.platform.runtime import StoreRuntime

log = logging.getLogger("mercato.ws")
router = APIRouter()

PING_SECONDS = 25.0  # under common proxy idle timeouts (60 s), and it re-checks the session
CLOSE_POLICY = 1008  # refused: wrong origin
CLOSE_SIGNED_OUT = 4401  # application code: sign in again (the client stops reconnecting)
READY_EVENT = "connection:ready"  # the seed's name; the first message of every socket


def origin_allowed(websocket: WebSocket, runtime: StoreRuntime) -> bool:
    origin = websocket.headers.get("origin", "")
    if not origin:
        return False  # every browser sends it; a socket without one is not from our pages
    netloc = urlsplit(origin).netloc.lower()
    allowed = {websocket.headers.get("host", "").lower()}
    if runtime.settings.base_url:
        allowed.add(urlsplit(runtime.settings.base_url).netloc.lower())
    return bool(netloc) and netloc in allowed


async def session_user_id(runtime: StoreRuntime, token: str) -> int | None:
    """The user of a live session, read in a short session of its own (a socket lives for
    hours; it must not hold a database connection)."""
    if not token:
        return None
    async with runtime.db.session(write=False) as db:
        found = await resolve_session(db, token)
    return found[1].id if found else None


def role_channel(slug: str, role: str) -> str:
    """``<store>:role:<name>``: events for everyone holding that staff role (the admin
    dashboard's live panel). Only staff roles are ever subscribed, whatever a page asks."""
    return channel_for_store(slug, f"role:{role}")


async def staff_roles(runtime: StoreRuntime, user_id: int) -> list[str]:
    """The user's staff roles (admin, staff...): their sockets also hear the role channels.
    A customer's socket never joins one, whatever the page asks."""
    from sqlalchemy import select

    from mercato.models.identity import Role, UserRole

    async with runtime.db.session(write=False) as db:
        return list(
            await db.scalars(
                select(Role.name)
                .join(UserRole, UserRole.role_id == Role.id)
                .where(UserRole.user_id == user_id, Role.is_staff.is_(True))
                .order_by(Role.name)
            )
        )


@router.websocket("/ws")
async def live_socket(websocket: WebSocket) -> None:
    runtime: StoreRuntime = websocket.scope["state"]["runtime"]
    if not origin_allowed(websocket, runtime):
        log.warning("websocket refused: foreign origin", extra={"store": runtime.slug})
        await websocket.close(code=CLOSE_POLICY)  # before accept: the handshake gets a 403
        return
    token = websocket.cookies.get(SESSION_COOKIE, "")
    user_id = await session_user_id(runtime, token)
    if user_id is None:
        # Accept then close with a code the page understands, so it stops retrying.
        await websocket.accept()
        await websocket.close(code=CLOSE_SIGNED_OUT)
        return
    channels = [user_channel(runtime.slug, user_id)]
    channels += [role_channel(runtime.slug, role) for role in await staff_roles(runtime, user_id)]
    # Subscribe before accepting, so nothing published after the page sees "open" is lost.
    async with runtime.hub.subscribe(channels) as queue:
        await websocket.accept()
        try:
            await websocket.send_json(ready_message(runtime, user_id, channels))
        except (WebSocketDisconnect, RuntimeError, OSError):
            return
        await _forward(websocket, queue, runtime, token, user_id)


def ready_message(runtime: StoreRuntime, user_id: int, channels: list[str]) -> dict[str, Any]:
    """``connection:ready``: the socket is subscribed, so nothing published from now on is
    missed. It names who the socket belongs to and what it hears (the store-relative
    channels: ``user:<id>``, ``role:<name>``), never the session or anything secret."""
    prefix = f"{runtime.slug}:"
    return {
        "type": READY_EVENT,
        "user_id": user_id,
        "channels": [c.removeprefix(prefix) for c in channels],
        "ping_seconds": PING_SECONDS,
    }


async def _wait_for_disconnect(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends until it goes away."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _send_queued(websocket: WebSocket, queue: asyncio.Queue[dict[str, Any]]) -> None:
    """The socket's only writer: events and pings leave in order from one loop, so a message
    costs a queue get and a send, not a task and a wait per message (a message to a user
    with 50 open tabs is 50 of these)."""
    while True:
        await websocket.send_json(await queue.get())


async def _forward(
    websocket: WebSocket,
    queue: asyncio.Queue[dict[str, Any]],
    runtime: StoreRuntime,
    token: str,
    user_id: int,
) -> None:
    sender = asyncio.create_task(_send_queued(websocket, queue))
    receiver = asyncio.create_task(_wait_for_disconnect(websocket))
    try:
        while True:
            done, _ = await asyncio.wait(
                {sender, receiver}, timeout=PING_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if done:
                return  # the client went away, or a send failed
            # Idle: a session revoked meanwhile (sign out everywhere, a blocked user) ends
            # the socket too, then a ping keeps proxies from closing a quiet connection.
            if await session_user_id(runtime, token) != user_id:
                await _stop(sender)  # nothing may be sent after the close frame
                await websocket.close(code=CLOSE_SIGNED_OUT)
                return
            if not queue.full():  # a full queue means traffic: no ping needed
                queue.put_nowait(PING)
    except (WebSocketDisconnect, RuntimeError, OSError):
        return  # the client went away mid-close
    finally:
        await _stop(sender)
        await _stop(receiver)


PING: dict[str, Any] = {"type": "ping"}


async def _stop(task: asyncio.Task[None]) -> None:
    if not task.done():
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
