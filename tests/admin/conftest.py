"""Admin test helpers: staff and customers signed in through a real server-side session."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.helpers import csrf_in

from mercato.identity.sessions import SESSION_COOKIE, start_session
from mercato.models import Role, User
from mercato.platform.seeding import ensure_user, sync_roles

STORE = "atelier-arome"
ADMIN = f"/{STORE}/admin"
PASSWORD = "Quiet-Harbour-Lantern-93"


@pytest.fixture
async def roles(db: AsyncSession, runtime) -> dict[str, Role]:
    return await sync_roles(db, runtime.modules)


async def make_user(
    db: AsyncSession, roles: dict[str, Role], email: str, role_names: list[str], name: str = ""
) -> User:
    user, _ = await ensure_user(
        db,
        roles,
        email=email,
        password=PASSWORD,
        name=name or email.split("@")[0].title(),
        role_names=role_names,
    )
    return user


async def sign_in_as(client: httpx.AsyncClient, db: AsyncSession, user: User) -> str:
    """Start a session for ``user`` and give its cookie to ``client``; returns the token."""
    token = await start_session(db, user, days=1)
    client.cookies.set(SESSION_COOKIE, token, domain="testserver.local", path=f"/{STORE}/")
    return token


async def admin_csrf(client: httpx.AsyncClient, url: str = ADMIN) -> str:
    """The CSRF token of an admin page (the GET also sets the CSRF cookie)."""
    page = await client.get(url)
    assert page.status_code == 200, (url, page.status_code, page.text[:300])
    return csrf_in(page.text)


@pytest.fixture
async def admin(db: AsyncSession, roles: dict[str, Role]) -> User:
    return await make_user(db, roles, "boss@example.test", ["admin"], "Bea Boss")


@pytest.fixture
async def admin_client(client: httpx.AsyncClient, db: AsyncSession, admin: User):
    await sign_in_as(client, db, admin)
    return client
