from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.models import User
from mercato.platform.seeding import ensure_user, sync_roles
from tests.insurance.support import PASSWORD, STORE


@pytest.fixture
def ins_runtime(app):
    return app.state.runtimes[STORE]


@pytest.fixture
async def db(ins_runtime) -> AsyncIterator[AsyncSession]:
    async with ins_runtime.db.session(write=True) as session:
        yield session


@pytest.fixture
async def roles(db, ins_runtime):
    return await sync_roles(db, ins_runtime.modules)


@pytest.fixture
def make_user(db, roles):
    async def make(email: str = "farmer@example.in", *, role_names=("customer",), name="Sunita"):
        user, _ = await ensure_user(
            db, roles, email=email, password=PASSWORD, name=name, role_names=list(role_names)
        )
        await db.flush()
        return user

    return make


@pytest.fixture
async def customer(make_user) -> User:
    return await make_user("farmer@example.in")


@pytest.fixture
async def admin(make_user) -> User:
    return await make_user("underwriter@example.in", role_names=("admin",), name="Rajesh")
