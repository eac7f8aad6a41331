"""Vietnamese shipping set-up, products and vouchers for promotion tests."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.cart import service as cart_service
from mercato.inventory import service as inventory_service
from mercato.models.catalog import Product
from mercato.models.commerce import CartItem, ShippingRate, ShippingZone
from mercato.models.promotions import Voucher

ADDRESS = {
    "first_name": "Mai",
    "last_name": "Trần Thị",
    "line1": "12 Nguyễn Huệ",
    "city": "TP. Hồ Chí Minh",
    "region": "Quận 1",
    "postal_code": "700000",
    "country": "VN",
}
_n = itertools.count(1)


async def vn_shipping(db: AsyncSession, amount: int = 30_000) -> int:
    zone = ShippingZone(name=f"Việt Nam {next(_n)}", countries=["VN"], position=1)
    db.add(zone)
    await db.flush()
    rate = ShippingRate(
        zone_id=zone.id, name="Giao tiêu chuẩn", kind="flat", amount=amount, lead_days_min=1,
        lead_days_max=3,
    )  # fmt: skip
    db.add(rate)
    await db.flush()
    return rate.id


async def product(
    db: AsyncSession, *, price: int = 5_000_000, stock: int = 50, category_id: int | None = None
) -> Product:
    tag = uuid.uuid4().hex[:6]
    made = Product(
        name=f"Loa thử {tag}", slug=f"loa-thu-{tag}", sku=f"T-{tag}", price=price,
        category_id=category_id,
    )  # fmt: skip
    db.add(made)
    await db.flush()
    await inventory_service.create_inventory(db, made.id, quantity=stock)
    return made


async def voucher(db: AsyncSession, **values: Any) -> Voucher:
    defaults: dict[str, Any] = {"code": f"TEST{next(_n)}", "kind": "fixed", "value": 100_000}
    made = Voucher(**{**defaults, **values})
    db.add(made)
    await db.flush()
    return made


async def guest_cart(db: AsyncSession, items: list[tuple[Product, int]]):
    cart, token = await cart_service.open_cart(db)
    for p, q in items:
        db.add(CartItem(cart_id=cart.id, product_id=p.id, quantity=q))
    await db.flush()
    return cart, token
