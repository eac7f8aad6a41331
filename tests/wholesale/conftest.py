"""Fixtures of the wholesale pricing tests: the wholesale store's runtime and session, users
of each kind (verified buyer, unverified buyer, admin), products with terms and stock."""

from __future__ import annotations

import itertools

import pytest

from mercato.b2b import service as b2b_service
from mercato.inventory import service as inventory_service
from mercato.kit.security import FieldCipher
from mercato.models import Product
from mercato.platform.seeding import ensure_user, sync_roles
from mercato.wholesale import service as wholesale_service
from mercato.wholesale.pricing import Tier

STORE = "wholesale"
ROOT = f"/{STORE}"
PASSWORD = "Paikari-Case-Pack-2026"
_serial = itertools.count(1)

# The seed's card: MOQ 10; 10-49 → ৳145, 50-199 → ৳135, 200+ → ৳120 (poisha).
SEED_TIERS = (Tier(10, 14500), Tier(50, 13500), Tier(200, 12000))


@pytest.fixture
def wholesale(app):
    return app.state.runtimes[STORE]


@pytest.fixture
async def wdb(wholesale):
    async with wholesale.db.session(write=True) as session:
        yield session


@pytest.fixture
async def wroles(wdb, wholesale):
    return await sync_roles(wdb, wholesale.modules)


@pytest.fixture
def make_user(wdb, wroles):
    async def make(email: str, *roles: str, name: str = "Tanvir"):
        user, _ = await ensure_user(
            wdb, wroles, email=email, password=PASSWORD, name=name, role_names=list(roles)
        )
        await wdb.flush()
        return user

    return make


@pytest.fixture
def make_buyer(wdb, wholesale, make_user):
    """A buyer whose company is in ``status`` (verified by default)."""

    async def make(email: str = "buyer@example.com", status: str = "verified"):
        user = await make_user(email, "buyer")
        company = await b2b_service.register(
            wdb,
            user,
            b2b_service.CompanyIn(
                name=f"Company of {email}",
                contact_name="Tanvir Hossain",
                contact_phone="+8801711000000",
                contact_email=email,
                address_line="House 12, Road 5, Tejgaon I/A",
                city="Dhaka",
                tin="123456789012",
                trade_license_number="TRAD/DNCC/004512/2025",
            ),
            FieldCipher(wholesale.secret),
        )
        company.status = status
        if status in ("rejected", "info_requested"):
            company.reason = "The licence is expired."
        await wdb.flush()
        return user

    return make


@pytest.fixture
def make_product(wdb):
    """A product with the seed's tiers unless told otherwise, and stock."""

    async def make(
        name: str = "Cotton Lungi",
        *,
        stock: int = 1000,
        moq: int = 10,
        multiple: int = 1,
        tiers=SEED_TIERS,
        price: int = 14500,
    ) -> Product:
        n = next(_serial)
        product = Product(
            name=name,
            slug=f"tier-{name.lower().replace(' ', '-')}-{n}",
            sku=f"TIER-{n}",
            price=price,
            cost_price=8000,
        )
        wdb.add(product)
        await wdb.flush()
        await inventory_service.create_inventory(wdb, product.id, quantity=stock)
        await wholesale_service.save_terms(
            wdb,
            product,
            wholesale_service.TermsIn(
                price=price, moq=moq, order_multiple=multiple, reorder_level=20, tiers=tiers
            ),
        )
        return product

    return make


async def signin(client, email: str) -> None:
    from tests.helpers import signin as form_signin

    await form_signin(client, STORE, email, PASSWORD)


async def token(client, email: str) -> dict[str, str]:
    response = await client.post(
        f"{ROOT}/api/v1/auth/token", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
