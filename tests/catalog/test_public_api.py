"""The public catalogue API and the demo seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from mercato.catalog.seed import seed_catalog
from mercato.config import PROJECT_ROOT
from mercato.models.catalog import Category, Product, ProductImage, Tag
from mercato.models.inventory import Inventory
from mercato.platform.files import LocalStorage
from mercato.platform.seeding import SeedContext
from tests.catalog.test_storefront import STORE, make_shop

API = f"{STORE}/api/v1"


@pytest.fixture
async def shop(db, runtime):
    return await make_shop(db, runtime)


async def test_list_search_filter_and_page(client, shop):
    body = (await client.get(f"{API}/products")).json()
    assert body["total"] == 3 and body["pages"] == 1
    first = body["items"][0]
    assert {"slug", "price", "currency", "stock", "image", "folio_number"} <= set(first)
    assert first["image"]["variants"][0]["width"] == 320
    body = (await client.get(f"{API}/products", params={"q": "lavandula"})).json()
    assert [p["slug"] for p in body["items"]] == ["provence-lavender"]
    body = (
        await client.get(f"{API}/products", params={"sort": "price_desc", "per_page": 2})
    ).json()
    assert [p["price"] for p in body["items"]] == [9400, 4800] and body["pages"] == 2
    body = (
        await client.get(f"{API}/products", params={"in_stock": "true", "category": "calming"})
    ).json()
    assert [p["slug"] for p in body["items"]] == ["provence-lavender"]


async def test_a_long_list_gives_a_lower_bound(client, shop, monkeypatch):
    from mercato.catalog import service as catalog_service

    body = (await client.get(f"{API}/products")).json()
    assert body["total_exact"] is True
    monkeypatch.setattr(catalog_service, "COUNT_CAP", 1)
    body = (await client.get(f"{API}/products", params={"per_page": 1})).json()
    assert (body["total"], body["total_exact"], body["pages"]) == (1, False, 2)
    body = (await client.get(f"{API}/products", params={"per_page": 1, "page": 3})).json()
    assert (body["total"], body["total_exact"], body["pages"]) == (3, True, 3)


async def test_one_product_and_categories(client, shop):
    body = (await client.get(f"{API}/products/calabrian-bergamot")).json()
    assert body["compare_at_price"] == 5500 and body["folio_number"] == "III"
    assert body["stock"] == {"state": "low", "available": 3, "label": "Only 3 left"}
    assert body["volume_ml"] == "5"
    cats = (await client.get(f"{API}/categories")).json()
    assert {c["slug"]: c["product_count"] for c in cats} == {"calming": 2, "uplifting": 1}
    assert cats[0]["humour_symbol"] == "☾"


async def test_api_errors_are_json_with_fields(client, shop):
    missing = await client.get(f"{API}/products/unicorn-tears")
    assert missing.status_code == 404 and missing.json()["detail"]
    bad = await client.get(f"{API}/products", params={"sort": "sideways"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "sort"
    bad = await client.get(f"{API}/products", params={"rarity": "mythic"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rarity"
    ok = await client.get(f"{API}/products", params={"q": 'NEAR("'})
    assert ok.status_code == 200


async def test_documented_in_openapi(client):
    spec = (await client.get(f"{STORE}/api/openapi.json")).json()
    for path in ("/api/v1/products", "/api/v1/products/{slug}", "/api/v1/categories"):
        assert path in spec["paths"], path


async def _counts(db) -> tuple[int, ...]:
    return tuple(
        [await db.scalar(select(func.count()).select_from(m)) for m in
         (Category, Tag, Product, ProductImage, Inventory)]
    )  # fmt: skip


async def test_seed_loads_the_folio_once(db, runtime, settings, tmp_path: Path):
    ctx = SeedContext(
        config=runtime.config,
        settings=settings,
        seed_dir=PROJECT_ROOT / "stores/atelier-arome/seed",
        storage=LocalStorage(tmp_path, url_prefix="/files"),
    )
    await seed_catalog(db, ctx)
    first = await _counts(db)
    assert first[0] == 4 and first[2] >= 12 and first[3] == first[2] == first[4]
    lavender = await db.scalar(select(Product).where(Product.slug == "provence-lavender"))
    assert lavender.latin_name == "Lavandula × intermedia" and lavender.price == 4200
    assert lavender.description.startswith("Harvested at dawn in the Provençal hills")
    # every humour has essences; a sold-out, a low-stock and a limited one with a limit
    rows = await db.execute(
        select(Product, Inventory).join(Inventory, Inventory.product_id == Product.id)
    )
    stock = {p.slug: (p, i) for p, i in rows}
    assert any(i.quantity == 0 for _, i in stock.values())
    assert any(0 < i.quantity <= i.low_stock_threshold for _, i in stock.values())
    assert any(p.rarity == "limited" and p.max_per_customer for p, _ in stock.values())
    assert all(3600 <= p.price <= 9600 for p, _ in stock.values())
    assert len({p.category_id for p, _ in stock.values()}) == 4
    # Running it again changes nothing
    summary = await seed_catalog(db, ctx)
    assert await _counts(db) == first
    assert summary.startswith("0 new categories, 0 new tags, 0 new products")


async def test_a_mobile_app_adds_a_listed_product_to_a_guest_cart(client, shop):
    """The listing's `id` is the cart's `product_id`: an app can shop from the API alone."""
    listed = (await client.get(f"{API}/products", params={"q": "lavandula"})).json()["items"][0]
    token = (await client.post(f"{API}/carts")).json()["token"]
    added = await client.post(
        f"{API}/cart/items",
        json={"product_id": listed["id"], "quantity": 1},
        headers={"X-Cart-Token": token},
    )
    assert added.status_code == 200, added.text
    assert added.json()["items"][0]["slug"] == listed["slug"]
