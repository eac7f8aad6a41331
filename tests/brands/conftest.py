"""Fixtures of the Qala brand tests: the store's bound database, users of each kind (brand
user, approved / pending buyer, admin), and a small brand with a collection and a product."""

from __future__ import annotations

import functools
import itertools

import pytest

from mercato.brands import service
from mercato.brands.schemas import BrandIn, BrandProductIn, CollectionIn, SizeIn
from mercato.kit.security import hash_password
from mercato.kit.time import utcnow
from mercato.models import User, UserRole
from mercato.models.brands import Boutique
from mercato.platform.seeding import sync_roles

STORE = "qala"
ROOT = f"/{STORE}"
PASSWORD = "Runway-Sketch-Bolt-Cloth-7"
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


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def make_user(qdb, qroles):
    async def make(prefix: str = "user", *roles: str, name: str = "Test Person") -> User:
        user = User(
            email=f"{prefix}{next(_serial)}@qala.test", name=name, password_hash=_password_hash()
        )
        user.email_verified_at = utcnow()
        qdb.add(user)
        await qdb.flush()
        for role in roles:
            qdb.add(UserRole(user_id=user.id, role_id=qroles[role].id))
        await qdb.flush()
        return user

    return make


@pytest.fixture
def make_buyer(qdb, make_user):
    async def make(status: str = "approved") -> User:
        user = await make_user("buyer", "customer")
        qdb.add(
            Boutique(
                user_id=user.id,
                name="Test Boutique",
                city="Oslo",
                country="NO",
                status=status,
                reason="Not a shop." if status == "rejected" else "",
            )
        )
        await qdb.flush()
        return user

    return make


@pytest.fixture
def make_brand(qdb, make_user):
    """A brand with one user, one SS collection and one product with sizes S/M/L."""

    async def make(name: str = "Test Atelier"):
        slug = service.slugify(f"{name}-{next(_serial)}")
        brand = await service.create_brand(
            qdb,
            BrandIn(
                name=name,
                slug=slug,
                location_city="Paris",
                location_country="FR",
                founded_year=2010,
                accent_colour="#1f2a44",
            ),
        )
        user = await make_user("brand", "brand", name=f"{name} owner")
        await service.add_member(qdb, brand, user)
        collection = await service.save_collection(
            qdb, brand, CollectionIn(name="Rivière", season="SS", year=2026)
        )
        product = await service.create_product(
            qdb,
            brand,
            BrandProductIn(
                name=f"{name} Silk Dress",
                price=48000,
                suggested_retail_price=120000,
                collection_id=collection.id,
                fabric="Silk crêpe",
                colours=["Navy", "Cream"],
                lead_time_days=21,
                sizes=[
                    SizeIn(label="S", stock_state="in_stock", quantity=10),
                    SizeIn(label="M", stock_state="low_stock", quantity=2),
                    SizeIn(label="L", stock_state="sold_out"),
                ],
            ),
        )
        return brand, user, collection, product

    return make
