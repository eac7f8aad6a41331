"""Customers, staff and guests reaching order pages through real sessions and tokens."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity import tokens
from mercato.identity.sessions import SESSION_COOKIE, start_session
from mercato.models import Role, User
from mercato.platform.seeding import ensure_user, sync_roles

STORE = "atelier-arome"
BASE = f"/{STORE}"
PASSWORD = "Quiet-Harbour-Lantern-93"


@pytest.fixture
async def roles(db: AsyncSession, runtime) -> dict[str, Role]:
    return await sync_roles(db, runtime.modules)


async def person(db, roles, email: str, role_names: list[str], name: str = "") -> User:
    user, _ = await ensure_user(
        db,
        roles,
        email=email,
        password=PASSWORD,
        name=name or email.split("@")[0].title(),
        role_names=role_names,
    )
    return user


async def sign_in_as(client: httpx.AsyncClient, db: AsyncSession, user: User) -> None:
    token = await start_session(db, user, days=1)
    client.cookies.set(SESSION_COOKIE, token, domain="testserver.local", path=f"{BASE}/")


async def bearer(db: AsyncSession, runtime, user: User) -> dict[str, str]:
    pair = await tokens.issue_token_pair(db, runtime, user)
    return {"Authorization": f"Bearer {pair.access_token}"}


@pytest.fixture
async def alice(db, roles) -> User:
    return await person(db, roles, "alice@example.test", ["customer"], "Alice Amber")


@pytest.fixture
async def bob(db, roles) -> User:
    return await person(db, roles, "bob@example.test", ["customer"], "Bob Birch")


@pytest.fixture
async def staff(db, roles) -> User:
    return await person(db, roles, "clerk@example.test", ["staff"], "Cleo Clerk")
