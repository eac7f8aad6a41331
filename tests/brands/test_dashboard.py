"""The brand dashboard: only a brand's own users reach it, another brand's user gets 404 for
every page and write (ids cannot be probed), forms validate, uploads are checked by content
and re-encoded."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from mercato.models import Product
from mercato.models.brands import LookbookImage, ProductSize
from tests.brands.conftest import PASSWORD, ROOT, STORE
from tests.helpers import csrf_from, signin


def _png(size=(60, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, "PNG")
    return out.getvalue()


async def test_anonymous_and_non_brand_users_cannot_open_the_dashboard(client, make_user):
    anonymous = await client.get(f"{ROOT}/brand")
    assert anonymous.status_code in (303, 401)
    buyer = await make_user("buyer", "customer")
    await signin(client, STORE, buyer.email, PASSWORD)
    assert (await client.get(f"{ROOT}/brand")).status_code == 404


async def test_a_brand_user_cannot_read_or_edit_another_brand(client, qdb, make_brand):
    # Given two brands; the attacker is a user of brand B
    brand_a, _, collection_a, product_a = await make_brand("Victim")
    brand_b, attacker, _, _ = await make_brand("Attacker")
    await signin(client, STORE, attacker.email, PASSWORD)
    token = await csrf_from(client, f"{ROOT}/brand/profile")
    # When they try A's pages by id or by naming A in the query or the form
    for url in (
        f"brand?brand={brand_a.id}",
        f"brand/products/{product_a.id}",
        f"brand/products/{product_a.id}?brand={brand_a.id}",
        f"brand/collections/{collection_a.id}",
    ):
        assert (await client.get(f"{ROOT}/{url}")).status_code == 404, url
    writes = {
        "brand/profile": {"brand_id": brand_a.id, "name": "Pwned"},
        f"brand/products/{product_a.id}": {"brand_id": brand_b.id, "name": "Pwned", "price": "1"},
        f"brand/products/{product_a.id}/images/1/delete": {},
        f"brand/collections/{collection_a.id}": {"name": "Pwned", "season": "SS", "year": "2026"},
        f"brand/collections/{collection_a.id}/images": {},
    }
    for url, data in writes.items():
        response = await client.post(f"{ROOT}/{url}", data={"csrf_token": token, **data})
        assert response.status_code == 404, url
    # Then nothing of A changed
    await qdb.refresh(brand_a)
    await qdb.refresh(product_a)
    assert brand_a.name == "Victim" and product_a.name == "Victim Silk Dress"


async def test_create_a_product_with_sizes_and_validation_errors(client, qdb, make_brand):
    brand, owner, collection, _ = await make_brand("Maker")
    await signin(client, STORE, owner.email, PASSWORD)
    token = await csrf_from(client, f"{ROOT}/brand/products/new")
    form = {
        "csrf_token": token,
        "brand_id": str(brand.id),
        "name": "Linen Shirt",
        "price": "12.5x",
        "suggested_retail_price": "30",
        "collection_id": str(collection.id),
        "colours": "White, Sky",
        "lead_time_days": "14",
        "size_label": ["S", "M", ""],
        "size_state": ["in_stock", "low_stock", "in_stock"],
        "size_quantity": ["10", "2", ""],
        "is_active": "on",
    }
    bad = await client.post(f"{ROOT}/brand/products/new", data=form)
    assert bad.status_code == 422
    assert "Enter an amount" in bad.text
    # retail below wholesale is refused too
    low = await client.post(
        f"{ROOT}/brand/products/new", data={**form, "price": "50", "suggested_retail_price": "30"}
    )
    assert low.status_code == 422 and "at least the wholesale price" in low.text
    good = await client.post(f"{ROOT}/brand/products/new", data={**form, "price": "12.50"})
    assert good.status_code == 303, good.text[:500]
    product = await qdb.scalar(select(Product).where(Product.name == "Linen Shirt"))
    assert product is not None and product.price == 1250
    sizes = list(
        await qdb.scalars(
            select(ProductSize)
            .where(ProductSize.product_id == product.id)
            .order_by(ProductSize.sort)
        )
    )
    assert [(s.label, s.stock_state, s.quantity) for s in sizes] == [
        ("S", "in_stock", 10),
        ("M", "low_stock", 2),
    ]


async def test_lookbook_upload_is_checked_and_reencoded(client, qdb, qala, make_brand):
    brand, owner, collection, _ = await make_brand("Uploader")
    await signin(client, STORE, owner.email, PASSWORD)
    url = f"{ROOT}/brand/collections/{collection.id}"
    token = await csrf_from(client, url)
    fake = await client.post(
        f"{url}/images",
        data={"csrf_token": token, "brand_id": str(brand.id)},
        files={"file": ("look.png", b"<?php echo 'not an image'; ?>", "image/png")},
    )
    assert fake.status_code == 422 and "not an image" in fake.text
    ok = await client.post(
        f"{url}/images",
        data={"csrf_token": token, "brand_id": str(brand.id), "alt_text": "Look one"},
        files={"file": ("look.png", _png(), "image/png")},
    )
    assert ok.status_code == 303
    image = await qdb.scalar(
        select(LookbookImage).where(LookbookImage.collection_id == collection.id)
    )
    assert (
        image is not None
        and image.alt_text == "Look one"
        and (image.width, image.height) == (60, 80)
    )
    stored = await qala.storage.read(image.storage_key)
    assert stored.startswith(b"\xff\xd8")  # re-encoded as JPEG, not the bytes sent


async def test_a_lookbook_upload_gets_webp_sizes_in_the_page_srcset(client, qdb, qala, make_brand):
    # Given a brand uploads a large lookbook photograph
    brand, owner, collection, _ = await make_brand("Wide Looks")
    await signin(client, STORE, owner.email, PASSWORD)
    url = f"{ROOT}/brand/collections/{collection.id}"
    token = await csrf_from(client, url)
    sent = await client.post(
        f"{url}/images",
        data={"csrf_token": token, "brand_id": str(brand.id), "alt_text": "Look wide"},
        files={"file": ("wide.png", _png((1200, 1500)), "image/png")},
    )
    assert sent.status_code == 303
    # Then WebP copies at the catalogue's widths are stored with it
    image = await qdb.scalar(
        select(LookbookImage).where(LookbookImage.collection_id == collection.id)
    )
    assert [(v["width"], v["height"]) for v in image.variants] == [
        (320, 400),
        (640, 800),
        (960, 1200),
    ]
    for variant in image.variants:
        assert (await qala.storage.read(variant["key"]))[8:12] == b"WEBP"
    # And the collection page offers them as a srcset
    page = await client.get(f"{ROOT}/brands/{brand.slug}/collections/{collection.slug}")
    assert page.status_code == 200
    for variant in image.variants:
        assert f"{variant['key']} {variant['width']}w" in page.text


async def test_profile_edit_is_validated_and_saved(client, qdb, make_brand):
    brand, owner, _, _ = await make_brand("Profiled")
    await signin(client, STORE, owner.email, PASSWORD)
    token = await csrf_from(client, f"{ROOT}/brand/profile")
    base = {
        "csrf_token": token,
        "brand_id": str(brand.id),
        "name": "Profiled",
        "location_country": "FR",
    }
    bad = await client.post(
        f"{ROOT}/brand/profile",
        data={**base, "website": "javascript:alert(1)", "founded_year": "year"},
    )
    assert bad.status_code == 422
    bad_site = await client.post(
        f"{ROOT}/brand/profile", data={**base, "website": "javascript:alert(1)"}
    )
    assert bad_site.status_code == 422 and "https://" in bad_site.text
    good = await client.post(
        f"{ROOT}/brand/profile", data={**base, "tagline": "New line", "founded_year": "2001"}
    )
    assert good.status_code == 303
    await qdb.refresh(brand)
    assert brand.tagline == "New line" and brand.founded_year == 2001
