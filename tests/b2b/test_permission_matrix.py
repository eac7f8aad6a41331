"""The seed's permission matrix, every cell, allowed and refused, over pages and API.

    Resource          Admin  Seller  Buyer
    View Profit %      yes    no      no
    Set Profit %       yes    no      no
    View Reports       yes    own     no
    Manage Products    yes    own     no
    Verify Business    yes    no      no
    Place Orders       yes    no      verified
    View Inventory     yes    own     no
    View Wholesale $   yes    yes     verified

``MATRIX`` is that table; ``PERSONAS`` are the people it speaks of (a buyer in each
verification state, and an anonymous visitor). ``test_abilities`` checks every cell on
``mercato.b2b.access``, which every wholesale module asks; ``test_route`` tries each cell on
the pages and API routes that enforce it. Routes of modules not mounted yet are skipped with
their name, so the table fills itself as the store grows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.routing import Match, Mount

from mercato.b2b import access
from mercato.kit.money import format_money
from mercato.models.b2b import Company
from tests.b2b.conftest import ROOT, STORE, signin, token

MATRIX: dict[str, tuple[Any, Any, Any]] = {
    # cell: (admin, seller, buyer) as in the seed; "verified" = only a verified buyer
    "view_profit_pct": (True, False, False),
    "set_profit_pct": (True, False, False),
    "reports": ("all", "own", None),
    "products": ("all", "own", None),
    "verify_business": (True, False, False),
    "place_orders": (True, False, "verified"),
    "inventory": ("all", "own", None),
    "view_wholesale_prices": (True, True, "verified"),
}
PERSONAS = ("admin", "seller", "verified", "unverified", "pending", "rejected", "anonymous")
PRICE = 14500  # poisha


def expected(cell: str, persona: str) -> Any:
    admin, seller, buyer = MATRIX[cell]
    if persona == "anonymous":
        return None if isinstance(admin, str) else False
    if persona == "admin":
        return admin
    if persona == "seller":
        return seller
    if buyer == "verified":
        return persona == "verified"
    return buyer


@dataclass
class World:
    users: dict[str, Any]
    own_product: Any
    other_product: Any


@pytest.fixture
async def world(wdb, make_user, make_company, make_seller, make_product) -> World:
    users = {
        "admin": await make_user("admin-m@example.com", "admin"),
        "seller": await make_user("seller-m@example.com", "seller"),
        "verified": await make_user("verified-m@example.com", "buyer"),
        "unverified": await make_user("unverified-m@example.com", "buyer"),
        "pending": await make_user("pending-m@example.com", "buyer"),
        "rejected": await make_user("rejected-m@example.com", "buyer"),
    }
    other_seller_user = await make_user("seller-other@example.com", "seller")
    await make_company(users["verified"], "verified", "Verified Traders")
    await make_company(users["pending"], "pending", "Pending Traders")
    await make_company(users["rejected"], "rejected", "Rejected Traders")
    mine = await make_seller(users["seller"], "Karim Looms")
    theirs = await make_seller(other_seller_user, "Begum Spices")
    own = await make_product("Jamdani Saree", price=PRICE, seller=mine)
    other = await make_product("Bogura Chilli Powder", price=9900, seller=theirs)
    return World(users, own, other)


@pytest.mark.parametrize("cell", list(MATRIX))
async def test_abilities(wdb, world, cell):
    for persona in PERSONAS:
        found = await access.abilities_for(wdb, world.users.get(persona))
        assert getattr(found, cell) == expected(cell, persona), persona


async def test_verification_is_read_on_every_request(wdb, world):
    """Rejecting a verified company takes its prices and ordering away at once."""
    buyer = world.users["verified"]
    assert (await access.abilities_for(wdb, buyer)).place_orders
    company = await access.buyer_company(wdb, buyer)
    assert isinstance(company, Company)
    company.status = "rejected"
    company.reason = "Licence revoked."
    await wdb.flush()
    found = await access.abilities_for(wdb, buyer)
    assert not found.place_orders and not found.view_wholesale_prices


# --- routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    cell: str
    kind: str  # "api" | "page"
    method: str
    route: str  # the route's path template, for the mounted check
    path: str  # with {own} / {other} placeholders for product slugs or ids
    scopes: tuple[Any, ...] = (True,)  # ability values that mean "allowed" for this route
    owner: str = ""  # module whose route this is, for the skip message
    body: dict | None = None


def _probes() -> list[Probe]:
    api = "/api/v1"
    return [
        Probe("view_profit_pct", "api", "GET", f"{api}/admin/profit-config",
              f"{api}/admin/profit-config", owner="profit"),
        Probe("set_profit_pct", "api", "POST", f"{api}/admin/profit-config",
              f"{api}/admin/profit-config", owner="profit", body={}),
        Probe("reports", "api", "GET", f"{api}/reports/profit", f"{api}/reports/profit",
              ("all", "own"), owner="profit"),
        Probe("reports", "api", "GET", f"{api}/admin/profit-reports",
              f"{api}/admin/profit-reports", ("all",), owner="profit"),
        Probe("reports", "page", "GET", "/reports/profit", "/reports/profit", ("all", "own"),
              owner="profit"),
        Probe("products", "page", "GET", "/seller/products", "/seller/products", ("all", "own")),
        Probe("products", "page", "GET", "/admin/products", "/admin/products", ("all",)),
        Probe("products", "api", "GET", f"{api}/seller/products", f"{api}/seller/products",
              ("all", "own")),
        Probe("products", "api", "PATCH", f"{api}/seller/products/{{product_id}}",
              f"{api}/seller/products/{{own_id}}", ("all", "own"),
              body={"short_description": "Hand-loomed in Rupganj."}),
        Probe("verify_business", "api", "GET", f"{api}/business-verifications",
              f"{api}/business-verifications"),
        Probe("verify_business", "page", "GET", "/admin/b2b/verifications",
              "/admin/b2b/verifications"),
        Probe("place_orders", "api", "POST", f"{api}/cart/items", f"{api}/cart/items",
              owner="wholesale", body={"product_id": "{own_id}", "quantity": 10}),
        Probe("place_orders", "page", "GET", "/wholesale/checkout", "/wholesale/checkout",
              owner="wholesale"),
        Probe("inventory", "api", "GET", f"{api}/inventory/alerts", f"{api}/inventory/alerts",
              ("all", "own"), owner="profit"),
        Probe("view_wholesale_prices", "page", "GET", "/essences/{slug}", "/essences/{own}"),
        Probe("view_wholesale_prices", "page", "GET", "/essences", "/essences?min_price=1"),
        Probe("view_wholesale_prices", "api", "GET", f"{api}/products", f"{api}/products"),
        Probe("view_wholesale_prices", "api", "GET", f"{api}/products/{{slug}}",
              f"{api}/products/{{own}}"),
        Probe("view_wholesale_prices", "api", "GET", f"{api}/products",
              f"{api}/products?sort=price_asc"),
    ]  # fmt: skip


PROBES = _probes()


def mounted(app, probe: Probe) -> bool:
    """Does the store have a route for this probe (its module is enabled and written)?"""
    store = next(r.app for r in app.routes if isinstance(r, Mount) and r.path == ROOT)
    path = re.sub(r"\{[^}]+\}", "1", probe.route)
    scope = {"type": "http", "method": probe.method, "path": path, "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL for route in store.routes)


class Visitors:
    """One browser (cookie jar) and one access token per persona, made on first use."""

    def __init__(self, app, world: World) -> None:
        self.app, self.world = app, world
        self.clients: dict[str, httpx.AsyncClient] = {}
        self.tokens: dict[str, dict[str, str]] = {}

    async def client(self, persona: str) -> httpx.AsyncClient:
        if persona not in self.clients:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            c = httpx.AsyncClient(transport=transport, base_url="http://testserver")
            if persona != "anonymous":
                await signin(c, self.world.users[persona].email)
            self.clients[persona] = c
        return self.clients[persona]

    async def headers(self, persona: str) -> dict[str, str]:
        if persona == "anonymous":
            return {}
        if persona not in self.tokens:
            self.tokens[persona] = await token(
                await self.client("anonymous"), self.world.users[persona].email
            )
        return self.tokens[persona]

    async def close(self) -> None:
        for c in self.clients.values():
            await c.aclose()


@pytest.fixture
async def visitors(app, world):
    found = Visitors(app, world)
    yield found
    await found.close()


async def _ask(visitors: Visitors, probe: Probe, world: World, persona: str):
    path = ROOT + probe.path.format(
        own=world.own_product.slug, other=world.other_product.slug, own_id=world.own_product.id
    )
    if probe.kind == "api":
        client, headers = await visitors.client("anonymous"), await visitors.headers(persona)
    else:
        client, headers = await visitors.client(persona), {}
    body = None
    if probe.body is not None:
        body = {k: (world.own_product.id if v == "{own_id}" else v) for k, v in probe.body.items()}
    return await client.request(probe.method, path, headers=headers, json=body)


def _allowed(probe: Probe, response, persona: str) -> bool:
    """Read the answer: allowed, or refused the right way (never a 5xx)."""
    status = response.status_code
    assert status < 500, (probe, persona, status, response.text[:300])
    if probe.cell == "view_wholesale_prices" and status == 200:
        return _price_shown(probe, response)
    if status in (401, 403):
        return False
    if status == 303:
        location = response.headers["location"]
        if location.endswith("/verify") or "/account/signin" in location:
            return False
    return True


def _price_shown(probe: Probe, response) -> bool:
    shown = format_money(PRICE, "BDT", "en-BD")
    if probe.kind == "page":
        body = response.text
        hidden = "Wholesale price for verified businesses" in body
        visible = shown in body
        # the structured data must not carry the price either
        leaked = re.search(r'"price":\s*"145\.00"', body) is not None
        assert hidden != visible, probe
        assert visible or not leaked, "price in the JSON-LD of a hidden page"
        return visible
    data = response.json()
    items = data.get("items", [data])
    assert items, probe
    prices = {i["price"] for i in items}
    assert prices == {None} or None not in prices, prices
    return None not in prices


@pytest.mark.parametrize("cell", list(MATRIX))
async def test_route(app, visitors, world, cell):
    """Every route enforcing ``cell``, for every persona: allowed or refused as the matrix
    says."""
    probes = [p for p in PROBES if p.cell == cell]
    missing = [f"{p.method} {p.route} ({p.owner})" for p in probes if not mounted(app, p)]
    present = [p for p in probes if mounted(app, p)]
    if not present:
        pytest.skip("not mounted yet: " + ", ".join(missing))
    for probe in present:
        for persona in PERSONAS:
            response = await _ask(visitors, probe, world, persona)
            assert _allowed(probe, response, persona) == (
                expected(probe.cell, persona) in probe.scopes
            ), (probe.method, probe.path, persona, response.status_code, response.text[:300])


async def test_a_seller_sees_only_their_own_products(client, world):
    await signin(client, world.users["seller"].email)
    page = await client.get(f"{ROOT}/seller/products")
    assert world.own_product.name in page.text
    assert world.other_product.name not in page.text


async def test_priced_api_answers_are_never_shared_cached(client, world):
    headers = await token(client, world.users["verified"].email)
    priced = await client.get(f"{ROOT}/api/v1/products", headers=headers)
    assert {i["price"] for i in priced.json()["items"]} >= {PRICE}
    assert priced.headers["cache-control"] == "private, no-store"
    assert "Authorization" in priced.headers["vary"]


async def test_the_seller_api_lists_only_their_own_products(client, world):
    headers = await token(client, world.users["seller"].email)
    listed = await client.get(f"{ROOT}/api/v1/seller/products", headers=headers)
    assert [p["sku"] for p in listed.json()] == [world.own_product.sku]


async def test_a_seller_edits_only_their_own_products(client, wdb, world):
    from sqlalchemy import select

    from mercato.models import AuditEntry
    from tests.helpers import csrf_from

    headers = await token(client, world.users["seller"].email)
    api = f"{ROOT}/api/v1/seller/products"
    theirs = await client.patch(
        f"{api}/{world.other_product.id}", json={"name": "Mine now"}, headers=headers
    )
    assert theirs.status_code == 404
    mine = await client.patch(
        f"{api}/{world.own_product.id}", json={"is_active": False}, headers=headers
    )
    assert mine.status_code == 200 and mine.json()["is_active"] is False
    await signin(client, world.users["seller"].email)
    form = f"{ROOT}/seller/products/{world.own_product.id}"
    csrf = await csrf_from(client, form)
    bad = await client.post(form, data={"csrf_token": csrf, "name": "x"})
    assert bad.status_code == 422
    saved = await client.post(
        form, data={"csrf_token": csrf, "name": "Jamdani Orna, Red", "is_active": "on"}
    )
    assert saved.status_code == 303
    other_form = f"{ROOT}/seller/products/{world.other_product.id}"
    assert (await client.get(other_form)).status_code == 404
    await wdb.refresh(world.own_product)
    assert world.own_product.name == "Jamdani Orna, Red" and world.own_product.is_active
    entries = list(
        await wdb.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "b2b.seller_product.update")
        )
    )
    assert len(entries) == 2


async def test_an_admin_sees_every_sellers_products(client, world):
    await signin(client, world.users["admin"].email)
    page = await client.get(f"{ROOT}/seller/products")
    assert world.own_product.name in page.text and world.other_product.name in page.text


async def test_an_unverified_buyer_gets_no_price_by_any_catalogue_route(client, world):
    """Lists, one product, price filters and price sorts: no wholesale price comes back."""
    for persona in ("anonymous", "unverified", "pending"):
        headers = {}
        if persona != "anonymous":
            headers = await token(client, world.users[persona].email)
        listed = await client.get(f"{ROOT}/api/v1/products", headers=headers)
        assert listed.status_code == 200
        assert {i["price"] for i in listed.json()["items"]} == {None}
        assert {i["compare_at_price"] for i in listed.json()["items"]} == {None}
        one = await client.get(f"{ROOT}/api/v1/products/{world.own_product.slug}", headers=headers)
        assert one.json()["price"] is None
        for query in ("min_price=14000", "max_price=15000", "sort=price_desc"):
            probe = await client.get(f"{ROOT}/api/v1/products?{query}", headers=headers)
            assert probe.status_code == 403, query
    page = await client.get(f"{ROOT}/essences")
    assert "Wholesale price for verified businesses" in page.text
    assert format_money(PRICE, "BDT", "en-BD") not in page.text
    sorted_page = await client.get(f"{ROOT}/essences?sort=price_asc")
    assert sorted_page.status_code == 303
    assert sorted_page.headers["location"] == f"{ROOT}/verify"


async def test_require_verified_buyer_sends_pages_to_verify(wholesale, wdb, world):
    from fastapi import HTTPException
    from starlette.requests import Request

    def request(path: str, user) -> Request:
        scope = {"type": "http", "method": "GET", "path": path, "headers": [], "state": {}}
        req = Request(scope)
        req.state.runtime = wholesale
        req.state.user = user
        return req

    with pytest.raises(HTTPException) as sent:
        await access.require_verified_buyer(
            request(f"{ROOT}/checkout", world.users["pending"]), wdb, None, None
        )
    assert sent.value.status_code == 303
    assert sent.value.headers["Location"] == f"{ROOT}/verify"
    user = world.users["verified"]
    ok = await access.require_verified_buyer(request(f"{ROOT}/checkout", user), wdb, None, None)
    assert ok is user
    with pytest.raises(HTTPException) as api:
        await access.require_verified_buyer(request(f"{ROOT}/api/v1/cart", user), wdb, None, None)
    assert api.value.status_code == 401


def test_store_lists_the_gate_before_the_catalogue():
    from mercato.config import PROJECT_ROOT
    from mercato.platform.stores import discover_stores

    store = next(s for s in discover_stores(PROJECT_ROOT / "stores") if s.slug == STORE)
    assert store.modules.index("b2b_gate") < store.modules.index("catalog")


async def test_the_openapi_schema_says_a_hidden_price_is_null(client, world):
    """The gate answers ``price: null`` to who may not see it; the published schema allows it,
    and the gated answers validate against the catalogue's own response models."""
    from mercato.catalog.api import ProductListOut, ProductOut

    spec = (await client.get(f"{ROOT}/api/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    for name in ("ProductSummaryOut", "ProductOut"):
        price = schemas[name]["properties"]["price"]
        assert {"type": "null"} in price.get("anyOf", []), (name, price)
        assert {"type": "integer"} in price["anyOf"], (name, price)
    listed = await client.get(f"{ROOT}/api/v1/products")
    gated = ProductListOut.model_validate(listed.json())
    assert gated.items and {i.price for i in gated.items} == {None}
    one = await client.get(f"{ROOT}/api/v1/products/{world.own_product.slug}")
    assert ProductOut.model_validate(one.json()).price is None
