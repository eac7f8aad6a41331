"""Fixtures shared by the inquiries and conversations tests: the Qala store's runtime and
session, approved and pending boutique buyers, brands with a member, products with a size
run, sign-in helpers and the outbox worker."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from mercato.identity import tokens
from mercato.models import Product
from mercato.models.brands import Boutique, Brand, BrandMember, BrandProduct, ProductSize
from mercato.platform import worker
from mercato.platform.seeding import ensure_user, sync_roles

STORE = "qala"
ROOT = f"/{STORE}"
API = f"{ROOT}/api/v1"
PASSWORD = "Atelier-Window-Linen-2026"
_serial = itertools.count(1)


@pytest.fixture
def qala(app):
    return app.state.runtimes[STORE]


@pytest.fixture
async def qdb(qala):
    async with qala.db.session(write=True) as session:
        yield session


@pytest.fixture
async def qroles(qdb, qala):
    return await sync_roles(qdb, qala.modules)


@pytest.fixture
def make_user(qdb, qroles):
    async def make(email: str | None = None, *roles: str, name: str = "Sofia") -> Any:
        email = email or f"user{next(_serial)}@example.com"
        user, _ = await ensure_user(
            qdb, qroles, email=email, password=PASSWORD, name=name, role_names=list(roles)
        )
        await qdb.flush()
        return user

    return make


@pytest.fixture
def make_buyer(qdb, make_user):
    """A user with a boutique in ``status`` (approved by default)."""

    async def make(email: str | None = None, status: str = "approved", name: str = "Sofia"):
        user = await make_user(email, "customer", name=name)
        qdb.add(
            Boutique(
                user_id=user.id,
                name=f"Boutique {name}",
                city="Stockholm",
                country="SE",
                status=status,
                reason="Not a boutique" if status == "rejected" else "",
            )
        )
        await qdb.flush()
        return user

    return make


@pytest.fixture
def make_brand(qdb, make_user):
    """A brand and one member user: (brand, member)."""

    async def make(name: str = "Maison Solène", *, minimum: int | None = None):
        n = next(_serial)
        brand = Brand(
            slug=f"brand-{n}",
            name=name,
            location_city="Paris",
            location_country="FR",
            min_units_per_style=minimum,
        )
        qdb.add(brand)
        await qdb.flush()
        member = await make_user(f"brand{n}@example.com", "customer", name=f"{name} team")
        qdb.add(BrandMember(brand_id=brand.id, user_id=member.id, role="owner"))
        await qdb.flush()
        return brand, member

    return make


@pytest.fixture
def make_product(qdb):
    async def make(
        brand: Brand,
        name: str = "Linen Shirt Dress",
        *,
        sizes: tuple[str, ...] = ("S", "M", "L"),
        colours: tuple[str, ...] = ("Ivory",),
        price: int = 12000,
        sold_out: tuple[str, ...] = (),
        active: bool = True,
    ) -> Product:
        n = next(_serial)
        product = Product(
            name=name,
            slug=f"qala-{n}",
            sku=f"QALA-{n}",
            price=price,
            is_active=active,
        )
        qdb.add(product)
        await qdb.flush()
        qdb.add(
            BrandProduct(
                product_id=product.id,
                brand_id=brand.id,
                colours=list(colours),
                lead_time_days=30,
                customisation_options=["Longer sleeves"],
            )
        )
        for i, label in enumerate(sizes):
            qdb.add(
                ProductSize(
                    product_id=product.id,
                    label=label,
                    sort=i,
                    stock_state="sold_out" if label in sold_out else "in_stock",
                )
            )
        await qdb.flush()
        return product

    return make


async def bearer(db, runtime, user) -> dict[str, str]:
    pair = await tokens.issue_token_pair(db, runtime, user)
    return {"Authorization": f"Bearer {pair.access_token}"}


async def signin(client, email: str) -> None:
    from tests.helpers import signin as form_signin

    await form_signin(client, STORE, email, PASSWORD)


async def deliver(runtime) -> int:
    """Run the outbox worker until the queue is idle (due events only)."""
    total = 0
    while n := await worker.process_batch(runtime):
        total += n
    return total
