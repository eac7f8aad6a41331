"""Demo conversations (filled in below)."""

from __future__ import annotations

from typing import Any


async def seed_conversations(db: Any, ctx: Any) -> str:
    return "no demo conversations yet"
