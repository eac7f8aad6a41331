"""The live badge through the real stack: Starlette's TestClient speaking the WebSocket
protocol to the host app, with its in-process worker, on a migrated SQLite file.

The other tests drive the ASGI app directly inside one rolled-back transaction; this one
commits to its own database file, as `mercato demo` does.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from mercato.app import create_app
from mercato.config import PROJECT_ROOT, Settings
from mercato.identity.sessions import SESSION_COOKIE, start_session
from mercato.models import User
from mercato.platform.migrate import upgrade
from mercato.platform.notifications import notify
from mercato.platform.stores import discover_stores
from tests.conftest import TEST_SECRET
from tests.notifications.conftest import STORE


@pytest.fixture
def live_app(tmp_path):
    settings = Settings(
        env="test",
        secret_key=TEST_SECRET,
        var_dir=tmp_path,
        stores_dir=PROJECT_ROOT / "stores",
        base_url="http://testserver",
        worker_poll_seconds=0.05,
    )
    upgrade(settings.database_url_for(STORE))
    stores = [c for c in discover_stores(settings.stores_dir) if c.slug == STORE]
    return create_app(settings, run_worker=True, stores=stores)


def test_a_notification_reaches_an_open_socket_through_the_in_process_worker(live_app):
    runtime = live_app.state.runtimes[STORE]

    async def new_user_session() -> tuple[int, str]:
        async with runtime.db.transaction() as db:
            user = User(email="live@example.com", name="Liv")
            db.add(user)
            await db.flush()
            return user.id, await start_session(db, user, days=1)

    async def send_notification(user_id: int) -> None:
        async with runtime.db.transaction() as db:
            await notify(db, user_id=user_id, title="Live from the worker")

    with TestClient(live_app, base_url="http://testserver") as client:
        user_id, token = client.portal.call(new_user_session)
        headers = {"origin": "http://testserver", "cookie": f"{SESSION_COOKIE}={token}"}
        # Given Ann's page has its socket open
        with client.websocket_connect(f"/{STORE}/ws", headers=headers) as socket:
            # The server speaks first: the socket is subscribed, and says for whom
            ready = socket.receive_json()
            assert ready["type"] == "connection:ready" and ready["user_id"] == user_id
            # When a notification is committed (the worker runs in the app's lifespan)
            client.portal.call(send_notification, user_id)
            # Then the page hears about it, with its unread count
            message = socket.receive_json()
            assert message["type"] == "notification:new"
            assert message["unread"] == 1
            assert message["title"] == "Live from the worker"
        # And a page on another site cannot open a socket with the same cookie
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect(
                f"/{STORE}/ws", headers={**headers, "origin": "https://evil.example"}
            ),
        ):
            pass
        assert refused.value.code == 1008
