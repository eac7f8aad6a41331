"""Qala's public pages: discovery with filters and search, the brand, collection and product
pages (with the slots for inquiries and messages), the 2D try-on page, and the bounded number
of queries of the brand page."""

from __future__ import annotations

from sqlalchemy import event

from mercato.brands import service
from mercato.brands.schemas import BrandProductIn, SizeIn
from tests.brands.conftest import ROOT


async def test_brand_page_shows_story_press_collections_and_products(client, qdb, make_brand):
    # Given a brand with press, a collection and a product
    brand, _, collection, product = await make_brand("Maison Test")
    brand.story = "First paragraph.\n\nSecond paragraph."
    from datetime import date

    from mercato.brands.schemas import PressIn

    await service.add_press(
        qdb,
        brand,
        PressIn(
            publication="Vogue",
            title="Labels to know",
            published_on=date(2026, 3, 4),
            url="https://www.vogue.com/",
        ),
    )
    await qdb.flush()
    # When anyone opens the brand page
    page = await client.get(f"{ROOT}/brands/{brand.slug}")
    # Then it shows the story, the press feature with its date and link, the collection, the product
    assert page.status_code == 200
    html = page.text
    assert "Second paragraph." in html
    assert "Vogue" in html and "4 March 2026" in html and 'href="https://www.vogue.com/"' in html
    assert "Rivière" in html and "SS 2026" in html
    assert product.name in html
    assert 'data-slot="brand-actions"' in html


async def test_product_page_shows_prices_sizes_and_the_carousel(client, make_brand):
    brand, _, _, product = await make_brand("Carousel House")
    page = await client.get(f"{ROOT}/products/{product.slug}")
    assert page.status_code == 200
    html = page.text
    assert "$480.00" in html and "$1,200.00" in html  # wholesale and suggested retail
    assert "Silk crêpe" in html and "Navy, Cream" in html and "21 days" in html
    assert "Low stock (2 left)" in html and "Sold out" in html
    assert "data-carousel" in html and 'data-slot="product-actions"' in html
    # no cut-out yet: the try-on is not offered and its page is a 404
    assert "2D try-on" not in html
    assert (await client.get(f"{ROOT}/products/{product.slug}/try-on")).status_code == 404


async def test_a_hidden_brand_and_its_products_are_404(client, qdb, make_brand):
    brand, _, collection, product = await make_brand("Hidden House")
    await service.set_active(qdb, brand, False)
    for url in (
        f"brands/{brand.slug}",
        f"products/{product.slug}",
        f"brands/{brand.slug}/collections/{collection.slug}",
        f"api/v1/brands/{brand.slug}",
    ):
        assert (await client.get(f"{ROOT}/{url}")).status_code == 404, url


async def test_discover_filters_and_search(client, qdb, make_brand):
    paris, _, _, dress = await make_brand("Filter Paris")
    kyoto, _, _, _ = await make_brand("Filter Kyoto")
    kyoto.location_city, kyoto.location_country = "Kyoto", "JP"
    await qdb.flush()
    everything = await client.get(f"{ROOT}/discover")
    assert everything.status_code == 200
    assert paris.name in everything.text and kyoto.name in everything.text
    in_japan = await client.get(f"{ROOT}/discover", params={"country": "JP"})
    assert kyoto.name in in_japan.text and paris.name not in in_japan.text
    autumn = await client.get(f"{ROOT}/discover", params={"season": "AW"})
    assert paris.name not in autumn.text  # both brands only have an SS collection
    cheap = await client.get(f"{ROOT}/discover", params={"price": "under-150"})
    assert paris.name not in cheap.text  # their dress is $480 wholesale
    found = await client.get(f"{ROOT}/discover", params={"q": "Silk Dress"})
    assert dress.name in found.text
    # nonsense filters are ignored, never a 500
    odd = await client.get(
        f"{ROOT}/discover",
        params={"season": "XX", "price": "free", "country": "12345", "q": "%_\\"},
    )
    assert odd.status_code == 200


async def test_brand_page_query_count_does_not_grow_with_products(client, qala, qdb, make_brand):
    brand, _, collection, _ = await make_brand("Counted House")

    async def count() -> int:
        statements: list[str] = []

        def hook(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        engine = qala.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", hook)
        try:
            response = await client.get(f"{ROOT}/brands/{brand.slug}")
        finally:
            event.remove(engine, "before_cursor_execute", hook)
        assert response.status_code == 200
        return len(statements)

    few = await count()
    for n in range(6):
        await service.create_product(
            qdb,
            brand,
            BrandProductIn(
                name=f"Extra {n}",
                price=1000,
                collection_id=collection.id,
                sizes=[SizeIn(label="M")],
            ),
        )
    await qdb.flush()
    assert await count() == few


async def test_product_page_query_count_does_not_grow_with_sizes_or_pictures(
    client, qala, qdb, make_brand
):
    from mercato.catalog import media

    brand, _, _, product = await make_brand("Counted Product")

    async def count() -> int:
        statements: list[str] = []

        def hook(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        engine = qala.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", hook)
        try:
            response = await client.get(f"{ROOT}/products/{product.slug}")
        finally:
            event.remove(engine, "before_cursor_execute", hook)
        assert response.status_code == 200
        return len(statements)

    before = await count()
    for n in range(4):
        await media.add_image(qdb, product.id, storage_key=f"products/x/{n}.jpg", width=4, height=5)
    from mercato.models.brands import ProductSize

    for n in range(6):
        qdb.add(ProductSize(product_id=product.id, label=f"{36 + n}", sort=10 + n))
    await qdb.flush()
    assert await count() == before


async def test_sitemap_lists_brands_collections_and_products(client, make_brand):
    brand, _, collection, product = await make_brand("Mapped House")
    xml = (await client.get(f"{ROOT}/sitemap.xml")).text
    for path in (
        "discover",
        f"brands/{brand.slug}",
        f"brands/{brand.slug}/collections/{collection.slug}",
        f"products/{product.slug}",
    ):
        assert f"{ROOT}/{path}</loc>" in xml, path
