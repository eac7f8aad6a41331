"""Store feature flags (seed 004 §3.4): store.toml ``features = {reviews = false}`` gives the
default and an admin's StoreSetting ``feature.<name>`` overrides it, without a restart."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.time import utcnow
from mercato.models import StoreSetting

DEFAULTS = {"wishlist": True, "reviews": False}


def setting_key(name: str) -> str:
    return f"feature.{name}"


async def is_enabled(db: AsyncSession, runtime: Any, name: str, request: Any = None) -> bool:
    """Whether feature ``name`` is on for this store; cached on the request when given."""
    cache: dict[str, bool] | None = None
    if request is not None:
        cache = getattr(request.state, "feature_flags", None)
        if cache is None:
            cache = request.state.feature_flags = {}
        if name in cache:
            return cache[name]
    stored = await db.scalar(
        select(StoreSetting.value).where(StoreSetting.key == setting_key(name))
    )
    if isinstance(stored, bool):
        value = stored
    else:
        value = bool(runtime.config.features.get(name, DEFAULTS.get(name, True)))
    if cache is not None:
        cache[name] = value
    return value


async def set_enabled(db: AsyncSession, name: str, value: bool) -> None:
    row = await db.get(StoreSetting, setting_key(name))
    if row is None:
        db.add(StoreSetting(key=setting_key(name), value=value, updated_at=utcnow()))
    else:
        row.value = value
        row.updated_at = utcnow()
    await db.flush()
