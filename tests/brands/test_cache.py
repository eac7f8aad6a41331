"""Qala pages and API are kept by the anonymous page cache; a committed change to a brand
table (here a press feature) moves the storefront version, so the cached pages go at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from mercato.models import OutboxEvent
from mercato.models.brands import PressFeature
from mercato.platform import storefront_version
from mercato.web.page_cache import OPT_IN_HEADER
from tests.brands.conftest import ROOT


async def test_public_pages_and_api_opt_in_and_brand_writes_drop_them(
    client, qala, qdb, make_brand
):
    brand, _, _, product = await make_brand("Cached House")
    await qdb.flush()
    for url in (
        f"brands/{brand.slug}",
        f"products/{product.slug}",
        "discover",
        "api/v1/brands",
        f"api/v1/products?brand={brand.slug}",
    ):
        response = await client.get(f"{ROOT}/{url}")
        assert response.status_code == 200
        # the test settings keep the cache off, so the opt-in header is still on the answer
        assert response.headers.get(OPT_IN_HEADER) == "300", url

    before = storefront_version.local_version(qala.slug)
    async with qala.db.session(write=True) as session:
        session.add(
            PressFeature(
                brand_id=brand.id, publication="Elle", title="New", published_on=date(2026, 1, 1)
            )
        )
        await session.commit()
        events = await session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == storefront_version.EVENT_TYPE)
        )
        assert events.first() is not None
    assert storefront_version.local_version(qala.slug) == before + 1
