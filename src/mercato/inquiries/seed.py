"""Demo inquiries (filled in below)."""

from __future__ import annotations

from typing import Any


async def seed_inquiries(db: Any, ctx: Any) -> str:
    return "no demo inquiries yet"
