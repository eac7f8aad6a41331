"""Fixtures of the wholesale store's business-account tests: users of every role of the seed's
permission matrix, companies in each verification state, products owned by sellers."""

from __future__ import annotations

import functools
import itertools

import pytest

from mercato.b2b import service
from mercato.kit.security import FieldCipher, hash_password
from mercato.kit.time import utcnow
from mercato.models import Inventory, Product, User, UserRole
from mercato.models.b2b import Company, CompanyMember, ProductSeller, Seller
from mercato.platform.seeding import sync_roles

STORE = "wholesale"
ROOT = f"/{STORE}"
PASSWORD = "Jute-Godown-Ledger-41"
_serial = itertools.count(1)

# A tiny valid PDF: signature, one object, end marker.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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


@functools.cache
def _password_hash() -> str:
    # Hashing once per run: argon2 is slow on purpose, and the matrix makes many users.
    return hash_password(PASSWORD)


@pytest.fixture
def make_user(wdb, wroles):
    async def make(email: str, *roles: str, name: str = "Rahim"):
        user = User(email=email, name=name, password_hash=_password_hash())
        user.email_verified_at = utcnow()
        wdb.add(user)
        await wdb.flush()
        for role in roles:
            wdb.add(UserRole(user_id=user.id, role_id=wroles[role].id))
        await wdb.flush()
        return user

    return make


def company_in(**overrides) -> service.CompanyIn:
    values = {
        "name": "Karim Textiles Ltd.",
        "contact_name": "Abdul Karim",
        "contact_phone": "+8801711000000",
        "contact_email": "karim@example.com",
        "address_line": "House 12, Road 5, Tejgaon I/A",
        "city": "Dhaka",
        "tin": "123456789012",
        "trade_license_number": "TRAD/DNCC/004512/2025",
    }
    return service.CompanyIn(**(values | overrides))


@pytest.fixture
def make_company(wdb, wholesale):
    async def make(user, status: str = "verified", name: str = "Karim Textiles Ltd.") -> Company:
        company = await service.register(
            wdb, user, company_in(name=name), FieldCipher(wholesale.secret)
        )
        company.status = status
        if status in ("rejected", "info_requested"):
            company.reason = "The licence is expired."
        await wdb.flush()
        return company

    return make


@pytest.fixture
def make_seller(wdb):
    async def make(user, name: str = "Karim Looms") -> Seller:
        seller = Seller(user_id=user.id, display_name=name, is_profit_partner=True)
        wdb.add(seller)
        await wdb.flush()
        return seller

    return make


@pytest.fixture
def make_product(wdb):
    async def make(name: str = "Jamdani Saree", *, price: int = 14500, seller=None) -> Product:
        n = next(_serial)
        product = Product(
            name=name,
            slug=f"{name.lower().replace(' ', '-')}-{n}",
            sku=f"B2B-{n}",
            price=price,
            cost_price=8000,
        )
        wdb.add(product)
        await wdb.flush()
        wdb.add(Inventory(product_id=product.id, quantity=500, reserved=0))
        if seller is not None:
            wdb.add(ProductSeller(product_id=product.id, seller_id=seller.id))
        await wdb.flush()
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


__all__ = ["CompanyMember", "PDF"]
