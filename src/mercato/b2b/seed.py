"""Demo businesses and sellers of the wholesale store (stores/<slug>/seed/b2b.yaml) and the
seller of each product (the ``seller`` key of catalog.yaml). Idempotent."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


async def seed_b2b(db: AsyncSession, ctx: Any) -> str:
    return "nothing yet"
