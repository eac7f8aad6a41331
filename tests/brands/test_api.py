"""The JSON API under /qala/api/v1 (brands, brand, collections, products), in the OpenAPI
document, with bad input answered 4xx."""

from __future__ import annotations

from tests.brands.conftest import ROOT


async def test_brands_brand_collections_and_products(client, qdb, make_brand):
    brand, _, collection, product = await make_brand("Api House")
    listing = await client.get(f"{ROOT}/api/v1/brands")
    assert listing.status_code == 200
    assert brand.slug in [b["slug"] for b in listing.json()]
    one = await client.get(f"{ROOT}/api/v1/brands/{brand.slug}")
    assert one.status_code == 200
    body = one.json()
    assert body["name"] == "Api House" and body["location_country"] == "FR"
    assert body["collections"][0]["label"] == "SS 2026"
    collections = await client.get(f"{ROOT}/api/v1/brands/{brand.slug}/collections")
    assert [c["slug"] for c in collections.json()] == [collection.slug]
    products = await client.get(f"{ROOT}/api/v1/products", params={"brand": brand.slug})
    assert products.status_code == 200
    page = products.json()
    assert page["total"] == 1
    item = page["items"][0]
    assert item["wholesale_price"] == 48000 and item["suggested_retail_price"] == 120000
    assert item["currency"] == "USD" and item["brand_slug"] == brand.slug
    assert [s["label"] for s in item["sizes"]] == ["S", "M", "L"]
    detail = await client.get(f"{ROOT}/api/v1/products/{product.slug}")
    assert detail.status_code == 200 and detail.json()["collection"] == "SS 2026 Rivière"


async def test_bad_input_is_4xx(client):
    assert (await client.get(f"{ROOT}/api/v1/brands/no-such-brand")).status_code == 404
    assert (await client.get(f"{ROOT}/api/v1/products/no-such-product")).status_code == 404
    assert (
        await client.get(f"{ROOT}/api/v1/products", params={"per_page": 1000})
    ).status_code == 422
    assert (await client.get(f"{ROOT}/api/v1/products", params={"page": 0})).status_code == 422
    assert (
        await client.get(f"{ROOT}/api/v1/brands", params={"season": "winter"})
    ).status_code == 422


async def test_openapi_documents_the_qala_routes(client):
    spec = (await client.get(f"{ROOT}/api/openapi.json")).json()
    for route in ("/brands", "/brands/{slug}", "/brands/{slug}/collections", "/products"):
        assert any(p.endswith(route) for p in spec["paths"]), route
