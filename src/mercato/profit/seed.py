"""Demo data of profit sharing: filled in by the wholesale seed (see seed_profit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


async def seed_profit(db: AsyncSession, ctx: Any) -> str:
    return "nothing yet"
