"""Demo address books from ``stores/<slug>/seed/customers.yaml``, so a demo customer's
checkout offers a saved address. A customer who already has addresses is left alone
(idempotent); addresses go through the same validation as the address form."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.customers import service
from mercato.customers.schemas import AddressIn
from mercato.models.commerce import Address


async def seed_customers(db: AsyncSession, ctx: Any) -> str:
    path = ctx.seed_dir / "customers.yaml"
    if not path.is_file():
        return "no customers.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    saved = 0
    for email, spec in (data.get("customers") or {}).items():
        user = ctx.users.get(email)
        if user is None:
            continue
        has_any = await db.scalar(
            select(func.count()).select_from(Address).where(Address.user_id == user.id)
        )
        if has_any:
            continue
        for entry in spec.get("addresses", []):
            kind = entry.pop("kind", "shipping")
            await service.create_address(db, user.id, AddressIn(**entry), kind=kind)
            saved += 1
    return f"{saved} address" + ("" if saved == 1 else "es")
