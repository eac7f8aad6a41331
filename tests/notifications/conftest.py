"""Users, sessions and a small ASGI WebSocket driver for the notification tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity.sessions import SESSION_COOKIE, start_session
from mercato.models import User

STORE = "atelier-arome"


async def add_user(db: AsyncSession, email: str, name: str = "") -> User:
    user = User(email=email, name=name or email.split("@")[0].title())
    db.add(user)
    await db.flush()
    return user


@pytest.fixture
async def ann(db) -> User:
    return await add_user(db, "ann@example.com", "Ann")


@pytest.fixture
async def bob(db) -> User:
    return await add_user(db, "bob@example.com", "Bob")


async def sign_in(client: httpx.AsyncClient, db: AsyncSession, user: User) -> str:
    """A real server-side session for ``user``; the client carries its cookie."""
    token = await start_session(db, user, days=1)
    client.cookies.set(SESSION_COOKIE, token, domain="testserver.local", path=f"/{STORE}/")
    return token


class WebSocketClosed(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"closed with {code}")
        self.code = code


class AsgiWebSocket:
    """Drives the app's WebSocket in this event loop (Starlette's TestClient runs the app
    in another thread and loop, where the test's database connection cannot follow)."""

    def __init__(self, app: Any, path: str, headers: dict[str, str]) -> None:
        self.app = app
        self.path = path
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.to_app: asyncio.Queue[dict] = asyncio.Queue()
        self.from_app: asyncio.Queue[dict] = asyncio.Queue()
        self.task: asyncio.Task | None = None

    async def connect(self) -> None:
        """Open the socket; raise WebSocketClosed if the server refuses or closes at once."""
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "http_version": "1.1",
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": self.headers,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "subprotocols": [],
        }
        self.task = asyncio.create_task(self.app(scope, self.to_app.get, self.from_app.put))
        await self.to_app.put({"type": "websocket.connect"})
        first = await self._next()
        if first["type"] == "websocket.close":
            raise WebSocketClosed(first.get("code", 1000))
        assert first["type"] == "websocket.accept", first
        # The server speaks first, once subscribed: `connection:ready` (the seed's event).
        self.ready = await self.receive_json()
        assert self.ready["type"] == "connection:ready", self.ready

    async def _next(self, timeout: float = 5.0) -> dict:  # noqa: ASYNC109
        return await asyncio.wait_for(self.from_app.get(), timeout)

    async def receive_json(self, timeout: float = 5.0) -> dict:  # noqa: ASYNC109
        message = await self._next(timeout)
        if message["type"] == "websocket.close":
            raise WebSocketClosed(message.get("code", 1000))
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def close(self) -> None:
        await self.to_app.put({"type": "websocket.disconnect", "code": 1000})
        if self.task is not None:
            await asyncio.wait_for(self.task, 5)
