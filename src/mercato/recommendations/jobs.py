"""The scheduled recomputation of recommendations."""

from __future__ import annotations

import logging
from typing import Any

from mercato.recommendations import service

log = logging.getLogger("mercato.recommendations")


async def compute(ctx: Any) -> None:
    counts = await service.compute_all(ctx.db)
    log.info("recommendations computed", extra={"store": ctx.runtime.slug, **counts})
