"""Scheduled work of the audio shop."""

from __future__ import annotations

from typing import Any

from mercato.audio import search


async def reindex_search(ctx: Any) -> None:
    """Rebuild the folded search text of products added or edited since their row was
    built (staff edits in the core catalogue admin), and drop rows of deleted products."""
    ids = await search.stale_product_ids(ctx.db)
    await search.index_products(ctx.db, ids)
    await search.drop_deleted(ctx.db)
