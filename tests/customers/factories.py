"""Fixtures shared by the accounts-and-engagement tests (customers, wishlist, reviews,
newsletter, waitlist, Google sign-in): users, products with stock, API tokens.

Each test folder's conftest imports what it needs from here."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

from mercato.models import EmailMessage, Inventory, Product, User
from mercato.platform.seeding import ensure_user, sync_roles

PASSWORD = "Copper-Kettle-Meadow-77"
STORE = "atelier-arome"
_serial = itertools.count(1)

MakeUser = Callable[..., Awaitable[User]]
MakeProduct = Callable[..., Awaitable[Product]]


@pytest.fixture
async def roles(db, runtime):
    return await sync_roles(db, runtime.modules)


@pytest.fixture
def make_user(db, roles) -> MakeUser:
    async def make(email: str = "ada@example.com", *, role_names=("customer",), name="Ada") -> User:
        user, _ = await ensure_user(
            db, roles, email=email, password=PASSWORD, name=name, role_names=list(role_names)
        )
        await db.flush()
        return user

    return make


@pytest.fixture
def make_product(db) -> MakeProduct:
    async def make(
        name: str = "Rose Otto", *, stock: int = 10, price: int = 4800, **fields
    ) -> Product:
        n = next(_serial)
        product = Product(
            name=name, slug=f"{name.lower().replace(' ', '-')}-{n}", sku=f"T-{n}", price=price
        )
        for key, value in fields.items():
            setattr(product, key, value)
        db.add(product)
        await db.flush()
        db.add(Inventory(product_id=product.id, quantity=stock, reserved=0))
        await db.flush()
        return product

    return make


async def signin_as(client, email: str) -> None:
    from tests.helpers import signin

    await signin(client, STORE, email, PASSWORD)


async def api_token(client, email: str) -> dict[str, str]:
    response = await client.post(
        f"/{STORE}/api/v1/auth/token", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def emails_to(db, to: str) -> list[EmailMessage]:
    db.expire_all()
    return list(
        await db.scalars(
            select(EmailMessage).where(EmailMessage.to_address == to).order_by(EmailMessage.id)
        )
    )


class _Counter:
    count = 0


def count_queries(db):
    """Counts the SQL statements run on ``db``'s connection inside the block."""
    from contextlib import asynccontextmanager

    from sqlalchemy import event

    @asynccontextmanager
    async def scope():
        counter = _Counter()
        sync_engine = (await db.connection()).sync_engine

        def before(*_args, **_kwargs):
            counter.count += 1

        event.listen(sync_engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(sync_engine, "before_cursor_execute", before)

    return scope()
