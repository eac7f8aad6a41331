"""The storefront catalogue pages: filters, search, the product page, caching and query
budgets (DESIGN.md §6, §7)."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import event

from mercato.catalog import media
from mercato.catalog import service as catalog_service
from mercato.catalog.presenters import roman
from mercato.catalog.schemas import CategoryIn, ProductIn
from mercato.inventory import service as inventory_service

STORE = "/atelier-arome"


def picture(colour=(120, 90, 140), size=(800, 1000)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


async def make_shop(db, runtime, extra: int = 0):
    calming = await catalog_service.create_category(
        db, CategoryIn(name="Calming", humour_symbol="☾", colour="#B8A9C9")
    )
    uplifting = await catalog_service.create_category(
        db, CategoryIn(name="Uplifting", humour_symbol="☀", colour="#F5D489")
    )
    rows = [
        ("Provence Lavender", "LAV-724", 4200, None, calming, "rare", ["Floral", "Sweet"], 24, "I"),
        ("Calabrian Bergamot", "BER-328", 4800, 5500, uplifting, "limited", ["Citrus", "Bright"],
         3, "III"),
        ("Mysore Sandalwood", "SAN-417", 9400, None, calming, "limited", ["Woody"], 0, "V"),
    ]  # fmt: skip
    for n in range(extra):
        rows.append((f"Essence {n}", f"ESS-{n}", 3800 + n, None, uplifting, "common",
                     ["Floral"], 10, str(10 + n)))  # fmt: skip
    products = {}
    for name, sku, price, was, cat, rarity, notes, stock, folio in rows:
        product = await catalog_service.create_product(
            db,
            ProductIn(
                name=name,
                sku=sku,
                price=price,
                compare_at_price=was,
                category_id=cat.id,
                rarity=rarity,
                scent_notes=notes,
                folio_number=folio,
                latin_name="Lavandula × intermedia" if sku == "LAV-724" else "",
                botanical_family="Lamiaceae",
                origin="Provence, France",
                extraction_method="Steam Distillation",
                harvest_season="Early July",
                volume_ul=5000,
                description="Harvested at dawn.\n\nDistilled at 40°C.",
                is_featured=sku != "SAN-417",
            ),
            stock=stock,
        )
        await media.store_image(
            db, runtime.storage, product.id, picture(), max_bytes=10**7, alt_text=f"{name} phial"
        )
        products[sku] = product
    return products


@pytest.fixture
async def shop(db, runtime):
    return await make_shop(db, runtime)


def test_roman_numerals():
    assert [roman(n) for n in (1, 4, 9, 14, 40, 2026)] == ["I", "IV", "IX", "XIV", "XL", "MMXXVI"]
    assert roman("XII") == "XII" and roman("12") == "XII"


async def test_images_get_webp_variants_with_sizes(db, runtime, shop):
    product = await catalog_service.product_page(db, "provence-lavender")
    image = product.images[0]
    assert (image.width, image.height) == (800, 1000)
    assert [v["width"] for v in image.variants] == [320, 640, 800]
    data = await runtime.storage.read(image.variants[0]["key"])
    with Image.open(io.BytesIO(data)) as webp:
        assert webp.format == "WEBP" and webp.size == (320, 400)


async def test_catalogue_lists_filters_and_counts(client, shop):
    page = await client.get(f"{STORE}/essences")
    assert page.status_code == 200
    assert "3 essences" in page.text
    assert 'rel="canonical"' in page.text
    page = await client.get(f"{STORE}/essences", params={"note": "citrus", "in_stock": "1"})
    assert "1 essence" in page.text and "Calabrian Bergamot" in page.text
    assert "Provence Lavender" not in page.text
    page = await client.get(f"{STORE}/humours/calming")
    assert "Provence Lavender" in page.text and "Calabrian Bergamot" not in page.text
    page = await client.get(f"{STORE}/essences", params={"max_price": "45"})
    assert "1 essence" in page.text and "Provence Lavender" in page.text


async def test_search_from_the_form_and_empty_state(client, shop):
    page = await client.get(f"{STORE}/essences", params={"q": "lavandula"})
    assert "1 essence" in page.text and "Provence Lavender" in page.text
    assert 'name="robots" content="noindex' in page.text
    page = await client.get(f"{STORE}/essences", params={"q": "mandrake"})
    assert page.status_code == 200
    assert "No essences found" in page.text and "Clear the filters" in page.text


@pytest.mark.parametrize("q", ['"', "NEAR(", "lav*", "') OR 1=1 --", "a:b", "\u0000"])
async def test_query_syntax_in_search_never_errors(client, shop, q):
    page = await client.get(f"{STORE}/essences", params={"q": q})
    assert page.status_code == 200


async def test_bad_filter_values_are_shown_in_the_form(client, shop):
    page = await client.get(f"{STORE}/essences", params={"rarity": "mythic", "min_price": "x"})
    assert page.status_code == 422
    assert "Choose a rarity from the list." in page.text
    assert "Enter an amount such as 40 or 42.50." in page.text


async def test_pagination_links_keep_the_filters(client, db, runtime):
    await make_shop(db, runtime, extra=12)
    page = await client.get(f"{STORE}/essences", params={"note": "floral"})
    assert "13 essences" in page.text and "Page 1 of 2" in page.text
    assert "?note=floral&amp;page=2" in page.text
    second = await client.get(f"{STORE}/essences", params={"note": "floral", "page": "2"})
    assert second.text.count('class="product-card') == 1


async def test_a_long_list_says_more_than_the_cap_and_pages_on(client, db, runtime, monkeypatch):
    """Past COUNT_CAP the total is "more than …", the pager shows no last page (it is not
    known) but always the next one, and "Page n" has no "of"."""
    monkeypatch.setattr(catalog_service, "COUNT_CAP", 12)
    await make_shop(db, runtime, extra=12)  # 15 essences, 12 a page
    page = await client.get(f"{STORE}/essences")
    assert "More than 12 essences" in page.text and "15 essences" not in page.text
    assert "Page 1</p>" in page.text and "Page 1 of" not in page.text
    assert 'rel="next"' in page.text and "?page=2" in page.text
    second = await client.get(f"{STORE}/essences", params={"page": "2"})
    assert second.text.count('class="product-card') == 3
    # counting reaches past page 2 on page 2: the exact total is known again
    assert "15 essences" in second.text and "Page 2 of 2" in second.text
    assert 'rel="next"' not in second.text


async def test_unknown_humour_and_product_are_404(client, shop):
    assert (await client.get(f"{STORE}/humours/choleric")).status_code == 404
    assert (await client.get(f"{STORE}/essences/unicorn-tears")).status_code == 404


async def test_product_page_shows_the_botanical_record(client, shop):
    page = await client.get(f"{STORE}/essences/provence-lavender")
    assert page.status_code == 200
    html = page.text
    expected = ["Lavandula × intermedia", "Lamiaceae", "Steam Distillation", "Provence, France"]
    expected += ["Early July", "5 ml", "Folio I", "In stock", "Floral", "Rare", "LAV-724"]
    for text in expected:
        assert text in html, text
    assert "<p>Harvested at dawn.</p>" in html and "<p>Distilled at 40°C.</p>" in html
    # the image: sizes for no layout shift, WebP srcset, eager (above the fold)
    img = re.search(r'<img class="product-image"[^>]*>', html, re.S).group(0)
    assert 'width="640"' in img and 'height="800"' in img
    assert "-320.webp 320w" in img and 'fetchpriority="high"' in img
    # related essences: same humour first, lazy images
    related = html.split("Kindred essences", 1)[1]
    assert "Mysore Sandalwood" in related and 'loading="lazy"' in related
    # SEO: canonical, Open Graph, JSON-LD Product with an Offer
    assert (
        '<link rel="canonical" href="http://testserver/atelier-arome/essences/provence-lavender">'
        in html
    )
    assert 'property="og:type" content="product"' in html
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Product" and data["offers"]["price"] == "42.00"
    assert data["offers"]["priceCurrency"] == "USD"
    assert data["offers"]["availability"] == "https://schema.org/InStock"


async def test_product_page_stock_states_and_compare_at_price(client, db, shop):
    page = await client.get(f"{STORE}/essences/calabrian-bergamot")
    assert "Only 3 left" in page.text
    assert re.search(r'<s class="price-was">.*\$55\.00</s>', page.text)
    assert "Folio III" in page.text and "Limited edition" in page.text
    page = await client.get(f"{STORE}/essences/mysore-sandalwood")
    assert "Sold out" in page.text
    assert "https://schema.org/OutOfStock" in page.text
    # a hold on the last units makes it sold out too
    await inventory_service.reserve(
        db, [(shop["BER-328"].id, 3)], reference="cart-x", ttl=timedelta(minutes=15)
    )
    page = await client.get(f"{STORE}/essences/calabrian-bergamot")
    assert "Sold out" in page.text


async def test_modules_add_to_the_product_page(client, runtime, shop):
    catalog = next(m for m in runtime.modules.modules if m.name == "catalog")
    seen = []

    async def hook(db, request, product):
        seen.append(product.slug)
        return {"announcement": f"Hook saw {product.name}"}

    catalog.product_page = hook
    try:
        page = await client.get(f"{STORE}/essences/provence-lavender")
    finally:
        catalog.product_page = None
    assert seen == ["provence-lavender"]
    assert "Hook saw Provence Lavender" in page.text


async def test_anonymous_pages_revalidate_with_an_etag(client, shop):
    first = await client.get(f"{STORE}/essences/provence-lavender")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = await client.get(f"{STORE}/essences/provence-lavender", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    listing = await client.get(f"{STORE}/essences")
    assert listing.headers["etag"] and listing.headers["cache-control"] == "private, no-cache"


async def test_stylesheet_is_cached_for_a_year_when_versioned(client):
    home = await client.get(f"{STORE}/essences")
    href = re.search(r'href="([^"]*assets/catalog\.css\?v=[^"]+)"', home.text).group(1)
    css = await client.get(href)
    assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
    assert css.headers["content-type"].startswith("text/css")


async def _count_queries(runtime, client, url: str) -> int:
    engine = runtime.db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        response = await client.get(url)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text[:300]
    return len(statements)


async def test_query_counts_do_not_grow_with_the_products_shown(client, db, runtime):
    await make_shop(db, runtime, extra=2)
    small_list = await _count_queries(runtime, client, f"{STORE}/essences")
    small_page = await _count_queries(runtime, client, f"{STORE}/essences/provence-lavender")
    for n in range(2, 12):
        product = await catalog_service.create_product(
            db, ProductIn(name=f"More {n}", sku=f"MORE-{n}", price=4000, scent_notes=["Sweet"],
                          category_id=(await catalog_service.categories(db))[0].id), stock=5,
        )  # fmt: skip
        await media.store_image(db, runtime.storage, product.id, picture(), max_bytes=10**7)
    large_list = await _count_queries(runtime, client, f"{STORE}/essences")
    large_page = await _count_queries(runtime, client, f"{STORE}/essences/provence-lavender")
    assert small_list == large_list
    assert small_page == large_page
    assert large_page <= 15 and large_list <= 15
