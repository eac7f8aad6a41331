"""The Audio Tài Lộc seed: 60+ products in Vietnamese with specifications, several
categories, a drawn picture each and a search row each; a second run adds nothing."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from mercato.audio import search
from mercato.audio.search import SearchQuery
from mercato.audio.seed import seed_audio
from mercato.config import PROJECT_ROOT
from mercato.models.audio import SearchDocument, product_categories
from mercato.models.catalog import Product, ProductAttributeValue, ProductImage
from mercato.platform.files import LocalStorage
from mercato.platform.seeding import SeedContext


async def test_seed_loads_the_catalogue_once(adb, audio, settings, tmp_path: Path):
    ctx = SeedContext(
        config=audio.config,
        settings=settings,
        seed_dir=PROJECT_ROOT / "stores/audio-tai-loc/seed",
        storage=LocalStorage(tmp_path, url_prefix="/files"),
    )
    started = time.monotonic()
    summary = await seed_audio(adb, ctx)
    elapsed = time.monotonic() - started

    async def count(model) -> int:
        return int(await adb.scalar(select(func.count()).select_from(model)) or 0)

    products = await count(Product)
    assert products >= 60, summary
    assert await count(ProductImage) == products
    assert await count(SearchDocument) == products
    assert await count(product_categories) > products  # some products sit in two categories
    assert await count(ProductAttributeValue) >= products * 3
    prices = list(await adb.scalars(select(Product.price)))
    assert all(p % 1000 == 0 and p >= 100_000 for p in prices)  # whole đồng, real prices
    assert elapsed < 60, f"seeding took {elapsed:.1f}s"

    result = await search.run(adb, SearchQuery(q="loa"))
    assert result.total >= 20
    assert (await search.run(adb, SearchQuery(q="tai loc"))).total >= 10

    again = await seed_audio(adb, ctx)
    assert "0 new products" in again
    assert await count(Product) == products
