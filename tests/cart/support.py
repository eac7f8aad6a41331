"""Products with stock, and a cart session in the browser, for cart and checkout tests."""

from __future__ import annotations

import itertools
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inventory import service as inventory_service
from mercato.models.catalog import Product
from tests.helpers import csrf_in

STORE = "/atelier-arome"
_numbers = itertools.count(1)


async def make_product(
    db: AsyncSession,
    *,
    stock: int = 10,
    name: str = "",
    price: int = 4500,
    max_per_customer: int | None = None,
    active: bool = True,
) -> Product:
    n = next(_numbers)
    tag = uuid.uuid4().hex[:6]
    product = Product(
        name=name or f"Essence {n}",
        slug=f"cart-essence-{tag}-{n}",
        sku=f"CART-{tag}-{n}",
        price=price,
        latin_name="Citrus bergamia",
        volume_ul=10_000,
        max_per_customer=max_per_customer,
        is_active=active,
    )
    db.add(product)
    await db.flush()
    await inventory_service.create_inventory(db, product.id, quantity=stock)
    return product


async def page_csrf(client: httpx.AsyncClient) -> str:
    page = await client.get(f"{STORE}/cart")
    assert page.status_code == 200, page.text[:300]
    return csrf_in(page.text)


async def add(
    client: httpx.AsyncClient, product_id: int, quantity: int = 1, *, json: bool = False
) -> httpx.Response:
    token = await page_csrf(client)
    headers = {"accept": "application/json"} if json else {}
    return await client.post(
        f"{STORE}/cart/items",
        data={"csrf_token": token, "product_id": str(product_id), "quantity": str(quantity)},
        headers=headers,
    )
